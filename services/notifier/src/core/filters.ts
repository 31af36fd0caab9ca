import type { PriceChanged } from '@llmpt/schemas';

/** A subscription's filters (README §1): an empty list passes everything. */
export interface SubscriptionFilter {
  readonly modelIds: readonly string[];
  readonly providers: readonly string[];
  readonly alertsOnly: boolean;
  /** Whether changes with `backfilled: true` pass (README §1 rule 4); default false. */
  readonly includeBackfilled: boolean;
  /** Epoch ms when disabled; null while active. */
  readonly disabledAt: number | null;
}

/** The filter name of the routed price, whose event has no provider (README §1 rule 2). */
export const ROUTED_PROVIDER = 'openrouter';

/** Whether the event passes every filter of the subscription (README §1 rules 1-4). */
export function matches(filter: SubscriptionFilter, event: PriceChanged): boolean {
  if (filter.disabledAt !== null) return false;
  if (filter.modelIds.length > 0 && !filter.modelIds.includes(event.model_id)) return false;
  const provider = event.provider ?? ROUTED_PROVIDER;
  if (filter.providers.length > 0 && !filter.providers.includes(provider)) return false;
  if (event.backfilled && !filter.includeBackfilled) return false;
  return !filter.alertsOnly || event.alert;
}
