import type { EventName } from '@llmpt/schemas';

/** Topic configs as the broker should hold them (docs/design.md §2). The event topics are the event store. */
export interface TopicSpec {
  readonly name: string;
  readonly configs: Readonly<Record<string, string>>;
}

const forever = { 'cleanup.policy': 'delete', 'retention.ms': '-1' } as const;

export const topics = {
  modelDiscovered: { name: 'pricing.model-discovered.v1', configs: forever },
  providerDiscovered: { name: 'pricing.provider-discovered.v1', configs: forever },
  rawPriceObserved: { name: 'pricing.raw-price-observed.v1', configs: forever },
  normalizedPrice: { name: 'pricing.normalized-price.v1', configs: forever },
  priceChanged: { name: 'pricing.price-changed.v1', configs: forever },
  /** Versions of PriceChanged no longer (or again) in force after a late input (docs/price-model.md §4.4). */
  priceChangeRetracted: { name: 'pricing.price-change-retracted.v1', configs: forever },
  /** One CatalogSnapshot per complete discovery run: the model lifecycle (removals) derives from it. */
  catalogSnapshot: { name: 'pricing.catalog-snapshot.v1', configs: forever },
  deadLetter: { name: 'pricing.dead-letter.v1', configs: forever },
  /** One PriceVerified per verifier probe (services/verifier): what OpenRouter charged for a pinned call. */
  priceVerified: { name: 'pricing.price-verified.v1', configs: forever },
  /** A probe charged beyond the tolerance from its usage at the price in force. */
  priceDiscrepancy: { name: 'pricing.price-discrepancy.v1', configs: forever },
  /**
   * The normalizer's state: each price key's history (docs/price-model.md §4.6) and each snapshot placed,
   * one record per key; only the latest value of a key matters, so compaction is right here. A key's
   * history grows by about 0.2–0.65 MB a year, past the broker's 1 MB default: records up to 8 MiB.
   */
  normalizerState: {
    name: 'pricing.normalizer-state.v1',
    configs: {
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': '0',
      'segment.ms': '3600000',
      'max.message.bytes': '8388608',
    },
  },
} as const satisfies Record<string, TopicSpec>;

/** What the sink reads (every event topic but the dead letters): it projects all of them into tables. */
export const sinkInputTopics: readonly string[] = [
  topics.modelDiscovered.name,
  topics.providerDiscovered.name,
  topics.rawPriceObserved.name,
  topics.normalizedPrice.name,
  topics.priceChanged.name,
  topics.priceChangeRetracted.name,
  topics.priceVerified.name,
  topics.priceDiscrepancy.name,
];

/** What the normalizer reads: raw observations, and the catalog snapshots removals derive from. */
export const normalizerInputTopics: readonly string[] = [
  topics.rawPriceObserved.name,
  topics.catalogSnapshot.name,
];

/** Which topic carries which event type. */
export const topicOfEvent: Readonly<Record<EventName, string>> = {
  ModelDiscovered: topics.modelDiscovered.name,
  ProviderDiscovered: topics.providerDiscovered.name,
  RawPriceObserved: topics.rawPriceObserved.name,
  NormalizedPrice: topics.normalizedPrice.name,
  PriceChanged: topics.priceChanged.name,
  PriceChangeRetracted: topics.priceChangeRetracted.name,
  CatalogSnapshot: topics.catalogSnapshot.name,
  DeadLetter: topics.deadLetter.name,
  PriceVerified: topics.priceVerified.name,
  PriceDiscrepancy: topics.priceDiscrepancy.name,
};

/** Every topic with a prefix (tests give each run its own topic names). */
export function prefixedTopics(prefix: string): TopicSpec[] {
  return Object.values(topics).map((t) => ({ name: `${prefix}${t.name}`, configs: t.configs }));
}

/**
 * The pipeline topic a (possibly prefixed) topic name is, without the prefix; any other name as it is.
 * Metrics label topics by it, so a test's or a deployment's TOPIC_PREFIX does not change the series.
 */
export function baseTopicName(topic: string): string {
  for (const t of Object.values(topics)) if (topic.endsWith(t.name)) return t.name;
  return topic;
}
