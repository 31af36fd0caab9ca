// Records a priced call into public.usage_calls (migration 0009); usage_daily and usage_monthly sum
// them per UTC day / month and model. Recording the same call id twice is a no-op.
import type { CallCost } from '../cost/compute.ts';
import type { Queryable } from '../price-at.ts';

export interface RecordedCall {
  readonly callId: string;
  readonly calledAt: Date | string;
  readonly modelId: string;
  readonly provider?: string | null;
  readonly cost: CallCost;
  /** price_at's event_id: which observation priced the call. */
  readonly priceEventId?: string | null;
}

/** true when inserted, false when that call id was already recorded. */
export async function recordCall(db: Queryable, c: RecordedCall): Promise<boolean> {
  const t = c.cost.tokens;
  const res = await db.query(
    `insert into public.usage_calls (call_id, called_at, model_id, provider, prompt_tokens, completion_tokens,
       reasoning_tokens, cache_read_tokens, cache_write_tokens, cost, cost_source, catalog_cost, price_event_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::numeric, $11, $12::numeric, $13)
     on conflict (call_id) do nothing`,
    [
      c.callId,
      new Date(c.calledAt).toISOString(),
      c.modelId,
      c.provider ?? null,
      // prompt_tokens counts every input token, as providers report it; completion_tokens every output
      // token (text, reasoning, audio, image); the cache columns every cached modality and duration.
      t.promptTotal,
      t.completion + t.reasoning + t.audioOutput + t.imageOutput,
      t.reasoning,
      t.cacheRead + t.audioCacheRead,
      t.cacheWrite + t.cacheWrite1h,
      c.cost.total,
      c.cost.source,
      c.cost.catalogTotal,
      c.priceEventId ?? null,
    ],
  );
  return (res.rowCount ?? 0) > 0;
}
