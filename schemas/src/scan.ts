// A bounded structural check of an Avro binary body against its writer schema, run before avsc decodes
// it. avsc trusts the bytes: a corrupt array count makes it allocate `new Array(2**40)` (RangeError) or
// loop for hours, a bad union index throws a TypeError. This walk reads every length, count and index
// with bounds checks and says which field broke and at which byte, so a poison message becomes a clear
// CodecError (and a dead letter), never a crash.
import { isUtf8 } from 'node:buffer';
import avro from 'avsc';
import type { Type } from 'avsc';
import { PoisonInputError } from '@llmpt/core';

export type ScanProblem = 'TRUNCATED' | 'BAD_BODY';

/** Bytes that cannot be a value of the schema: poison input, its code the problem found. */
export class ScanError extends PoisonInputError {
  declare readonly code: ScanProblem;
  constructor(code: ScanProblem, message: string) {
    super(code, message);
  }
}

const { types } = avro;
/** Nesting beyond this is not one of our schemas: refuse rather than risk a stack overflow. */
export const MAX_DEPTH = 64;
/** Cap on items in one block when an item can take zero bytes (never the case in our schemas). */
export const MAX_ZERO_SIZE_ITEMS = 1_000_000;

const minSizes = new WeakMap<Type, number>();

/** The fewest bytes one value of the type can take: bounds block counts against the bytes left. */
export function minSize(type: Type, inProgress = new Set<Type>()): number {
  const cached = minSizes.get(type);
  if (cached !== undefined) return cached;
  if (inProgress.has(type)) return 0;
  inProgress.add(type);
  let size: number;
  if (type instanceof types.RecordType) {
    size = type.fields.reduce((n, f) => n + minSize(f.type, inProgress), 0);
  } else if (type instanceof types.FixedType) {
    size = type.size;
  } else if (type instanceof types.LogicalType) {
    size = minSize(type.underlyingType, inProgress);
  } else {
    size = ({ null: 0, float: 4, double: 8 } as Record<string, number>)[type.typeName] ?? 1;
  }
  inProgress.delete(type);
  minSizes.set(type, size);
  return size;
}

class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly path: string[],
  ) {
    this.pos = start;
  }

  where(): string {
    return `${this.path.length ? this.path.join('.') : '(root)'} at byte ${this.pos}`;
  }

  fail(problem: ScanProblem, what: string): never {
    throw new ScanError(problem, `field ${this.where()}: ${what}`);
  }

  /** A zigzag varint, as a JS number (exact up to 2**53, which bounds every length we accept). */
  varint(bits: 32 | 64): number {
    let raw = 0;
    let mult = 1;
    const maxBytes = bits === 32 ? 5 : 10;
    for (let i = 0; ; i++) {
      if (i === maxBytes) this.fail('BAD_BODY', `varint longer than ${maxBytes} bytes`);
      const b = this.buf[this.pos];
      if (b === undefined) this.fail('TRUNCATED', 'message ends inside a number');
      this.pos++;
      raw += (b & 0x7f) * mult;
      mult *= 128;
      if ((b & 0x80) === 0) break;
    }
    const n = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (bits === 32 && (n > 2147483647 || n < -2147483648)) this.fail('BAD_BODY', `int out of range: ${n}`);
    return n;
  }

  take(n: number, what: string): void {
    const left = this.buf.length - this.pos;
    if (n > left) this.fail('TRUNCATED', `${what} needs ${n} bytes but only ${left} are left`);
    this.pos += n;
  }

  length(what: string): number {
    const n = this.varint(64);
    if (n < 0) this.fail('BAD_BODY', `negative ${what} length ${n}`);
    return n;
  }
}

