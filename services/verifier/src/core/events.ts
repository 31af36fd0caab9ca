// The events one probe publishes: always a PriceVerified, and a PriceDiscrepancy when the charge is
// beyond the tolerance from the usage at the price in force. Pure: ids are derived, times come in.
import Decimal from 'decimal.js';
import { eventId, type PriceDiscrepancy, type PriceVerified } from '@llmpt/schemas';
import type { Comparison, Observation, Tolerance, VerificationTarget } from './verify.ts';

/** The price a probe was costed at: its key and the NormalizedPrice event it came from. */
export interface PriceRef {
  readonly price_key: string;
  readonly event_id: string;
}

/** The Kafka key of both events (schemas/README.md "Topics and keys"). */
export const verificationKey = (t: Pick<VerificationTarget, 'model_id' | 'provider'>): string =>
  `${t.model_id}|${t.provider}`;

export function verificationEvents(args: {
  readonly runId: string;
  readonly target: VerificationTarget;
  /** When the request was sent (epoch ms). */
  readonly sentAt: number;
  readonly observation: Observation;
  readonly comparison: Comparison;
  readonly price: PriceRef | null;
  readonly tolerance: Tolerance;
}): { verified: PriceVerified; discrepancy: PriceDiscrepancy | null } {
  const { runId, target: t, observation: o, comparison: c, price, tolerance } = args;
  const id = eventId('PriceVerified', runId, t.model_id, t.provider);
  const verified: PriceVerified = {
    event_id: id,
    run_id: runId,
    caused_by: price?.event_id ?? null,
    occurred_at: args.sentAt,
    model_id: t.model_id,
    provider: t.provider,
    outcome: o.outcome,
    http_status: o.http_status,
    latency_ms: o.latency_ms,
    served_provider: o.served_provider,
    served_model: o.served_model,
    generation_id: o.generation_id,
    error_code: o.error_code,
    error_message: o.error_message,
    usage: o.usage,
    price_key: price?.price_key ?? null,
    expected_cost: c.expected,
    charged_cost: c.charged,
    difference: c.difference,
    discrepancy: c.discrepancy,
    not_compared: c.not_compared,
    components: c.components.map((x) => ({ ...x })),
    tolerance_absolute: tolerance.absolute,
    tolerance_relative: tolerance.relative,
  };
  if (!c.discrepancy || price === null || c.expected === null || c.charged === null || c.difference === null)
    return { verified, discrepancy: null };
  const expected = new Decimal(c.expected);
  const discrepancy: PriceDiscrepancy = {
    event_id: eventId('PriceDiscrepancy', id),
    run_id: runId,
    caused_by: id,
    occurred_at: args.sentAt,
    model_id: t.model_id,
    provider: t.provider,
    price_key: price.price_key,
    price_event_id: price.event_id,
    expected_cost: c.expected,
    charged_cost: c.charged,
    difference: c.difference,
    relative_difference: expected.isZero()
      ? null
      : new Decimal(c.difference).dividedBy(expected).toDecimalPlaces(8).toFixed(8),
    tolerance_absolute: tolerance.absolute,
    tolerance_relative: tolerance.relative,
    is_byok: o.usage?.is_byok ?? null,
    generation_id: o.generation_id,
  };
  return { verified, discrepancy };
}
