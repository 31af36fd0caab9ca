// The change rules of docs/price-model.md §3, one given/when/then per rule, written from the document.
import {
  eventId,
  type CatalogSnapshot,
  type PriceChanged,
  type PriceComponent,
  type RawPriceObserved,
} from '@llmpt/schemas';
import { Decimal } from 'decimal.js';
import { ConfigError } from '@llmpt/core';
import { describe, expect, it } from 'vitest';
import { specification } from '@llmpt/testkit';
import {
  applyCatalogSnapshot,
  decide,
  normalizeAndDecide,
  parsePriceKey,
  type DecideOptions,
} from './changes.ts';
import { contentIdOf, normalize } from './normalize.ts';
import { decodeState, encodeState, type PriceState } from './state.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

type State = ReadonlyMap<string, PriceState>;
const MODEL = 'anthropic/claude-sonnet-4';
const KEY = `${MODEL}||openrouter_api`;
const VERTEX = `${MODEL}|google-vertex|openrouter_endpoints`;

/** The normalizer stage as a step: state in, (PriceChanged | null) out, state threaded. */
const stage = (opts: DecideOptions = {}) =>
  specification<State, RawPriceObserved, PriceChanged | null>((state, raw) => {
    const { normalized, changed, next } = normalizeAndDecide(state, raw, opts);
    const after = new Map(state);
    if (next) after.set(normalized.price_key, next);
    return { state: after, output: changed };
  });

/** Both inputs of the stage, observations and catalog snapshots: every event each one yields. */
const lifecycle = (opts: DecideOptions = {}) =>
  specification<State, RawPriceObserved | CatalogSnapshot, PriceChanged[]>((state, input) => {
    const after = new Map(state);
    if ('model_ids' in input) {
      const { changes, next } = applyCatalogSnapshot(state, input, opts);
      for (const [k, v] of next) after.set(k, v);
      return { state: after, output: changes };
    }
    const { normalized, changed, next } = normalizeAndDecide(state, input, opts);
    if (next) after.set(normalized.price_key, next);
    return { state: after, output: changed ? [changed] : [] };
  });

const empty: State = new Map();

/** An observation of the test model on day `day` (0 = 2026-03-03). */
function on(day: number, prices: Record<string, string>, extra: Parameters<typeof rawPrice>[0] = {}) {
  return rawPrice({ fetched_at: T0 + day * DAY, prices, ...extra });
}

/** An observation of the test model on day `day` with the given components (tiers). */
function withComponents(
  day: number,
  components: PriceComponent[],
  extra: Parameters<typeof rawPrice>[0] = {},
) {
  return rawPrice({ fetched_at: T0 + day * DAY, components, ...extra });
}

const tier = (label: string) => ({ tier: label });

/** Gemini-like price: base prompt/completion, and a long-context tier. */
function longContext(day: number, base: string, long: string) {
  return withComponents(day, [
    component('prompt', base),
    component('completion', '0.00001'),
    component('prompt', long, 'per_token', tier('prompt_tokens>=200000')),
  ]);
}

function stateOf(...raws: RawPriceObserved[]): State {
  let state: State = new Map();
  for (const raw of raws) {
    const { next, normalized } = normalizeAndDecide(state, raw);
    if (next) state = new Map(state).set(normalized.price_key, next);
  }
  return state;
}

/** The state after applying catalog snapshots. */
function lifecycleState(state: State, snapshots: readonly CatalogSnapshot[]): State {
  let after = state;
  for (const s of snapshots) {
    const { next } = applyCatalogSnapshot(after, s);
    after = new Map([...after, ...next]);
  }
  return after;
}

function snapshot(
  day: number,
  model_ids: string[],
  expirations: CatalogSnapshot['expirations'] = [],
): CatalogSnapshot {
  const snapshot_date = new Date(T0 + day * DAY).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', 'https://openrouter.ai/api/v1/models', snapshot_date, ...model_ids),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: T0 + day * DAY - 60_000,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: T0 + day * DAY - 120_000,
    snapshot_date,
    model_ids,
    expirations,
  };
}

