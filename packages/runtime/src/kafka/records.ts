import { EVENT_TYPE_HEADER, type EventName, type EventTypes } from '@llmpt/schemas';
import { currentWire } from './wire.ts';

// Records as plain data, without the Kafka client: the stage's batch plan builds what a batch sends
// here and stays free of kafkajs; kafka.ts re-exports both names, so importers did not change.

/** One event to produce: its key (see docs/design.md §2), its type, and the event itself. */
export type EventMessage<N extends EventName = EventName> = {
  [K in N]: { readonly key: string; readonly name: K; readonly event: EventTypes[K] };
}[N];

/** A record to send: the subset of kafkajs's `Message` that the pipeline writes. */
export interface OutgoingMessage {
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timestamp?: string;
}

/**
 * The Kafka message for an event: Avro bytes in the process's framing (single-object unless the service
 * installed the Confluent one, wire.ts), type in a header, event time as timestamp.
 */
export function toKafkaMessage(item: EventMessage): OutgoingMessage {
  return {
    key: item.key,
    value: currentWire().encode(item.name, item.event),
    headers: { [EVENT_TYPE_HEADER]: item.name },
    timestamp: String(item.event.occurred_at),
  };
}