function scanBlocks(c: Cursor, itemSize: number, kind: string, item: (i: number) => void): void {
  let index = 0;
  for (;;) {
    let count = c.varint(64);
    if (count === 0) return;
    if (count < 0) {
      // A negative count is followed by the block's byte size (so readers can skip it).
      count = -count;
      const bytes = c.length(`${kind} block`);
      if (bytes > c.buf.length - c.pos) c.take(bytes, `${kind} block`);
    }
    const left = c.buf.length - c.pos;
    if (itemSize > 0 && count * itemSize > left) {
      c.fail(
        'TRUNCATED',
        `${kind} block of ${count} items needs at least ${count * itemSize} bytes, ${left} left`,
      );
    }
    if (itemSize === 0 && count > MAX_ZERO_SIZE_ITEMS) c.fail('BAD_BODY', `${kind} block of ${count} items`);
    for (let i = 0; i < count; i++) item(index++);
  }
}

function scanValue(type: Type, c: Cursor, depth: number): void {
  if (depth > MAX_DEPTH) c.fail('BAD_BODY', `nesting deeper than ${MAX_DEPTH}`);
  if (type instanceof types.RecordType) {
    for (const f of type.fields) {
      c.path.push(f.name);
      scanValue(f.type, c, depth + 1);
      c.path.pop();
    }
    return;
  }
  if (type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType) {
    const i = c.varint(64);
    const branch = type.types[i];
    if (!branch) c.fail('BAD_BODY', `union branch ${i} does not exist (${type.types.length} branches)`);
    scanValue(branch, c, depth + 1);
    return;
  }
  if (type instanceof types.EnumType) {
    const i = c.varint(32);
    if (i < 0 || i >= type.symbols.length) {
      c.fail('BAD_BODY', `enum index ${i} out of range (${type.symbols.length} symbols)`);
    }
    return;
  }
  if (type instanceof types.ArrayType) {
    const items = type.itemsType;
    scanBlocks(c, minSize(items), 'array', (i) => {
      c.path.push(String(i));
      scanValue(items, c, depth + 1);
      c.path.pop();
    });
    return;
  }
  if (type instanceof types.MapType) {
    const values = type.valuesType as Type;
    scanBlocks(c, 1 + minSize(values), 'map', () => {
      const start = c.pos;
      const keyLength = c.length('map key');
      c.take(keyLength, 'map key');
      const key = c.buf.subarray(start, c.pos).toString('utf8');
      c.path.push(key.length > 40 ? `${key.slice(0, 40)}...` : key);
      scanValue(values, c, depth + 1);
      c.path.pop();
    });
    return;
  }
  if (type instanceof types.FixedType) return c.take(type.size, 'fixed');
  if (type instanceof types.LogicalType) return scanValue(type.underlyingType, c, depth + 1);
  switch (type.typeName) {
    case 'null':
      return;
    case 'boolean': {
      const b = c.buf[c.pos];
      if (b === undefined) c.fail('TRUNCATED', 'message ends inside a boolean');
      if (b > 1) c.fail('BAD_BODY', `boolean byte ${b}`);
      c.pos++;
      return;
    }
    case 'int':
      c.varint(32);
      return;
    case 'long':
      c.varint(64);
      return;
    case 'float':
      return c.take(4, 'float');
    case 'double':
      return c.take(8, 'double');
    case 'bytes':
      return c.take(c.length('bytes'), 'bytes');
    case 'string': {
      const n = c.length('string');
      const start = c.pos;
      c.take(n, 'string');
      if (!isUtf8(c.buf.subarray(start, c.pos))) c.fail('BAD_BODY', 'string is not valid UTF-8');
      return;
    }
    default:
      c.fail('BAD_BODY', `unsupported Avro type ${type.typeName}`);
  }
}

/**
 * Walks the Avro binary value of `type` that starts at `start`, and returns the offset just past it.
 * Throws ScanError naming the field and byte offset when the bytes cannot be a value of that type.
 */
export function scanBody(type: Type, buf: Buffer, start: number): number {
  const c = new Cursor(buf, start, []);
  scanValue(type, c, 0);
  return c.pos;
}
