import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type logCreator,
  type Producer,
  type RecordMetadata,
  type RetryOptions as KafkaRetryOptions,
  type SASLOptions,
} from 'kafkajs';
import { pino } from 'pino';
import { z } from 'zod';
import { CodecError, decodeEvent, EVENT_TYPE_HEADER, type DecodedEvent } from '@llmpt/schemas';
import { ConfigError, errorMessage, PoisonInputError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { toKafkaMessage, type EventMessage } from './records.ts';

export type { Consumer, Kafka, KafkaMessage, Producer, RecordMetadata };
export { toKafkaMessage, type EventMessage } from './records.ts';

const retrySchema = z
  .object({
    retries: z.number().int().nonnegative(),
    initialRetryTime: z.number().int().positive(),
    maxRetryTime: z.number().int().positive(),
    factor: z.number().nonnegative(),
    multiplier: z.number().positive(),
  })
  .partial()
  .strict();

const kafkaOptionsSchema = z.object({
  brokers: z
    .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'a broker is "host:port", e.g. "127.0.0.1:39092"'))
    .min(1, 'give at least one broker (KAFKA_BROKERS=127.0.0.1:39092 for the local stack)'),
  clientId: z.string().min(1, 'name the client (the service name), it shows in broker logs and quotas'),
  connectionTimeout: z.number().int().positive().default(3000),
  requestTimeout: z.number().int().positive().default(30_000),
  retry: retrySchema.optional(),
});

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** kafkajs logs go here (namespace as a field); its level decides kafkajs's own level. */
  readonly logger?: Logger;
  readonly retry?: Omit<KafkaRetryOptions, 'restartOnFailure'>;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
  /** TLS (true, or the CA to trust) and SASL credentials, for a broker that requires them. */
  readonly ssl?: true | { readonly ca: readonly string[] };
  readonly sasl?: SASLOptions;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(options)'}: ${i.message}`).join('\n');
}

/** Builds the kafkajs client; options are checked here so a typo fails at start, not at the first send. */
export function createKafka(opts: KafkaOptions): Kafka {
  const { logger, ssl, sasl, ...rest } = opts;
  const parsed = kafkaOptionsSchema.safeParse({ ...rest, brokers: [...rest.brokers] });
  if (!parsed.success)
    throw new ConfigError(`createKafka: invalid options, fix these:\n${formatIssues(parsed.error)}`);
  const log = logger ?? pino({ name: 'kafkajs', level: 'warn' });
  return new Kafka({
    ...parsed.data,
    ...(ssl ? { ssl: ssl === true ? true : { ca: [...ssl.ca] } } : {}),
    ...(sasl ? { sasl } : {}),
    logLevel: kafkaLogLevel(log.level),
    logCreator: pinoLogCreator(log),
  });
}

/** kafkajs filters by its own level before calling the log creator: derive it from pino's so debug reaches pino. */
export function kafkaLogLevel(pinoLevel: string): KafkaLogLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return KafkaLogLevel.DEBUG;
    case 'info':
      return KafkaLogLevel.INFO;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'error':
    case 'fatal':
      return KafkaLogLevel.ERROR;
    default:
      return KafkaLogLevel.NOTHING;
  }
}

/** A kafkajs logCreator writing to pino; kafkajs has already filtered by level (see kafkaLogLevel). */
export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return (_level) =>
    ({ namespace, level, log }: LogEntry): void => {
      // kafkajs's timestamp duplicates pino's, and its `logger` is always "kafkajs" (component says that).
      const { message, timestamp: _t, logger: _l, ...extra } = log;
      const fields = { namespace, ...extra };
      switch (level) {
        case KafkaLogLevel.ERROR:
          child.error(fields, message);
          break;
        case KafkaLogLevel.WARN:
          child.warn(fields, message);
          break;
        case KafkaLogLevel.INFO:
          child.info(fields, message);
          break;
        case KafkaLogLevel.DEBUG:
          child.debug(fields, message);
          break;
        case KafkaLogLevel.NOTHING:
          break;
      }
    };
}

