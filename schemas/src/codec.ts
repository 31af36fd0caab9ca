// Event bytes on the wire: Avro single-object encoding (spec "Single object encoding"), so a consumer in
// any language finds the writer schema from the fingerprint alone, without a registry service:
//   0xC3 0x01 | CRC-64-AVRO fingerprint of the writer schema, 8 bytes little-endian | Avro binary body
// The event type also travels in the Kafka header EVENT_TYPE_HEADER, for routing without decoding.
// Optionally (EVENT_ENCODING=confluent, schemas/README.md "Schema Registry framing") the same body goes
// out in the Confluent framing instead: 0x00 | registry schema id, 4 bytes big-endian | Avro binary
// body. Readers accept both; the first byte tells them apart (0xC3 or 0x00). A Confluent id means
// nothing without the registry that issued it: the writer schemas it names come in as a map from id
// to schema (RegistrySchemas), fetched by the runtime; without one the bytes are refused, never guessed.
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { PoisonInputError } from '@llmpt/core';
import type { EventName, EventTypes } from './generated.ts';
import { parsingCanonicalForm, rabinFingerprint64 } from './fingerprint.ts';
import { embeddedSource, loadSchemas, type SchemaSet, type SchemaVersion } from './registry.ts';
import { schemaFiles } from './schema-files.ts';
import { compiledReader, MISREAD } from './reader.ts';
import { ScanError, scanBody } from './scan.ts';

export { loadSchemas };
export type { SchemaSet, SchemaVersion };

export const EVENT_TYPE_HEADER = 'event-type';

const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
export const HEADER_LENGTH = 10;
/** Confluent Schema Registry wire format: magic byte 0, then the schema id (int32 big-endian). */
export const CONFLUENT_MAGIC = 0x00;
export const CONFLUENT_HEADER_LENGTH = 5;

/** The two framings of an event value on the wire. */
export type Framing = 'single-object' | 'confluent';

/**
 * Writer schemas by Schema Registry id, as fetched from the registry (see writerVersionFromRegistry).
 * An id absent from the map was not found in the registry: its bytes are poison, not guessed.
 */
export type RegistrySchemas = ReadonlyMap<number, SchemaVersion>;

export type CodecErrorCode =
  | 'TRUNCATED'
  | 'NO_REGISTRY'
  | 'UNKNOWN_REGISTRY_ID'
  | 'BAD_MAGIC'
  | 'UNKNOWN_FINGERPRINT'
  | 'BAD_BODY'
  | 'TRAILING_BYTES'
  | 'WRONG_TYPE'
  | 'INVALID_EVENT';

/** Never retriable: the same bytes or the same event fail the same way every time (poison input). */
export class CodecError extends PoisonInputError {
  declare readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options.cause);
  }
}

export type DecodedEvent = { [N in EventName]: { name: N; event: EventTypes[N] } }[EventName];

/** Loaded once: the .avsc files are part of the package, like code. */
// Embedded at generation time so a bundled service needs no schema files on disk.
const schemas: SchemaSet = loadSchemas(embeddedSource(schemaFiles));

function currentVersion(name: EventName): SchemaVersion {
  const v = schemas.current.get(name);
  if (!v) throw new CodecError('WRONG_TYPE', `unknown event type ${String(name)}`);
  return v;
}

/** The CRC-64-AVRO fingerprint (unsigned) of the current schema of an event type. */
export function schemaFingerprint(name: EventName): bigint {
  return currentVersion(name).fingerprint;
}

