// The driver's recovery after a failed transaction, against fake producers that keep kafkajs's flaw:
// a producer whose commit failed is stuck (every later `transaction()` throws). The stage must abort,
// start over with a new producer, and process the batch again so that it is committed once.
import { describe, expect, it } from 'vitest';
import { encodeEvent } from '@llmpt/schemas';
import { sampleProvider } from '@llmpt/schemas/samples';
import { createLogger } from '../core/logger.ts';
import {
  crashVerdict,
  processBatch,
  type BatchPorts,
  type ConsumedBatch,
  type StageHandler,
} from './stage-plan.ts';
import {
  createStagePublisher,
  sendsOf,
  type StageProducer,
  type StageTransaction,
} from './stage-publisher.ts';

const IN = 'test.pub.pricing.provider-discovered.v1';
const OUT = 'test.pub.out';
const logger = createLogger({ service: 'stage-publisher-test', level: 'silent' });

const batch: ConsumedBatch = {
  topic: IN,
  partition: 0,
  messages: ['a', 'b'].map((slug, i) => ({
    offset: String(i),
    key: null,
    value: encodeEvent('ProviderDiscovered', sampleProvider(slug)),
  })),
  lastOffset: '1',
};

type SentBatch = Parameters<StageTransaction['sendBatch']>[0];
type SentOffsets = Parameters<StageTransaction['sendOffsets']>[0];

/**
 * A broker of fake producers. `failCommits` numbers the commits (from 1, across producers) that fail
 * with the given error. What a transaction sent becomes visible only when it commits.
 */
function fakeBroker(failCommits: Record<number, Error> = {}) {
  const producers: {
    connects: number;
    disconnects: number;
    transactions: { aborted: boolean; committed: boolean }[];
  }[] = [];
  const visible: SentBatch[] = [];
  const committedOffsets: SentOffsets[] = [];
  const plainSends: SentBatch[] = [];
  let commits = 0;
  const newProducer = (): StageProducer => {
    const me = {
      connects: 0,
      disconnects: 0,
      transactions: [] as { aborted: boolean; committed: boolean }[],
    };
    producers.push(me);
    let stuck = false;
    return {
      connect: async () => {
        me.connects++;
      },
      disconnect: async () => {
        me.disconnects++;
      },
      sendBatch: async (b) => {
        plainSends.push(b);
      },
      transaction: async () => {
        if (stuck)
          throw Object.assign(
            new Error('Transaction state exception: Cannot call beginTransaction in state COMMITTING'),
            {
              name: 'KafkaJSNonRetriableError',
              retriable: false,
            },
          );
        const tx = { aborted: false, committed: false };
        me.transactions.push(tx);
        const pending: SentBatch[] = [];
        let offsets: SentOffsets | undefined;
        return {
          sendBatch: async (b) => {
            pending.push(b);
          },
          sendOffsets: async (o) => {
            offsets = o;
          },
          commit: async () => {
            const failure = failCommits[++commits];
            if (failure) {
              stuck = true;
              throw failure;
            }
            tx.committed = true;
            visible.push(...pending);
            if (offsets) committedOffsets.push(offsets);
          },
          abort: async () => {
            tx.aborted = true;
            // kafkajs cannot abort from COMMITTING either.
            if (stuck) throw new Error('Transaction state exception: Invalid state transition');
          },
        };
      },
    };
  };
  return { newProducer, producers, visible, committedOffsets, plainSends };
}

const immediately: BatchPorts['retry'] = async (attempt, shouldRetry) => {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!shouldRetry(err)) throw err;
    }
  }
};

function copying() {
  const handled: string[] = [];
  const handle: StageHandler = async (messages) => {
    handled.push(...messages.map((m) => m.offset));
    return { rawOutputs: messages.map((m) => ({ topic: OUT, key: m.offset, value: m.value })) };
  };
  return { handled, handle };
}

function portsFor(handle: StageHandler, publish: BatchPorts['publish']): BatchPorts {
  return {
    stage: 'publisher-test',
    deadLetterTopic: 'test.pub.dead-letter',
    handle,
    publish,
    now: () => 0,
    stopping: () => false,
    retry: immediately,
  };
}

const keysOf = (sends: SentBatch[]) =>
  sends.flatMap((b) => (b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.key))));

