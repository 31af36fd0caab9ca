// Avro schema fingerprints as the spec defines them: CRC-64-AVRO (Rabin) over the UTF-8 bytes of the
// schema's Parsing Canonical Form. avsc has no such fingerprint, and the single-object encoding puts it
// in every message, so it must equal Java's SchemaNormalization.parsingFingerprint64 bit for bit
// (schemas/test/java-interop.int.test.ts checks that against the real Java library).
import { PipelineError } from '@llmpt/core';

/** The Rabin polynomial's empty value, from the Avro specification. */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK64);
  return fp;
});

/** CRC-64-AVRO of raw bytes, as an unsigned 64-bit bigint. */
export function rabinFingerprint64(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint);
  return fp;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** A schema that is not valid Avro where the canonical form needs it to be: never retried. */
export class SchemaFormError extends PipelineError {
  declare readonly code: 'BAD_SCHEMA';
  constructor(message: string) {
    super('BAD_SCHEMA', message);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function fullName(name: string, namespace: string | null): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/**
 * The Parsing Canonical Form (Avro spec "Transforming into Parsing Canonical Form"): primitives as
 * bare names, full names, only the attributes that matter for parsing (name, type, fields, symbols,
 * items, values, size) in that order, no whitespace, and a named type spelled out only at its first
 * occurrence. doc, default, aliases, order, logicalType and custom attributes are dropped, so a doc
 * change or a new logical type annotation never changes the fingerprint. Mirrors Java's
 * SchemaNormalization.build, which writes names unescaped (Avro names are [A-Za-z0-9_.] only).
 */
export function parsingCanonicalForm(schema: unknown): string {
  const defined = new Set<string>();
  const str = (s: string): string => JSON.stringify(s);

  const build = (s: Json, namespace: string | null): string => {
    if (typeof s === 'string') {
      if (PRIMITIVES.has(s)) return str(s);
      const name = fullName(s, namespace);
      if (!defined.has(name)) throw new SchemaFormError(`reference to undefined type ${name}`);
      return str(name);
    }
    if (Array.isArray(s)) return `[${s.map((b) => build(b, namespace)).join(',')}]`;
    if (s === null || typeof s !== 'object') throw new SchemaFormError(`not a schema: ${JSON.stringify(s)}`);
    const type = s['type'];
    if (typeof type !== 'string') return build(type ?? null, namespace);
    switch (type) {
      case 'array':
        return `{"type":"array","items":${build(s['items'] ?? null, namespace)}}`;
      case 'map':
        return `{"type":"map","values":${build(s['values'] ?? null, namespace)}}`;
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed': {
        const rawName = s['name'];
        if (typeof rawName !== 'string') throw new SchemaFormError(`${type} without a name`);
        const ns = typeof s['namespace'] === 'string' && s['namespace'] !== '' ? s['namespace'] : namespace;
        const name = fullName(rawName, ns);
        if (defined.has(name)) return str(name);
        defined.add(name);
        // A dotted name carries its own namespace, which nested definitions then inherit.
        const innerNs = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : null;
        const head = `{"name":${str(name)},"type":${str(type === 'error' ? 'record' : type)}`;
        if (type === 'enum') {
          const symbols = s['symbols'];
          if (!Array.isArray(symbols)) throw new SchemaFormError(`enum ${name} without symbols`);
          const names = symbols.map((x) => {
            if (typeof x !== 'string')
              throw new SchemaFormError(`enum ${name} has a symbol that is not a string`);
            return str(x);
          });
          return `${head},"symbols":[${names.join(',')}]}`;
        }
        if (type === 'fixed') return `${head},"size":${Number(s['size'])}}`;
        const fields = s['fields'];
        if (!Array.isArray(fields)) throw new SchemaFormError(`record ${name} without fields`);
        const body = fields.map((f) => {
          if (f === null || typeof f !== 'object' || Array.isArray(f) || typeof f['name'] !== 'string') {
            throw new SchemaFormError(`record ${name} has a field without a name`);
          }
          return `{"name":${str(f['name'])},"type":${build(f['type'] ?? null, innerNs)}}`;
        });
        return `${head},"fields":[${body.join(',')}]}`;
      }
      default:
        // {"type":"long","logicalType":...} and other primitive objects reduce to the bare name.
        return build(type, namespace);
    }
  };
  return build(schema as Json, null);
}

/** CRC-64-AVRO of the schema's Parsing Canonical Form: the id the single-object encoding carries. */
export function parsingFingerprint64(schema: unknown): bigint {
  return rabinFingerprint64(new TextEncoder().encode(parsingCanonicalForm(schema)));
}
