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
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, errorMessage, PipelineError, PoisonInputError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import {
  describeKafkaSecurity,
  explainKafkaAccessFailure,
  kafkaSecurityFromEnv,
  type KafkaSecurity,
  type KafkaSecurityVars,
} from '../core/kafka-security.ts';
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
  /**
   * TLS and SASL (kafkaSecurityFromConfig(config), from the KAFKA_SECURITY_PROTOCOL... variables).
   * Required, so the type checker proves every client passes it; PLAINTEXT_SECURITY for plaintext.
   */
  readonly security: KafkaSecurity;
  /** kafkajs logs go here (namespace as a field); its level decides kafkajs's own level. */
  readonly logger?: Logger;
  readonly retry?: Omit<KafkaRetryOptions, 'restartOnFailure'>;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(options)'}: ${i.message}`).join('\n');
}

/** Builds the kafkajs client; options are checked here so a typo fails at start, not at the first send. */
export function createKafka(opts: KafkaOptions): Kafka {
  const { logger, security, ...rest } = opts;
  const parsed = kafkaOptionsSchema.safeParse({ ...rest, brokers: [...rest.brokers] });
  if (!parsed.success)
    throw new ConfigError(`createKafka: invalid options, fix these:\n${formatIssues(parsed.error)}`);
  const log = logger ?? pino({ name: 'kafkajs', level: 'warn' });
  const ssl = kafkaTlsOptions(security);
  const sasl = kafkaSaslOptions(security);
  return new Kafka({
    ...parsed.data,
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
    logLevel: kafkaLogLevel(log.level),
    logCreator: pinoLogCreator(log),
  });
}

/**
 * The KafkaSecurity a parsed config's KAFKA_SECURITY_PROTOCOL... variables describe (commonEnv holds
 * them), reading the files they name; a ConfigError naming the variables otherwise.
 */
export function kafkaSecurityFromConfig(config: KafkaSecurityVars): KafkaSecurity {
  return kafkaSecurityFromEnv(config, (file) => readFileSync(file, 'utf8'));
}

/** kafkajs's `ssl`: node's tls options. A CA bundle replaces the system CAs, as a Java truststore does. */
function kafkaTlsOptions(s: KafkaSecurity): ConnectionOptions | true | undefined {
  if (s.protocol !== 'SSL' && s.protocol !== 'SASL_SSL') return undefined;
  const t = s.tls ?? {};
  const options: ConnectionOptions = {
    rejectUnauthorized: true,
    ...(t.ca !== undefined ? { ca: [t.ca] } : {}),
    ...(t.cert !== undefined ? { cert: t.cert } : {}),
    ...(t.key !== undefined ? { key: t.key.reveal() } : {}),
    ...(t.keyPassword !== undefined ? { passphrase: t.keyPassword.reveal() } : {}),
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
  };
  return options;
}

function kafkaSaslOptions(s: KafkaSecurity): SASLOptions | undefined {
  if (!s.sasl) return undefined;
  const { username } = s.sasl;
  const password = s.sasl.password.reveal();
  switch (s.sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/** The first connection failed for a reason the security settings explain (wrong password, CA...). */
export class KafkaAccessError extends PipelineError {
  constructor(message: string, cause?: unknown) {
    super('KAFKA_ACCESS_DENIED', message, { retriable: false, cause });
  }
}

/** kafkajs wraps the socket's error (retries exceeded > connection error > TLS error): all their messages. */
function errorChainText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    parts.push(errorMessage(e));
    const o = e as { originalError?: unknown; cause?: unknown };
    e = o.originalError ?? o.cause;
  }
  return parts.join(' | ');
}

/**
 * Connects once (an admin client: ApiVersions, the TLS handshake and the SASL login) before the real
 * work, so that a wrong password, an untrusted CA or a refused client certificate ends the start with
 * one line naming the variables to check (KafkaAccessError), at once and not after the consumer's
 * retries. A broker that is away is retried (attempts, backoff) and then rethrown as it came.
 */
export async function checkKafkaAccess(
  kafka: Kafka,
  security: KafkaSecurity,
  opts: { logger?: Logger; attempts?: number; backoffMs?: number } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      opts.logger?.info({ security: describeKafkaSecurity(security) }, 'kafka reachable');
      return;
    } catch (err) {
      const explained = explainKafkaAccessFailure(errorChainText(err), security);
      if (explained !== undefined) throw new KafkaAccessError(`cannot connect to Kafka: ${explained}`, err);
      if (attempt >= attempts) throw err;
      opts.logger?.warn({ attempt, err: errorMessage(err) }, 'kafka not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, Math.min(5000, (opts.backoffMs ?? 300) * 2 ** (attempt - 1))));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/**
 * checkKafkaAccess for a process's start: a KafkaAccessError is logged (fatal) and written as one
 * line to stderr, then the process exits 1; other errors propagate.
 */
export async function checkKafkaAccessOrExit(
  kafka: Kafka,
  security: KafkaSecurity,
  opts: { logger?: Logger; name: string },
): Promise<void> {
  try {
    await checkKafkaAccess(kafka, security, opts.logger ? { logger: opts.logger } : {});
  } catch (err) {
    if (!(err instanceof KafkaAccessError)) throw err;
    opts.logger?.fatal({ code: err.code }, err.message);
    process.stderr.write(`${opts.name}: ${err.message}\n`);
    process.exit(1);
  }
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
