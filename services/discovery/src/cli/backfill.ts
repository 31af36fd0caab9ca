// npm run backfill -- <folder|archive> [--dry-run] [--source-url <url>]  (docs/design.md "Backfill")
// Exit codes: 0 published (or dry run passed), 1 a file refused (nothing published), 2 usage or
// unreadable source, 3 the broker failed mid-way (rerun the same command: it is idempotent).
import { createKafka, createProducer, decodeKafkaMessage, readToEnd } from '@llmpt/runtime/kafka';
import { createLogger, errorMessage, topicOfEvent } from '@llmpt/runtime';
import { loadBlocklist } from '../adapters/blocklist-file.ts';
import { runBackfill } from '../adapters/backfill.ts';
import { readBackfillSource, type BackfillSource } from '../adapters/backfill-source.ts';
import { loadDiscoveryConfig } from '../config.ts';
import { DEFAULT_BACKFILL_SOURCE_URL, formatTotals } from '../core/backfill.ts';

const USAGE = 'usage: npm run backfill -- <folder|archive.tar[.gz|.xz]> [--dry-run] [--source-url <url>]';
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const urlAt = args.indexOf('--source-url');
const sourceUrl = urlAt >= 0 ? args[urlAt + 1] : DEFAULT_BACKFILL_SOURCE_URL;
const positional = args.filter((a, i) => !a.startsWith('--') && (urlAt < 0 || i !== urlAt + 1));
if (positional.length !== 1 || sourceUrl === undefined) {
  process.stderr.write(USAGE + '\n');
  process.exit(2);
}

// A dry run talks to no broker: KAFKA_BROKERS may be unset then.
const config = loadDiscoveryConfig(
  dryRun ? { KAFKA_BROKERS: 'dry-run.invalid:9092', ...process.env } : process.env,
);
const logger = createLogger({ service: 'backfill', level: config.LOG_LEVEL });
const print = (line: string) => process.stdout.write(line + '\n');

let source: BackfillSource;
try {
  source = readBackfillSource(positional[0]!);
} catch (err) {
  process.stderr.write(`backfill: cannot read ${positional[0]}: ${errorMessage(err)}\n`);
  process.exit(2);
}

const kafka = dryRun
  ? null
  : createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'pricing-backfill',
      logger,
    });
const producer = kafka ? createProducer(kafka, { idempotent: true }) : null;
try {
  const blocklist = loadBlocklist(config.MODELS_BLOCKLIST_PATH);
  // Files an earlier run published whole (their CatalogSnapshot, sent last, is in the topic).
  const publishedSnapshots = new Set<string>();
  if (kafka)
    await readToEnd(
      kafka,
      [config.TOPIC_PREFIX + topicOfEvent.CatalogSnapshot],
      (r) => {
        const d = decodeKafkaMessage(r.message);
        if (d.name === 'CatalogSnapshot') publishedSnapshots.add(d.event.event_id);
      },
      { groupPrefix: `${config.TOPIC_PREFIX}backfill-read` },
    );
  if (producer) await producer.connect();
  const outcome = await runBackfill({
    source,
    sourceUrl,
    blocklist,
    producer,
    topicPrefix: config.TOPIC_PREFIX,
    now: Date.now(),
    logger,
    progress: print,
    publishedSnapshots,
  });
  await producer?.disconnect();
  if (!outcome.published && !dryRun) {
    process.stderr.write(
      `backfill refused ${outcome.totals.refused} file(s): nothing was published; fix or remove them and rerun\n`,
    );
    print(formatTotals(outcome.totals, 'refused, nothing published'));
    process.exit(1);
  }
  print(
    formatTotals(outcome.totals, dryRun ? 'dry run, nothing published' : undefined) +
      ` skipped=${outcome.skipped}`,
  );
  process.exit(outcome.totals.refused ? 1 : 0);
} catch (err) {
  logger.error({ err }, 'backfill failed');
  process.stderr.write(`backfill failed: ${errorMessage(err)}; rerun the same command (it is idempotent)\n`);
  await producer?.disconnect().catch(() => undefined);
  process.exit(3);
}
