import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineError, PoisonInputError } from '@llmpt/core';
import { fixtureBase, listFixtures, readFixture } from '../test/fixtures.ts';
import { modelDiscoveredV1, samples } from '../test/samples.ts';
import {
  CodecError,
  codecSchemas,
  decodeEvent,
  decodeEventAs,
  encodeEvent,
  eventNameOf,
  schemaFingerprint,
  singleObjectHeader,
  type CodecErrorCode,
} from './codec.ts';
import { eventNames, type EventName } from './generated.ts';
import { defaultSchemaDir, loadSchemas, SchemaLoadError } from './registry.ts';

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw new Error(`expected a CodecError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a CodecError, nothing was thrown');
}

function expectCode(fn: () => unknown, code: CodecErrorCode, message?: RegExp): CodecError {
  const e = codecError(fn);
  expect(e.code, e.message).toBe(code);
  expect(e.retriable).toBe(false);
  // Poison input under the one error root: the stage dead-letters it by its code.
  expect(e).toBeInstanceOf(PoisonInputError);
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('encodeEvent / decodeEvent', () => {
  it.each(eventNames)('round-trips a realistic %s', (name) => {
    const buf = encodeEvent(name, samples[name]);
    expect(decodeEvent(buf)).toEqual({ name, event: samples[name] });
    expect(decodeEventAs(name, buf)).toEqual(samples[name]);
    expect(eventNameOf(buf)).toBe(name);
  });

  it('writes the single-object layout: C3 01, fingerprint little-endian, then the Avro body', () => {
    const buf = encodeEvent('NormalizedPrice', samples.NormalizedPrice);
    expect(buf[0]).toBe(0xc3);
    expect(buf[1]).toBe(0x01);
    expect(buf.readBigUInt64LE(2)).toBe(schemaFingerprint('NormalizedPrice'));
    // First body field: event_id, a string = zigzag length (32 chars -> 64 = 0x40) then its UTF-8 bytes.
    expect(buf[10]).toBe(0x40);
    expect(buf.subarray(11, 43).toString('utf8')).toBe(samples.NormalizedPrice.event_id);
  });

  it('keeps money as exact decimal strings and timestamps as epoch millis', () => {
    const decoded = decodeEventAs('NormalizedPrice', encodeEvent('NormalizedPrice', samples.NormalizedPrice));
    expect(decoded.prompt).toBe('6.00000000');
    expect(decoded.completion).toBe('22.50000000');
    expect(decoded.observed_at).toBe(Date.UTC(2026, 4, 18, 6, 0, 4, 212));
  });

  it('returns plain objects and Buffers that do not share memory with the message', () => {
    const buf = encodeEvent('DeadLetter', samples.DeadLetter);
    const event = decodeEventAs('DeadLetter', buf);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(event.payload.toString('utf8')).toBe('{"id":"openrouter/auto","pricing":{"prompt":-1}}');
    buf.fill(0);
    expect(event.payload.toString('utf8')).toBe('{"id":"openrouter/auto","pricing":{"prompt":-1}}');
  });

  it('gives each event type its own fingerprint', () => {
    const fps = new Set(eventNames.map((n) => schemaFingerprint(n)));
    expect(fps.size).toBe(eventNames.length);
  });
});

describe('validation before encoding', () => {
  it('names the bad field path', () => {
    const bad = {
      ...samples.ModelDiscovered,
      pricing: { prompt: 0.000003 },
    } as unknown as (typeof samples)['ModelDiscovered'];
    expectCode(
      () => encodeEvent('ModelDiscovered', bad),
      'INVALID_EVENT',
      /pricing\.prompt: expected "string", got 0\.000003 \(number\)/,
    );
  });

  it('names nested array paths and missing fields', () => {
    const bad = {
      ...samples.PriceChanged,
      changes: [{ dimension: 'prompt', previous: '1', current: 2, relative_change: null }],
    } as unknown as (typeof samples)['PriceChanged'];
    expectCode(() => encodeEvent('PriceChanged', bad), 'INVALID_EVENT', /changes\.0\.current/);
    const { run_id: _r, ...missing } = samples.NormalizedPrice;
    expectCode(
      () => encodeEvent('NormalizedPrice', missing as unknown as (typeof samples)['NormalizedPrice']),
      'INVALID_EVENT',
      /run_id: expected "string", got missing/,
    );
  });

  it('rejects an enum symbol the schema does not have, and a timestamp that is not an integer', () => {
    const badEnum = {
      ...samples.NormalizedPrice,
      source_type: 'scraped',
    } as unknown as (typeof samples)['NormalizedPrice'];
    expectCode(() => encodeEvent('NormalizedPrice', badEnum), 'INVALID_EVENT', /source_type/);
    const badTime = { ...samples.NormalizedPrice, observed_at: 1.5 };
    expectCode(() => encodeEvent('NormalizedPrice', badTime), 'INVALID_EVENT', /observed_at/);
  });
});

describe('saved fixtures', () => {
  const schemas = codecSchemas();

  it('exist for every schema version, current and historical', () => {
    const have = listFixtures();
    for (const v of schemas.versions)
      expect(have, `run npx tsx schemas/scripts/write-fixtures.ts`).toContain(fixtureBase(v));
  });

  it.each(listFixtures())('%s decodes with the current reader schema', (base) => {
    const fixture = readFixture(schemas, base);
    const decoded = decodeEvent(fixture.bytes);
    expect(decoded.name).toBe(fixture.version.name);
    if (fixture.version.current) {
      expect(decoded.event).toEqual(fixture.written);
    }
  });

  it('ModelDiscovered v1 bytes (before `description` existed) decode with description null', () => {
    const fixture = readFixture(schemas, 'ModelDiscovered.v1');
    expect(fixture.version.current).toBe(false);
    expect(fixture.bytes.readBigUInt64LE(2)).not.toBe(schemaFingerprint('ModelDiscovered'));
    const event = decodeEventAs('ModelDiscovered', fixture.bytes);
    expect(event.description).toBeNull();
    expect(event).toEqual({
      ...modelDiscoveredV1,
      description: null,
      expiration_date: null,
      backfill: false,
    });
    expect(fixture.written).toEqual(modelDiscoveredV1);
  });

  it('NormalizedPrice v1 bytes (before the price model v2) decode with the new dimensions null and no tiers', () => {
    const fixture = readFixture(schemas, 'NormalizedPrice.v1');
    expect(fixture.version.current).toBe(false);
    const event = decodeEventAs('NormalizedPrice', fixture.bytes);
    expect(event).toEqual({
      ...(fixture.written as object),
      input_cache_write_1h: null,
      input_audio: null,
      input_audio_cache: null,
      audio_output: null,
      image_token: null,
      image_output: null,
      discount: null,
      base: [],
      tiers: [],
      unregistered: [],
      content_hash: null,
      backfill: false,
    });
  });

  it('NormalizedPrice v2 bytes (before the content hash) decode with content_hash null, never an invented hash', () => {
    const fixture = readFixture(schemas, 'NormalizedPrice.v2');
    expect(fixture.version.current).toBe(false);
    const event = decodeEventAs('NormalizedPrice', fixture.bytes);
    expect(event).toEqual({ ...(fixture.written as object), content_hash: null, backfill: false });
  });

  it('v3 NormalizedPrice, v1 RawPriceObserved and v1 CatalogSnapshot bytes (before the backfill marker) decode as live: backfill false', () => {
    for (const [name, base] of [
      ['NormalizedPrice', 'NormalizedPrice.v3'],
      ['RawPriceObserved', 'RawPriceObserved.v1'],
      ['CatalogSnapshot', 'CatalogSnapshot.v1'],
    ] as const) {
      const fixture = readFixture(schemas, base);
      expect(fixture.version.current).toBe(false);
      expect(decodeEventAs(name, fixture.bytes)).toEqual({ ...(fixture.written as object), backfill: false });
    }
  });

  it('PriceChanged v2 bytes (before the backfilled marker) decode as learned live: backfilled false', () => {
    const fixture = readFixture(schemas, 'PriceChanged.v2');
    expect(fixture.version.current).toBe(false);
    const event = decodeEventAs('PriceChanged', fixture.bytes);
    expect(event).toEqual({ ...(fixture.written as object), backfilled: false });
  });

  it('ModelDiscovered v3 bytes (before the backfill marker) decode as live events: backfill false', () => {
    const fixture = readFixture(schemas, 'ModelDiscovered.v3');
    expect(fixture.version.current).toBe(false);
    const event = decodeEventAs('ModelDiscovered', fixture.bytes);
    expect(event).toEqual({ ...(fixture.written as object), backfill: false });
  });

  it('PriceChanged v1 bytes decode with tier and change null on each dimension change', () => {
    const fixture = readFixture(schemas, 'PriceChanged.v1');
    const event = decodeEventAs('PriceChanged', fixture.bytes);
    const written = fixture.written as { changes: object[] };
    expect(event).toEqual({
      ...written,
      changes: written.changes.map((c) => ({ ...c, tier: null, change: null })),
      expiration_date: null,
      backfilled: false,
    });
  });

  it('current fixtures equal what the codec writes today (the encoding is deterministic)', () => {
    for (const v of schemas.current.values()) {
      const fixture = readFixture(schemas, fixtureBase(v));
      expect(encodeEvent(v.name, fixture.written as never).equals(fixture.bytes), v.name).toBe(true);
    }
  });
});

describe('bad bytes give a CodecError naming the problem', () => {
  const good = encodeEvent('ModelDiscovered', samples.ModelDiscovered);

  it('empty or header-only messages are TRUNCATED', () => {
    expectCode(() => decodeEvent(Buffer.alloc(0)), 'TRUNCATED', /empty message/);
    expectCode(() => decodeEvent(good.subarray(0, 6)), 'TRUNCATED', /shorter than the 10-byte/);
    expectCode(() => decodeEvent(null as unknown as Buffer), 'TRUNCATED');
  });

  it('a body cut at any byte is TRUNCATED', () => {
    for (const name of eventNames) {
      const buf = encodeEvent(name, samples[name] as never);
      for (let cut = 10; cut < buf.length; cut++) {
        expectCode(() => decodeEvent(buf.subarray(0, cut)), 'TRUNCATED');
      }
    }
  });

  it('a wrong first byte is BAD_MAGIC; a Confluent one without a registry is NO_REGISTRY', () => {
    expectCode(() => decodeEvent(Buffer.from('{"event_id":"x"}')), 'BAD_MAGIC', /starts with 0x7b22/);
    const confluent = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x07, 0x02]);
    expectCode(() => decodeEvent(confluent), 'NO_REGISTRY', /SCHEMA_REGISTRY_URL/);
    const swapped = Buffer.from(good);
    swapped[1] = 0x02;
    expectCode(() => decodeEvent(swapped), 'BAD_MAGIC');
  });

  it('a fingerprint no schema has is UNKNOWN_FINGERPRINT', () => {
    const unknown = Buffer.concat([singleObjectHeader(0x0123456789abcdefn), good.subarray(10)]);
    expectCode(() => decodeEvent(unknown), 'UNKNOWN_FINGERPRINT', /0x0123456789abcdef/);
  });

  it('extra bytes after the body are TRAILING_BYTES', () => {
    expectCode(() => decodeEvent(Buffer.concat([good, Buffer.from([0])])), 'TRAILING_BYTES', /1 bytes left/);
  });

  it('impossible values inside the body are BAD_BODY, with the field named', () => {
    const fp = singleObjectHeader(schemaFingerprint('NormalizedPrice'));
    const body = encodeEvent('NormalizedPrice', samples.NormalizedPrice).subarray(10);
    // Bytes of a body with caused_by's union index (right after event_id and run_id) set to 7.
    const eventIdEnd = 1 + 32;
    const runIdEnd = eventIdEnd + 1 + samples.NormalizedPrice.run_id.length;
    const badUnion = Buffer.from(body);
    badUnion[runIdEnd] = 14; // zigzag 7
    expectCode(
      () => decodeEvent(Buffer.concat([fp, badUnion])),
      'BAD_BODY',
      /field caused_by at byte \d+: union branch 7 does not exist/,
    );
  });

  it('a corrupt array count is reported, not turned into a RangeError or a hang', () => {
    // RawPriceObserved whose components array claims 2^40 items.
    const sample = { ...samples.RawPriceObserved, components: [], endpoint: null };
    const buf = encodeEvent('RawPriceObserved', sample);
    // The body ends with: components count 0 (0x00), endpoint union index 0 (0x00), backfill false (0x00).
    expect(buf.subarray(-3).toString('hex')).toBe('000000');
    const huge = Buffer.concat([
      buf.subarray(0, -3),
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00, 0x00]),
    ]);
    expectCode(
      () => decodeEvent(huge),
      'TRUNCATED',
      /field components at byte \d+: array block of 1099511627776 items/,
    );
  });

  it('a message of another type is WRONG_TYPE for decodeEventAs', () => {
    expectCode(
      () => decodeEventAs('NormalizedPrice', good),
      'WRONG_TYPE',
      /expected a NormalizedPrice event, got ModelDiscovered/,
    );
  });

  it('random bytes never escape as anything but a CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(codecError(() => decodeEvent(Buffer.from(bytes))).code).toMatch(
          /BAD_MAGIC|TRUNCATED|UNKNOWN_FINGERPRINT|NO_REGISTRY/,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('random bodies behind a valid header decode or fail with a CodecError', () => {
    const names = fc.constantFrom(...eventNames);
    fc.assert(
      fc.property(names, fc.uint8Array({ maxLength: 300 }), (name: EventName, body) => {
        const buf = Buffer.concat([singleObjectHeader(schemaFingerprint(name)), body]);
        try {
          decodeEvent(buf);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('flipped bytes in real messages decode or fail with a CodecError', () => {
    const messages = eventNames.map((n) => encodeEvent(n, samples[n] as never));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (m, at, value) => {
        const buf = Buffer.from(messages[m % messages.length] as Buffer);
        buf[10 + (at % (buf.length - 10))] = value;
        try {
          decodeEvent(buf);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('schema set', () => {
  it('numbers versions from the history files: ModelDiscovered and NormalizedPrice at v4, PriceChanged at v3, RawPriceObserved and CatalogSnapshot at v2, the rest at v1', () => {
    const schemas = loadSchemas();
    expect(schemas.current.get('ModelDiscovered')?.version).toBe(4);
    expect(schemas.current.get('NormalizedPrice')?.version).toBe(4);
    expect(schemas.current.get('PriceChanged')?.version).toBe(3);
    expect(schemas.current.get('RawPriceObserved')?.version).toBe(2);
    expect(schemas.current.get('CatalogSnapshot')?.version).toBe(2);
    expect(schemas.current.get('PriceChangeRetracted')?.version).toBe(1);
    expect(schemas.current.get('PriceVerified')?.version).toBe(1);
    expect(schemas.current.get('PriceDiscrepancy')?.version).toBe(1);
    const v1 = schemas.versions.find((v) => v.file === 'history/ModelDiscovered.v1.avsc');
    expect(v1?.resolver).toBeDefined();
    expect(schemas.byFingerprint.get(v1?.fingerprint ?? 0n)).toBe(v1);
  });

  it('refuses at load a history version the current schema cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmpt-schemas-'));
    for (const name of eventNames) {
      writeFileSync(join(dir, `${name}.avsc`), readFileSync(join(defaultSchemaDir, `${name}.avsc`)));
    }
    mkdirSync(join(dir, 'history'));
    // A v1 where price_key was a long: the current string field cannot read it.
    const current = JSON.parse(readFileSync(join(defaultSchemaDir, 'NormalizedPrice.avsc'), 'utf8')) as {
      fields: { name: string; type: unknown }[];
    };
    const v1 = {
      ...current,
      fields: current.fields.map((f) => (f.name === 'price_key' ? { ...f, type: 'long' } : f)),
    };
    writeFileSync(join(dir, 'history', 'NormalizedPrice.v1.avsc'), JSON.stringify(v1));
    expect(() => loadSchemas(dir)).toThrow(SchemaLoadError);
    expect(() => loadSchemas(dir)).toThrow(
      expect.objectContaining({ code: 'SCHEMA_LOAD', retriable: false }),
    );
    expect(() => loadSchemas(dir)).toThrow(PipelineError);
    expect(() => loadSchemas(dir)).toThrow(
      /NormalizedPrice\.v1\.avsc cannot be read with NormalizedPrice\.avsc/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
