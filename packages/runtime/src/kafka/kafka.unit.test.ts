import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { logLevel, type KafkaMessage } from 'kafkajs';
import { EVENT_TYPE_HEADER } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { ConfigError, PoisonInputError } from '../core/errors.ts';
import { PLAINTEXT_SECURITY } from '../core/kafka-security.ts';
import {
  createConsumer,
  createKafka,
  createProducer,
  decodeKafkaMessage,
  kafkaLogLevel,
  pinoLogCreator,
  toKafkaMessage,
} from './kafka.ts';

// The sample dead letter (schemas/test/samples.ts), occurred at 2026-05-18T06:00:04.027Z.
const dead = samples.DeadLetter;

function consumed(value: Buffer | null, headers: Record<string, string> = {}): KafkaMessage {
  return {
    key: Buffer.from('openrouter/auto'),
    value,
    headers,
    timestamp: '1779084004027',
    attributes: 0,
    offset: '42',
  };
}

describe('createKafka', () => {
  it('rejects a broker without a port, naming the option and the expected form', () => {
    expect(() =>
      createKafka({ brokers: ['localhost'], clientId: 'x', security: PLAINTEXT_SECURITY }),
    ).toThrow(ConfigError);
    expect(() =>
      createKafka({ brokers: ['localhost'], clientId: 'x', security: PLAINTEXT_SECURITY }),
    ).toThrow(/brokers\.0: a broker is "host:port"/);
  });
  it('rejects an empty broker list and an empty client id', () => {
    expect(() => createKafka({ brokers: [], clientId: '', security: PLAINTEXT_SECURITY })).toThrow(
      /brokers: give at least one broker[\s\S]*clientId:/,
    );
  });
  it('rejects unknown retry options', () => {
    expect(() =>
      createKafka({
        brokers: ['127.0.0.1:39092'],
        clientId: 'x',
        security: PLAINTEXT_SECURITY,
        retry: { retires: 3 } as unknown as { retries: number },
      }),
    ).toThrow(/retry/);
  });
  it('builds a client for valid options', () => {
    expect(
      createKafka({
        brokers: ['127.0.0.1:39092', 'kafka-0.kafka:9092'],
        clientId: 'sink',
        security: PLAINTEXT_SECURITY,
      }),
    ).toBeDefined();
  });
});

describe('producer and consumer factories', () => {
  const kafka = createKafka({ brokers: ['127.0.0.1:39092'], clientId: 'unit', security: PLAINTEXT_SECURITY });
  it('refuses a transactional producer that is not idempotent', () => {
    expect(() => createProducer(kafka, { transactionalId: 'n-1', idempotent: false })).toThrow(
      /must be idempotent/,
    );
  });
  it('makes producers idempotent unless told otherwise', () => {
    expect(createProducer(kafka, { transactionalId: 'n-1' }).isIdempotent()).toBe(true);
    expect(createProducer(kafka).isIdempotent()).toBe(true);
    expect(createProducer(kafka, { idempotent: false }).isIdempotent()).toBe(false);
  });
  it('needs a group id', () => {
    expect(() => createConsumer(kafka, { groupId: '' })).toThrow(ConfigError);
  });
});

describe('logs', () => {
  it('maps pino levels to kafkajs levels', () => {
    expect(kafkaLogLevel('debug')).toBe(logLevel.DEBUG);
    expect(kafkaLogLevel('info')).toBe(logLevel.INFO);
    expect(kafkaLogLevel('warn')).toBe(logLevel.WARN);
    expect(kafkaLogLevel('fatal')).toBe(logLevel.ERROR);
    expect(kafkaLogLevel('silent')).toBe(logLevel.NOTHING);
  });
  it('writes kafkajs entries to pino with their namespace and fields', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pinoLogCreator(pino({ level: 'debug' }, sink))(logLevel.DEBUG);
    log({
      namespace: 'Consumer',
      level: logLevel.WARN,
      label: 'WARN',
      log: {
        timestamp: 'x',
        logger: 'kafkajs',
        message: 'Restarting the consumer',
        groupId: 'sink',
        retryTime: 300,
      },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      component: 'kafkajs',
      namespace: 'Consumer',
      groupId: 'sink',
      retryTime: 300,
      msg: 'Restarting the consumer',
    });
    expect(lines[0]).not.toHaveProperty('logger');
  });
});

describe('event messages', () => {
  it('carries the type header, key and event time, and decodes back to the same event', () => {
    const msg = toKafkaMessage({ key: 'openrouter/auto', name: 'DeadLetter', event: dead });
    expect(msg.headers).toEqual({ [EVENT_TYPE_HEADER]: 'DeadLetter' });
    expect(msg.key).toBe('openrouter/auto');
    expect(msg.timestamp).toBe('1779084004027');
    const value = msg.value as Buffer;
    expect([value[0], value[1]]).toEqual([0xc3, 0x01]);

    const back = decodeKafkaMessage(consumed(value, { [EVENT_TYPE_HEADER]: 'DeadLetter' }));
    expect(back).toEqual({
      key: 'openrouter/auto',
      name: 'DeadLetter',
      event: dead,
      offset: '42',
      timestamp: '1779084004027',
    });
  });
  it('treats a header that contradicts the value as poison', () => {
    const value = toKafkaMessage({ key: 'k', name: 'DeadLetter', event: dead }).value as Buffer;
    const err = (() => {
      try {
        decodeKafkaMessage(consumed(value, { [EVENT_TYPE_HEADER]: 'PriceChanged' }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PoisonInputError);
    expect((err as PoisonInputError).code).toBe('EVENT_TYPE_MISMATCH');
  });
  it('treats undecodable bytes and empty values as poison, with the codec error code', () => {
    expect(() => decodeKafkaMessage(consumed(Buffer.from('{"json":true}')))).toThrow(
      expect.objectContaining({ code: 'EVENT_BAD_MAGIC', retriable: false }) as Error,
    );
    expect(() => decodeKafkaMessage(consumed(null))).toThrow(
      expect.objectContaining({ code: 'EVENT_EMPTY' }) as Error,
    );
  });
});
