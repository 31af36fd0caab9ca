// Saved encoded events, one per schema version (schemas/fixtures/<Name>.v<N>.bin), each with the value
// it was written from in the Avro JSON encoding of its writer schema (<Name>.v<N>.json). They are never
// rewritten: they prove that bytes written by an old version still decode with the current code.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSchemaDir, type SchemaSet, type SchemaVersion } from '../src/registry.ts';

export const fixtureDir = join(defaultSchemaDir, 'fixtures');

export interface Fixture {
  readonly base: string;
  readonly version: SchemaVersion;
  readonly bytes: Buffer;
  /** The value as written, parsed with the writer schema. */
  readonly written: unknown;
}

export function fixtureBase(version: SchemaVersion): string {
  return `${version.name}.v${version.version}`;
}

/** Record instances and shared Buffers to plain data, the shape the codec returns. */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

export function readFixture(schemas: SchemaSet, base: string): Fixture {
  const version = schemas.versions.find((v) => fixtureBase(v) === base);
  if (!version) throw new Error(`fixture ${base} matches no schema version`);
  const bytes = readFileSync(join(fixtureDir, `${base}.bin`));
  const written = plain(version.type.fromString(readFileSync(join(fixtureDir, `${base}.json`), 'utf8')));
  return { base, version, bytes, written };
}

export function listFixtures(): string[] {
  if (!existsSync(fixtureDir)) return [];
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => f.slice(0, -'.bin'.length))
    .sort();
}
