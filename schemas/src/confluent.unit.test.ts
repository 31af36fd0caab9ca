// The Confluent framing and the dual reader, against the rules in schemas/README.md ("Schema Registry
// framing"): byte 0 is 0x00, bytes 1–4 the registry id big-endian, then the same Avro body as the
// single-object encoding; readers tell the framings apart by the first byte; an id is never guessed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { describe, expect, it } from 'vitest';
import { PoisonInputError } from '@llmpt/core';
import { readFixture } from '../test/fixtures.ts';
import { samples } from '../test/samples.ts';
import {
  CodecError,
  codecSchemas,
  confluentHeader,
  confluentIdOf,
  decodeEvent,
  decodeEventAs,
  encodeEvent,
  encodeEventConfluent,
  framingOf,
  writerVersionFromRegistry,
  type CodecErrorCode,
  type RegistrySchemas,
} from './codec.ts';
import { eventNames } from './generated.ts';
import { defaultSchemaDir } from './registry.ts';

function expectCode(fn: () => unknown, code: CodecErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CodecError);
  expect(caught).toBeInstanceOf(PoisonInputError);
  expect((caught as CodecError).code, (caught as Error).message).toBe(code);
}

/** A schema as a registry returns it: the JSON text of the .avsc file, parsed. */
function avsc(file: string): unknown {
  return JSON.parse(readFileSync(join(defaultSchemaDir, file), 'utf8'));
}

describe('Confluent framing (schemas/README.md)', () => {
  it('the header is 0x00 then the id as 4 bytes big-endian', () => {
    expect(confluentHeader(1).toString('hex')).toBe('0000000001');
    expect(confluentHeader(0x01020304).toString('hex')).toBe('0001020304');
    expect(confluentHeader(4294967295).toString('hex')).toBe('00ffffffff');
    expect(() => confluentHeader(-1)).toThrow(CodecError);
    expect(() => confluentHeader(1.5)).toThrow(CodecError);
  });

  it('the body after the 5-byte header is the single-object body, for every event type', () => {
    for (const name of eventNames) {
      const single = encodeEvent(name, samples[name] as never);
      const framed = encodeEventConfluent(name, samples[name] as never, 258);
      expect(framed.subarray(0, 5).toString('hex'), name).toBe('0000000102');
      expect(framed.subarray(5).equals(single.subarray(10)), name).toBe(true);
      expect(framingOf(framed)).toBe('confluent');
      expect(framingOf(single)).toBe('single-object');
      expect(confluentIdOf(framed)).toBe(258);
    }
  });

  it('reads both framings into the same event, given the writer schema of the id', () => {
    for (const name of eventNames) {
      const registry: RegistrySchemas = new Map([[41, writerVersionFromRegistry(41, avsc(`${name}.avsc`))]]);
      const framed = encodeEventConfluent(name, samples[name] as never, 41);
      const single = encodeEvent(name, samples[name] as never);
      expect(decodeEvent(framed, registry), name).toEqual(decodeEvent(single));
      expect(decodeEventAs(name, framed, registry), name).toEqual(decodeEventAs(name, single));
    }
  });

  it('a registry schema that is one of ours is matched by fingerprint (history versions too)', () => {
    const v1 = writerVersionFromRegistry(9, avsc('history/PriceChanged.v1.avsc'));
    expect(v1.file).toBe('history/PriceChanged.v1.avsc');
    // Old bytes in the Confluent framing read like the same bytes in the single-object framing.
    const fixture = readFixture(codecSchemas(), 'PriceChanged.v1');
    const framed = Buffer.concat([confluentHeader(9), fixture.bytes.subarray(10)]);
    expect(decodeEvent(framed, new Map([[9, v1]]))).toEqual(decodeEvent(fixture.bytes));
  });

  it('a registry schema parsed by avsc first (as registry clients hand it over) still matches ours', () => {
    for (const v of codecSchemas().versions) {
      const parsed = avro.Type.forSchema(v.schema as Schema).schema();
      expect(writerVersionFromRegistry(1, parsed).fingerprint, v.file).toBe(v.fingerprint);
    }
  });

  it('a schema another producer registered (a field we lack, with a default) resolves to ours', () => {
    const theirs = avsc('PriceChanged.avsc') as { fields: unknown[] };
    const extended = {
      ...theirs,
      fields: [...theirs.fields, { name: 'their_note', type: 'string', default: '' }],
    };
    const writer = writerVersionFromRegistry(77, extended);
    expect(writer.file).toBe('registry id 77');
    const body = writer.type.toBuffer({ ...samples.PriceChanged, their_note: 'hello' });
    const framed = Buffer.concat([confluentHeader(77), body]);
    expect(decodeEventAs('PriceChanged', framed, new Map([[77, writer]]))).toEqual(
      decodeEventAs('PriceChanged', encodeEvent('PriceChanged', samples.PriceChanged)),
    );
  });

  it('a registry schema for a record that is not one of our events is refused', () => {
    expectCode(
      () => writerVersionFromRegistry(3, { type: 'record', name: 'x.Other', fields: [] }),
      'WRONG_TYPE',
    );
  });

  it('never guesses: no registry is NO_REGISTRY, an unknown id UNKNOWN_REGISTRY_ID, other bytes BAD_MAGIC', () => {
    const framed = encodeEventConfluent('PriceChanged', samples.PriceChanged, 5);
    expectCode(() => decodeEvent(framed), 'NO_REGISTRY');
    expectCode(() => decodeEvent(framed, new Map()), 'UNKNOWN_REGISTRY_ID');
    expectCode(() => decodeEvent(Buffer.from([0x00, 0x00, 0x01])), 'TRUNCATED');
    expectCode(() => decodeEvent(Buffer.from('{"a":1}')), 'BAD_MAGIC');
    // A Confluent id that names another event type than the one asked for.
    const registry = new Map([[5, writerVersionFromRegistry(5, avsc('PriceChanged.avsc'))]]);
    expectCode(() => decodeEventAs('NormalizedPrice', framed, registry), 'WRONG_TYPE');
  });
});
