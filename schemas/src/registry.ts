// The schema set a codec reads with: the current contract of every event (schemas/<Name>.avsc, the
// reader and writer schema) and every older version kept in schemas/history/<Name>.v<N>.avsc, each
// with its fingerprint. Old versions stay forever: the topics are the event store, so bytes written
// years ago must still find their writer schema. Loading checks the evolution rules up front (every
// old version resolves to the current one), so an incompatible schema change fails at start-up and
// in the unit tests, not on the first old message.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { PipelineError } from '@llmpt/core';
import { parsingCanonicalForm, rabinFingerprint64 } from './fingerprint.ts';
import { eventNames, type EventName } from './generated.ts';

export type Resolver = ReturnType<Type['createResolver']>;

export interface SchemaVersion {
  readonly name: EventName;
  /** 1 for the first contract; the current file is one more than its newest history file. */
  readonly version: number;
  readonly current: boolean;
  /** Path relative to the schemas directory, e.g. `history/ModelDiscovered.v1.avsc`. */
  readonly file: string;
  readonly schema: unknown;
  readonly canonicalForm: string;
  /** CRC-64-AVRO of the canonical form, unsigned. */
  readonly fingerprint: bigint;
  readonly type: Type;
  /** Reads bytes written with this version into the current reader schema; undefined when current. */
  readonly resolver: Resolver | undefined;
}

export interface SchemaSet {
  readonly dir: string;
  readonly current: ReadonlyMap<EventName, SchemaVersion>;
  /** Every version, current and historical, sorted by name then version. */
  readonly versions: readonly SchemaVersion[];
  readonly byFingerprint: ReadonlyMap<bigint, SchemaVersion>;
}

/** The schema set cannot be read or breaks the evolution rules: fixed by a person, never retried. */
export class SchemaLoadError extends PipelineError {
  declare readonly code: 'SCHEMA_LOAD';
  constructor(message: string) {
    super('SCHEMA_LOAD', message);
  }
}

/** schemas/ of this package, found from this file so it works from any working directory. */
export const defaultSchemaDir = resolve(fileURLToPath(new URL('..', import.meta.url)));

const HISTORY_FILE = /^([A-Za-z_][A-Za-z0-9_]*)\.v([1-9][0-9]*)\.avsc$/;
const CURRENT_FILE = /^([A-Za-z_][A-Za-z0-9_]*)\.avsc$/;

function isEventName(name: string): name is EventName {
  return (eventNames as readonly string[]).includes(name);
}

/** Where schema texts come from: a directory, or the copy embedded at build time (schema-files.ts). */
export interface SchemaSource {
  readonly label: string;
  /** Relative file names: `<Name>.avsc` and `history/<Name>.v<N>.avsc`. */
  readonly files: readonly string[];
  read(file: string): string;
}

export function directorySource(dir: string): SchemaSource {
  let history: string[];
  try {
    history = readdirSync(join(dir, 'history')).map((f) => `history/${f}`);
  } catch {
    history = [];
  }
  return {
    label: dir,
    files: [...readdirSync(dir), ...history],
    read: (file) => readFileSync(join(dir, file), 'utf8'),
  };
}

export function embeddedSource(files: Readonly<Record<string, string>>): SchemaSource {
  return {
    label: 'embedded schemas',
    files: Object.keys(files),
    read: (file) => {
      const text = files[file];
      if (text === undefined) throw new SchemaLoadError(`${file}: not embedded`);
      return text;
    },
  };
}

function readSchema(source: SchemaSource, file: string): { schema: unknown; recordName: string } {
  let schema: unknown;
  try {
    schema = JSON.parse(source.read(file));
  } catch (e) {
    throw new SchemaLoadError(`${file}: not readable JSON: ${(e as Error).message}`);
  }
  const fullName = (schema as { name?: unknown }).name;
  if (typeof fullName !== 'string') throw new SchemaLoadError(`${file}: top level is not a named record`);
  return { schema, recordName: fullName.split('.').pop() ?? fullName };
}

