// The versions in force by docs/price-model.md §4.3–4.4: a version is (event id, digest); for each
// version the retraction record with the highest revision wins; a version without a record is in force;
// neither the order the two topics are read in nor redeliveries change the answer.
import { describe, expect, it } from 'vitest';
import { changeDigest, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';
import { priceChanged, T0, DAY } from '@llmpt/schemas/samples';
import { changeVersion, versionsInForce } from './versions.ts';

const key = 'a/one||openrouter_api';
const change = (id: string, previousObservedAt: number | null): PriceChanged =>
  priceChanged({
    event_id: id,
    price_key: key,
    model_id: 'a/one',
    provider: null,
    source_type: 'openrouter_api',
    previous_observed_at: previousObservedAt,
  }).event;
const record = (of: PriceChanged, revision: number, retracted: boolean): PriceChangeRetracted => ({
  event_id: `r-${revision}`,
  price_key: key,
  retracted_event_id: of.event_id,
  retracted_digest: changeDigest(of),
  retracted,
  revision,
  caused_by: 'np-late',
  occurred_at: T0,
});

// x1 and x2: one id, two versions (a late observation at the same price moved previous_observed_at).
const x1 = change('x', T0 - 2 * DAY);
const x2 = change('x', T0 - DAY);
const y = change('y', null);
const z = change('z', null);
type Input = { readonly change: PriceChanged } | { readonly retraction: PriceChangeRetracted };
const inputs: readonly Input[] = [
  { change: x1 },
  { change: x2 },
  { change: y },
  { change: z },
  { retraction: record(x1, 1, true) }, // x1 replaced by x2
  { retraction: record(y, 2, true) },
  { retraction: record(y, 3, false) }, // y reinstated
];
// By the rule: x1 retracted (rev 1), x2 no record, y's highest record (rev 3) says in force, z no record.
const expected = ['x2', 'y', 'z'];

function run(order: readonly Input[]): string[] {
  const v = versionsInForce();
  for (const i of order)
    if ('change' in i) v.change(i.change);
    else v.retraction(i.retraction);
  const name = new Map([x1, x2, y, z].map((e, n) => [changeVersion(e), ['x1', 'x2', 'y', 'z'][n]]));
  return v
    .inForce()
    .map((e) => name.get(changeVersion(e)) ?? '?')
    .sort();
}

function* permutations<T>(xs: readonly T[]): Generator<T[]> {
  if (xs.length <= 1) {
    yield [...xs];
    return;
  }
  for (let i = 0; i < xs.length; i++)
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i]!, ...rest];
}

describe('versionsInForce', () => {
  it('one id with two versions: distinct versions, same id', () => {
    expect(x1.event_id).toBe(x2.event_id);
    expect(changeVersion(x1)).not.toBe(changeVersion(x2));
  });

  it('keeps the versions the highest-revision records leave in force, whatever the arrival order', () => {
    let orders = 0;
    for (const order of permutations(inputs)) {
      expect(run(order)).toEqual(expected);
      orders++;
    }
    expect(orders).toBe(5040);
  });

  it('redeliveries change nothing', () => {
    expect(run([...inputs, ...inputs.slice().reverse()])).toEqual(expected);
  });

  it('a version with no record is in force; one never seen as a change is not', () => {
    const v = versionsInForce();
    v.retraction(record(x1, 1, false));
    expect(v.isInForce(changeVersion(x1))).toBe(false);
    expect(v.change(x1)).toBe(changeVersion(x1));
    expect(v.isInForce(changeVersion(x1))).toBe(true);
    expect(v.isInForce(changeVersion(x2))).toBe(false);
  });
});