describe('rule 3: new', () => {
  it('the first observation of a key is new, listing every slot of the base and the tiers, without alert', () => {
    const raw = withComponents(0, [
      component('prompt', '0.000003'),
      component('completion', '0.000015'),
      component('web_search', '0.01', 'per_web_search'),
      component('prompt', '0.000006', 'per_token', tier('prompt_tokens>=200000')),
    ]);
    const np = normalize(raw);
    const changes = [
      {
        dimension: 'prompt',
        previous: null,
        current: '3.00000000',
        relative_change: null,
        tier: null,
        change: 'new',
      },
      {
        dimension: 'completion',
        previous: null,
        current: '15.00000000',
        relative_change: null,
        tier: null,
        change: 'new',
      },
      {
        dimension: 'web_search',
        previous: null,
        current: '0.01000000',
        relative_change: null,
        tier: null,
        change: 'new',
      },
      {
        dimension: 'prompt',
        previous: null,
        current: '6.00000000',
        relative_change: null,
        tier: 'prompt_tokens>=200000',
        change: 'new',
      },
    ];
    stage()
      .given(empty)
      .when(raw)
      .then({
        event_id: eventId('PriceChanged', KEY, 'new', JSON.stringify(changes), np.event_id),
        run_id: raw.run_id,
        caused_by: np.event_id,
        occurred_at: raw.fetched_at,
        price_key: KEY,
        model_id: MODEL,
        provider: null,
        source_type: 'openrouter_api',
        kind: 'new',
        changes,
        previous_observed_at: null,
        current_observed_at: raw.fetched_at,
        snapshot_date: '2026-03-03',
        alert: false,
        alert_threshold: '0.30',
        expiration_date: null,
        backfilled: false,
      })
      .thenCheck((_, state) =>
        expect(state.get(KEY)?.slots.map((s) => [s.tier, s.dimension, s.value])).toEqual([
          [null, 'prompt', '3.00000000'],
          [null, 'completion', '15.00000000'],
          [null, 'web_search', '0.01000000'],
          ['prompt_tokens>=200000', 'prompt', '6.00000000'],
        ]),
      );
  });

  it('a dimension first published on a known key is a `new` entry in a changed event, and does not alert', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003' })))
      .when(on(1, { prompt: '0.000003', input_cache_read: '0.0000003' }))
      .thenMatch({
        kind: 'changed',
        alert: false,
        changes: [
          { dimension: 'input_cache_read', previous: null, current: '0.30000000', tier: null, change: 'new' },
        ],
      });
  });

  it('an unavailable price is never new, and leaves no state (openrouter/auto "-1")', () => {
    stage()
      .given(empty)
      .when(on(0, { prompt: '-1', completion: '-1' }), on(1, { prompt: '-1', completion: '-1' }))
      .then(null, null)
      .thenState(new Map());
  });
});

