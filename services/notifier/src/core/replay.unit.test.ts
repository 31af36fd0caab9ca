// README §9 step 3: a stored change turns back into the event it was, so the replayed body is the
// live body. The rows here are written as Postgres hands them back (jsonb keys reordered, numeric as
// its text, timestamps as epoch ms), by hand from the README, not from the sink's code.
import type { PriceChanged } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { describe, expect, it } from 'vitest';
import { webhookPayload } from './payload.ts';
import { eventOfStoredChange, replayableEvents, type StoredChange } from './replay.ts';

const live: PriceChanged = { ...samples.PriceChanged, backfilled: false };

function storedOf(e: PriceChanged): StoredChange & { occurred_at: number } {
  return {
    event_id: e.event_id,
    run_id: e.run_id,
    caused_by: e.caused_by,
    occurred_at: e.occurred_at,
    price_key: e.price_key,
    model_id: e.model_id,
    provider: e.provider,
    source_type: e.source_type,
    kind: e.kind,
    // jsonb orders an object's keys by length, then bytes: not the schema's order.
    changes: e.changes.map((c) => ({
      tier: c.tier,
      change: c.change,
      current: c.current,
      previous: c.previous,
      dimension: c.dimension,
      relative_change: c.relative_change,
    })),
    previous_observed_at: e.previous_observed_at,
    current_observed_at: e.current_observed_at,
    snapshot_date: e.snapshot_date,
    alert: e.alert,
    alert_threshold: e.alert_threshold,
    expiration_date: e.expiration_date,
    backfilled: e.backfilled,
  };
}

describe('§9 replay: a stored change is the event it was', () => {
  it('the sample event, stored and read back, gives the live payload byte for byte', () => {
    expect(live.changes.length).toBeGreaterThan(0);
    expect(eventOfStoredChange(storedOf(live))).toEqual(live);
    expect(webhookPayload(eventOfStoredChange(storedOf(live)))).toBe(webhookPayload(live));
  });

  it('a removal (no current observation, no changes) and a routed price (provider null)', () => {
    const removal: PriceChanged = {
      ...live,
      event_id: 'removed-1',
      kind: 'removed',
      provider: null,
      source_type: 'openrouter_api',
      changes: [],
      current_observed_at: null,
      alert: false,
      caused_by: null,
      expiration_date: '2026-09-01',
    };
    expect(webhookPayload(eventOfStoredChange(storedOf(removal)))).toBe(webhookPayload(removal));
  });

  it('a v1 row without tier and change keys reads them as null, as the v1 event had them', () => {
    const v1: PriceChanged = {
      ...live,
      changes: [
        {
          dimension: 'prompt',
          previous: '3.00000000',
          current: '2.50000000',
          relative_change: '-0.16666667',
          tier: null,
          change: null,
        },
      ],
    };
    const row = {
      ...storedOf(v1),
      changes: [
        {
          current: '2.50000000',
          previous: '3.00000000',
          dimension: 'prompt',
          relative_change: '-0.16666667',
        },
      ],
    };
    expect(webhookPayload(eventOfStoredChange(row))).toBe(webhookPayload(v1));
  });

  it('backfilled: a backfilled row is the backfilled event; a row read without the column (before 0016) is live', () => {
    const learnedLate: PriceChanged = { ...live, event_id: 'evt-late', backfilled: true };
    expect(eventOfStoredChange(storedOf(learnedLate))).toEqual(learnedLate);
    expect(webhookPayload(eventOfStoredChange(storedOf(learnedLate)))).toBe(webhookPayload(learnedLate));
    const { backfilled: _absent, ...before0016 } = storedOf(live);
    expect(eventOfStoredChange(before0016).backfilled).toBe(false);
  });

  it('money stays text: a decimal string is never turned into a number', () => {
    const body = JSON.parse(webhookPayload(eventOfStoredChange(storedOf(live)))) as {
      data: { alert_threshold: unknown; changes: { current: unknown }[] };
    };
    expect(typeof body.data.alert_threshold).toBe('string');
    expect(body.data.changes.every((c) => c.current === null || typeof c.current === 'string')).toBe(true);
  });

  it('a row without occurred_at (written before migration 0013) is skipped and counted, never sent', () => {
    const second: PriceChanged = { ...live, event_id: 'evt-2', occurred_at: live.occurred_at + 1000 };
    const rows: StoredChange[] = [
      storedOf(live),
      { ...storedOf(second), occurred_at: null },
      storedOf(second),
    ];
    const { events, skipped } = replayableEvents(rows);
    expect(skipped).toBe(1);
    expect(events).toEqual([live, second]);
  });
});
