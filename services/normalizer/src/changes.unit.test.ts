import { eventId, type NormalizedPrice, type PriceChanged, type RawPriceObserved } from '@llmpt/schemas';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { specification } from '@llmpt/testkit';
import { decide, normalizeAndDecide, parsePriceKey, removed } from './changes.ts';
import { normalize } from './normalize.ts';
import { canonicalValues, decodeState, encodeState, lastPriceOf, type LastPrice } from './state.ts';
import { DAY, T0, component, rawPrice } from './testing/fixtures.ts';

type State = ReadonlyMap<string, LastPrice>;
const KEY = 'anthropic/claude-sonnet-4||openrouter_api';

/** The normalizer stage as a step: state in, (PriceChanged | null) out, state threaded. */
const stage = (opts: { alertThreshold?: Decimal.Value } = {}) =>
  specification<State, RawPriceObserved, PriceChanged | null>((state, raw) => {
    const { normalized, changed, next } = normalizeAndDecide(state, raw, opts);
    const after = new Map(state);
    if (next) after.set(normalized.price_key, next);
    return { state: after, output: changed };
  });

const empty: State = new Map();

/** An observation of the test model on day `day` (0 = 2026-03-03). */
function on(day: number, prices: Record<string, string>, extra: Parameters<typeof rawPrice>[0] = {}) {
  return rawPrice({ fetched_at: T0 + day * DAY, prices, ...extra });
}

function stateOf(...raws: RawPriceObserved[]): State {
  let state: State = new Map();
  for (const raw of raws) {
    const { next, normalized } = normalizeAndDecide(state, raw);
    if (next) state = new Map(state).set(normalized.price_key, next);
  }
  return state;
}

describe('decide: new', () => {
  it('the first price of a key is new, listing every available dimension, without alert', () => {
    const raw = rawPrice({
      prices: { prompt: '0.000003', completion: '0.000015' },
      components: [component('web_search', '0.01', 'per_web_search')],
    });
    const np = normalize(raw);
    const current = { ...lastPriceOf(np).values };
    stage()
      .given(empty)
      .when(raw)
      .then({
        event_id: eventId(
          'PriceChanged',
          KEY,
          'new',
          canonicalValues(null),
          canonicalValues(current),
          np.event_id,
        ),
        run_id: raw.run_id,
        caused_by: np.event_id,
        occurred_at: raw.fetched_at,
        price_key: KEY,
        model_id: 'anthropic/claude-sonnet-4',
        provider: null,
        source_type: 'openrouter_api',
        kind: 'new',
        changes: [
          { dimension: 'prompt', previous: null, current: '3.00000000', relative_change: null },
          { dimension: 'completion', previous: null, current: '15.00000000', relative_change: null },
          { dimension: 'web_search', previous: null, current: '0.01000000', relative_change: null },
        ],
        previous_observed_at: null,
        current_observed_at: raw.fetched_at,
        snapshot_date: '2026-03-03',
        alert: false,
        alert_threshold: '0.30',
      })
      .thenState(new Map([[KEY, lastPriceOf(np)]]));
  });

  it('an unavailable price is never new, and leaves no state (openrouter/auto "-1")', () => {
    stage()
      .given(empty)
      .when(on(0, { prompt: '-1', completion: '-1' }), on(1, { prompt: '-1', completion: '-1' }))
      .then(null, null)
      .thenState(new Map());
  });
});

