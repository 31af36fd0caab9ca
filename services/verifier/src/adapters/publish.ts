// A probe's events on their topics, acknowledged by every in-sync replica before the next probe.
import { topicOfEvent } from '@llmpt/runtime';
import { produceEvents, type EventSender } from '@llmpt/runtime/kafka';
import { verificationKey } from '../core/events.ts';
import type { VerifierEvents } from './run.ts';

export function kafkaPublisher(producer: EventSender, topicPrefix: string) {
  return async (e: VerifierEvents): Promise<void> => {
    const key = verificationKey(e.verified);
    await produceEvents(producer, topicPrefix + topicOfEvent.PriceVerified, [
      { key, name: 'PriceVerified', event: e.verified },
    ]);
    if (e.discrepancy)
      await produceEvents(producer, topicPrefix + topicOfEvent.PriceDiscrepancy, [
        { key, name: 'PriceDiscrepancy', event: e.discrepancy },
      ]);
  };
}