describe('rule 2: changed, compared at scale 8', () => {
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
    // (2 - 3) / 3 = -0.333333333… → -0.33333333
    const changes = [
      {
        dimension: 'prompt',
        previous: '3.00000000',
        current: '2.00000000',
        relative_change: '-0.33333333',
        tier: null,
        change: 'changed',
      },
    ];
    stage()
      .given(stateOf(before))
      .when(after)
      .then({
        event_id: eventId('PriceChanged', KEY, 'changed', JSON.stringify(changes), np.event_id),
        run_id: after.run_id,
        caused_by: np.event_id,
        occurred_at: after.fetched_at,
        price_key: KEY,
        model_id: MODEL,
        provider: null,
        source_type: 'openrouter_api',
        kind: 'changed',
        changes,
        previous_observed_at: before.fetched_at,
        current_observed_at: after.fetched_at,
        snapshot_date: '2026-03-04',
        alert: true,
        alert_threshold: '0.30',
        expiration_date: null,
        backfilled: false,
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
      .thenMatch({ kind: 'changed', changes: [{ relative_change: relative, change: 'changed' }], alert });
  });

  it('rule 7: a price turning free or paid alerts whatever the threshold', () => {
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

  it('the threshold is configurable: 3 → 2 does not alert at 0.5, does at 0.125', () => {
    const last = stateOf(on(0, { prompt: '0.000003' }));
    const cut = on(1, { prompt: '0.000002' });
    stage({ alertThreshold: 0.5 }).given(last).when(cut).thenMatch({ alert: false, alert_threshold: '0.50' });
    stage({ alertThreshold: new Decimal('0.125') })
      .given(last)
      .when(cut)
      .thenMatch({ alert: true, alert_threshold: '0.125' });
    // A bad option is the deployment's configuration, not a bug nor poison input.
    expect(() => decide(undefined, normalize(cut), { alertThreshold: '-0.1' })).toThrow(ConfigError);
    expect(() => decide(undefined, normalize(cut), { alertThreshold: 'NaN' })).toThrow(ConfigError);
    expect(() => decide(undefined, normalize(cut), { removalAfterRuns: 0 })).toThrow(ConfigError);
  });

  it('a base-only move under an unchanged tier is a base change entry (the seed column does not move)', () => {
    // Given base 1.25 and a 200k tier at 2.50; when the base drops to 1.00: the highest (2.50) is unchanged.
    stage()
      .given(stateOf(longContext(0, '0.00000125', '0.0000025')))
      .when(longContext(1, '0.000001', '0.0000025'))
      .thenMatch({
        kind: 'changed',
        alert: false, // -20 %
        changes: [
          {
            dimension: 'prompt',
            tier: null,
            previous: '1.25000000',
            current: '1.00000000',
            relative_change: '-0.20000000',
            change: 'changed',
          },
        ],
      })
      .thenCheck(([event]) => expect(event?.changes).toHaveLength(1));
  });

  it('a tier move names its tier', () => {
    stage()
      .given(stateOf(longContext(0, '0.00000125', '0.0000025')))
      .when(longContext(1, '0.00000125', '0.000005'))
      .thenMatch({
        alert: true,
        changes: [
          {
            dimension: 'prompt',
            tier: 'prompt_tokens>=200000',
            previous: '2.50000000',
            current: '5.00000000',
            relative_change: '1.00000000',
          },
        ],
      });
  });

  it.each([
    ['input_cache_write_1h', 'input_cache_write_1h', '0.000006', '0.000005', '6.00000000', '5.00000000'],
    ['audio', 'input_audio', '0.000032', '0.00004', '32.00000000', '40.00000000'],
    ['image_output', 'image_output', '0.00003', '0.00006', '30.00000000', '60.00000000'],
  ])('a move of %s (dimension %s) is a change', (key, dimension, before, after, previous, current) => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', [key]: before })))
      .when(on(1, { prompt: '0.000003', [key]: after }))
      .thenMatch({
        kind: 'changed',
        changes: [{ dimension, tier: null, previous, current, change: 'changed' }],
      })
      .thenCheck(([event]) => expect(event?.changes).toHaveLength(1));
  });

  it('a time-of-day window that moves is a new tier; the old window blinks, then is removed', () => {
    const windows = (day: number, peak: string) =>
      withComponents(day, [
        component('prompt', '0.00000066'),
        component('prompt', '0.00000132', 'per_token', tier(peak)),
      ]);
    stage()
      .given(stateOf(windows(0, 'utc 01:00-04:00')))
      .when(windows(1, 'utc 02:00-04:00'), windows(2, 'utc 02:00-04:00'))
      .thenMatch(
        {
          kind: 'changed',
          alert: false,
          changes: [
            {
              dimension: 'prompt',
              tier: 'utc 02:00-04:00',
              previous: null,
              current: '1.32000000',
              change: 'new',
            },
          ],
        },
        {
          kind: 'changed',
          alert: false,
          changes: [
            {
              dimension: 'prompt',
              tier: 'utc 01:00-04:00',
              previous: '1.32000000',
              current: null,
              change: 'removed',
            },
          ],
        },
      );
  });
});

describe('rule 4: blink and removal', () => {
  it('a dimension that blinks out for one run and back at the same value publishes nothing', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(on(1, { prompt: '0.000003' }), on(2, { prompt: '0.000003', input_cache_read: '0.0000003' }))
      .then(null, null)
      .thenCheck((_, state) =>
        expect(state.get(KEY)?.slots.find((s) => s.dimension === 'input_cache_read')).toMatchObject({
          value: '0.30000000',
          absences: 0,
          removed: false,
        }),
      );
  });

  it('a blink back at another value is compared with the last known value', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(on(1, { prompt: '0.000003' }), on(2, { prompt: '0.000003', input_cache_read: '0.00000015' }))
      .thenMatch(null, {
        kind: 'changed',
        alert: true,
        changes: [
          {
            dimension: 'input_cache_read',
            previous: '0.30000000',
            current: '0.15000000',
            relative_change: '-0.50000000',
            change: 'changed',
          },
        ],
      });
  });

  it('absent for 2 consecutive runs: removed once (previous = last known, current = null, no alert)', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(on(1, { prompt: '0.000003' }), on(2, { prompt: '0.000003' }), on(3, { prompt: '0.000003' }))
      .thenMatch(
        null,
        {
          kind: 'changed',
          alert: false,
          changes: [
            {
              dimension: 'input_cache_read',
              tier: null,
              previous: '0.30000000',
              current: null,
              relative_change: null,
              change: 'removed',
            },
          ],
        },
        null,
      );
  });

  it('the count is configurable: removed at the first absence with removalAfterRuns 1', () => {
    stage({ removalAfterRuns: 1 })
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(on(1, { prompt: '0.000003' }))
      .thenMatch({ changes: [{ dimension: 'input_cache_read', change: 'removed' }] });
  });

  it('an unavailable observation is no absence: the count is not moved', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(
        on(1, { prompt: '0.000003' }),
        rawPrice({ fetched_at: T0 + 2 * DAY, status: 'unavailable', unavailable_reason: 'HTTP 503' }),
        on(3, { prompt: '-1', completion: '-1' }),
        on(4, { prompt: '0.000003', input_cache_read: '0.0000003' }),
      )
      .then(null, null, null, null);
  });

  it('a tier that vanishes for one run is a blink; for two, each of its slots is removed', () => {
    const flat = (day: number) =>
      withComponents(day, [component('prompt', '0.00000125'), component('completion', '0.00001')]);
    const tiered = (day: number) =>
      withComponents(day, [
        component('prompt', '0.00000125'),
        component('completion', '0.00001'),
        component('prompt', '0.0000025', 'per_token', tier('prompt_tokens>=200000')),
        component('completion', '0.000015', 'per_token', tier('prompt_tokens>=200000')),
      ]);
    stage()
      .given(stateOf(tiered(0)))
      .when(flat(1), tiered(2), flat(3), flat(4))
      .thenMatch(null, null, null, {
        kind: 'changed',
        alert: false,
        changes: [
          {
            dimension: 'prompt',
            tier: 'prompt_tokens>=200000',
            previous: '2.50000000',
            current: null,
            change: 'removed',
          },
          {
            dimension: 'completion',
            tier: 'prompt_tokens>=200000',
            previous: '15.00000000',
            current: null,
            change: 'removed',
          },
        ],
      });
  });
});

