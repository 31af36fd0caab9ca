// The example gateway consumer: keeps public.model_pricing in sync from PriceChanged.
import type { Kafka } from '@llmpt/runtime/kafka';
import type { Logger } from '@llmpt/runtime';
import type { Queryable } from '../price-at.ts';
import { pgDedupeStore, subscribePriceChanges, type Subscription } from '../subscribe.ts';
import { pricingUpdate, type Aliases } from './model-pricing.ts';
import { applyPricingUpdate } from './store.ts';

export interface GatewaySyncOptions {
  readonly kafka: Kafka;
  readonly db: Queryable;
  readonly groupId: string;
  readonly topicPrefix?: string;
  readonly aliases?: Aliases;
  readonly logger?: Logger;
  /** Called after each event is applied, before it is marked and committed (tests inject crashes here). */
  readonly afterApply?: (eventId: string) => void;
}

export function startGatewaySync(o: GatewaySyncOptions): Promise<Subscription> {
  return subscribePriceChanges({
    kafka: o.kafka,
    groupId: o.groupId,
    ...(o.topicPrefix !== undefined ? { topicPrefix: o.topicPrefix } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    dedupe: pgDedupeStore(o.db, o.groupId),
    handler: async (event) => {
      const update = pricingUpdate(event, o.aliases ?? {});
      if (update) await applyPricingUpdate(o.db, update);
      o.logger?.debug({ eventId: event.event_id, model: event.model_id, kind: event.kind }, 'applied');
      o.afterApply?.(event.event_id);
    },
  });
}
