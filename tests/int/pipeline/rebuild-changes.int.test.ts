// `npm run rebuild-changes` over real topics (docs/valid-time-wiring.md §4, docs/price-model.md §4),
// run as an operator runs it. The topics hold what the normalizer of rule 8's old wording left after
// late inputs: an observation at the price before a change that arrived after the change (§4.3's
// example), and a model's absences whose first snapshot arrived after the second. The oracle is the
// document worked by hand: the in-order run gives the change another previous_observed_at (same id,
// another digest) and a removal; the check names the difference and fails; --repair publishes the
// missing versions marked backfilled and retracts the extra one at revision 1; the check then passes
// and a second repair writes nothing; --write-state writes each key's inputs in position order with the
// retraction remembered (changelog record v3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducer,
  produceEvents,
  readToEnd,
  type EventMessage,
  type Kafka,
} from '@llmpt/runtime/kafka';
import {
  changeDigest,
  decodeHistory,
  decide,
  normalize,
  positionOf,
  versionOf,
  type KeyHistory,
} from '@llmpt/normalizer';
import {
  decodeEvent,
  eventId,
  priceKey,
  type CatalogSnapshot,
  type NormalizedPrice,
  type PriceChanged,
  type PriceChangeRetracted,
  type RawPriceObserved,
} from '@llmpt/schemas';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  runProcess,
  stackEnv,
  testKafka,
  uniquePrefix,
  type ProcessRun,
  type TopicKey,
} from '@llmpt/testkit';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 3, 6, 0, 0);
const A_ONE = priceKey('a/one', null, 'openrouter_api');
const B_TWO = priceKey('b/two', null, 'openrouter_api');

/** A routed observation of `model` on `day` at a prompt price per token, normalized as the stage does. */
function observed(model: string, day: number, prompt: string, backfill = false): NormalizedPrice {
  const fetched_at = T0 + day * DAY;
  const components = [
    { dimension: 'prompt', raw_value: prompt, unit: 'per_token', currency: 'USD', tier: null },
  ];
  const raw: RawPriceObserved = {
    event_id: eventId('RawPriceObserved', model, fetched_at, prompt),
    run_id: `run-${day}`,
    caused_by: null,
    occurred_at: fetched_at,
    backfill,
    model_id: model,
    provider: null,
    provider_name: null,
    source_type: 'openrouter_api',
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at,
    content_hash: 'ab'.repeat(32),
    status: 'ok',
    unavailable_reason: null,
    components,
    endpoint: null,
  };
  return normalize(raw);
}

/** A complete snapshot of `day` listing `ids`, fetched a second before that day's observations. */
function snapshot(day: number, ids: string[]): CatalogSnapshot {
  const at = T0 + day * DAY - 1000;
  const snapshot_date = new Date(at).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', snapshot_date, ...ids),
    run_id: `run-${day}`,
    caused_by: null,
    occurred_at: at,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: true,
    fetched_at: at,
    snapshot_date,
    model_ids: ids,
    expirations: [],
  };
}

const prefix = uniquePrefix('rebuild');
const kafka: Kafka = testKafka('rebuild-changes-int');
let names: Record<TopicKey, string>;

// a/one: A (day 0, $1/M), C (day 2, $2/M), then X (day 1, $1/M, from a backfill) arriving last.
const A = observed('a/one', 0, '0.000001');
const C = observed('a/one', 2, '0.000002');
const X = observed('a/one', 1, '0.000001', true);
// b/two: observed on day 0; absent from the snapshots of days 1 and 2, day 2's arriving first.
const B = observed('b/two', 0, '0.000003');
const S1 = snapshot(1, ['a/one']);
const S2 = snapshot(2, ['a/one']);

/** What the old normalizer published in arrival order (S2, A, B, C, S1, X): X ignored, S1 one absence. */
function oldTopic(): PriceChanged[] {
  const a = decide(undefined, A);
  const c = decide(a.next, C);
  const b = decide(undefined, B);
  return [a.changed!, b.changed!, c.changed!];
}