describe('decide: changed', () => {
  it('float-artifact strings equal at scale 8 are not a change', () => {
    const first = rawPrice({ components: [component('input_cache_write', '0.00000008333333333333334')] });
    const again = rawPrice({
      fetched_at: T0 + DAY,
      components: [component('input_cache_write', '0.0000000833333333333333')],
    });
    stage()
      .given(stateOf(first))
      .when(again)
      .then(null)
      .thenCheck((_, state) => expect(state.get(KEY)?.observed_at).toBe(again.fetched_at));
  });

  it('a real cut is changed, with the relative change at scale 8 and an alert above 30 %', () => {
    const before = on(0, { prompt: '0.000003', completion: '0.000015' });
    const after = on(1, { prompt: '0.000002', completion: '0.000015' });
    const np = normalize(after);
    stage()
      .given(stateOf(before))
      .when(after)
      .then({
        event_id: eventId(
          'PriceChanged',
          KEY,
          'changed',
          canonicalValues({ ...lastPriceOf(normalize(before)).values }),
          canonicalValues({ ...lastPriceOf(np).values }),
          np.event_id,
        ),
        run_id: after.run_id,
        caused_by: np.event_id,
        occurred_at: after.fetched_at,
        price_key: KEY,
        model_id: 'anthropic/claude-sonnet-4',
        provider: null,
        source_type: 'openrouter_api',
        kind: 'changed',
        // (2 - 3) / 3 = -0.333333333… → -0.33333333
        changes: [
          {
            dimension: 'prompt',
            previous: '3.00000000',
            current: '2.00000000',
            relative_change: '-0.33333333',
          },
        ],
        previous_observed_at: before.fetched_at,
        current_observed_at: after.fetched_at,
        snapshot_date: '2026-03-04',
        alert: true,
        alert_threshold: '0.30',
      });
  });

  it.each([
    // previous, current (USD per 1M), relative change, alert at 0.30
    ['3', '2.5', '-0.16666667', false],
    ['2', '3', '0.50000000', true],
    ['10', '7', '-0.30000000', true], // exactly the threshold alerts
    ['10', '7.1', '-0.29000000', false],
    ['10', '7.00000001', '-0.30000000', true], // -0.299999999 published as -0.30000000: alert agrees with it
    ['10', '12.99', '0.29900000', false],
    ['0.1', '0.01', '-0.90000000', true], // gpt-5.3-chat web_search 10x drop
  ])('%s → %s: relative %s, alert %s', (prev, cur, relative, alert) => {
    stage()
      .given(stateOf(rawPrice({ components: [component('prompt', prev, 'per_1m_tokens')] })))
      .when(rawPrice({ fetched_at: T0 + DAY, components: [component('prompt', cur, 'per_1m_tokens')] }))
      .thenMatch({ kind: 'changed', changes: [{ relative_change: relative }], alert });
  });

  it('a price turning free or paid alerts whatever the threshold', () => {
    stage({ alertThreshold: '5' })
      .given(stateOf(on(0, { prompt: '0.000003' })))
      .when(on(1, { prompt: '0' }), on(2, { prompt: '0.000003' }))
      .thenMatch(
        {
          alert: true,
          alert_threshold: '5.00',
          changes: [
            {
              dimension: 'prompt',
              previous: '3.00000000',
              current: '0.00000000',
              relative_change: '-1.00000000',
            },
          ],
        },
        // From zero the relative change is undefined: null, and an alert.
        {
          alert: true,
          changes: [
            { dimension: 'prompt', previous: '0.00000000', current: '3.00000000', relative_change: null },
          ],
        },
      );
  });

  it('a dimension appearing or disappearing is a change with an alert', () => {
    stage({ alertThreshold: new Decimal('0.5') })
      .given(stateOf(on(0, { prompt: '0.000003' })))
      .when(
        on(1, { prompt: '0.000003', input_cache_read: '0.0000003' }),
        on(2, { input_cache_read: '0.0000003' }),
      )
      .thenMatch(
        {
          alert: true,
          alert_threshold: '0.50',
          changes: [
            { dimension: 'input_cache_read', previous: null, current: '0.30000000', relative_change: null },
          ],
        },
        {
          alert: true,
          changes: [{ dimension: 'prompt', previous: '3.00000000', current: null, relative_change: null }],
        },
      );
  });

  it('the threshold is configurable: 3 → 2 does not alert at 0.5, does at 0.125', () => {
    const last = stateOf(on(0, { prompt: '0.000003' }));
    const cut = on(1, { prompt: '0.000002' });
    stage({ alertThreshold: 0.5 }).given(last).when(cut).thenMatch({ alert: false, alert_threshold: '0.50' });
    stage({ alertThreshold: '0.125' })
      .given(last)
      .when(cut)
      .thenMatch({ alert: true, alert_threshold: '0.125' });
    expect(() => decide(undefined, normalize(cut), { alertThreshold: '-0.1' })).toThrow(TypeError);
    expect(() => decide(undefined, normalize(cut), { alertThreshold: 'NaN' })).toThrow(TypeError);
  });
});