/** The 10-byte single-object header for a writer schema fingerprint. */
export function singleObjectHeader(fingerprint: bigint): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = MAGIC_0;
  header[1] = MAGIC_1;
  header.writeBigUInt64LE(BigInt.asUintN(64, fingerprint), 2);
  return header;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  const text = JSON.stringify(value) ?? typeof value;
  const shown = text.length > 60 ? `${text.slice(0, 60)}...` : text;
  return `${shown} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}

function schemaOf(type: Type): string {
  const s = JSON.stringify(type.schema());
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}

/** Checks a value against a schema; the error names every bad field path, e.g. `pricing_tiers.0.conditions`. */
function validate(version: SchemaVersion, value: unknown): void {
  // The plain check first: collecting paths (errorHook) walks every field the slow way, so it runs
  // only to explain a value already found invalid.
  if (version.type.isValid(value)) return;
  const problems: string[] = [];
  version.type.isValid(value, {
    errorHook: (path, val, type) => {
      problems.push(
        `${path.length ? path.join('.') : '(root)'}: expected ${schemaOf(type)}, got ${describe(val)}`,
      );
    },
  });
  throw new CodecError(
    'INVALID_EVENT',
    `invalid ${version.name} (${version.file}): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
  );
}

/** Where encodings are written before they are copied out at their exact size. */
let scratch = Buffer.allocUnsafe(16 * 1024);
/** The scratch buffer grows up to this; a larger event is written into a buffer of its own. */
const MAX_SCRATCH = 1024 * 1024;

/** `header` then the Avro body of `value`, in one buffer of exactly their size (value already valid). */
function frame(header: Buffer, type: Type, value: unknown): Buffer {
  header.copy(scratch, 0);
  const end = type.encode(value, scratch, header.length);
  if (end >= 0) {
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, 0, 0, end);
    return out;
  }
  // avsc answers how many bytes were missing: the exact size is now known.
  const size = scratch.length - end;
  const out = Buffer.allocUnsafe(size);
  header.copy(out, 0);
  type.encode(value, out, header.length);
  if (size <= MAX_SCRATCH && size > scratch.length)
    scratch = Buffer.allocUnsafe(Math.min(2 * size, MAX_SCRATCH));
  return out;
}

const headers = new WeakMap<SchemaVersion, Buffer>();
function headerOf(version: SchemaVersion): Buffer {
  let header = headers.get(version);
  if (!header) {
    header = singleObjectHeader(version.fingerprint);
    headers.set(version, header);
  }
  return header;
}

/** Encodes a value with a given writer schema version: the current one, or an old one for fixtures. */
export function encodeWithSchema(version: SchemaVersion, value: unknown): Buffer {
  validate(version, value);
  return frame(headerOf(version), version.type, value);
}

/**
 * The encoding as it was before the single-buffer framing (validation with paths, avsc toBuffer, a
 * header concatenated): the same bytes, kept as the reference for tests and the codec micro-bench.
 */
export function encodeEventReference<N extends EventName>(name: N, event: EventTypes[N]): Buffer {
  const version = currentVersion(name);
  validateReference(version, event);
  return Buffer.concat([singleObjectHeader(version.fingerprint), version.type.toBuffer(event)]);
}

/** validate() as it was: every value walked with the path-collecting hook. */
function validateReference(version: SchemaVersion, value: unknown): void {
  const problems: string[] = [];
  const ok = version.type.isValid(value, { errorHook: (path) => problems.push(path.join('.')) });
  if (!ok) throw new CodecError('INVALID_EVENT', `invalid ${version.name}: ${problems.join('; ')}`);
}

/** Avro single-object bytes of an event, written with the current schema of its type. */
export function encodeEvent<N extends EventName>(name: N, event: EventTypes[N]): Buffer {
  return encodeWithSchema(currentVersion(name), event);
}

/** Reads the header and finds the writer schema, current or historical, without decoding the body. */
export function writerSchemaOf(buf: Buffer): SchemaVersion {
  if (!buf || buf.length === 0)
    throw new CodecError('TRUNCATED', 'empty message: no Avro single-object header');
  if (buf[0] !== MAGIC_0 || (buf.length > 1 && buf[1] !== MAGIC_1)) {
    const first = buf.subarray(0, 2).toString('hex');
    const hint = buf[0] === 0x00 ? ' (0x00 starts the Confluent Schema Registry format, not ours)' : '';
    throw new CodecError(
      'BAD_MAGIC',
      `message starts with 0x${first}, expected 0xc301 (Avro single-object)${hint}`,
    );
  }
  if (buf.length < HEADER_LENGTH) {
    throw new CodecError(
      'TRUNCATED',
      `message of ${buf.length} bytes is shorter than the ${HEADER_LENGTH}-byte single-object header`,
    );
  }
  const fingerprint = buf.readBigUInt64LE(2);
  const version = schemas.byFingerprint.get(fingerprint);
  if (!version) {
    throw new CodecError(
      'UNKNOWN_FINGERPRINT',
      `no schema in schemas/ or schemas/history/ has fingerprint 0x${fingerprint.toString(16).padStart(16, '0')}`,
    );
  }
  return version;
}

