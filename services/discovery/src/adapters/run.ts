import type { Producer } from 'kafkajs';
import type { ModelDiscovered } from '@llmpt/schemas';
import { fetchBytes } from '@llmpt/runtime/http';
import { errorMessage, topicOfEvent, topics, type Logger } from '@llmpt/runtime';
import { toKafkaMessage } from '@llmpt/runtime/kafka';
import type { Blocklist } from '../core/blocklist.ts';
import { catalogSnapshotOf, catalogVerdict } from '../core/catalog.ts';
import { deadLetterOf } from '../core/dead-letters.ts';
import { discoverModels, parseModelsResponse } from '../core/discover.ts';
import type { DiscoverySummary } from '../core/job.ts';
import { discoverProviders } from '../core/providers.ts';
import { DiscoveryError } from '../errors.ts';

export interface DiscoveryRunOptions {
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly runId: string;
  readonly blocklist: Blocklist;
  readonly producer: Producer;
  readonly topicPrefix: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * One discovery run: fetch the models list, map it to events, publish them keyed by model id, send
 * rejected entries to the dead-letter topic with their reason. Throws SOURCE_UNREACHABLE or
 * NOT_A_MODELS_LIST (the job then exits non-zero); bad single entries never stop the run.
 */
export async function runDiscovery(opts: DiscoveryRunOptions): Promise<DiscoverySummary> {
  const now = opts.now ?? Date.now;
  const started = now();
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'llm-price-tracker/0.1',
  };
  if (opts.apiKey) headers['authorization'] = `Bearer ${opts.apiKey}`;
  const modelsUrl = new URL('/api/v1/models', opts.baseUrl).toString();
  const fetchOpts = {
    timeoutMs: opts.timeoutMs,
    attempts: opts.attempts,
    headers,
    now,
    onRetry: (err: unknown, attempt: number, delayMs: number) =>
      opts.logger.warn({ err, attempt, delayMs, url: modelsUrl }, 'fetch failed, retrying'),
  };
  const fetched = await fetchBytes(modelsUrl, fetchOpts);
  let body: unknown;
  try {
    body = JSON.parse(fetched.body.toString('utf8'));
  } catch (err) {
    throw new DiscoveryError('NOT_A_MODELS_LIST', `${modelsUrl} did not return JSON`, { cause: err });
  }
  let list;
  try {
    list = parseModelsResponse(body);
  } catch (err) {
    throw new DiscoveryError('NOT_A_MODELS_LIST', `${modelsUrl}: ${errorMessage(err)}`, { cause: err });
  }
  const result = discoverModels(list.entries, {
    runId: opts.runId,
    fetchedAt: fetched.fetchedAt,
    sourceUrl: modelsUrl,
    blocklist: opts.blocklist,
  });
  const providers = await publishProviders(opts, fetchOpts);

  const modelTopic = opts.topicPrefix + topicOfEvent.ModelDiscovered;
  const dlqTopic = opts.topicPrefix + topics.deadLetter.name;
  const chunk = 500;
  for (let i = 0; i < result.events.length; i += chunk) {
    const messages = result.events
      .slice(i, i + chunk)
      .map((e: ModelDiscovered) => toKafkaMessage({ key: e.model_id, name: 'ModelDiscovered', event: e }));
    await opts.producer.send({ topic: modelTopic, messages, acks: -1 });
  }
  // Only after every ModelDiscovered of the run is acknowledged: a snapshot that lands while the run
  // is half published would let the normalizer count a model as absent that is merely late.
  const snapshot = catalogSnapshotOf(list, result, {
    runId: opts.runId,
    fetchedAt: fetched.fetchedAt,
    sourceUrl: modelsUrl,
    occurredAt: now(),
  });
  if (snapshot) {
    const message = toKafkaMessage({ key: snapshot.source_url, name: 'CatalogSnapshot', event: snapshot });
    await opts.producer.send({
      topic: opts.topicPrefix + topicOfEvent.CatalogSnapshot,
      messages: [message],
      acks: -1,
    });
  } else {
    const verdict = catalogVerdict(list, modelsUrl);
    opts.logger.warn({ verdict }, 'models list is not the whole catalog: no CatalogSnapshot published');
  }
  if (result.rejected.length) {
    const messages = result.rejected.map((r) => {
      const dl = deadLetterOf(r, opts.runId, modelsUrl, now());
      opts.logger.warn({ index: r.index, code: r.code }, `model entry rejected: ${r.reason}`);
      return toKafkaMessage({ key: dl.event_id, name: 'DeadLetter', event: dl });
    });
    await opts.producer.send({ topic: dlqTopic, messages, acks: -1 });
  }
  return {
    runId: opts.runId,
    models: list.entries.length,
    sent: result.events.length,
    rejected: result.rejected.length,
    blocked: result.blocked.length,
    providers,
    catalogSnapshot: snapshot !== null,
    seconds: (now() - started) / 1000,
  };
}

/** The providers catalog: published too, but a run goes on without it (it is context, not prices). */
async function publishProviders(
  opts: DiscoveryRunOptions,
  fetchOpts: Parameters<typeof fetchBytes>[1],
): Promise<number | null> {
  const url = new URL('/api/v1/providers', opts.baseUrl).toString();
  let result;
  let fetchedAt;
  try {
    const res = await fetchBytes(url, fetchOpts);
    fetchedAt = res.fetchedAt;
    result = discoverProviders(JSON.parse(res.body.toString('utf8')), {
      runId: opts.runId,
      fetchedAt,
      sourceUrl: url,
    });
  } catch (err) {
    opts.logger.warn({ err, url }, 'providers list unavailable');
    return null;
  }
  const topic = opts.topicPrefix + topicOfEvent.ProviderDiscovered;
  const messages = result.events.map((e) =>
    toKafkaMessage({ key: e.slug, name: 'ProviderDiscovered', event: e }),
  );
  if (messages.length) await opts.producer.send({ topic, messages, acks: -1 });
  if (result.rejected.length) {
    const dlq = opts.topicPrefix + topics.deadLetter.name;
    const letters = result.rejected.map((r) => {
      const dl = deadLetterOf({ ...r, code: 'INVALID_ENTRY' }, opts.runId, url, fetchedAt);
      opts.logger.warn({ index: r.index }, `provider entry rejected: ${r.reason}`);
      return toKafkaMessage({ key: dl.event_id, name: 'DeadLetter', event: dl });
    });
    await opts.producer.send({ topic: dlq, messages: letters, acks: -1 });
  }
  return result.events.length;
}
