// A topic holding both framings, replayed by a sink that has no Schema Registry configured
// (schemas/README.md "Schema Registry framing", rule 4): the single-object event lands in its table,
// the Confluent-framed one is dead-lettered with NO_REGISTRY and its coordinates (its schema id means
// nothing without the registry that issued it: never guessed), and the replay does not stall on it.
// The Confluent value stands for what a producer with EVENT_ENCODING=confluent wrote elsewhere.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEvent, encodeEventConfluent, EVENT_TYPE_HEADER, eventId } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { createLogger, PLAINTEXT_SECURITY } from '@llmpt/runtime';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  repoRoot,
  stackEnv,
  testKafka,
  uniquePrefix,
  withClient,
  type FreshDatabase,
} from '@llmpt/testkit';
import { replay } from './replay.ts';

const plain = samples.PriceChanged;
const framed = { ...plain, event_id: eventId('PriceChanged', 'framing-test', 'confluent') };

describe('replay of a topic holding both framings, without a registry', () => {
  const prefix = uniquePrefix('framing');
  let db: FreshDatabase;
  let topicNames: Awaited<ReturnType<typeof createTestTopics>>;
  beforeAll(async () => {
    const kafka = testKafka('framing-producer');
    topicNames = await createTestTopics(prefix, { kafka, partitions: 1 });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const headers = { [EVENT_TYPE_HEADER]: 'PriceChanged' };
      await producer.send({
        topic: topicNames.priceChanged,
        messages: [
          { key: plain.price_key, value: encodeEvent('PriceChanged', plain), headers },
          { key: framed.price_key, value: encodeEventConfluent('PriceChanged', framed, 7), headers },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    db = await freshDatabase('framing', { namePrefix: 'llmpt_sink' });
  });
  afterAll(async () => {
    await db?.drop();
    await deleteTestTopics(prefix);
  });

  it('projects the single-object event and dead-letters the Confluent one as NO_REGISTRY', async () => {
    await replay({
      brokers: stackEnv().kafkaBrokers,
      security: PLAINTEXT_SECURITY,
      topicPrefix: prefix,
      into: db.url,
      migrationsDir: path.join(repoRoot, 'migrations'),
      logger: createLogger({ service: 'replay-framing', level: 'silent' }),
    });
    const rows = await withClient(db.url, (c) =>
      c.query<{ event_id: string }>('select event_id from public.price_changes order by event_id'),
    );
    expect(rows.rows.map((r) => r.event_id)).toEqual([plain.event_id]);
    const letters = await consumeAll(testKafka('framing-dlq'), topicNames.deadLetter);
    expect(letters).toHaveLength(1);
    const letter = letters[0]!;
    expect(letter.name).toBe('DeadLetter');
    if (letter.name !== 'DeadLetter') return;
    expect(letter.event.error_code).toBe('NO_REGISTRY');
    expect(letter.event.error_message).toMatch(/schema id 7.*SCHEMA_REGISTRY_URL/);
    expect(letter.event.source_topic).toBe(topicNames.priceChanged);
    expect(letter.event.source_offset).toBe('1');
  });
});
