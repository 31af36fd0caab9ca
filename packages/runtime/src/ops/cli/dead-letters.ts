// `npm run dead-letters -- list|redrive [filters]`: what failed, and putting it back once fixed.
// Reads KAFKA_BROKERS and TOPIC_PREFIX like the services. Filters: --stage --code --topic --run --id.
//   list     one line per dead letter and a summary by stage and code (--json: one JSON document)
//   redrive  re-publish each selected dead letter's message to its source topic (--dry-run: only say so;
//            --again: also what an earlier re-drive already published)
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commonEnv } from '../../core/common-config.ts';
import { loadConfig } from '../../core/config.ts';
import {
  deadLetterJson,
  formatDeadLetter,
  formatSummary,
  planRedrive,
  publishRedrive,
  readDeadLetters,
  readRedrivenIds,
  selectDeadLetters,
  sourceOf,
  summarize,
  type DeadLetterFilter,
} from '../dead-letters.ts';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { createKafka, createProducer, kafkaSecurityFromConfig } from '../../kafka/kafka.ts';
import { kafkaSecurityEnv } from '../../core/kafka-security.ts';
import { createLogger } from '../../core/logger.ts';
import { topicOfEvent, topics } from '../../core/topics.ts';

const USAGE = `usage: npm run dead-letters -- <list|redrive> [--stage S] [--code C] [--topic T] [--run R] [--id ID]
                                  [--json] (list)  [--dry-run] [--again] (redrive)`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        stage: { type: 'string' },
        code: { type: 'string' },
        topic: { type: 'string' },
        run: { type: 'string' },
        id: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        again: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`dead-letters: ${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if ((command !== 'list' && command !== 'redrive') || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(
    z.object({
      KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
      ...kafkaSecurityEnv,
      KAFKA_CLIENT_ID: commonEnv.KAFKA_CLIENT_ID,
      TOPIC_PREFIX: commonEnv.TOPIC_PREFIX,
      LOG_LEVEL: commonEnv.LOG_LEVEL,
    }),
  );
  const prefix = config.TOPIC_PREFIX;
  // The tool's output is its report; logs (kafkajs retries) go to stderr at warn unless asked for more.
  const logger = createLogger({
    service: 'dead-letters',
    level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
    destination: process.stderr,
  });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? 'pricing-dead-letters',
    logger,
    security: kafkaSecurityFromConfig(config),
  });
  const filter: DeadLetterFilter = {
    stage: values.stage,
    code: values.code,
    topic: values.topic,
    run: values.run,
    id: values.id,
  };
  const dlTopic = prefix + topics.deadLetter.name;
  const { letters, unreadable } = await readDeadLetters(kafka, dlTopic);
  for (const u of unreadable)
    process.stderr.write(
      `dead-letters: ${dlTopic}/${u.partition}@${u.offset} is not a DeadLetter: ${u.why}\n`,
    );
  const selected = selectDeadLetters(letters, filter, prefix);

  if (command === 'list') {
    const summary = summarize(selected);
    if (values.json) {
      out(
        JSON.stringify({
          topic: dlTopic,
          total: letters.length,
          selected: selected.length,
          summary,
          deadLetters: selected.map(deadLetterJson),
        }),
      );
    } else {
      for (const d of selected) out(formatDeadLetter(d));
      for (const line of formatSummary(summary, selected.length, letters.length)) out(line);
    }
    return 0;
  }

  const allowedTopics = new Set(
    Object.values(topicOfEvent)
      .filter((t) => t !== topics.deadLetter.name)
      .map((t) => prefix + t),
  );
  const sources = [
    ...new Set(selected.flatMap((d) => (d.letter.source_topic === null ? [] : [d.letter.source_topic]))),
  ].filter((t) => allowedTopics.has(t));
  const alreadyRedriven = values.again ? new Set<string>() : await readRedrivenIds(kafka, sources);
  const plan = planRedrive(selected, { allowedTopics, alreadyRedriven, again: values.again });
  const dry = values['dry-run'];
  if (!dry && plan.publish.length > 0) {
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      await publishRedrive(producer, plan);
    } finally {
      await producer.disconnect();
    }
  }
  for (const a of plan.publish)
    out(
      `${dry ? 'would re-drive' : 're-driven'}  ${a.source} -> ${a.topic}/${a.partition ?? 'by key'}  ${a.eventName}  key=${a.key?.toString('utf8') ?? '-'}  dead letters ${a.deadLetterIds.join(',')}`,
    );
  for (const s of plan.skipped)
    out(`skipped  ${s.id}  ${s.letter.stage}  ${s.letter.error_code}  ${sourceOf(s.letter)}  ${s.reason}`);
  const letterCount = plan.publish.reduce((n, a) => n + a.deadLetterIds.length, 0);
  out(
    `redrive${dry ? ' (dry run)' : ''}: ${selected.length} selected of ${letters.length}, ` +
      `${plan.publish.length} message${plan.publish.length === 1 ? '' : 's'} ${dry ? 'to re-publish' : 're-published'} ` +
      `(for ${letterCount} dead letters), ${plan.skipped.length} skipped`,
  );
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(
    err instanceof ConfigError ? `${err.message}\n` : `dead-letters failed: ${errorMessage(err)}\n`,
  );
  process.exitCode = 1;
}
