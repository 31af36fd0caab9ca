import { encodeEvent } from '@llmpt/schemas';
import { createLogger } from '@llmpt/runtime';
import { type StageMessage } from '@llmpt/runtime/kafka';
import { describe, expect, it } from 'vitest';
import type { DecodedEvent, Rows } from '../core/project.ts';
import { createSinkHandler } from './handler.ts';
import { emptyWriteResult, SinkStoreError, type PriceStore } from './store.ts';
import { modelDiscovered, normalizedPrice } from '@llmpt/schemas/samples';

const logger = createLogger({ service: 'test', level: 'silent' });
const message = (decoded: DecodedEvent, offset: number): StageMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  value: encodeEvent(decoded.name, decoded.event as never),
  decoded: decoded,
});

/** A store that records what it was asked to write and refuses rows of a given model. */
function recordingStore(refuse: (rows: Rows) => SinkStoreError | null): PriceStore & { writes: Rows[] } {
  const writes: Rows[] = [];
  return {
    writes,
    writeBatch: async (rows) => {
      const err = refuse(rows);
      if (err) throw err;
      writes.push(rows);
      return {
        ...emptyWriteResult,
        inserted: {
          observations: rows.observations.length,
          changes: rows.changes.length,
          retractions: rows.retractions.length,
          modelVersions: rows.modelVersions.length,
          modelSightings: rows.modelSightings.length,
          verifications: rows.verifications.length,
          discrepancies: rows.discrepancies.length,
        },
      };
    },
    close: async () => undefined,
  };
}

describe('sink handler', () => {
  it('writes a whole batch in one store call', async () => {
    const store = recordingStore(() => null);
    const totals = { batches: 0, events: 0, observations: 0, changes: 0, retractions: 0 };
    const batch = [message(modelDiscovered(), 0), message(normalizedPrice(), 1)];
    expect(await createSinkHandler(store, logger, totals)(batch)).toEqual({});
    expect(store.writes).toHaveLength(1);
    expect(totals).toEqual({ batches: 1, events: 2, observations: 1, changes: 0, retractions: 0 });
  });

  it('rethrows a retriable failure so nothing is committed', async () => {
    const down = new SinkStoreError('SINK_DB_UNAVAILABLE', 'connection refused', { retriable: true });
    const store = recordingStore(() => down);
    const handle = createSinkHandler(store, logger, {
      batches: 0,
      events: 0,
      observations: 0,
      changes: 0,
      retractions: 0,
    });
    await expect(handle([message(normalizedPrice(), 0)])).rejects.toBe(down);
  });

  it('on a refused batch, writes the events one by one and dead-letters only the bad one', async () => {
    const bad = normalizedPrice({ model_id: 'x/bad', event_id: 'bad-1' });
    const store = recordingStore((rows) =>
      rows.observations.some((o) => o.model_id === 'x/bad')
        ? new SinkStoreError('SINK_CONSTRAINT_VIOLATION', 'null value', { retriable: false })
        : null,
    );
    const batch = [
      message(normalizedPrice({ event_id: 'good-1' }), 0),
      message(bad, 1),
      message(modelDiscovered(), 2),
    ];
    const result = await createSinkHandler(store, logger, {
      batches: 0,
      events: 0,
      observations: 0,
      changes: 0,
      retractions: 0,
    })(batch);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected![0]!.message).toBe(batch[1]);
    expect(store.writes.flatMap((w) => w.observations.map((o) => o.event_id))).toEqual(['good-1']);
    expect(store.writes.flatMap((w) => w.models)).toHaveLength(1);
  });
});
