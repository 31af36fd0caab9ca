// tail: follow a pipeline topic and print its events as JSON lines.
//   npx tsx packages/consumer/src/cli/tail.ts --topic price-changed --from earliest|latest|<ISO time>
//     [--model ID]... [--provider NAME]... [--alerts-only] [--prefix TOPIC_PREFIX] [--exit-at-end]
// Brokers: --brokers or KAFKA_BROKERS (the local stack's are in .stack/env); TLS and SASL from the
// KAFKA_SECURITY_PROTOCOL... variables (docs/deploying.md). Confluent-framed events (EVENT_ENCODING=confluent
// producers) need SCHEMA_REGISTRY_URL (+ _USERNAME/_PASSWORD) to be read.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import {
  checkKafkaAccessOrExit,
  createKafka,
  kafkaSecurityFromConfig,
  setUpWire,
} from '@llmpt/runtime/kafka';
import {
  ConfigError,
  kafkaSecurityEnv,
  loadConfig,
  registryEnv,
  topics,
  type KafkaSecurity,
} from '@llmpt/runtime';
import { parseFrom, tailTopic } from '../tail/tail.ts';

const usage = `usage: tail [--topic price-changed|price-change-retracted|normalized-price|model-discovered|provider-discovered|raw-price-observed|dead-letter|<full name>]
            [--from earliest|latest|<ISO time>] [--model ID]... [--provider NAME]... [--alerts-only]
            [--prefix TOPIC_PREFIX] [--brokers host:port,...] [--exit-at-end]`;

/** Short names (price-changed) and full names (pricing.price-changed.v1) both work. */
function topicName(arg: string, prefix: string): string {
  const byShort = Object.values(topics).find((t) => t.name === `pricing.${arg}.v1` || t.name === arg);
  return `${prefix}${byShort?.name ?? arg}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      topic: { type: 'string', default: 'price-changed' },
      from: { type: 'string', default: 'latest' },
      model: { type: 'string', multiple: true },
      provider: { type: 'string', multiple: true },
      'alerts-only': { type: 'boolean', default: false },
      prefix: { type: 'string', default: process.env.TOPIC_PREFIX ?? '' },
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '' },
      'exit-at-end': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.brokers) {
    console.error(`KAFKA_BROKERS is not set (or pass --brokers)\n${usage}`);
    return 2;
  }
  let security: KafkaSecurity;
  let registry: z.infer<z.ZodObject<typeof registryEnv>>;
  try {
    // The same KAFKA_SECURITY_PROTOCOL... variables as every service (docs/deploying.md).
    security = kafkaSecurityFromConfig(loadConfig(z.object(kafkaSecurityEnv)));
    registry = loadConfig(z.object(registryEnv));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }
  // A reader: the registry (if any) only serves the writer schemas of Confluent-framed values.
  await setUpWire({ ...registry, EVENT_ENCODING: 'single-object', TOPIC_PREFIX: values.prefix });
  const logger = pino({ name: 'tail', level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
  const kafka = createKafka({
    brokers: values.brokers.split(',').map((b) => b.trim()),
    clientId: 'llmpt-tail',
    logger,
    security,
  });
  await checkKafkaAccessOrExit(kafka, security, { logger, name: 'tail' });
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await tailTopic({
    kafka,
    topic: topicName(values.topic, values.prefix),
    from: parseFrom(values.from),
    ...(values.model ? { models: values.model } : {}),
    ...(values.provider ? { providers: values.provider } : {}),
    alertsOnly: values['alerts-only'],
    exitAtEnd: values['exit-at-end'],
    signal: stop.signal,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? `tail: ${err.message}` : err);
    process.exitCode = 1;
  },
);
