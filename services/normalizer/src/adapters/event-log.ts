import { decodeKafkaMessage, readToEnd, type Kafka } from '@llmpt/runtime/kafka';
import type { EventName, EventTypes } from '@llmpt/schemas';

/**
 * Every event of one type on a topic, read committed, in log order per partition, up to the end seen
 * at start; `skipped` counts the records of another type or that do not decode.
 */
export async function readEvents<N extends EventName>(
  kafka: Kafka,
  topic: string,
  name: N,
  groupPrefix: string,
): Promise<{ events: EventTypes[N][]; skipped: number }> {
  const events: EventTypes[N][] = [];
  let skipped = 0;
  await readToEnd(
    kafka,
    [topic],
    ({ message }) => {
      try {
        const d = decodeKafkaMessage(message);
        if (d.name === name) events.push(d.event as EventTypes[N]);
        else skipped++;
      } catch {
        // Undecodable records never reached the consumers either (they were dead-lettered).
        skipped++;
      }
    },
    { groupPrefix },
  );
  return { events, skipped };
}
