// docs/price-model.md §4 on recorded data, checked against the independent oracle: the 63 daily
// captures of the skissue series run through the real stages, their observations and snapshots handed
// to the normalizer's valid-time core out of order (the last days live first, then the whole series as
// a backfill in reverse order, twice; or a random permutation), leave in force exactly the PriceChanged
// set the oracle computes from §3 over the captures in time order, per slot.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSnapshot, NormalizedPrice, PriceChanged } from '@llmpt/schemas';
import { catalogSnapshotOf, discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { routedPriceObservation } from '@llmpt/scraper';
import {
  normalizeAndDecide,
  placeEvent,
  versionOf,
  type KeyHistory,
  type PriceChangeRetracted,
  type PriceState,
  type PublishedChange,
  type ValidTimeEvent,
} from '@llmpt/normalizer';
import {
  expectedRoutedChanges,
  seriesCaptures,
  entryId,
  slotLines,
  type RecordedCapture,
} from '@llmpt/testkit/oracle';
import { asExpected } from './stages.ts';

const SLOW = 240_000;

interface Input {
  readonly capture: number;
  readonly event: ValidTimeEvent;
}

/** The real stages' outputs per capture: the CatalogSnapshot and the routed NormalizedPrices (log order). */
function inputsOf(captures: readonly RecordedCapture[], keep: (modelId: string) => boolean): Input[] {
  const state = new Map<string, PriceState>();
  const out: Input[] = [];
  captures.forEach((c, capture) => {
    const runId = `oracle-${capture}-${c.label}`;
    const list = parseModelsResponse(c.body);
    const ctx = { runId, fetchedAt: c.capturedAt, sourceUrl: c.sourceUrl };
    const result = discoverModels(list.entries, { ...ctx, blocklist: emptyBlocklist });
    const snapshot: CatalogSnapshot | null = catalogSnapshotOf(list, result, ctx);
    if (snapshot) out.push({ capture, event: { snapshot } });
    for (const md of result.events) {
      if (!keep(md.model_id)) continue;
      const raw = routedPriceObservation(md, { runId, fetchedAt: c.capturedAt });
      const r = normalizeAndDecide(state, raw, {});
      if (r.next) state.set(r.normalized.price_key, r.next);
      const observation: NormalizedPrice = r.normalized;
      out.push({ capture, event: { observation } });
    }
  });
  return out;
}

function deliver(inputs: readonly { event: ValidTimeEvent; backfill: boolean }[]) {
  const histories = new Map<string, KeyHistory>();
  const snapshots: { snapshot: CatalogSnapshot; backfill: boolean }[] = [];
  const published: PublishedChange[] = [];
  const records: PriceChangeRetracted[] = [];
  for (const { event, backfill } of inputs) {
    const r = placeEvent({ histories, snapshots }, event, backfill);
    for (const [k, h] of r.histories) histories.set(k, h);
    if (r.snapshot) snapshots.push(r.snapshot);
    published.push(...r.publish);
    records.push(...r.retractions);
  }
  return { published, records };
}

/** §4.4's reader: a version is in force unless its highest-revision record retracts it. */
function inForce(
  published: readonly PublishedChange[],
  records: readonly PriceChangeRetracted[],
): PriceChanged[] {
  const last = new Map<string, PriceChangeRetracted>();
  for (const r of records) {
    const v = versionOf(r.retracted_event_id, r.retracted_digest);
    if ((last.get(v)?.revision ?? -1) < r.revision) last.set(v, r);
  }
  const out = new Map<string, PriceChanged>();
  for (const p of published) {
    const v = versionOf(p.change.event_id, p.digest);
    if (!last.get(v)?.retracted) out.set(v, p.change);
  }
  return [...out.values()];
}

/** A small seeded PRNG (mulberry32) for a reproducible permutation. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('valid time over the 63 daily captures, against the oracle (docs/price-model.md §4)', () => {
  let inputs: Input[] = [];
  let oracle: string[] = [];
  let kept = new Set<string>();
  /** Only the kept models' lines (expiration dates still reach every model's routed key). */
  const ofKept = (ls: readonly string[]) => ls.filter((l) => kept.has(l.split(' ')[1]!.split('||')[0]!));
  /** The capture each NormalizedPrice and snapshot came from: a change is placed at its cause's. */
  const captureOf = new Map<string, number>();

  const lines = (changes: readonly PriceChanged[]) =>
    ofKept(
      slotLines(
        changes.map((e) => {
          const capture = e.caused_by === null ? undefined : captureOf.get(e.caused_by);
          if (capture === undefined) throw new Error(`no capture for ${e.event_id} caused by ${e.caused_by}`);
          return asExpected(capture, e);
        }),
      ),
    );

  beforeAll(() => {
    const captures = seriesCaptures();
    // Every fourth model keeps the run short on two cores; the snapshots stay whole.
    const ids = [
      ...new Set(
        captures.flatMap((c) => parseModelsResponse(c.body).entries.flatMap((e) => entryId(e) ?? [])),
      ),
    ];
    kept = new Set(ids.sort().filter((_, i) => i % 4 === 0));
    inputs = inputsOf(captures, (m) => kept.has(m));
    // A re-run the same day has the same ids (a snapshot of the same ids, an observation of the same
    // content): its events belong to the first capture of them, as in the oracle.
    for (const x of inputs) {
      const id = 'snapshot' in x.event ? x.event.snapshot.event_id : x.event.observation.event_id;
      if (!captureOf.has(id)) captureOf.set(id, x.capture);
    }
    oracle = slotLines(expectedRoutedChanges(captures)).filter((l) =>
      kept.has(l.split(' ')[1]!.split('||')[0]!),
    );
  }, SLOW);

  it(
    'the last two days live, then the series backfilled in reverse order, twice: the oracle set in force',
    () => {
      const last = inputs.filter((x) => x.capture >= 61).map((x) => ({ event: x.event, backfill: false }));
      const backfill = [...inputs].reverse().map((x) => ({ event: x.event, backfill: true }));
      const run = deliver([...last, ...backfill, ...backfill]);
      expect(oracle.length).toBeGreaterThan(50);
      expect(lines(inForce(run.published, run.records))).toEqual(oracle);
      expect(run.records.length).toBeGreaterThan(0);
      // What the live days published and was corrected later is retracted; corrections are backfilled.
      expect(run.published.filter((p) => p.backfilled).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'a random permutation: the oracle set in force',
    () => {
      const run = deliver(shuffled(inputs, 14).map((x) => ({ event: x.event, backfill: true })));
      expect(lines(inForce(run.published, run.records))).toEqual(oracle);
    },
    SLOW,
  );
});