/** The event type a message carries, from its header only. */
export function eventNameOf(buf: Buffer): EventName {
  return writerSchemaOf(buf).name;
}

/** avsc returns record class instances and Buffers that share the input's memory: copy to plain data. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}

/**
 * Bytes of the current schema go through its compiled reader (reader.ts): one checked pass straight
 * to plain data. Old writer schemas, and any bytes that reader gives up on, take the reference path.
 */
function decodeBody(version: SchemaVersion, buf: Buffer, start: number): unknown {
  if (version.current && version.resolver === undefined) {
    const read = compiledReader(version.type);
    if (read) {
      const value = read(buf, start);
      if (value !== MISREAD) return value;
    }
  }
  return decodeBodyReference(version, buf, start);
}

/**
 * The reference decoding: the bounded scan (a clear error for bad bytes), avsc with the resolver of
 * the writer schema, then a deep copy of avsc's record instances and Buffers into plain data.
 */
function decodeBodyReference(version: SchemaVersion, buf: Buffer, start: number): unknown {
  const where = `${version.name} v${version.version} (${version.file})`;
  let end: number;
  try {
    end = scanBody(version.type, buf, start);
  } catch (e) {
    if (e instanceof ScanError) throw new CodecError(e.code, `${where}: ${e.message}`, { cause: e });
    throw e;
  }
  if (end < buf.length) {
    throw new CodecError(
      'TRAILING_BYTES',
      `${where}: ${buf.length - end} bytes left after the body ends at byte ${end} of ${buf.length}`,
    );
  }
  const reader = currentVersion(version.name).type;
  let decoded: { value: unknown; offset: number };
  try {
    decoded = reader.decode(buf, start, version.resolver);
  } catch (e) {
    throw new CodecError('BAD_BODY', `${where}: ${(e as Error).message}`, { cause: e });
  }
  if (decoded.offset !== buf.length) {
    throw new CodecError('BAD_BODY', `${where}: body did not decode to the end of the message`);
  }
  return plain(decoded.value);
}

/** Which framing a value uses, from its first byte; BAD_MAGIC when neither. */
export function framingOf(buf: Buffer): Framing {
  if (!buf || buf.length === 0) throw new CodecError('TRUNCATED', 'empty message: no framing byte');
  if (buf[0] === CONFLUENT_MAGIC) return 'confluent';
  if (buf[0] === MAGIC_0) return 'single-object';
  const first = buf.subarray(0, 2).toString('hex');
  throw new CodecError(
    'BAD_MAGIC',
    `message starts with 0x${first}, expected 0xc301 (Avro single-object) or 0x00 (Confluent framing)`,
  );
}

/** The registry schema id of a Confluent-framed value. */
export function confluentIdOf(buf: Buffer): number {
  if (buf.length < CONFLUENT_HEADER_LENGTH || buf[0] !== CONFLUENT_MAGIC) {
    throw new CodecError(
      'TRUNCATED',
      `message of ${buf.length} bytes has no ${CONFLUENT_HEADER_LENGTH}-byte Confluent header`,
    );
  }
  return buf.readUInt32BE(1);
}

/** The 5-byte Confluent header for a registry schema id (an id the registry gave, never made up). */
export function confluentHeader(id: number): Buffer {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new CodecError('INVALID_EVENT', `a registry schema id is an unsigned 32-bit integer, got ${id}`);
  }
  const header = Buffer.alloc(CONFLUENT_HEADER_LENGTH);
  header[0] = CONFLUENT_MAGIC;
  header.writeUInt32BE(id, 1);
  return header;
}

