import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '@llmpt/core';
import { parsingCanonicalForm, parsingFingerprint64, rabinFingerprint64 } from './fingerprint.ts';
import { defaultSchemaDir, loadSchemas } from './registry.ts';

describe('CRC-64-AVRO fingerprint', () => {
  it('matches the Avro specification test vector for "null"', () => {
    expect(parsingFingerprint64('null')).toBe(7195948357588979594n);
    expect(parsingFingerprint64('null')).toBe(0x63dd24e7cc258f8an);
    expect(parsingFingerprint64({ type: 'null' })).toBe(7195948357588979594n);
  });

  it('is the Rabin fingerprint of the canonical form bytes; the empty input gives the empty value', () => {
    expect(rabinFingerprint64(new Uint8Array())).toBe(0xc15d213aa4d7a795n);
    expect(rabinFingerprint64(Buffer.from('"null"'))).toBe(0x63dd24e7cc258f8an);
  });

  it('stays an unsigned 64-bit value', () => {
    for (const v of loadSchemas().versions) {
      expect(v.fingerprint).toBeGreaterThanOrEqual(0n);
      expect(v.fingerprint).toBeLessThan(1n << 64n);
    }
  });
});

describe('Parsing Canonical Form', () => {
  it('reduces primitives and logical types to the bare name', () => {
    expect(parsingCanonicalForm({ type: 'int' })).toBe('"int"');
    expect(parsingCanonicalForm({ type: 'long', logicalType: 'timestamp-millis' })).toBe('"long"');
  });

  it('keeps only parsing attributes in spec order, with full names and no whitespace', () => {
    const schema = {
      doc: 'dropped',
      fields: [
        { name: 'b', type: ['null', 'string'], default: null, doc: 'dropped', order: 'ignore' },
        { type: { symbols: ['x', 'y'], name: 'E', type: 'enum', default: 'x', aliases: ['F'] }, name: 'e' },
        { name: 'f', type: { size: 4, type: 'fixed', name: 'other.F' } },
        { name: 'g', type: { type: 'map', values: { type: 'array', items: 'E' } } },
        { name: 'h', type: 'other.F' },
      ],
      type: 'record',
      namespace: 'a.b',
      name: 'R',
      aliases: ['Q'],
      custom: 1,
    };
    expect(parsingCanonicalForm(schema)).toBe(
      '{"name":"a.b.R","type":"record","fields":[' +
        '{"name":"b","type":["null","string"]},' +
        '{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["x","y"]}},' +
        '{"name":"f","type":{"name":"other.F","type":"fixed","size":4}},' +
        '{"name":"g","type":{"type":"map","values":{"type":"array","items":"a.b.E"}}},' +
        '{"name":"h","type":"other.F"}]}',
    );
  });

  it('lets a dotted name give its namespace to the types nested in it', () => {
    const schema = {
      type: 'record',
      name: 'x.y.Outer',
      namespace: 'ignored',
      fields: [{ name: 'i', type: { type: 'record', name: 'Inner', fields: [] } }],
    };
    expect(parsingCanonicalForm(schema)).toBe(
      '{"name":"x.y.Outer","type":"record","fields":[{"name":"i","type":{"name":"x.y.Inner","type":"record","fields":[]}}]}',
    );
  });

  it('ignores doc and default changes: they do not change how bytes parse', () => {
    const a = { type: 'record', name: 'R', fields: [{ name: 'f', type: 'string' }] };
    const b = {
      type: 'record',
      name: 'R',
      doc: 'new doc',
      fields: [{ name: 'f', type: 'string', default: 'x' }],
    };
    expect(parsingFingerprint64(a)).toBe(parsingFingerprint64(b));
    expect(parsingFingerprint64(a)).not.toBe(parsingFingerprint64({ ...a, name: 'S' }));
  });

  it('agrees with the canonical schema avsc derives for every contract and history file', () => {
    for (const v of loadSchemas().versions) {
      expect(v.canonicalForm, v.file).toBe(
        JSON.stringify(avro.Type.forSchema(v.schema as avro.Schema).schema()),
      );
    }
  });

  it('rejects a reference to a type never defined', () => {
    expect(() => parsingCanonicalForm({ type: 'array', items: 'Nope' })).toThrow(/undefined type Nope/);
    expect(() => parsingCanonicalForm({ type: 'array', items: 'Nope' })).toThrow(
      expect.objectContaining({ name: 'SchemaFormError', code: 'BAD_SCHEMA', retriable: false }),
    );
    expect(() => parsingCanonicalForm({ type: 'array', items: 'Nope' })).toThrow(PipelineError);
  });
});

describe('schemas/README.md', () => {
  it('lists the fingerprint of every schema file as the code computes it', () => {
    const readme = readFileSync(join(defaultSchemaDir, 'README.md'), 'utf8');
    const listed = new Map(
      [...readme.matchAll(/^\| `([\w/.]+\.avsc)`\s*\| (\d+)\s*\|$/gm)].map((m) => [m[1], BigInt(m[2] ?? '')]),
    );
    const actual = new Map(loadSchemas().versions.map((v) => [v.file, v.fingerprint]));
    expect(listed).toEqual(actual);
  });
});
