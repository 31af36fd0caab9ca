// The batch plan's rules (stage-plan.ts, top comment) against an in-memory source: batches are arrays
// of records, the sink is a fake transactional one (a publication commits whole or not at all) and
// retries are immediate. No Kafka client anywhere.
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, type DeadLetter } from '@llmpt/schemas';
import { samples, sampleProvider } from '@llmpt/schemas/samples';
import { PoisonInputError, TransientError } from '../core/errors.ts';
import { topics } from '../core/topics.ts';
import {
  crashVerdict,
  decodeBatch,
  MAX_CONSUMER_REPLACEMENTS,
  processBatch,
  retryBatchAfter,
  type BatchPorts,
  type ConsumedBatch,
  type ConsumedRecord,
  type HandlerResult,
  type Publication,
  type StageHandler,
  type StageMessage,
} from './stage-plan.ts';

const P = 'test.plan.';
const IN = `${P}${topics.providerDiscovered.name}`;
const OUT = `${P}${topics.modelDiscovered.name}`;
const RAW = `${P}raw-out`;
const DLT = `${P}${topics.deadLetter.name}`;
const NOW = Date.UTC(2026, 7, 1, 6, 0, 0);

const provider = (slug: string, offset: number): ConsumedRecord => ({
  offset: String(offset),
  key: Buffer.from(slug),
  value: encodeEvent('ProviderDiscovered', sampleProvider(slug)),
});

/** One partition's batch from an array of records; `lastOffset` defaults to the last record's. */
function batchOf(messages: ConsumedRecord[], lastOffset?: string): ConsumedBatch {
  return {
    topic: IN,
    partition: 3,
    messages,
    lastOffset: lastOffset ?? messages.at(-1)?.offset ?? '0',
  };
}

/**
 * A transactional sink in memory: `publish` either commits the whole publication (records and offset)
 * or, when a failure is queued for that attempt, throws and commits nothing.
 */
function memorySink(failures: Error[] = []) {
  const attempts: Publication[] = [];
  const committed: Publication[] = [];
  return {
    attempts,
    committed,
    /** The group's committed offset on the partition (the next one to read), if any. */
    offset: () => committed.at(-1)?.commit.offset,
    publish: async (p: Publication) => {
      attempts.push(p);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      committed.push(p);
    },
  };
}

/** Attempts until one succeeds or `shouldRetry` refuses, without waiting (the driver's backoff is not the plan's). */
const immediately: BatchPorts['retry'] = async (attempt, shouldRetry) => {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!shouldRetry(err)) throw err;
    }
  }
};

/** A handler that records what it was given and answers from `answer` (which may throw). */
function recording(answer: (messages: readonly StageMessage[], call: number) => HandlerResult) {
  const calls: string[][] = [];
  const handle: StageHandler = async (messages) => {
    calls.push(messages.map((m) => m.offset));
    return answer(messages, calls.length);
  };
  return { calls, handle };
}

function ports(
  handle: StageHandler,
  sink: ReturnType<typeof memorySink>,
  o: { stopping?: () => boolean } = {},
): BatchPorts {
  return {
    stage: 'plan-test',
    deadLetterTopic: DLT,
    handle,
    publish: sink.publish,
    now: () => NOW,
    stopping: o.stopping ?? (() => false),
    retry: immediately,
  };
}

const sent = (p: Publication, topic: string) =>
  p.topicMessages.find((t) => t.topic === topic)?.messages ?? [];
const deadLettersSent = (p: Publication): DeadLetter[] =>
  sent(p, DLT).map((m) => {
    const d = decodeEvent(m.value!);
    if (d.name !== 'DeadLetter') throw new Error(`expected a DeadLetter, got ${d.name}`);
    return d.event;
  });