describe('rule 6: return', () => {
  const removedCacheRead = () =>
    stateOf(
      on(0, { prompt: '0.000003', input_cache_read: '0.0000003' }),
      on(1, { prompt: '0.000003' }),
      on(2, { prompt: '0.000003' }),
    );

  it('a removed slot back at its last value is returned, relative 0, without alert', () => {
    stage()
      .given(removedCacheRead())
      .when(on(3, { prompt: '0.000003', input_cache_read: '0.0000003' }))
      .thenMatch({
        kind: 'changed',
        alert: false,
        changes: [
          {
            dimension: 'input_cache_read',
            previous: '0.30000000',
            current: '0.30000000',
            relative_change: '0.00000000',
            change: 'returned',
          },
        ],
      });
  });

  it('a removed slot back at another value is returned with the move from its last known value', () => {
    stage()
      .given(removedCacheRead())
      .when(on(3, { prompt: '0.000003', input_cache_read: '0.0000006' }))
      .thenMatch({
        alert: true,
        changes: [
          {
            dimension: 'input_cache_read',
            previous: '0.30000000',
            current: '0.60000000',
            relative_change: '1.00000000',
            change: 'returned',
          },
        ],
      });
  });
});

describe('rule 8: gaps, replays and out-of-order observations', () => {
  it('a price back after a gap is compared with its last known value', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003' })))
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
    const last = decide(undefined, normalize(raw)).next;
    expect(decide(last, normalize(raw))).toEqual({ changed: null, next: last });
    expect(decide(last, normalize(raw)).next).toBe(last);
  });

  it('the same content again the same day moves the time only: it counts no absence', () => {
    stage()
      .given(stateOf(on(0, { prompt: '0.000003', input_cache_read: '0.0000003' })))
      .when(
        on(1, { prompt: '0.000003' }),
        rawPrice({ fetched_at: T0 + DAY + 3600_000, prices: { prompt: '0.000003' } }),
      )
      .then(null, null)
      .thenCheck((_, state) => {
        expect(state.get(KEY)?.slots[1]).toMatchObject({
          dimension: 'input_cache_read',
          absences: 1,
          removed: false,
        });
        expect(state.get(KEY)?.observed_at).toBe(T0 + DAY + 3600_000);
      });
  });

  it('a later observation of the same price moves observed_at, so the next change reports it', () => {
    const last = decide(undefined, normalize(on(0, { prompt: '0.000003' }))).next!;
    const np = normalize(on(1, { prompt: '0.000003' }));
    const { changed, next } = decide(last, np);
    expect(changed).toBeNull();
    expect(next).toEqual({
      ...last,
      observed_at: np.observed_at,
      event_id: np.event_id,
      content_id: contentIdOf(np),
      snapshot_date: '2026-03-04',
    });
  });

  it('normalizeAndDecide mutates nothing', () => {
    const state = stateOf(on(0, { prompt: '0.000003' }));
    const before = structuredClone([...state]);
    const out = normalizeAndDecide(state, on(1, { prompt: '0.000002' }));
    expect([...state]).toEqual(before);
    expect(out.next?.slots[0]?.value).toBe('2.00000000');
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

describe('rule 5: model lifecycle from catalog snapshots', () => {
  const routed = on(0, { prompt: '0.000003', completion: '0.000015' });
  const vertex = on(
    0,
    { prompt: '0.000006' },
    { provider: 'google-vertex', source_type: 'openrouter_endpoints' },
  );
  const other = on(0, { prompt: '0.000001' }, { model_id: 'openai/gpt-4o' });

  it('a model absent from 2 consecutive snapshots has every key removed, once, without alert', () => {
    const gone = snapshot(2, ['openai/gpt-4o']);
    lifecycle()
      .given(stateOf(routed, vertex, other))
      .when(snapshot(1, ['openai/gpt-4o']), gone, snapshot(3, ['openai/gpt-4o']))
      .thenMatch(
        [],
        [
          {
            kind: 'removed',
            price_key: VERTEX,
            provider: 'google-vertex',
            changes: [{ dimension: 'prompt', previous: '6.00000000', current: null, change: 'removed' }],
          },
          {
            kind: 'removed',
            price_key: KEY,
            caused_by: gone.event_id,
            run_id: gone.run_id,
            snapshot_date: gone.snapshot_date,
            previous_observed_at: routed.fetched_at,
            current_observed_at: null,
            alert: false,
            changes: [
              {
                dimension: 'prompt',
                tier: null,
                previous: '3.00000000',
                current: null,
                relative_change: null,
                change: 'removed',
              },
              {
                dimension: 'completion',
                tier: null,
                previous: '15.00000000',
                current: null,
                relative_change: null,
                change: 'removed',
              },
            ],
          },
        ],
        [],
      )
      .thenCheck((_, state) => {
        expect(state.get(KEY)).toMatchObject({ removed: true, absent_snapshots: 2 });
        expect(state.get(`openai/gpt-4o||openrouter_api`)).toMatchObject({
          removed: false,
          absent_snapshots: 0,
        });
      });
  });

  it('the same snapshot seen twice counts once; presence resets the count', () => {
    const s1 = snapshot(1, []);
    lifecycle()
      .given(stateOf(routed))
      .when(s1, s1, snapshot(2, [MODEL]), snapshot(3, []))
      .then([], [], [], [])
      .thenCheck((_, state) => expect(state.get(KEY)).toMatchObject({ absent_snapshots: 1, removed: false }));
  });

  it('a removed key observed again is returned, compared with its last known price', () => {
    lifecycle()
      .given(stateOf(routed))
      .when(snapshot(1, []), snapshot(2, []), on(3, { prompt: '0.000003', completion: '0.00003' }))
      .thenMatch(
        [],
        [{ kind: 'removed' }],
        [
          {
            kind: 'returned',
            alert: true,
            previous_observed_at: routed.fetched_at,
            changes: [
              {
                dimension: 'prompt',
                previous: '3.00000000',
                current: '3.00000000',
                relative_change: '0.00000000',
                change: 'returned',
              },
              {
                dimension: 'completion',
                previous: '15.00000000',
                current: '30.00000000',
                relative_change: '1.00000000',
                change: 'returned',
              },
            ],
          },
        ],
      )
      .thenCheck((_, state) => expect(state.get(KEY)).toMatchObject({ removed: false, absent_snapshots: 0 }));
  });

  it('a key removed and back the same UTC day at the same price is returned (runs more often than daily)', () => {
    // Two complete runs of day 0 without the model (other listings, so two snapshots), then a third
    // with it at its last price: the same content the same day is not a re-run after a removal.
    const later = (hours: number) =>
      rawPrice({
        fetched_at: T0 + hours * 3_600_000,
        prices: { prompt: '0.000003', completion: '0.000015' },
      });
    const { normalized: first } = normalizeAndDecide(empty, routed);
    const { normalized: back } = normalizeAndDecide(
      lifecycleState(stateOf(routed), [snapshot(0, ['other/a']), snapshot(0, ['other/b'])]),
      later(5),
    );
    expect(back.snapshot_date).toBe(first.snapshot_date);
    expect(back.event_id).not.toBe(first.event_id);
    lifecycle()
      .given(stateOf(routed))
      .when(snapshot(0, ['other/a']), snapshot(0, ['other/b']), later(5), later(6))
      .thenMatch([], [{ kind: 'removed' }], [{ kind: 'returned', alert: false }], [])
      .thenCheck((out) => expect(out.map((o) => o.length)).toEqual([0, 1, 1, 0]));
  });

  it('a model given an expiration date alerts once on its routed key; another date alerts again', () => {
    const first = snapshot(1, [MODEL], [{ model_id: MODEL, expiration_date: '2026-06-01' }]);
    lifecycle()
      .given(stateOf(routed, vertex))
      .when(
        first,
        snapshot(2, [MODEL], [{ model_id: MODEL, expiration_date: '2026-06-01' }]),
        snapshot(3, [MODEL], [{ model_id: MODEL, expiration_date: '2026-07-01' }]),
      )
      .thenMatch(
        [
          {
            event_id: eventId('PriceChanged', KEY, 'expiring', '2026-06-01', first.event_id),
            kind: 'expiring',
            price_key: KEY,
            alert: true,
            expiration_date: '2026-06-01',
            changes: [],
            caused_by: first.event_id,
          },
        ],
        [],
        [{ kind: 'expiring', expiration_date: '2026-07-01' }],
      )
      .thenCheck((out) => expect(out.map((o) => o.length)).toEqual([1, 0, 1]));
  });

  it('a withdrawn expiration date is silent; the same date again announces nothing, a date changed back does, with its own id', () => {
    // Three runs of one UTC day listing the same ids share one snapshot id (rule 5): only the dates differ.
    const on0 = (date: string | null) =>
      snapshot(0, [MODEL], date === null ? [] : [{ model_id: MODEL, expiration_date: date }]);
    lifecycle()
      .given(stateOf(routed, vertex))
      .when(on0('2026-07-01'), on0(null), on0('2026-07-01'), snapshot(1, [MODEL]), on0('2026-07-01'))
      .thenMatch([{ kind: 'expiring', expiration_date: '2026-07-01' }], [], [], [], [])
      .thenCheck((out, state) => {
        expect(out.map((o) => o.length)).toEqual([1, 0, 0, 0, 0]);
        expect(state.get(KEY)?.expiration_date).toBe('2026-07-01');
      });
    lifecycle()
      .given(stateOf(routed, vertex))
      .when(on0('2026-07-01'), on0('2026-06-01'), on0('2026-07-01'))
      .thenMatch(
        [{ kind: 'expiring', expiration_date: '2026-07-01' }],
        [{ kind: 'expiring', expiration_date: '2026-06-01' }],
        [{ kind: 'expiring', expiration_date: '2026-07-01' }],
      )
      .thenCheck((out) => {
        const ids = out.flat().map((e) => e.event_id);
        expect(new Set(ids).size).toBe(3);
      });
  });

  it('an expiring model without a routed price gets a state with no invented price; its first price is new', () => {
    const key = 'x/new||openrouter_api';
    lifecycle()
      .given(empty)
      .when(
        snapshot(1, ['x/new'], [{ model_id: 'x/new', expiration_date: '2026-06-01' }]),
        on(1, { prompt: '0.000001' }, { model_id: 'x/new' }),
      )
      .thenMatch([{ kind: 'expiring', price_key: key }], [{ kind: 'new', previous_observed_at: null }])
      .thenCheck((_, state) =>
        expect(state.get(key)).toMatchObject({ expiration_date: '2026-06-01', removed: false }),
      );
    const { next } = applyCatalogSnapshot(
      empty,
      snapshot(1, ['x/new'], [{ model_id: 'x/new', expiration_date: '2026-06-01' }]),
    );
    expect(next.get(key)?.slots).toEqual([]);
  });

  it('returns only the keys whose state changed', () => {
    const state = stateOf(routed, other);
    expect(applyCatalogSnapshot(state, snapshot(1, [MODEL, 'openai/gpt-4o'])).next.size).toBe(0);
    expect([...applyCatalogSnapshot(state, snapshot(1, [MODEL])).next.keys()]).toEqual([
      'openai/gpt-4o||openrouter_api',
    ]);
  });
});

describe('price keys', () => {
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
    const state = stateOf(
      longContext(0, '0.00000125', '0.0000025'),
      withComponents(1, [component('prompt', '0.00000125')]),
    ).get(KEY)!;
    const buf = encodeState(state);
    expect(JSON.parse(buf.toString('utf8'))).toMatchObject({ v: 2, price_key: KEY });
    expect(decodeState(buf)).toEqual(state);
    expect(decodeState(new Uint8Array(buf))).toEqual(state);
    expect(state.slots.map((s) => s.absences)).toEqual([0, 1, 1]);
  });

  it('upcasts a v1 record (the 8 columns of the last price): its values are the base slots', () => {
    const v1 = {
      v: 1,
      price_key: KEY,
      values: { prompt: '3.00000000', completion: '15.00000000', input_cache_read: null, image: null },
      status: 'ok',
      observed_at: T0,
      event_id: 'np-1',
      snapshot_date: '2026-03-03',
    };
    const state = decodeState(Buffer.from(JSON.stringify(v1)));
    expect(state).toEqual({
      price_key: KEY,
      slots: [
        { tier: null, dimension: 'prompt', value: '3.00000000', absences: 0, removed: false },
        { tier: null, dimension: 'completion', value: '15.00000000', absences: 0, removed: false },
      ],
      removed: false,
      absent_snapshots: 0,
      last_snapshot_id: null,
      expiration_date: null,
      expiring_event_id: null,
      observed_at: T0,
      event_id: 'np-1',
      content_id: null,
      snapshot_date: '2026-03-03',
    });
    // A deployment restarted on its v1 changelog compares with what it knew: a cut, not a new price.
    stage()
      .given(new Map([[KEY, state]]))
      .when(on(1, { prompt: '0.000002', completion: '0.000015' }))
      .thenMatch({
        kind: 'changed',
        changes: [{ dimension: 'prompt', previous: '3.00000000', current: '2.00000000' }],
      });
  });

  it.each([
    ['not json', 'nope'],
    ['unknown version', JSON.stringify({ v: 3, price_key: KEY })],
    [
      'bad v1 value',
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
      'v1 without observed_at',
      JSON.stringify({ v: 1, price_key: KEY, status: 'ok', event_id: 'e', snapshot_date: 'd', values: {} }),
    ],
    [
      'v2 slot of an unknown dimension',
      JSON.stringify({
        v: 2,
        price_key: KEY,
        slots: [[null, 'karma', '1.00000000', 0, false]],
        removed: false,
        absent_snapshots: 0,
        observed_at: 1,
      }),
    ],
    [
      'v2 without slots',
      JSON.stringify({ v: 2, price_key: KEY, removed: false, absent_snapshots: 0, observed_at: 1 }),
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
  const run = (state: Map<string, PriceState>, prices: Record<string, string>, minutes: number) => {
    const r = normalizeAndDecide(state, rawPrice({ fetched_at: T0 + minutes * 60_000, prices }));
    if (r.next) state.set(r.normalized.price_key, r.next);
    return r;
  };

  it('A, then B, then A again: three observations and two changes, each with its own id', () => {
    const state = new Map<string, PriceState>();
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
    const state = new Map<string, PriceState>();
    run(state, A, 0);
    const b = run(state, B, 60);
    const again = run(state, B, 90);
    expect(again.normalized.event_id).toBe(b.normalized.event_id);
    expect(again.changed).toBeNull();
  });

  it('the next day starts from the base id again (a new daily snapshot row)', () => {
    const state = new Map<string, PriceState>();
    const today = run(state, A, 0);
    const tomorrow = run(state, A, 24 * 60);
    expect(tomorrow.normalized.event_id).not.toBe(today.normalized.event_id);
    expect(tomorrow.normalized.event_id).toBe(
      normalize(rawPrice({ fetched_at: T0 + DAY, prices: A })).event_id,
    );
  });
});
