// Which pairs a run verifies and when it stops spending (README, "What a run spends"). Pure: the
// candidates, the clock and the spend so far come in as arguments.
import Decimal from 'decimal.js';
import type { CallPrice } from '@llmpt/consumer';
import { PROBE_MAX_TOKENS, type Observation, type VerificationTarget } from './verify.ts';

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

/** A pair the catalog holds, with what the sampling order reads. */
export interface Candidate extends VerificationTarget {
  /** When the pair was first seen (ISO). */
  readonly first_seen_at: string;
  /** When its price last changed (ISO), null when never. */
  readonly price_changed_at: string | null;
  /** When it was last verified (ISO), null when never. */
  readonly last_verified_at: string | null;
}

/** Rank 0: new and never verified; 1: price changed since the last verification; 2: the rest. */
export function rankOf(c: Candidate, now: Date, recentDays: number): 0 | 1 | 2 {
  const since = now.getTime() - recentDays * 86_400_000;
  const t = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  const verified = t(c.last_verified_at);
  if (verified === null && t(c.first_seen_at)! >= since) return 0;
  const changed = t(c.price_changed_at);
  if (changed !== null && changed >= since && (verified === null || changed > verified)) return 1;
  return 2;
}

/**
 * K pairs: new ones first, then recently changed, then the longest unverified (never verified
 * first); within a rank the most recent event first, then the key, so the order is reproducible.
 */
export function sampleTargets(
  candidates: readonly Candidate[],
  opts: { readonly k: number; readonly now: Date; readonly recentDays: number },
): Candidate[] {
  const key = (c: Candidate) => `${c.model_id}|${c.provider}`;
  const ms = (iso: string | null) => (iso === null ? -Infinity : new Date(iso).getTime());
  const recency = (c: Candidate, rank: number) =>
    rank === 0 ? ms(c.first_seen_at) : rank === 1 ? ms(c.price_changed_at) : -ms(c.last_verified_at);
  return candidates
    .map((c) => ({ c, rank: rankOf(c, opts.now, opts.recentDays) }))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        recency(b.c, b.rank) - recency(a.c, a.rank) ||
        (key(a.c) < key(b.c) ? -1 : key(a.c) > key(b.c) ? 1 : 0),
    )
    .slice(0, opts.k)
    .map((x) => x.c);
}

/**
 * The most a probe may cost before it is sent: `promptTokenBound` tokens at the highest input rate
 * the price lists (prompt, cache write), PROBE_MAX_TOKENS at the highest output rate (completion,
 * reasoning) and the per-request fee. Null when the price is unknown: such a pair is not probed
 * when a cap is set, since its cost cannot be bounded.
 */
export function probeBound(price: CallPrice | null, promptTokenBound: number): string | null {
  if (price === null) return null;
  const rate = (...dims: (keyof CallPrice)[]) =>
    D.max(0, ...dims.map((d) => (typeof price[d] === 'string' ? new D(price[d]) : new D(0))));
  const tierMax = (dims: string[]) =>
    D.max(
      0,
      ...(price.tiers ?? []).flatMap((t) =>
        dims.map((d) => {
          const v = (t.prices as Record<string, string | null | undefined>)[d];
          return typeof v === 'string' ? new D(v) : new D(0);
        }),
      ),
    );
  const input = D.max(rate('prompt', 'input_cache_write'), tierMax(['prompt', 'input_cache_write']));
  const output = D.max(
    rate('completion', 'internal_reasoning'),
    tierMax(['completion', 'internal_reasoning']),
  );
  return input
    .times(promptTokenBound)
    .plus(output.times(PROBE_MAX_TOKENS))
    .dividedBy(1_000_000)
    .plus(rate('request'))
    .toFixed();
}

/** The run's spend: what answers reported, plus bounds of probes whose charge is unknown. */
export interface Spend {
  readonly spent: string;
  readonly cap: string;
}

/** May the next probe go? Only while the spend so far plus its bound stays within the cap. */
export function mayProbe(s: Spend, bound: string | null): { ok: true } | { ok: false; reason: string } {
  if (bound === null) return { ok: false, reason: 'no price in force: the probe cannot be bounded' };
  const after = new D(s.spent).plus(bound);
  if (after.greaterThan(s.cap))
    return {
      ok: false,
      reason: `spend cap: ${s.spent} spent + ${bound} at most for this probe > cap ${s.cap}`,
    };
  return { ok: true };
}

/**
 * What a finished probe adds to the spend: the charge the answer reported (cost, plus the upstream
 * cost under BYOK: both are paid by us), the bound when the charge is unknown (a timeout, a 2xx
 * answer without usage), nothing for an error answer (OpenRouter does not bill a request it answered
 * with an error).
 */
export function spendOf(o: Observation, bound: string): string {
  const u = o.usage;
  if (u !== null && u.cost !== null) {
    const upstream = u.is_byok === true && u.upstream_inference_cost !== null;
    return new D(u.cost).plus(upstream ? u.upstream_inference_cost : 0).toFixed();
  }
  if (o.outcome === 'timeout') return bound;
  if (o.http_status !== null && o.http_status >= 200 && o.http_status < 300) return bound;
  return '0';
}