describe('decide: gaps, replays and out-of-order observations', () => {
  it('a price back after a gap is compared with its last known value', () => {
    const a3 = on(0, { prompt: '0.000003' });
    stage()
      .given(stateOf(a3))
      .when(
        on(1, { prompt: '-1' }), // unavailable: nothing emitted, state kept
        rawPrice({ fetched_at: T0 + 2 * DAY, status: 'unavailable', unavailable_reason: 'HTTP 503' }),
        on(3, { prompt: '0.000003' }), // same as before the gap: no change
        on(4, { prompt: '0.000002' }), // compared with 3, not new
      )
      .thenMatch(null, null, null, {
        kind: 'changed',
        previous_observed_at: T0 + 3 * DAY,
        changes: [{ dimension: 'prompt', previous: '3.00000000', current: '2.00000000' }],
      });
  });

  it('an unavailable observation keeps the state as it was', () => {
    const state = stateOf(on(0, { prompt: '0.000003' }));
    stage()
      .given(state)
      .when(on(1, { prompt: '-1' }))
      .then(null)
      .thenState(state);
  });

  it('an observation older than the state is a replay: nothing emitted, state kept', () => {
    const state = stateOf(on(5, { prompt: '0.000003' }));
    stage()
      .given(state)
      .when(on(4, { prompt: '0.000001' }))
      .then(null)
      .thenState(state);
  });

  it('the same observation twice changes nothing, not even the state object', () => {
    const raw = on(0, { prompt: '0.000003' });
    const last = lastPriceOf(normalize(raw));
    expect(decide(last, normalize(raw))).toEqual({ changed: null, next: last });
    expect(decide(last, normalize(raw)).next).toBe(last);
  });

  it('a later observation of the same price moves observed_at, so the next change reports it', () => {
    const last = lastPriceOf(normalize(on(0, { prompt: '0.000003' })));
    const np = normalize(on(1, { prompt: '0.000003' }));
    const { changed, next } = decide(last, np);
    expect(changed).toBeNull();
    expect(next).toEqual({
      ...last,
      observed_at: np.observed_at,
      event_id: np.event_id,
      snapshot_date: '2026-03-04',
    });
  });

  it('normalizeAndDecide mutates nothing', () => {
    const state = stateOf(on(0, { prompt: '0.000003' }));
    const before = structuredClone([...state]);
    const out = normalizeAndDecide(state, on(1, { prompt: '0.000002' }));
    expect([...state]).toEqual(before);
    expect(out.next?.values.prompt).toBe('2.00000000');
    expect(out.normalized.prompt).toBe('2.00000000');
    expect(out.changed?.kind).toBe('changed');
  });

  it('poison input throws the typed error through the stage', () => {
    stage()
      .given(empty)
      .when(on(0, { prompt: 'ask sales' }))
      .thenThrows({ code: 'UNPARSABLE_PRICE', retriable: false });
  });
});