function cli(args: readonly string[] = []): Promise<ProcessRun> {
  return runProcess(
    process.execPath,
    ['--import', 'tsx', 'services/normalizer/src/cli/rebuild-changes.ts', ...args],
    {
      KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
      TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    },
  );
}

async function topicEvents<T>(topic: string): Promise<T[]> {
  return (await consumeAll(kafka, topic)).map((m) => m.event as T);
}

/** The changelog as the normalizer restores it: key histories, and the known-snapshot records apart. */
async function changelog(): Promise<{ histories: Map<string, KeyHistory>; snapshots: Map<string, unknown> }> {
  const histories = new Map<string, KeyHistory>();
  const snapshots = new Map<string, unknown>();
  await readToEnd(kafka, [names.normalizerState], ({ message }) => {
    const key = message.key?.toString();
    if (!key || !message.value) return;
    if (key.startsWith('snapshot#')) snapshots.set(key, JSON.parse(message.value.toString()));
    else histories.set(key, decodeHistory(message.value));
  });
  return { histories, snapshots };
}

const histories = async () => (await changelog()).histories;

beforeAll(async () => {
  names = await createTestTopics(prefix, { kafka });
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const np = (event: NormalizedPrice): EventMessage => ({
      key: event.price_key,
      name: 'NormalizedPrice',
      event,
    });
    await produceEvents(producer, names.catalogSnapshot, [
      { key: S2.source_url, name: 'CatalogSnapshot', event: S2 },
      { key: S1.source_url, name: 'CatalogSnapshot', event: S1 },
    ]);
    await produceEvents(producer, names.normalizedPrice, [A, B, C, X].map(np));
    await produceEvents(
      producer,
      names.priceChanged,
      oldTopic().map((event) => ({ key: event.price_key, name: 'PriceChanged', event })),
    );
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await deleteTestTopics(prefix, { kafka });
});

