// npm run backfill -- <folder|archive> [--dry-run] [--newest-first] [--source-url <url>]  (docs/design.md "Backfill")
// Exit codes: 0 published (or dry run passed), 1 a file refused (nothing published), 2 usage or
// unreadable source, 3 the broker failed mid-way or the stages did not consume within
// --settle-timeout-s (rerun the same command: it skips what was published whole).
import {
  createKafka,
  createProducer,
  checkKafkaAccessOrExit,
  kafkaSecurityFromConfig,
  decodeKafkaMessage,
  groupLag,
  readToEnd,
  setUpWire,
} from '@llmpt/runtime/kafka';
import { createLogger, errorMessage, topicOfEvent, type Logger } from '@llmpt/runtime';
import type { Kafka } from 'kafkajs';
import { loadBlocklist } from '../adapters/blocklist-file.ts';
import { runBackfill } from '../adapters/backfill.ts';
import { readBackfillSource, type BackfillSource } from '../adapters/backfill-source.ts';
import { loadDiscoveryConfig } from '../config.ts';
import { DEFAULT_BACKFILL_SOURCE_URL, formatTotals } from '../core/backfill.ts';

const USAGE =
  'usage: npm run backfill -- <folder|archive.tar[.gz|.xz]> [--dry-run] [--newest-first] [--source-url <url>] [--scraper-group <id>] [--normalizer-group <id>] [--settle-timeout-s <n>]';
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const newestFirst = args.includes('--newest-first');
const VALUED = ['--source-url', '--scraper-group', '--normalizer-group', '--settle-timeout-s'];
const option = (name: string, fallback: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
};
const sourceUrl = option('--source-url', DEFAULT_BACKFILL_SOURCE_URL);
const scraperGroup = option('--scraper-group', 'pricing-scraper');
const normalizerGroup = option('--normalizer-group', 'pricing-normalizer');
const settleTimeoutS = Number(option('--settle-timeout-s', '600'));
/**
 * Between two lag polls of a settle. A settle happens twice per archived file (126 times for the
 * 63-day series), and ends only after two polls in a row see no lag, so this interval is paid at least
 * 126 times per backfill: 200 ms made it 25 s of a 63-day backfill doing nothing but wait. A poll is one
 * offsets request per group, cheap at this rate.
 */
const SETTLE_POLL_MS = 50;

const positional = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''));
if (
  positional.length !== 1 ||
  sourceUrl === undefined ||
  scraperGroup === undefined ||
  normalizerGroup === undefined ||
  !(settleTimeoutS > 0)
) {
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

if (!dryRun) await setUpWire(config);
const kafka = dryRun
  ? null
  : createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'pricing-backfill',
      logger,
      security: kafkaSecurityFromConfig(config),
    });
if (kafka) await checkKafkaAccessOrExit(kafka, kafkaSecurityFromConfig(config), { logger, name: 'backfill' });
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
    newestFirst,
    ...(kafka ? { settle: settler(kafka, logger) } : {}),
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

/**
 * Waits until the scraper has consumed every ModelDiscovered and the normalizer every routed
 * observation (after a file's models), or every snapshot (after its snapshot): lag 0 on two polls.
 */
function settler(k: Kafka, log: Logger) {
  const t = (name: string) => config.TOPIC_PREFIX + name;
  return async (after: 'observations' | 'snapshot'): Promise<void> => {
    const watch: [string, string[]][] =
      after === 'observations'
        ? [
            [scraperGroup!, [t(topicOfEvent.ModelDiscovered)]],
            [normalizerGroup!, [t(topicOfEvent.RawPriceObserved)]],
          ]
        : [[normalizerGroup!, [t(topicOfEvent.CatalogSnapshot)]]];
    const admin = k.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + settleTimeoutS * 1000;
      let quiet = 0;
      while (quiet < 2) {
        let lag = 0n;
        for (const [group, topics] of watch) lag += await groupLag(admin, group, topics);
        quiet = lag === 0n ? quiet + 1 : 0;
        if (Date.now() > deadline)
          throw new Error(
            `the stages did not consume the backfill within ${settleTimeoutS}s (lag ${lag} after ${after}): are the scraper (${scraperGroup}) and normalizer (${normalizerGroup}) running?`,
          );
        if (quiet < 2) await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
      }
    } finally {
      await admin.disconnect();
    }
    log.debug({ after }, 'stages settled');
  };
}
