// The stages' /metrics against what a run left on the topics (docs/metrics.md): the oracle is the
// topics, read back with the test kit, never the metrics code. Shared by the e2e tests that scrape.
import { expect } from 'vitest';
import type { DeadLetter, RawPriceObserved } from '@llmpt/schemas';
import { sumBy, waitFor, type Sample } from '@llmpt/testkit';
import { eventsOf } from './checks.ts';
import type { E2EPipeline } from './harness.ts';

export type Stage = 'scraper' | 'normalizer' | 'sink';
export type StageMetrics = Record<Stage, Sample[]>;

/** Every stage's /metrics, once each stage's lag gauge shows its group drained (polled every second). */
export async function drainedMetrics(p: E2EPipeline): Promise<StageMetrics> {
  let last: StageMetrics | undefined;
  await waitFor(
    async () => {
      last = {
        scraper: await p.metrics('scraper'),
        normalizer: await p.metrics('normalizer'),
        sink: await p.metrics('sink'),
      };
      return Object.values(last).every((s) => {
        const lag = s.filter((x) => x.name === 'llmpt_consumer_lag');
        return lag.length > 0 && lag.every((x) => x.value === 0);
      });
    },
    { timeoutMs: 30_000, message: 'every stage to report a consumer lag of 0' },
  );
  return last!;
}