describe('a transaction whose commit fails', () => {
  it('is aborted; a new producer takes over; the batch is processed again and committed once (retriable failure)', async () => {
    const broker = fakeBroker({
      1: Object.assign(new Error('Connection error: read ECONNRESET'), {
        name: 'KafkaJSConnectionError',
        retriable: true,
      }),
    });
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: true,
      groupId: 'g',
      logger,
    });
    await publisher.connect();
    const h = copying();

    await processBatch(batch, portsFor(h.handle, publisher.publish));

    expect(h.handled).toEqual(['0', '1', '0', '1']);
    expect(broker.producers).toHaveLength(2);
    const [old, current] = broker.producers as [(typeof broker.producers)[0], (typeof broker.producers)[0]];
    expect(old.transactions).toEqual([{ aborted: true, committed: false }]);
    expect(old.disconnects).toBe(1);
    expect(current.connects).toBe(1);
    expect(current.transactions).toEqual([{ aborted: false, committed: true }]);
    // Once: the first attempt's records were never committed.
    expect(keysOf(broker.visible)).toEqual(['0', '1']);
    expect(broker.committedOffsets).toEqual([
      { consumerGroupId: 'g', topics: [{ topic: IN, partitions: [{ partition: 0, offset: '2' }] }] },
    ]);
    expect(broker.plainSends).toEqual([]);
  });

  it('with an error the stage does not retry: the producer is replaced all the same, and the batch delivered again commits once', async () => {
    // What a commit that outlived kafkajs's own retries throws: not retriable.
    const gaveUp = Object.assign(
      new Error('Broker not available', {
        cause: Object.assign(new Error('timeout'), { name: 'KafkaJSRequestTimeoutError' }),
      }),
      {
        name: 'KafkaJSNumberOfRetriesExceeded',
        retriable: false,
      },
    );
    const broker = fakeBroker({ 1: gaveUp });
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: true,
      groupId: 'g',
      logger,
    });
    await publisher.connect();
    const h = copying();
    const ports = portsFor(h.handle, publisher.publish);

    await expect(processBatch(batch, ports)).rejects.toBe(gaveUp);
    expect(broker.producers).toHaveLength(2);
    expect(broker.visible).toEqual([]);
    // The consumer crashes on it; being the Kafka client's, it gets a new consumer, which receives the
    // uncommitted batch again.
    expect(crashVerdict({ error: gaveUp, restart: false, stopping: false, crashesInARow: 0 }).action).toBe(
      'replace',
    );
    await processBatch(batch, ports);

    expect(h.handled).toEqual(['0', '1', '0', '1']);
    expect(keysOf(broker.visible)).toEqual(['0', '1']);
    expect(broker.committedOffsets).toHaveLength(1);
    expect(broker.producers[1]!.transactions).toEqual([{ aborted: false, committed: true }]);
  });

  it('would leave the old producer stuck: it is never asked for a transaction again', async () => {
    const broker = fakeBroker({ 1: Object.assign(new Error('down'), { retriable: true }) });
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: true,
      groupId: 'g',
      logger,
    });
    const h = copying();
    await processBatch(batch, portsFor(h.handle, publisher.publish));
    await processBatch({ ...batch, messages: [], lastOffset: '2' }, portsFor(h.handle, publisher.publish));
    expect(broker.producers[0]!.transactions).toHaveLength(1);
    expect(broker.producers[1]!.transactions).toHaveLength(2);
    expect(broker.committedOffsets.map((o) => o.topics[0]!.partitions[0]!.offset)).toEqual(['2', '3']);
    await publisher.disconnect();
    expect(broker.producers[1]!.disconnects).toBe(1);
  });
});

describe('without a transaction', () => {
  it('sends the records with acks=all in one batch and leaves the offset to the consumer', async () => {
    const broker = fakeBroker();
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: false,
      groupId: 'g',
      logger,
    });
    const h = copying();
    await processBatch(batch, portsFor(h.handle, publisher.publish));
    expect(broker.plainSends).toHaveLength(1);
    expect(broker.plainSends[0]!.acks).toBe(-1);
    expect(keysOf(broker.plainSends)).toEqual(['0', '1']);
    expect(broker.producers[0]!.transactions).toEqual([]);
    expect(broker.committedOffsets).toEqual([]);
  });

  it('sends nothing when the batch has nothing to send', async () => {
    const broker = fakeBroker();
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: false,
      groupId: 'g',
      logger,
    });
    await processBatch(
      { ...batch, messages: [] },
      portsFor(async () => ({}), publisher.publish),
    );
    expect(broker.plainSends).toEqual([]);
    expect(broker.producers[0]!.connects).toBe(0);
  });
});

// kafkajs makes one record batch per partition of a send, and the broker refuses one over the topic's
// max.message.bytes: a big publication goes out in several sends, in order, in the same transaction.
describe('a publication bigger than one send', () => {
  const record = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes - key.length) });

  it('is split in order into sends of at most the limit, a bigger record alone', () => {
    const sends = sendsOf(
      [
        { topic: 'a', messages: [record('a1', 40), record('a2', 40), record('a3', 40)] },
        { topic: 'b', messages: [record('b1', 250), record('b2', 10)] },
      ],
      100,
    );
    const shape = sends.map((s) => s.map((t) => [t.topic, t.messages.map((m) => m.key)]));
    expect(shape).toEqual([[['a', ['a1', 'a2']]], [['a', ['a3']]], [['b', ['b1']]], [['b', ['b2']]]]);
    expect(sendsOf([], 100)).toEqual([]);
  });

  it('goes out as several sends of one transaction, visible together at its commit', async () => {
    const broker = fakeBroker();
    const publisher = createStagePublisher({
      newProducer: broker.newProducer,
      transactional: true,
      groupId: 'g',
      logger,
      maxSendBytes: 100,
    });
    const big: StageHandler = async (messages) => ({
      rawOutputs: messages.flatMap((m) =>
        [0, 1, 2].map((i) => ({ topic: OUT, key: `${m.offset}-${i}`, value: Buffer.alloc(60) })),
      ),
    });
    await processBatch(batch, portsFor(big, publisher.publish));
    expect(broker.producers[0]!.transactions).toEqual([{ aborted: false, committed: true }]);
    expect(broker.visible).toHaveLength(6);
    expect(keysOf(broker.visible)).toEqual(['0-0', '0-1', '0-2', '1-0', '1-1', '1-2']);
    expect(broker.committedOffsets).toHaveLength(1);
  });
});