describe('a batch', () => {
  it('is handled in offset order; outputs, raw outputs and the offset one past the batch go out in one publication', async () => {
    const h = recording((messages) => ({
      outputs: messages.map((m) => ({
        topic: OUT,
        key: m.offset,
        name: 'ModelDiscovered' as const,
        event: samples.ModelDiscovered,
      })),
      rawOutputs: [{ topic: RAW, key: 'state', value: Buffer.from('s') }],
    }));
    const sink = memorySink();
    // A transactional producer's control record follows the last message: the offset covers it.
    const done = await processBatch(
      batchOf([provider('a', 10), provider('b', 11)], '12'),
      ports(h.handle, sink),
    );

    expect(h.calls).toEqual([['10', '11']]);
    expect(done).toEqual({ lastOffset: '12', processed: 2 });
    expect(sink.committed).toHaveLength(1);
    const [p] = sink.committed as [Publication];
    expect(p.topicMessages.map((t) => t.topic)).toEqual([OUT, RAW]);
    expect(sent(p, OUT).map((m) => m.key)).toEqual(['10', '11']);
    expect(decodeEvent(sent(p, OUT)[0]!.value!).name).toBe('ModelDiscovered');
    expect(sent(p, RAW)).toEqual([{ key: 'state', value: Buffer.from('s') }]);
    expect(p.deadLetters).toEqual([]);
    expect(p.commit).toEqual({ topic: IN, partition: 3, offset: '13' });
  });

  it('of tombstones only: the handler is not called, nothing is sent, the offset is committed', async () => {
    const h = recording(() => ({}));
    const sink = memorySink();
    const done = await processBatch(
      batchOf([{ offset: '4', key: Buffer.from('k'), value: null }]),
      ports(h.handle, sink),
    );
    expect(h.calls).toEqual([]);
    expect(done).toEqual({ lastOffset: '4', processed: 0 });
    expect(sink.committed.map((p) => [p.topicMessages, p.commit.offset])).toEqual([[[], '5']]);
  });
});

describe('poison input', () => {
  const garbage: ConsumedRecord = { offset: '6', key: Buffer.from('g'), value: Buffer.from('not avro') };
  // A sound event, but not the type its topic carries.
  const wrongType: ConsumedRecord = {
    offset: '7',
    key: null,
    value: encodeEvent('ModelDiscovered', samples.ModelDiscovered),
  };
  const tombstone: ConsumedRecord = { offset: '8', key: Buffer.from('t'), value: null };

  it('that does not decode is dead-lettered with its reason and coordinates, never handled, and its offset still committed', async () => {
    const h = recording(() => ({}));
    const sink = memorySink();
    const done = await processBatch(
      batchOf([provider('a', 5), garbage, wrongType, tombstone]),
      ports(h.handle, sink),
    );

    expect(h.calls).toEqual([['5']]);
    expect(done.processed).toBe(1);
    expect(sink.offset()).toBe('9');
    const [p] = sink.committed as [Publication];
    const letters = deadLettersSent(p);
    expect(letters).toEqual(p.deadLetters);
    expect(letters.map((l) => [l.source_offset, l.error_code])).toEqual([
      ['6', 'BAD_MAGIC'],
      ['7', 'WRONG_TYPE'],
    ]);
    expect(letters[1]!.error_message).toMatch(
      /expected a ProviderDiscovered event on this topic, got a ModelDiscovered/,
    );
    expect(letters[0]).toMatchObject({
      stage: 'plan-test',
      source_topic: IN,
      source_partition: 3,
      source_offset: '6',
      key: Buffer.from('g'),
      payload: Buffer.from('not avro'),
      caused_by: null,
      run_id: null,
      occurred_at: NOW,
      retriable: false,
    });
    // Keyed by its own id, so a redone batch writes the same dead letter again.
    expect(sent(p, DLT).map((m) => m.key)).toEqual(letters.map((l) => l.event_id));
  });

  it("that the handler rejects is dead-lettered with the handler's reason and the event that caused it", async () => {
    const h = recording((messages) => ({
      rejected: [
        { message: messages[1]!, error: new PoisonInputError('PRICE_INVALID', 'prompt is negative') },
      ],
    }));
    const sink = memorySink();
    await processBatch(batchOf([provider('a', 0), provider('b', 1), garbage]), ports(h.handle, sink));

    const [p] = sink.committed as [Publication];
    expect(p.commit.offset).toBe('7');
    // Decoding's dead letters first, then the handler's.
    expect(p.deadLetters.map((l) => [l.source_offset, l.error_code, l.error_message])).toEqual([
      ['6', 'BAD_MAGIC', expect.any(String)],
      ['1', 'PRICE_INVALID', 'prompt is negative'],
    ]);
    expect(p.deadLetters[1]).toMatchObject({
      caused_by: sampleProvider('b').event_id,
      payload: provider('b', 1).value,
    });
  });

  it('decodes the same way every time: the dead letter of a redone batch has the same id', () => {
    const once = decodeBatch(batchOf([garbage]));
    const again = decodeBatch(batchOf([garbage]));
    expect(once.rejected).toHaveLength(1);
    expect(once).toEqual(again);
  });
});

