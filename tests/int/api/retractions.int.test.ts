// The API reads the versions of changes in force (docs/price-model.md §4.4, migrations/0016
// price_changes_in_force), never the table: a retraction record hides a change from /v1/changes, the
// Atom feed, a model's history and the catalog (price_at's removal status), and a reinstating record
// brings it back. The records land through the sink's own store, on the two recorded days of setup.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeDigest, type PriceChanged } from '@llmpt/schemas';
import { priceChanged } from '@llmpt/schemas/samples';
import { createPostgresStore, project, type DecodedEvent } from '@llmpt/sink';
import { startRecordedApi, type Json, type RecordedApi } from './setup.ts';

const ROUTED_KEY = 'qwen/qwen3-14b||openrouter_api';

describe('services/api reads the changes in force', () => {
  let api: RecordedApi;
  const write = async (events: DecodedEvent[]): Promise<void> => {
    const store = createPostgresStore({ databaseUrl: api.db.url });
    try {
      await store.writeBatch(project(events));
    } finally {
      await store.close();
    }
  };
  let revision = 0;
  /** The next record of the key's counter about `change`'s version. */
  const record = (change: PriceChanged, retracted: boolean): DecodedEvent => {
    revision += 1;
    return {
      name: 'PriceChangeRetracted',
      event: {
        event_id: `test-retraction-${revision}`,
        price_key: change.price_key,
        retracted_event_id: change.event_id,
        retracted_digest: changeDigest(change),
        retracted,
        revision,
        caused_by: 'test-late-input',
        occurred_at: Date.parse('2026-08-19T12:00:00Z'),
      },
    };
  };
  const changesOf = async (query: string): Promise<Json[]> =>
    (await api.get(`/v1/changes?${query}`)).body!.data as Json[];
  const atomIds = async (): Promise<string> => (await fetch(`${api.base}/v1/changes.atom`)).text();

  beforeAll(async () => {
    api = await startRecordedApi('retractions');
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('hides a retracted change from /v1/changes and the feed, and shows it again once reinstated', async () => {
    const all = await changesOf('limit=500');
    const stored = api.events
      .flat()
      .flatMap((e) => (e.name === 'PriceChanged' ? [e.event] : []))
      .find((c) => c.price_key === ROUTED_KEY && c.kind === 'changed')!;
    expect(all.map((c) => c.event_id)).toContain(stored.event_id);
    expect(await atomIds()).toContain(stored.event_id);

    await write([record(stored, true)]);
    const without = await changesOf('limit=500');
    expect(without).toEqual(all.filter((c) => c.event_id !== stored.event_id));
    expect(await changesOf('model=qwen/qwen3-14b&provider=openrouter')).not.toContainEqual(
      expect.objectContaining({ event_id: stored.event_id }),
    );
    expect(await atomIds()).not.toContain(stored.event_id);

    await write([record(stored, false)]);
    expect(await changesOf('limit=500')).toEqual(all);
    expect(await atomIds()).toContain(stored.event_id);
  });

  it("a retracted removal no longer ends the model's price: catalog and history as if it never came", async () => {
    // The routed key removed from 2026-08-20 (the app's clock is 2026-08-20T00:00Z), after its last
    // observation of 2026-08-19.
    const removal = priceChanged({
      event_id: 'test-removal-qwen',
      model_id: 'qwen/qwen3-14b',
      provider: null,
      source_type: 'openrouter_api',
      kind: 'removed',
      changes: [],
      previous_observed_at: Date.parse('2026-08-19T06:00:01Z'),
      current_observed_at: null,
      snapshot_date: '2026-08-20',
      alert: false,
    }).event;
    const listed = async (): Promise<boolean> =>
      ((await api.get('/v1/models')).body!.data as Json[]).some((m) => m.id === 'qwen/qwen3-14b');
    const lastRouted = async (): Promise<Json> => {
      const body = (await api.get('/v1/models/qwen/qwen3-14b/history?provider=openrouter')).body!;
      return ((body.data as Json).intervals as Json[]).at(-1)!;
    };
    expect(await listed()).toBe(true);
    const before = await lastRouted();
    expect(before).toMatchObject({ to: null, ended_by: null });

    await write([{ name: 'PriceChanged', event: removal }]);
    expect(await listed()).toBe(false);
    expect(await lastRouted()).toMatchObject({ to: '2026-08-20T00:00:00.000Z', ended_by: 'removal' });

    await write([record(removal, true)]);
    expect(await listed()).toBe(true);
    expect(await lastRouted()).toEqual(before);
  });
});
