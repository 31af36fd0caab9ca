// Reading back what a pipeline run produced, in the shapes expected.ts computes: events of one
// discovery run from the topics (read committed), rows from the database by event id (money as text).
import type pg from 'pg';
import type {
  DeadLetter,
  EventName,
  EventTypes,
  ModelDiscovered,
  NormalizedPrice,
  PriceChanged,
} from '@llmpt/schemas';
import { consumeAll, type TopicKey } from '@llmpt/testkit';
import type { E2EPipeline } from './harness.ts';
import {
  byKeyAndKind,
  bySlot,
  DIMENSIONS,
  slotLabel,
  type ExpectedChange,
  type ExpectedObservation,
  type Prices,
} from './expected.ts';

const TOPIC_OF: Record<EventName, TopicKey> = {
  ModelDiscovered: 'modelDiscovered',
  ProviderDiscovered: 'providerDiscovered',
  RawPriceObserved: 'rawPriceObserved',
  NormalizedPrice: 'normalizedPrice',
  PriceChanged: 'priceChanged',
  PriceChangeRetracted: 'priceChangeRetracted',
  CatalogSnapshot: 'catalogSnapshot',
  DeadLetter: 'deadLetter',
  PriceVerified: 'priceVerified',
  PriceDiscrepancy: 'priceDiscrepancy',
};

/** Every event of one type on the pipeline's topic, in log order per partition. */
/**
 * Sink tables a daily run of the e2e pipeline leaves empty: an in-order run retracts nothing
 * (docs/price-model.md §4.2), and the pipeline the tests start runs no verifier (services/verifier
 * writes byok_verifications and price_discrepancies through the sink).
 */
export const EMPTY_IN_A_DAILY_RUN: ReadonlySet<string> = new Set([
  'price_change_retractions',
  'byok_verifications',
  'price_discrepancies',
]);

export async function eventsOf<N extends EventName>(p: E2EPipeline, name: N): Promise<EventTypes[N][]> {
  const all = await consumeAll(p.kafka, p.topics[TOPIC_OF[name]]);
  return all.filter((m) => m.name === name).map((m) => m.event as EventTypes[N]);
}

/** The events one discovery run caused (every event carries the run id of its discovery run). */
export async function runEvents<N extends Exclude<EventName, 'DeadLetter' | 'PriceChangeRetracted'>>(
  p: E2EPipeline,
  name: N,
  runId: string,
): Promise<EventTypes[N][]> {
  return (await eventsOf(p, name)).filter((e) => e.run_id === runId);
}

export function valuesOf(e: Pick<NormalizedPrice, (typeof DIMENSIONS)[number]>): Prices {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, e[d]])) as Prices;
}

/** The base and every tier's own prices of a NormalizedPrice, named as ExpectedObservation.slots. */
export function slotsOf(e: Pick<NormalizedPrice, 'base' | 'tiers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of e.base) out[slotLabel(null, p.dimension)] = p.amount;
  for (const t of e.tiers) for (const p of t.prices) out[slotLabel(t.label, p.dimension)] = p.amount;
  return out;
}

/** NormalizedPrice events as price key → status, columns and slots. */
export function observed(events: readonly NormalizedPrice[]): Map<string, ExpectedObservation> {
  return new Map(
    events.map((e) => [e.price_key, { status: e.status, values: valuesOf(e), slots: slotsOf(e) }]),
  );
}

/** PriceChanged events in the comparable shape, sorted by price key and kind, entries by slot. */
export function changeShapes(events: readonly PriceChanged[]): ExpectedChange[] {
  return events
    .map((e) => ({
      price_key: e.price_key,
      kind: e.kind,
      changes: e.changes
        .map((c) => ({
          dimension: c.dimension,
          tier: c.tier,
          change: c.change as ExpectedChange['changes'][number]['change'],
          previous: c.previous,
          current: c.current,
          relative_change: c.relative_change,
        }))
        .sort(bySlot),
      alert: e.alert,
      expiration_date: e.expiration_date,
    }))
    .sort(byKeyAndKind);
}

export function bySource<T>(
  m: ReadonlyMap<string, T>,
  source: 'openrouter_api' | 'openrouter_endpoints',
): Map<string, T> {
  return new Map([...m].filter(([k]) => k.endsWith(`|${source}`)));
}

const MONEY = DIMENSIONS.map((d) => `${d}::text as ${d}`).join(', ');

export interface ObservationRow extends Record<(typeof DIMENSIONS)[number], string | null> {
  event_id: string;
  run_id: string;
  price_key: string;
  model_id: string;
  provider: string | null;
  source_type: string;
  snapshot_date: string;
  observed_at: Date;
  status: string;
}

export async function observationRows(db: pg.Client, eventIds: readonly string[]): Promise<ObservationRow[]> {
  const res = await db.query<ObservationRow>(
    `select event_id, run_id, price_key, model_id, provider, source_type, snapshot_date::text as snapshot_date,
            observed_at, status, ${MONEY}
       from price_observations where event_id = any($1::text[]) order by price_key`,
    [[...eventIds]],
  );
  return res.rows;
}

export interface ChangeRow {
  event_id: string;
  run_id: string;
  price_key: string;
  model_id: string;
  provider: string | null;
  source_type: string;
  kind: ExpectedChange['kind'];
  changes: ExpectedChange['changes'];
  alert: boolean;
}

/** The stored changes in force (migrations/0016: not retracted, docs/price-model.md §4.4) among `eventIds`. */
export async function changeRows(db: pg.Client, eventIds: readonly string[]): Promise<ChangeRow[]> {
  const res = await db.query<ChangeRow>(
    `select event_id, run_id, price_key, model_id, provider, source_type, kind, changes, alert
       from price_changes_in_force where event_id = any($1::text[]) order by price_key`,
    [[...eventIds]],
  );
  return res.rows;
}

export async function count(db: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const res = await db.query<{ n: string }>(sql, params);
  return Number(res.rows[0]?.n ?? 'NaN');
}

/** The fetch time of a discovery run (one `/models` fetch per run: every event carries the same). */
export function fetchedAtOf(discovered: readonly ModelDiscovered[]): number {
  const times = new Set(discovered.map((e) => e.fetched_at));
  if (times.size !== 1) throw new Error(`expected one fetch time per run, got ${[...times].join(',')}`);
  return [...times][0]!;
}

export type { DeadLetter };