describe('a handler bug (an error that is not retriable)', () => {
  it('is not retried: it propagates, nothing is published, nothing committed', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'prompt')");
    const h = recording(() => {
      throw bug;
    });
    const sink = memorySink();
    await expect(processBatch(batchOf([provider('a', 0)]), ports(h.handle, sink))).rejects.toBe(bug);
    expect(h.calls).toHaveLength(1);
    expect(sink.attempts).toEqual([]);
    expect(sink.offset()).toBeUndefined();
  });

  it('crashes the consumer, and that is fatal (kafkajs wraps the error; ours is the cause)', () => {
    const wrapped = Object.assign(new Error('handler bug', { cause: new TypeError('handler bug') }), {
      name: 'KafkaJSNonRetriableError',
    });
    expect(crashVerdict({ error: wrapped, restart: false, stopping: false, crashesInARow: 3 })).toEqual({
      action: 'fatal',
      crashesInARow: 3,
    });
  });

  it('in the outputs (an event that does not encode) propagates the same way', async () => {
    const h = recording(() => ({
      outputs: [
        {
          topic: OUT,
          key: 'k',
          name: 'ModelDiscovered' as const,
          event: { ...samples.ModelDiscovered, occurred_at: 'yesterday' as unknown as number },
        },
      ],
    }));
    const sink = memorySink();
    await expect(processBatch(batchOf([provider('a', 0)]), ports(h.handle, sink))).rejects.toThrow();
    expect(h.calls).toHaveLength(1);
    expect(sink.attempts).toEqual([]);
  });
});

