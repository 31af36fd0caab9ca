// `npm run replay -- --into <DATABASE_URL>`: rebuild the database from the topics (docs/design.md §5).
// Reads KAFKA_BROKERS and TOPIC_PREFIX like the services; MIGRATIONS_DIR overrides the migrations.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, redactUrl } from '@llmpt/runtime';
import { kafkaSecurityFromConfig } from '@llmpt/runtime/kafka';
import { replay } from '../adapters/replay.ts';
import { loadReplayConfig } from '../config.ts';

const config = loadReplayConfig();
const { values } = parseArgs({ options: { into: { type: 'string' } } });
const into = values.into ?? config.REPLAY_INTO;
if (!into) {
  process.stderr.write('replay: give the database to rebuild: --into postgres://... (or REPLAY_INTO)\n');
  process.exit(2);
}
const logger = createLogger({
  service: 'replay',
  level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
});
const migrationsDir =
  config.MIGRATIONS_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'migrations');
const result = await replay({
  brokers: config.KAFKA_BROKERS,
  security: kafkaSecurityFromConfig(config),
  topicPrefix: config.TOPIC_PREFIX,
  into,
  migrationsDir,
  logger,
  progress: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(
  `replay into ${redactUrl(into)}: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.eventsPerSecond)} events/s)\n`,
);
for (const [table, c] of Object.entries(result.checksums))
  process.stdout.write(`  ${table.padEnd(20)} ${String(c.rows).padStart(8)} rows  md5 ${c.md5}\n`);
process.exit(0);
