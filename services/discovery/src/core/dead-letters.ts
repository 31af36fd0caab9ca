import { eventId, type DeadLetter } from '@llmpt/schemas';
import type { RejectedEntry } from './discover.ts';

/**
 * The DeadLetter of one entry the run could not read (a model, a provider, or a backfilled
 * `/endpoints` entry with its scraper code): the entry as published is the payload, the id is
 * (source, index, entry), so a re-run sends the same letter. Pure: the clock comes in.
 */
export function deadLetterOf(
  r: Pick<RejectedEntry, 'entry' | 'index' | 'reason'> & { readonly code: string },
  runId: string,
  sourceUrl: string,
  now: number,
): DeadLetter {
  const payload = Buffer.from(JSON.stringify(r.entry) ?? 'undefined', 'utf8');
  return {
    event_id: eventId('DeadLetter', 'discovery', sourceUrl, r.index, payload.toString('utf8')),
    run_id: runId,
    caused_by: null,
    occurred_at: now,
    stage: 'discovery',
    source_topic: null,
    source_partition: null,
    source_offset: null,
    source_url: sourceUrl,
    key: null,
    payload,
    error_code: r.code,
    error_message: r.reason,
    retriable: false,
  };
}