const count = <T>(items: readonly T[], key: (t: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};

/** Dead letters by `stage|code` of the long-running stages, from the dead-letter topic. */
export function deadLettersByStageAndCode(dls: readonly DeadLetter[]): Record<string, number> {
  return count(
    dls.filter((d) => d.stage !== 'discovery'),
    (d) => `${d.stage}|${d.error_code}`,
  );
}

/** Dead letters by `stage|code` as the stages' metrics count them. */
export function metricDeadLetters(m: StageMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of Object.values(m))
    for (const [k, v] of Object.entries(sumBy(s, 'llmpt_dead_letters_total', ['stage', 'code'])))
      out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Events in and out per stage and topic, dead letters by code, scrape outcomes and times, the
 * normalizer's changes and snapshots, the sink's discovery runs: each equal to the topics.
 */
export async function expectMetricsEqualTopics(
  p: E2EPipeline,
  m: StageMetrics,
): Promise<Record<string, unknown>> {
  const t = p.topics;
  const base = (topic: string) => topic.slice(p.prefix.length);
  const [md, pd, raw, norm, changes, snaps, dls] = [
    await eventsOf(p, 'ModelDiscovered'),
    await eventsOf(p, 'ProviderDiscovered'),
    await eventsOf(p, 'RawPriceObserved'),
    await eventsOf(p, 'NormalizedPrice'),
    await eventsOf(p, 'PriceChanged'),
    await eventsOf(p, 'CatalogSnapshot'),
    await eventsOf(p, 'DeadLetter'),
  ];
  const dlOf = (stage: string) => dls.filter((d) => d.stage === stage).length;
  const nonZero = (r: Record<string, number>) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v > 0));

  // Events in and out, by stage and topic (prefix stripped).
  expect(sumBy(m.scraper, 'llmpt_events_consumed_total', ['topic'])).toEqual(
    nonZero({ [base(t.modelDiscovered)]: md.length }),
  );
  expect(sumBy(m.scraper, 'llmpt_events_published_total', ['topic'])).toEqual(
    nonZero({ [base(t.rawPriceObserved)]: raw.length, [base(t.deadLetter)]: dlOf('scraper') }),
  );
  expect(sumBy(m.normalizer, 'llmpt_events_consumed_total', ['topic'])).toEqual(
    nonZero({ [base(t.rawPriceObserved)]: raw.length, [base(t.catalogSnapshot)]: snaps.length }),
  );
  const normalizerOut = sumBy(m.normalizer, 'llmpt_events_published_total', ['topic']);
  delete normalizerOut[base(t.normalizerState)]; // the changelog: not events, compacted
  expect(normalizerOut).toEqual(
    nonZero({
      [base(t.normalizedPrice)]: norm.length,
      [base(t.priceChanged)]: changes.length,
      [base(t.deadLetter)]: dlOf('normalizer'),
    }),
  );
  expect(sumBy(m.sink, 'llmpt_events_consumed_total', ['topic'])).toEqual(
    nonZero({
      [base(t.modelDiscovered)]: md.length,
      [base(t.providerDiscovered)]: pd.length,
      [base(t.rawPriceObserved)]: raw.length,
      [base(t.normalizedPrice)]: norm.length,
      [base(t.priceChanged)]: changes.length,
    }),
  );
  expect(sumBy(m.sink, 'llmpt_events_published_total', ['topic'])).toEqual(
    nonZero({ [base(t.deadLetter)]: dlOf('sink') }),
  );

  // Dead letters by stage and code.
  expect(metricDeadLetters(m)).toEqual(deadLettersByStageAndCode(dls));

  // Scrape outcomes per source and provider: ok, or not (unavailable or refused, with a reason class).
  const providerOf = (o: RawPriceObserved) => o.provider ?? 'none';
  const outcomes = sumBy(m.scraper, 'llmpt_scrape_observations_total', ['source', 'provider', 'outcome']);
  const notOk = (k: string) => k.replace(/\|(unavailable|refused)$/, '|not ok');
  const got: Record<string, number> = {};
  for (const [k, v] of Object.entries(outcomes)) got[notOk(k)] = (got[notOk(k)] ?? 0) + v;
  expect(got).toEqual(
    count(raw, (o) => `${o.source_type}|${providerOf(o)}|${o.status === 'ok' ? 'ok' : 'not ok'}`),
  );
  const ok = m.scraper.filter(
    (s) => s.name === 'llmpt_scrape_observations_total' && s.labels.outcome === 'ok',
  );
  expect(ok.every((s) => s.labels.reason === '')).toBe(true);
  // The times of the latest attempt and the latest price of each source and provider.
  const latest = (obs: readonly RawPriceObserved[]) => {
    const out: Record<string, number> = {};
    for (const o of obs) {
      const k = `${o.source_type}|${providerOf(o)}`;
      out[k] = Math.max(out[k] ?? 0, o.fetched_at / 1000);
    }
    return out;
  };
  const gauge = (name: string) =>
    Object.fromEntries(
      m.scraper
        .filter((s) => s.name === name)
        .map((s) => [`${s.labels.source}|${s.labels.provider}`, s.value]),
    );
  expect(gauge('llmpt_scrape_last_attempt_timestamp_seconds')).toEqual(latest(raw));
  expect(gauge('llmpt_scrape_last_price_timestamp_seconds')).toEqual(
    latest(raw.filter((o) => o.status === 'ok')),
  );

  // The normalizer: changes by kind and alert; the snapshots, one per complete run, and the newest one's size.
  expect(sumBy(m.normalizer, 'llmpt_price_changes_total', ['kind', 'alert'])).toEqual(
    count(changes, (c) => `${c.kind}|${c.alert}`),
  );
  const newest = [...snaps].sort((a, b) => b.fetched_at - a.fetched_at)[0];
  const one = (s: Sample[], name: string) => s.find((x) => x.name === name)?.value;
  expect(one(m.normalizer, 'llmpt_catalog_snapshots_total')).toBe(snaps.length);
  expect(one(m.normalizer, 'llmpt_catalog_snapshot_models')).toBe(newest?.model_ids.length);
  expect(one(m.normalizer, 'llmpt_catalog_snapshot_timestamp_seconds')).toBe(
    newest && newest.fetched_at / 1000,
  );

  // The sink: one discovery run per run id, the latest run's models and time; its database writes timed.
  const runs = count(md, (e) => e.run_id);
  const lastRun = [...md].sort((a, b) => b.fetched_at - a.fetched_at)[0]!;
  expect(one(m.sink, 'llmpt_discovery_runs_total')).toBe(Object.keys(runs).length);
  expect(one(m.sink, 'llmpt_discovery_last_run_models')).toBe(
    new Set(md.filter((e) => e.run_id === lastRun.run_id).map((e) => e.model_id)).size,
  );
  expect(one(m.sink, 'llmpt_discovery_last_run_timestamp_seconds')).toBe(lastRun.fetched_at / 1000);
  expect(sumBy(m.sink, 'llmpt_discovery_models_total', ['backfill'])).toEqual({ false: md.length });
  expect(one(m.sink, 'llmpt_db_write_duration_seconds_count')).toBeGreaterThan(0);
  // What was compared, for the log.
  return {
    events: { discovered: md.length, raw: raw.length, normalized: norm.length, changes: changes.length },
    deadLetters: deadLettersByStageAndCode(dls),
    outcomes: count(raw, (o) => (o.status === 'ok' ? 'ok' : 'not ok')),
    runs: Object.keys(runs).length,
  };
}