export interface ProducerOptions {
  /** Makes the producer transactional (implies idempotent). Unique per producing instance. */
  readonly transactionalId?: string;
  /**
   * Default true, as in the Java client since Kafka 3.0. A non-idempotent kafkajs producer re-sends a
   * whole batch when one partition fails (e.g. no leader yet on a new topic), duplicating what the
   * other partitions had already written; our int test caught it. Idempotence makes the broker drop those.
   */
  readonly idempotent?: boolean;
  readonly transactionTimeout?: number;
  readonly retry?: Omit<KafkaRetryOptions, 'restartOnFailure'>;
}

/**
 * A producer whose keys land on the partitions a Java producer would pick (murmur2), so the topics
 * stay readable and writable by other languages. Idempotent producers need one in-flight request.
 */
export function createProducer(kafka: Kafka, opts: ProducerOptions = {}): Producer {
  const transactional = opts.transactionalId !== undefined;
  if (transactional && opts.transactionalId === '')
    throw new ConfigError(
      'createProducer: transactionalId must not be empty (use the service name plus an instance id)',
    );
  if (transactional && opts.idempotent === false)
    throw new ConfigError(
      'createProducer: a transactional producer must be idempotent (drop idempotent: false)',
    );
  const idempotent = opts.idempotent ?? true;
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent,
    ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    ...(opts.transactionalId !== undefined ? { transactionalId: opts.transactionalId } : {}),
    ...(opts.transactionTimeout !== undefined ? { transactionTimeout: opts.transactionTimeout } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
}

export interface ConsumerOptions {
  readonly groupId: string;
  /** false (the default) reads only committed transactional messages. */
  readonly readUncommitted?: boolean;
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  readonly rebalanceTimeout?: number;
  /** How long the broker may hold a fetch with no new data; lower in tests for quick idle detection. */
  readonly maxWaitTimeInMs?: number;
  /** Fetch sizes: bigger fetches make bigger batches (fewer transactions) when catching up or replaying. */
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
  readonly retry?: KafkaRetryOptions;
}

export function createConsumer(kafka: Kafka, opts: ConsumerOptions): Consumer {
  if (!opts.groupId) throw new ConfigError('createConsumer: groupId is required (one group per service)');
  const { readUncommitted = false, ...rest } = opts;
  // Topics are created by the topics job with the right configs; a consumer never creates one.
  return kafka.consumer({ ...rest, readUncommitted, allowAutoTopicCreation: false });
}

/** A producer or an open transaction: both can send. */
export type EventSender = Pick<Producer, 'send'>;

export async function produceEvents(
  producer: EventSender,
  topic: string,
  items: readonly EventMessage[],
  opts: { acks?: number } = {},
): Promise<RecordMetadata[]> {
  if (items.length === 0) return [];
  return producer.send({ topic, messages: items.map(toKafkaMessage), acks: opts.acks ?? -1 });
}

export type DecodedMessage = EventMessage & { readonly offset: string; readonly timestamp: string };

function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/**
 * Decodes a consumed message. A value that does not decode, or whose type contradicts its header, is
 * poison input (dead-letter it), never retried.
 */
export function decodeKafkaMessage(message: KafkaMessage): DecodedMessage {
  if (!message.value)
    throw new PoisonInputError('EVENT_EMPTY', `message at offset ${message.offset} has no value`);
  let decoded: DecodedEvent;
  try {
    decoded = decodeEvent(message.value);
  } catch (err) {
    const code = err instanceof CodecError ? `EVENT_${err.code}` : 'EVENT_UNDECODABLE';
    throw new PoisonInputError(code, `message at offset ${message.offset}: ${errorMessage(err)}`, err);
  }
  const header = headerString(message.headers, EVENT_TYPE_HEADER);
  if (header !== undefined && header !== decoded.name)
    throw new PoisonInputError(
      'EVENT_TYPE_MISMATCH',
      `message at offset ${message.offset}: header ${EVENT_TYPE_HEADER}=${header} but the value is a ${decoded.name}`,
    );
  return {
    ...decoded,
    key: message.key?.toString() ?? '',
    offset: message.offset,
    timestamp: message.timestamp,
  };
}
