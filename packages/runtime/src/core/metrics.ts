// Prometheus metrics (docs/metrics.md): one registry per process, Node's default process metrics plus
// ours, every one of ours declared once in METRICS below with its type, help and labels. A service
// asks for a metric by name; the first call registers it. Label values are bounded (stage, topic,
// provider, source, code, outcome): never a model id, a URL or free text.
import { Counter, Gauge, Histogram, Pushgateway, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricDef {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labels: readonly string[];
  /** Histograms only: bucket upper bounds in seconds. */
  readonly buckets?: readonly number[];
}

/** Batch and request latencies: 5 ms to 2 min. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Every metric of ours: the one list docs/metrics.md documents (a unit test keeps them equal). */
export const METRICS = {
  // The consuming stages (packages/runtime/src/kafka/stage.ts), every long-running consumer.
  llmpt_events_consumed_total: {
    type: 'counter',
    help: 'Records a stage consumed and committed, by input topic (tombstones excluded, poison included).',
    labels: ['stage', 'topic'],
  },
  llmpt_events_published_total: {
    type: 'counter',
    help: 'Records a stage published, by output topic (dead letters and the changelog included).',
    labels: ['stage', 'topic'],
  },
  llmpt_dead_letters_total: {
    type: 'counter',
    help: 'Dead letters a process published, by stage and error code.',
    labels: ['stage', 'code'],
  },
  llmpt_batch_duration_seconds: {
    type: 'histogram',
    help: 'Time to process and commit one partition batch, retries included.',
    labels: ['stage'],
    buckets: SECONDS_BUCKETS,
  },
  llmpt_batch_retries_total: {
    type: 'counter',
    help: 'Failed attempts at a batch that were retried (broker or database unavailable).',
    labels: ['stage'],
  },
  llmpt_consumer_lag: {
    type: 'gauge',
    help: 'Records of a partition the group has not committed yet (high watermark minus committed offset).',
    labels: ['stage', 'group', 'topic', 'partition'],
  },
  llmpt_consumer_lag_poll_errors_total: {
    type: 'counter',
    help: 'Lag polls that failed (broker unreachable); the lag gauges keep their last values.',
    labels: ['stage'],
  },
  // The scraper.
  llmpt_scrape_observations_total: {
    type: 'counter',
    help: 'Raw price observations the scraper published, by source, provider, outcome and reason class.',
    labels: ['source', 'provider', 'outcome', 'reason'],
  },
  llmpt_scrape_last_attempt_timestamp_seconds: {
    type: 'gauge',
    help: 'Fetch time of the latest observation of a provider from a source, whatever its outcome.',
    labels: ['source', 'provider'],
  },
  llmpt_scrape_last_price_timestamp_seconds: {
    type: 'gauge',
    help: 'Fetch time of the latest observation of a provider from a source that yielded a price (ok).',
    labels: ['source', 'provider'],
  },
  // The normalizer.
  llmpt_catalog_snapshots_total: {
    type: 'counter',
    help: 'Catalog snapshots the normalizer consumed: one per complete discovery run.',
    labels: [],
  },
  llmpt_catalog_snapshot_timestamp_seconds: {
    type: 'gauge',
    help: 'Fetch time of the newest catalog snapshot the normalizer consumed.',
    labels: [],
  },
  llmpt_catalog_snapshot_models: {
    type: 'gauge',
    help: 'Model ids listed by the newest catalog snapshot the normalizer consumed.',
    labels: [],
  },
  llmpt_price_changes_total: {
    type: 'counter',
    help: 'PriceChanged events the normalizer published, by kind and alert flag.',
    labels: ['kind', 'alert'],
  },
  // The sink.
  llmpt_db_write_duration_seconds: {
    type: 'histogram',
    help: 'Time of one database write of the sink (one batch transaction, or one event written alone).',
    labels: ['store'],
    buckets: SECONDS_BUCKETS,
  },
  llmpt_discovery_models_total: {
    type: 'counter',
    help: 'ModelDiscovered events the sink consumed, live and backfilled.',
    labels: ['backfill'],
  },
  llmpt_discovery_runs_total: {
    type: 'counter',
    help: 'Discovery runs (distinct run ids of live ModelDiscovered events) the sink saw begin.',
    labels: [],
  },
  llmpt_discovery_last_run_timestamp_seconds: {
    type: 'gauge',
    help: 'Fetch time of the newest live ModelDiscovered the sink consumed (the latest discovery run).',
    labels: [],
  },
  llmpt_discovery_last_run_models: {
    type: 'gauge',
    help: 'ModelDiscovered events of the latest live discovery run the sink consumed.',
    labels: [],
  },
  llmpt_verifications_total: {
    type: 'counter',
    help: "The verifier's probes (PriceVerified) the sink consumed, by outcome.",
    labels: ['outcome'],
  },
  llmpt_price_discrepancies_total: {
    type: 'counter',
    help: "The verifier's discrepancies (PriceDiscrepancy) the sink consumed.",
    labels: [],
  },
  // The notifier.
  llmpt_webhook_attempts_total: {
    type: 'counter',
    help: 'Webhook delivery attempts, by the decision recorded: delivered, pending (retried later), dead, gone (410).',
    labels: ['outcome'],
  },
  llmpt_webhook_attempt_duration_seconds: {
    type: 'histogram',
    help: 'Time of one webhook delivery attempt (request to answer or timeout).',
    labels: [],
    buckets: SECONDS_BUCKETS,
  },
  // The API.
  llmpt_api_requests_total: {
    type: 'counter',
    help: 'HTTP requests the API answered, by route pattern, method and status code.',
    labels: ['route', 'method', 'status'],
  },
  llmpt_api_request_duration_seconds: {
    type: 'histogram',
    help: 'Time from request to answer, by route pattern.',
    labels: ['route'],
    buckets: SECONDS_BUCKETS,
  },
  // The run-to-completion jobs (pushed to a Pushgateway when PUSHGATEWAY_URL is set).
  llmpt_job_last_success_timestamp_seconds: {
    type: 'gauge',
    help: 'End of the latest successful run of a job (pushed).',
    labels: ['job_name'],
  },
  llmpt_job_last_run_figures: {
    type: 'gauge',
    help: "The latest run's figures of a job (pushed): models, sent, rejected, probes, ...",
    labels: ['job_name', 'figure'],
  },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;
type LabelOf<N extends MetricName> = (typeof METRICS)[N]['labels'][number];
type TypeOf<N extends MetricName> = (typeof METRICS)[N]['type'];
type MetricOf<N extends MetricName> =
  TypeOf<N> extends 'counter'
    ? Counter<LabelOf<N>>
    : TypeOf<N> extends 'gauge'
      ? Gauge<LabelOf<N>>
      : Histogram<LabelOf<N>>;

let registry: Registry | undefined;

/** The process's registry, with Node's default metrics (process_*, nodejs_*) collected. */
export function metricsRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** The metric of that name in the process's registry, registered on first use. */
export function metric<N extends MetricName>(name: N): MetricOf<N> {
  const reg = metricsRegistry();
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as unknown as MetricOf<N>;
  const def: MetricDef = METRICS[name];
  const common = { name, help: def.help, labelNames: [...def.labels], registers: [reg] };
  const made =
    def.type === 'counter'
      ? new Counter(common)
      : def.type === 'gauge'
        ? new Gauge(common)
        : new Histogram({ ...common, buckets: [...(def.buckets ?? SECONDS_BUCKETS)] });
  return made as unknown as MetricOf<N>;
}

/** The registry in the Prometheus text format, for GET /metrics. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const reg = metricsRegistry();
  return { contentType: reg.contentType, body: await reg.metrics() };
}

/** The numeric figures of a run summary (models, sent, rejected, ...), as gauge values. */
export function numericFigures(summary: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(summary)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/**
 * A run-to-completion job's figures pushed to a Pushgateway (docs/metrics.md "Jobs"): a CronJob's pod
 * cannot be scraped after it exits. Its own small registry (not the process's default metrics): the
 * time of this successful run and its figures, under job `job`. Replaces what the job pushed before.
 */
export async function pushJobMetrics(
  url: string,
  job: string,
  figures: Readonly<Record<string, number>>,
  now: number,
): Promise<void> {
  const reg = new Registry();
  const def = (name: 'llmpt_job_last_success_timestamp_seconds' | 'llmpt_job_last_run_figures') => ({
    name,
    help: METRICS[name].help,
    labelNames: [...METRICS[name].labels],
    registers: [reg],
  });
  new Gauge(def('llmpt_job_last_success_timestamp_seconds')).set({ job_name: job }, now / 1000);
  const g = new Gauge(def('llmpt_job_last_run_figures'));
  for (const [figure, value] of Object.entries(figures)) g.set({ job_name: job, figure }, value);
  await new Pushgateway(url, { timeout: 5_000 }, reg).pushAdd({ jobName: `llmpt-${job}` });
}