describe('rebuild-changes in valid time', () => {
  it('the check names the moved change and the missing removal, and fails', async () => {
    const run = await cli();
    expect(run.code, run.stdout + run.stderr.slice(-2000)).toBe(1);
    expect(run.stdout).toContain(
      `${names.priceChanged}: 3 events; same 2, missing 2, extra 1, differing 1, duplicate ids 0`,
    );
    expect(run.stdout).toContain('the topic DIFFERS from the rebuild');
  });

  it('--write-state refuses while the versions in force differ', async () => {
    const run = await cli(['--write-state']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('add --repair');
    expect((await histories()).size).toBe(0);
  });

  it('--repair publishes the missing versions backfilled and retracts the moved one', async () => {
    const [, , old] = oldTopic() as [PriceChanged, PriceChanged, PriceChanged];
    const run = await cli(['--repair']);
    expect(run.code, run.stdout + run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toContain(
      'repaired: published 2 PriceChanged (2 new versions, backfilled), 1 retracted, 0 reinstated',
    );

    const published = await topicEvents<PriceChanged>(names.priceChanged);
    expect(published).toHaveLength(5);
    // The partitions interleave: the new records are those not on the topic before.
    const before = new Set(oldTopic().map((c) => versionOf(c.event_id, changeDigest(c))));
    const added = published
      .filter((c) => !before.has(versionOf(c.event_id, changeDigest(c))))
      .sort((x, y) => (x.kind < y.kind ? -1 : 1));
    expect(
      added.map((c) => [
        c.price_key,
        c.kind,
        c.caused_by,
        c.previous_observed_at,
        c.backfilled,
        c.changes.map((e) => [e.previous, e.current]),
      ]),
    ).toEqual([
      // C's change, now after X: the same id as the old version, previous_observed_at = X's time.
      [A_ONE, 'changed', C.event_id, X.observed_at, true, [['1.00000000', '2.00000000']]],
      // B absent from two consecutive complete snapshots (rule 5): removed by S2.
      [B_TWO, 'removed', S2.event_id, B.observed_at, true, [['3.00000000', null]]],
    ]);
    expect(added[0]!.event_id).toBe(old.event_id);

    const digest = changeDigest(old);
    expect(await topicEvents<PriceChangeRetracted>(names.priceChangeRetracted)).toEqual([
      {
        event_id: eventId('PriceChangeRetracted', A_ONE, 1, old.event_id, digest, true),
        price_key: A_ONE,
        retracted_event_id: old.event_id,
        retracted_digest: digest,
        retracted: true,
        revision: 1,
        // The key's newest input in position order.
        caused_by: C.event_id,
        occurred_at: C.occurred_at,
      },
    ]);
  });

  it('after the repair the check passes, a second repair writes nothing, and one key can be checked alone', async () => {
    const check = await cli();
    expect(check.code, check.stdout + check.stderr.slice(-2000)).toBe(0);
    expect(check.stdout).toContain(
      `${names.priceChanged}: 5 events; same 4, missing 0, extra 0, differing 0, duplicate ids 0`,
    );
    expect(check.stdout).toContain(
      `${names.priceChangeRetracted}: 1 records; 4 versions in force, 4 rebuilt`,
    );

    const again = await cli(['--repair']);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('repaired:');
    expect(await topicEvents(names.priceChanged)).toHaveLength(5);
    expect(await topicEvents(names.priceChangeRetracted)).toHaveLength(1);

    const one = await cli(['--key', B_TWO]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`${names.priceChanged}: 2 events; same 2, missing 0, extra 0`);
  });

  it('--write-state writes each key its inputs in position order, the state after them and its retractions', async () => {
    const run = await cli(['--write-state']);
    expect(run.code, run.stdout + run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toMatch(/wrote 2 key histories \(v3, \d+ KiB\) and 2 snapshot records to /);
    const held = await histories();
    const [, , old] = oldTopic() as [PriceChanged, PriceChanged, PriceChanged];
    const ids = (h: KeyHistory | undefined) =>
      h?.inputs.map((i) => ('observation' in i ? i.observation.event_id : i.snapshot.event_id));
    const a = held.get(A_ONE);
    expect(ids(a)).toEqual([A.event_id, S1.event_id, X.event_id, S2.event_id, C.event_id]);
    expect(a!.inputs.map((i) => i.backfill)).toEqual([false, true, true, true, false]);
    expect(a!.inputs.map((i) => positionOf(i)[0])).toEqual([
      A.observed_at,
      S1.fetched_at,
      X.observed_at,
      S2.fetched_at,
      C.observed_at,
    ]);
    expect([a!.revision, a!.retracted, a!.horizon]).toEqual([
      1,
      [versionOf(old.event_id, changeDigest(old))],
      null,
    ]);
    expect(a!.state).toMatchObject({ observed_at: C.observed_at, event_id: C.event_id, removed: false });
    const b = held.get(B_TWO);
    expect(ids(b)).toEqual([B.event_id, S1.event_id, S2.event_id]);
    expect([b!.revision, b!.retracted]).toEqual([0, []]);
    expect(b!.state).toMatchObject({ removed: true, absent_snapshots: 2, last_snapshot_id: S2.event_id });
    // The snapshots the histories hold, one record each (docs/valid-time-wiring.md §2's form).
    const { snapshots } = await changelog();
    expect([...snapshots.keys()].sort()).toEqual(
      [S1, S2].map((s) => `snapshot#${s.event_id}@${s.fetched_at}`).sort(),
    );
    for (const s of [S1, S2]) {
      const record = snapshots.get(`snapshot#${s.event_id}@${s.fetched_at}`) as {
        v: number;
        backfill: number;
        snapshot: string;
      };
      expect([record.v, record.backfill]).toEqual([1, 1]);
      expect(decodeEvent(Buffer.from(record.snapshot, 'base64'))).toMatchObject({
        name: 'CatalogSnapshot',
        event: s,
      });
    }
  });
});
