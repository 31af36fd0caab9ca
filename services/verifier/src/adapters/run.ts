// One verifier run: sample the pairs, and for each one, while the spend cap allows, one probe, its
// comparison and its events. The decisions are the core's (plan.ts, verify.ts, events.ts); this file
// only sequences the I/O: the price lookup, the request, the publication.
import type { CallPrice } from '@llmpt/consumer';
import type { Logger } from '@llmpt/runtime';
import type { PriceDiscrepancy, PriceVerified } from '@llmpt/schemas';
import Decimal from 'decimal.js';
import { verificationEvents, type PriceRef } from '../core/events.ts';
import { mayProbe, probeBound, sampleTargets, spendOf, type Candidate } from '../core/plan.ts';
import { compare, observe, type Outcome, type Tolerance, type VerificationTarget } from '../core/verify.ts';
import type { RunSummary } from '../core/summary.ts';
import type { ProbeClient } from './openrouter.ts';

export type { RunSummary };

/** The price in force for a pair at a time, or null when none is known. */
export type PriceLookup = (
  t: VerificationTarget,
  at: Date,
) => Promise<{ price: CallPrice; ref: PriceRef } | null>;

export interface VerifierEvents {
  readonly verified: PriceVerified;
  readonly discrepancy: PriceDiscrepancy | null;
}

export interface RunOptions {
  readonly runId: string;
  /** null: no OpenRouter key, the run sends nothing (the service is off). */
  readonly client: ProbeClient | null;
  readonly candidates: readonly Candidate[];
  readonly priceOf: PriceLookup;
  /** Publishes a probe's events before the next probe is sent. */
  readonly publish: (e: VerifierEvents) => Promise<void>;
  readonly k: number;
  readonly recentDays: number;
  /** USD per run. */
  readonly spendCap: string;
  readonly promptTokenBound: number;
  readonly tolerance: Tolerance;
  readonly now: () => Date;
  readonly logger?: Logger;
}

export async function runVerification(o: RunOptions): Promise<RunSummary> {
  const sample = sampleTargets(o.candidates, { k: o.k, now: o.now(), recentDays: o.recentDays });
  const outcomes: Partial<Record<Outcome, number>> = {};
  const skipped: { model_id: string; provider: string; reason: string }[] = [];
  if (o.client === null) {
    o.logger?.warn('no OPENROUTER_API_KEY: the verifier is off, no request sent');
    return {
      disabled: true,
      sampled: sample.length,
      probed: 0,
      outcomes,
      discrepancies: 0,
      spent: '0',
      skipped: sample.map((c) => ({ model_id: c.model_id, provider: c.provider, reason: 'no API key' })),
      stoppedBy: 'no API key',
    };
  }
  let spent = new Decimal(0);
  let probed = 0;
  let discrepancies = 0;
  let stoppedBy: string | null = null;
  for (const [i, target] of sample.entries()) {
    const at = o.now();
    const priced = await o.priceOf(target, at);
    const bound = probeBound(priced?.price ?? null, o.promptTokenBound);
    const go = mayProbe({ spent: spent.toFixed(), cap: o.spendCap }, bound);
    if (!go.ok) {
      if (bound !== null) {
        // The cap: nothing after this pair is sent either (a cheaper pair later would make the order
        // of the sample, new and changed prices first, depend on prices).
        stoppedBy = go.reason;
        for (const rest of sample.slice(i))
          skipped.push({ model_id: rest.model_id, provider: rest.provider, reason: go.reason });
        break;
      }
      skipped.push({ model_id: target.model_id, provider: target.provider, reason: go.reason });
      continue;
    }
    const { sentAt, exchange } = await o.client.send(target);
    probed++;
    const observation = observe(target, exchange);
    const comparison = compare(observation, priced?.price ?? null, new Date(sentAt), o.tolerance);
    const events = verificationEvents({
      runId: o.runId,
      target,
      sentAt,
      observation,
      comparison,
      price: priced?.ref ?? null,
      tolerance: o.tolerance,
    });
    await o.publish(events);
    spent = spent.plus(spendOf(observation, bound!));
    outcomes[observation.outcome] = (outcomes[observation.outcome] ?? 0) + 1;
    if (events.discrepancy) discrepancies++;
    o.logger?.info(
      {
        model_id: target.model_id,
        provider: target.provider,
        outcome: observation.outcome,
        charged: comparison.charged,
        expected: comparison.expected,
        discrepancy: comparison.discrepancy,
      },
      'probe done',
    );
  }
  return {
    disabled: false,
    sampled: sample.length,
    probed,
    outcomes,
    discrepancies,
    spent: spent.toFixed(),
    skipped,
    stoppedBy,
  };
}