function parse(file: string, schema: unknown): Type {
  try {
    return avro.Type.forSchema(schema as Schema);
  } catch (e) {
    throw new SchemaLoadError(`${file}: invalid Avro schema: ${(e as Error).message}`);
  }
}

/** Reads and checks the schema set in `dir`, or from a source (default: this package's schemas/). */
export function loadSchemas(from: string | SchemaSource = defaultSchemaDir): SchemaSet {
  const source = typeof from === 'string' ? directorySource(from) : from;
  const dir = source.label;
  type Draft = Omit<SchemaVersion, 'version' | 'current' | 'resolver'> & { historyVersion?: number };
  const drafts: Draft[] = [];
  const draft = (file: string, nameFromFile: string, historyVersion?: number): void => {
    const { schema, recordName } = readSchema(source, file);
    if (recordName !== nameFromFile) {
      throw new SchemaLoadError(`${file}: record is named ${recordName}, the file name says ${nameFromFile}`);
    }
    if (!isEventName(recordName)) {
      throw new SchemaLoadError(`${file}: ${recordName} is not an event type (run npm run gen:types?)`);
    }
    const canonicalForm = parsingCanonicalForm(schema);
    drafts.push({
      name: recordName,
      file,
      schema,
      canonicalForm,
      fingerprint: rabinFingerprint64(Buffer.from(canonicalForm, 'utf8')),
      type: parse(file, schema),
      ...(historyVersion === undefined ? {} : { historyVersion }),
    });
  };
  const sorted = [...source.files].sort();
  for (const file of sorted) {
    const m = CURRENT_FILE.exec(file);
    if (m?.[1]) draft(file, m[1]);
  }
  const historyFiles = sorted.filter((f) => f.startsWith('history/')).map((f) => f.slice('history/'.length));
  for (const file of historyFiles) {
    if (!file.endsWith('.avsc')) continue;
    const m = HISTORY_FILE.exec(file);
    if (!m?.[1] || !m[2]) throw new SchemaLoadError(`history/${file}: expected a name like <Name>.v<N>.avsc`);
    draft(`history/${file}`, m[1], Number(m[2]));
  }

  const current = new Map<EventName, SchemaVersion>();
  const versions: SchemaVersion[] = [];
  for (const name of eventNames) {
    const mine = drafts.filter((d) => d.name === name);
    const head = mine.find((d) => d.historyVersion === undefined);
    if (!head) throw new SchemaLoadError(`no ${name}.avsc in ${dir}`);
    const old = mine.filter((d) => d.historyVersion !== undefined);
    const headVersion = Math.max(0, ...old.map((d) => d.historyVersion ?? 0)) + 1;
    const { historyVersion: _h, ...headFields } = head;
    const currentVersion: SchemaVersion = {
      ...headFields,
      version: headVersion,
      current: true,
      resolver: undefined,
    };
    current.set(name, currentVersion);
    for (const d of old.sort((a, b) => (a.historyVersion ?? 0) - (b.historyVersion ?? 0))) {
      let resolver: Resolver;
      try {
        resolver = currentVersion.type.createResolver(d.type);
      } catch (e) {
        throw new SchemaLoadError(
          `${d.file} cannot be read with ${head.file}: ${(e as Error).message}. New fields need defaults; never change a field's type.`,
        );
      }
      const { historyVersion, ...fields } = d;
      versions.push({ ...fields, version: historyVersion ?? 0, current: false, resolver });
    }
    versions.push(currentVersion);
  }

  const byFingerprint = new Map<bigint, SchemaVersion>();
  for (const v of versions) {
    const seen = byFingerprint.get(v.fingerprint);
    if (seen && seen.name !== v.name) {
      throw new SchemaLoadError(
        `${v.file} and ${seen.file} have the same fingerprint but name different events`,
      );
    }
    // A history file that only differs in docs has the current fingerprint: the current one wins.
    if (!seen || v.current) byFingerprint.set(v.fingerprint, v);
  }
  return { dir, current, versions, byFingerprint };
}
