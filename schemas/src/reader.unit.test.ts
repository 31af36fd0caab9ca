// The rule (schemas/README.md "Decoding"): the compiled readers are a shortcut, never a second
// definition. For any bytes, decodeEvent returns what the reference path (scan, avsc, deep copy)
// returns, plain objects and fresh Buffers included, or fails with the same CodecError; and
// encodeEvent writes the bytes avsc's toBuffer writes behind the same header.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from '../test/fixtures.ts';
import { samples } from '../test/samples.ts';
import {
  CodecError,
  codecSchemas,
  decodeEvent,
  decodeEventReference,
  encodeEvent,
  encodeEventReference,
  schemaFingerprint,
  singleObjectHeader,
} from './codec.ts';
import { eventNames, type EventName } from './generated.ts';

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

/** Plain data only: objects of Object.prototype, arrays, Buffers, primitives. */
function expectPlain(value: unknown, path = '(root)'): void {
  if (value === null || typeof value !== 'object') return;
  if (Buffer.isBuffer(value)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => expectPlain(v, `${path}.${i}`));
    return;
  }
  expect(Object.getPrototypeOf(value), path).toBe(Object.prototype);
  for (const [k, v] of Object.entries(value)) expectPlain(v, `${path}.${k}`);
}

function expectSameAsReference(buf: Buffer): Outcome {
  const reference = outcome(() => decodeEventReference(Buffer.from(buf)));
  const fast = outcome(() => decodeEvent(buf));
  expect(fast).toStrictEqual(reference);
  if (fast.ok) {
    expectPlain(fast.value);
    // Same key order as the reference (JSON output is byte for byte the same).
    expect(JSON.stringify(fast.value)).toBe(JSON.stringify(reference.ok && reference.value));
  }
  return fast;
}

const current = (name: EventName) => {
  const v = codecSchemas().current.get(name);
  if (!v) throw new Error(name);
  return v;
};

describe('decodeEvent equals the reference decoding', () => {
  it.each(eventNames)('for a realistic %s', (name) => {
    const r = expectSameAsReference(encodeEvent(name, samples[name]));
    expect(r.ok).toBe(true);
  });

  it.each(listFixtures())('for the saved fixture %s (old writer schemas included)', (base) => {
    expectSameAsReference(readFixture(codecSchemas(), base).bytes);
  });

  it('for random values of every schema (avsc Type.random)', () => {
    for (const name of eventNames) {
      const type = current(name).type;
      for (let i = 0; i < 20; i++) {
        const value = type.random() as never;
        const buf = encodeEvent(name, value);
        expect(buf.equals(encodeEventReference(name, value)), name).toBe(true);
        expect(expectSameAsReference(buf).ok, name).toBe(true);
      }
    }
  });

  it('for bodies cut at any byte', () => {
    for (const name of eventNames) {
      const buf = encodeEvent(name, samples[name] as never);
      for (let cut = 10; cut < buf.length; cut++) expectSameAsReference(buf.subarray(0, cut));
    }
  });

  it('for flipped bytes in real messages', () => {
    const messages = eventNames.map((n) => encodeEvent(n, samples[n] as never));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (m, at, value) => {
        const buf = Buffer.from(messages[m % messages.length] as Buffer);
        buf[10 + (at % (buf.length - 10))] = value;
        expectSameAsReference(buf);
      }),
      { numRuns: 1000 },
    );
  });

  it('for random bodies behind a valid header', () => {
    fc.assert(
      fc.property(fc.constantFrom(...eventNames), fc.uint8Array({ maxLength: 300 }), (name, body) => {
        expectSameAsReference(Buffer.concat([singleObjectHeader(schemaFingerprint(name)), body]));
      }),
      { numRuns: 800 },
    );
  });

  it('for invalid UTF-8, a real U+FFFD, a __proto__ map key and trailing bytes', () => {
    const withString = (s: Buffer) => {
      // DeadLetter's first field is event_id, a string: replace it with these bytes.
      const buf = encodeEvent('DeadLetter', samples.DeadLetter);
      const idLength = Buffer.byteLength(samples.DeadLetter.event_id);
      const rest = buf.subarray(10 + 1 + idLength);
      return Buffer.concat([buf.subarray(0, 10), Buffer.from([s.length * 2]), s, rest]);
    };
    expect(expectSameAsReference(withString(Buffer.from([0x61, 0xff, 0x62]))).ok).toBe(false);
    expect(expectSameAsReference(withString(Buffer.from([0xed, 0xa0, 0x80]))).ok).toBe(false);
    expect(expectSameAsReference(withString(Buffer.from('a\uFFFDb', 'utf8'))).ok).toBe(true);
    const protoKey = {
      ...samples.ModelDiscovered,
      pricing: { ...samples.ModelDiscovered.pricing, ['__proto__']: '1' },
    };
    const buf = encodeEvent('ModelDiscovered', protoKey as never);
    expectSameAsReference(buf);
    expect(expectSameAsReference(Buffer.concat([buf, Buffer.from([0])])).ok).toBe(false);
  });

  it('returns Buffers that do not share memory with the message', () => {
    const buf = encodeEvent('DeadLetter', samples.DeadLetter);
    const event = decodeEvent(buf).event as { payload: Buffer };
    const before = Buffer.from(event.payload);
    buf.fill(0);
    expect(event.payload.equals(before)).toBe(true);
  });
});

describe('encodeEvent equals the reference encoding', () => {
  it('for events larger than the scratch buffer, before and after it grows', () => {
    const big = (n: number) => ({
      ...samples.DeadLetter,
      payload: Buffer.alloc(n, 7),
    });
    for (const n of [100, 20_000, 100, 300_000, 2_000_000, 100]) {
      const value = big(n);
      const buf = encodeEvent('DeadLetter', value);
      expect(buf.equals(encodeEventReference('DeadLetter', value)), String(n)).toBe(true);
      expect(buf.length).toBe(encodeEventReference('DeadLetter', value).length);
    }
  });
});