/** Confluent-framed bytes of an event, written with the current schema of its type under `registryId`. */
export function encodeEventConfluent<N extends EventName>(
  name: N,
  event: EventTypes[N],
  registryId: number,
): Buffer {
  const version = currentVersion(name);
  validate(version, event);
  return frame(confluentHeader(registryId), version.type, event);
}

/**
 * The writer schema of a registry id, from the schema text the registry returned: one of ours (current
 * or historical, found by fingerprint) when it is, else a schema some other producer registered for one
 * of our event types, read into the current reader schema by Avro resolution (like a history version).
 */
export function writerVersionFromRegistry(id: number, schema: unknown): SchemaVersion {
  const canonicalForm = parsingCanonicalForm(schema);
  const fingerprint = rabinFingerprint64(Buffer.from(canonicalForm, 'utf8'));
  const known = schemas.byFingerprint.get(fingerprint);
  if (known) return known;
  const fullName = (schema as { name?: unknown } | null)?.name;
  const name = typeof fullName === 'string' ? (fullName.split('.').pop() ?? fullName) : String(fullName);
  const reader = schemas.current.get(name as EventName);
  if (!reader) {
    throw new CodecError('WRONG_TYPE', `registry schema id ${id} is a ${name}, not an event type of ours`);
  }
  let type: Type;
  let resolver: SchemaVersion['resolver'];
  try {
    type = avro.Type.forSchema(schema as Schema);
    resolver = reader.type.createResolver(type);
  } catch (e) {
    throw new CodecError(
      'BAD_BODY',
      `registry schema id ${id} (${name}) cannot be read with ${reader.file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return {
    name: reader.name,
    version: 0,
    current: false,
    file: `registry id ${id}`,
    schema,
    canonicalForm,
    fingerprint,
    type,
    resolver,
  };
}

/** The writer schema and where the body starts, for either framing. */
function writerOf(
  buf: Buffer,
  registry: RegistrySchemas | undefined,
): { version: SchemaVersion; start: number } {
  if (framingOf(buf) === 'single-object') return { version: writerSchemaOf(buf), start: HEADER_LENGTH };
  const id = confluentIdOf(buf);
  if (!registry) {
    throw new CodecError(
      'NO_REGISTRY',
      `message is in the Confluent framing (schema id ${id}) but no schema registry is configured (set SCHEMA_REGISTRY_URL)`,
    );
  }
  const version = registry.get(id);
  if (!version) {
    throw new CodecError('UNKNOWN_REGISTRY_ID', `schema id ${id} is not known to the schema registry`);
  }
  return { version, start: CONFLUENT_HEADER_LENGTH };
}

/**
 * Decodes any event, in either framing, resolving old writer schemas to the current reader schema of
 * the type. Confluent-framed values need `registry`: the writer schemas of the ids they carry.
 */
export function decodeEvent(buf: Buffer, registry?: RegistrySchemas): DecodedEvent {
  const { version, start } = writerOf(buf, registry);
  return { name: version.name, event: decodeBody(version, buf, start) } as DecodedEvent;
}

/**
 * decodeEvent the reference way only (scan, avsc, deep copy), as before the compiled readers: what the
 * fast path must equal, for tests and the codec micro-bench.
 */
export function decodeEventReference(buf: Buffer, registry?: RegistrySchemas): DecodedEvent {
  const { version, start } = writerOf(buf, registry);
  return { name: version.name, event: decodeBodyReference(version, buf, start) } as DecodedEvent;
}

/** Decodes an event that must be of type `name`; CodecError WRONG_TYPE otherwise. */
export function decodeEventAs<N extends EventName>(
  name: N,
  buf: Buffer,
  registry?: RegistrySchemas,
): EventTypes[N] {
  const { version, start } = writerOf(buf, registry);
  if (version.name !== name) {
    throw new CodecError('WRONG_TYPE', `expected a ${name} event, got ${version.name}`);
  }
  return decodeBody(version, buf, start) as EventTypes[N];
}

/** The schema set this codec reads with (current and historical versions). */
export function codecSchemas(): SchemaSet {
  return schemas;
}
