import type { Kafka } from 'kafkajs';
import { readToEnd } from '@llmpt/runtime/kafka';
import { type Logger } from '@llmpt/runtime';
import {
  assembleHistory,
  daySegmentKey,
  decodeDaySegment,
  decodeKeyRecord,
  decodeKnownSnapshot,
  isSnapshotRecordKey,
  parseDaySegmentKey,
} from '../core/key-history.ts';
import type { KeyHistory, KeyInput, KnownSnapshot } from '../core/valid-time.ts';
import type { NormalizerState } from './handler.ts';

/**
 * Rebuilds what the normalizer holds from its compacted changelog topic (docs/price-model.md §4.6):
 * every key's history (version 4 heads with their day segments, version 3 records; version 1 and 2
 * records read as checkpoints) and every
 * snapshot placed (`snapshot#…` records, written in the transaction that placed the snapshot). Every
 * partition is read from the beginning up to the high watermark seen at start (the normalizer is the only
 * writer, and it is not running yet). The database and the input topics are never consulted: a snapshot
 * still waiting on its topic is not known yet, and is placed when it is consumed.
 */
export async function restoreState(kafka: Kafka, topic: string, logger: Logger): Promise<NormalizerState> {
  const started = Date.now();
  const restore = stateFromChangelog();
  const { records } = await readToEnd(
    kafka,
    [topic],
    ({ message: m }) => {
      const key = m.key?.toString('utf8');
      if (key) restore.add(key, m.value);
    },
    { groupPrefix: 'normalizer-restore' },
  );
  const state = restore.state();
  let inputs = 0;
  let checkpoints = 0;
  for (const h of state.histories.values()) {
    inputs += h.inputs.length;
    if (h.horizon) checkpoints++;
  }
  logger.info(
    {
      keys: state.histories.size,
      snapshots: state.snapshots.length,
      inputs,
      checkpoints,
      records,
      mb: Math.round(restore.bytes() / 1e5) / 10,
      ms: Date.now() - started,
    },
    'normalizer state restored from changelog',
  );
  return state;
}

/**
 * The state a changelog holds, from its records in log order per key (a later record of a key replaces
 * the earlier one, a tombstone deletes it, as compaction would): price keys through `decodeKeyRecord`
 * (a whole history, or a version-4 head), day segments (`<price key>#day:<day>`) through
 * `decodeDaySegment`, `snapshot#…` keys through `decodeKnownSnapshot`. A head's history is assembled
 * from its days' segments in `state()`, once every partition is read (a key's head and segments lie on
 * different partitions). Throws INVALID_PRICE_STATE on a record it cannot read, or a head whose days'
 * segments are missing.
 */
export function stateFromChangelog() {
  const records = new Map<string, ReturnType<typeof decodeKeyRecord>>();
  const segments = new Map<string, KeyInput[]>();
  const snapshots = new Map<string, KnownSnapshot>();
  let bytes = 0;
  return {
    add(key: string, value: Buffer | null) {
      bytes += value?.length ?? 0;
      if (isSnapshotRecordKey(key)) {
        if (value) snapshots.set(key, decodeKnownSnapshot(key, value));
        else snapshots.delete(key);
      } else if (parseDaySegmentKey(key)) {
        if (value) segments.set(key, decodeDaySegment(key, value));
        else segments.delete(key);
      } else if (value) records.set(key, decodeKeyRecord(value));
      else records.delete(key);
    },
    bytes: () => bytes,
    state: (): NormalizerState => {
      const histories = new Map<string, KeyHistory>();
      for (const [key, r] of records)
        histories.set(
          key,
          'history' in r ? r.history : assembleHistory(r.head, (d) => segments.get(daySegmentKey(key, d))),
        );
      return { histories, snapshots: [...snapshots.values()] };
    },
  };
}