describe('removed', () => {
  it('builds a removed change from the last known price, without alert', () => {
    const np: NormalizedPrice = normalize(
      rawPrice({
        provider: 'deepinfra',
        source_type: 'openrouter_endpoints',
        prices: { prompt: '0.000003' },
      }),
    );
    const last = lastPriceOf(np);
    const ctx = { run_id: 'run-x', occurred_at: T0 + DAY, snapshot_date: '2026-03-04' };
    const event = removed(last, ctx);
    expect(event).toEqual({
      event_id: eventId(
        'PriceChanged',
        'anthropic/claude-sonnet-4|deepinfra|openrouter_endpoints',
        'removed',
        canonicalValues(last.values),
        canonicalValues(null),
        np.event_id,
        '2026-03-04',
      ),
      run_id: 'run-x',
      caused_by: null,
      occurred_at: T0 + DAY,
      price_key: 'anthropic/claude-sonnet-4|deepinfra|openrouter_endpoints',
      model_id: 'anthropic/claude-sonnet-4',
      provider: 'deepinfra',
      source_type: 'openrouter_endpoints',
      kind: 'removed',
      changes: [{ dimension: 'prompt', previous: '3.00000000', current: null, relative_change: null }],
      previous_observed_at: T0,
      current_observed_at: null,
      snapshot_date: '2026-03-04',
      alert: false,
      alert_threshold: '0.30',
    });
    expect(removed(last, ctx).event_id).toBe(event.event_id);
  });

  it('parses price keys and rejects malformed ones', () => {
    expect(parsePriceKey('openai/gpt-4o||openrouter_api')).toEqual({
      model_id: 'openai/gpt-4o',
      provider: null,
      source_type: 'openrouter_api',
    });
    for (const bad of ['openai/gpt-4o|x', '|x|openrouter_api', 'a|b|ftp', 'a|b|c|openrouter_api']) {
      expect(() => parsePriceKey(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_PRICE_STATE' }) as Error,
      );
    }
  });
});

describe('state codec', () => {
  it('round-trips through the changelog encoding', () => {
    const last = lastPriceOf(normalize(on(0, { prompt: '0.000003', completion: '-1' })));
    const buf = encodeState(last);
    expect(JSON.parse(buf.toString('utf8'))).toMatchObject({ v: 1, price_key: KEY });
    expect(decodeState(buf)).toEqual(last);
    expect(decodeState(new Uint8Array(buf))).toEqual(last);
  });

  it.each([
    ['not json', 'nope'],
    ['wrong version', JSON.stringify({ v: 2 })],
    [
      'bad value',
      JSON.stringify({
        v: 1,
        price_key: KEY,
        status: 'ok',
        observed_at: 1,
        event_id: 'e',
        snapshot_date: 'd',
        values: { prompt: 3 },
      }),
    ],
    [
      'no observed_at',
      JSON.stringify({ v: 1, price_key: KEY, status: 'ok', event_id: 'e', snapshot_date: 'd', values: {} }),
    ],
  ])('rejects %s with INVALID_PRICE_STATE', (_, text) => {
    expect(() => decodeState(Buffer.from(text))).toThrow(
      expect.objectContaining({ code: 'INVALID_PRICE_STATE' }) as Error,
    );
  });
});

describe('several runs within one UTC day', () => {
  const A = { prompt: '0.000003', completion: '0.000015' };
  const B = { prompt: '0.000002', completion: '0.000015' };
  const run = (state: Map<string, LastPrice>, prices: Record<string, string>, minutes: number) => {
    const r = normalizeAndDecide(state, rawPrice({ fetched_at: T0 + minutes * 60_000, prices }));
    if (r.next) state.set(r.normalized.price_key, r.next);
    return r;
  };

  it('A, then B, then A again: three observations and two changes, each with its own id', () => {
    const state = new Map<string, LastPrice>();
    const a1 = run(state, A, 0);
    const b = run(state, B, 60);
    const a2 = run(state, A, 120);
    const ids = [a1.normalized.event_id, b.normalized.event_id, a2.normalized.event_id];
    expect(new Set(ids).size).toBe(3);
    expect([a1.changed?.kind, b.changed?.kind, a2.changed?.kind]).toEqual(['new', 'changed', 'changed']);
    expect(b.changed?.event_id).not.toBe(a2.changed?.event_id);
    expect(a2.changed?.changes[0]).toMatchObject({
      dimension: 'prompt',
      previous: '2.00000000',
      current: '3.00000000',
    });
  });

  it('the same prices again in the same day keep the last observation id (a re-run adds nothing)', () => {
    const state = new Map<string, LastPrice>();
    run(state, A, 0);
    const b = run(state, B, 60);
    const again = run(state, B, 90);
    expect(again.normalized.event_id).toBe(b.normalized.event_id);
    expect(again.changed).toBeNull();
  });

  it('the next day starts from the base id again (a new daily snapshot row)', () => {
    const state = new Map<string, LastPrice>();
    const today = run(state, A, 0);
    const tomorrow = run(state, A, 24 * 60);
    expect(tomorrow.normalized.event_id).not.toBe(today.normalized.event_id);
    expect(tomorrow.normalized.event_id).toBe(
      normalize(rawPrice({ fetched_at: T0 + DAY, prices: A })).event_id,
    );
  });
});