describe('a retriable failure', () => {
  it('in the handler: nothing is committed, the whole batch is handled again, then committed once', async () => {
    const h = recording((_m, call) => {
      if (call === 1) throw new TransientError('DB_UNAVAILABLE', 'database is restarting');
      return { outputs: [{ topic: OUT, key: 'k', name: 'ModelDiscovered', event: samples.ModelDiscovered }] };
    });
    const sink = memorySink();
    const done = await processBatch(batchOf([provider('a', 0), provider('b', 1)]), ports(h.handle, sink));
    expect(h.calls).toEqual([
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(sink.attempts).toHaveLength(1);
    expect(sink.committed).toHaveLength(1);
    expect(sink.offset()).toBe('2');
    expect(done.processed).toBe(2);
  });

  it('in the publication: the attempt commits nothing; the batch is handled again and committed once, with the same dead letters', async () => {
    const h = recording(() => ({}));
    const busy = Object.assign(new Error('Broker not available'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    const sink = memorySink([busy]);
    await processBatch(
      batchOf([provider('a', 0), { offset: '1', key: null, value: Buffer.from('x') }]),
      ports(h.handle, sink),
    );
    expect(h.calls).toHaveLength(2);
    expect(sink.attempts).toHaveLength(2);
    expect(sink.committed).toHaveLength(1);
    expect(sink.offset()).toBe('2');
    expect(sink.attempts[0]!.deadLetters.map((l) => l.event_id)).toEqual(
      sink.committed[0]!.deadLetters.map((l) => l.event_id),
    );
  });

  it('while the stage stops is not retried: nothing is committed past the last good batch', async () => {
    let stopping = false;
    const h = recording((_m, call) => {
      if (call === 2) {
        stopping = true;
        throw new TransientError('DB_UNAVAILABLE', 'database is restarting');
      }
      return {};
    });
    const sink = memorySink();
    const p = ports(h.handle, sink, { stopping: () => stopping });
    await processBatch(batchOf([provider('a', 0), provider('b', 1)]), p);
    await expect(processBatch(batchOf([provider('c', 2), provider('d', 3)]), p)).rejects.toThrow(
      'database is restarting',
    );
    expect(h.calls).toEqual([
      ['0', '1'],
      ['2', '3'],
    ]);
    // The next process starts at offset 2 and handles the second batch again.
    expect(sink.offset()).toBe('2');
  });
});

describe('retryBatchAfter: which failures the stage retries', () => {
  const kafkaTransient = Object.assign(new Error('Broker not available'), { retriable: true });
  const cases: [string, unknown, boolean, boolean][] = [
    ['a transient error', new TransientError('DB_UNAVAILABLE', 'down'), false, true],
    ['a transient error while stopping', new TransientError('DB_UNAVAILABLE', 'down'), true, false],
    ["kafkajs's retriable error", kafkaTransient, false, true],
    ['a dropped connection', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), false, true],
    ['poison input', new PoisonInputError('BAD', 'bad'), false, false],
    ['a programmer error', new TypeError('x is undefined'), false, false],
    ['a thrown string', 'oops', false, false],
  ];
  it.each(cases)('%s', (_name, err, stopping, expected) => {
    expect(retryBatchAfter(err, stopping)).toBe(expected);
  });
});

describe('crashVerdict: a consumer crash', () => {
  const kafkaError = (name: string, cause?: Error) =>
    Object.assign(new Error(name, cause ? { cause } : undefined), { name });
  const coordinator = kafkaError('KafkaJSNonRetriableError', kafkaError('KafkaJSGroupCoordinatorNotFound'));

  it('kafkajs restarts itself: nothing to do', () => {
    expect(crashVerdict({ error: coordinator, restart: true, stopping: false, crashesInARow: 0 })).toEqual({
      action: 'none',
      crashesInARow: 0,
    });
  });

  it('while stopping: nothing to do, even for a bug', () => {
    expect(
      crashVerdict({ error: new TypeError('bug'), restart: false, stopping: true, crashesInARow: 0 }),
    ).toEqual({ action: 'none', crashesInARow: 0 });
  });

  it("of the Kafka client's own that it will not restart: a new consumer, counted", () => {
    expect(crashVerdict({ error: coordinator, restart: false, stopping: false, crashesInARow: 0 })).toEqual({
      action: 'replace',
      crashesInARow: 1,
    });
  });

  it(`more than ${MAX_CONSUMER_REPLACEMENTS} times in a row without joining: fatal`, () => {
    const at = (crashesInARow: number) =>
      crashVerdict({ error: coordinator, restart: false, stopping: false, crashesInARow });
    expect(at(MAX_CONSUMER_REPLACEMENTS - 1)).toEqual({
      action: 'replace',
      crashesInARow: MAX_CONSUMER_REPLACEMENTS,
    });
    expect(at(MAX_CONSUMER_REPLACEMENTS)).toEqual({
      action: 'fatal',
      crashesInARow: MAX_CONSUMER_REPLACEMENTS + 1,
    });
  });

  it('with our error at the end of the cause chain: fatal', () => {
    const ours = kafkaError('KafkaJSNumberOfRetriesExceeded', new TransientError('DB_UNAVAILABLE', 'down'));
    expect(crashVerdict({ error: ours, restart: false, stopping: false, crashesInARow: 0 }).action).toBe(
      'fatal',
    );
    expect(
      crashVerdict({ error: 'a string', restart: false, stopping: false, crashesInARow: 0 }).action,
    ).toBe('fatal');
  });
});
