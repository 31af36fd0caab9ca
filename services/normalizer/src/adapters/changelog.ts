import type { Kafka } from 'kafkajs';
import { readToEnd } from '@llmpt/runtime/kafka';
import { type Logger } from '@llmpt/runtime';
import { decodeState, type PriceState } from '../core/state.ts';

/**
 * Rebuilds the last price per key from the compacted changelog topic: read every partition from the
 * beginning up to the high watermark seen at start (the normalizer is the only writer, and it is not
 * running yet). The database is never consulted: the topics are the truth.
 */
export async function restoreState(
  kafka: Kafka,
  topic: string,
  logger: Logger,
): Promise<Map<string, PriceState>> {
  const started = Date.now();
  const state = new Map<string, PriceState>();
  const { records } = await readToEnd(
    kafka,
    [topic],
    ({ message: m }) => {
      const key = m.key?.toString('utf8');
      if (!key) return;
      if (m.value) state.set(key, decodeState(m.value));
      else state.delete(key);
    },
    { groupPrefix: 'normalizer-restore' },
  );
  logger.info(
    { keys: state.size, records, ms: Date.now() - started },
    'normalizer state restored from changelog',
  );
  return state;
}
