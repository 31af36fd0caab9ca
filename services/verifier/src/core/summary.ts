// The run's one-line summary for the job log (what was probed, spent and flagged).
import type { Outcome } from './verify.ts';

/** What a run did. */
export interface RunSummary {
  readonly disabled: boolean;
  readonly sampled: number;
  readonly probed: number;
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  readonly discrepancies: number;
  /** USD: reported charges plus the bounds of probes whose charge is unknown. */
  readonly spent: string;
  /** Pairs sampled but not probed, with why (the spend cap, no price). */
  readonly skipped: readonly { model_id: string; provider: string; reason: string }[];
  /** Set when the spend cap ended the run before every sampled pair was probed. */
  readonly stoppedBy: string | null;
}

export function formatSummary(s: RunSummary): string {
  if (s.disabled) return 'verifier: off (no OPENROUTER_API_KEY), no request sent';
  const outcomes = Object.entries(s.outcomes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return (
    `verifier: ${s.probed} of ${s.sampled} sampled pairs probed (${outcomes || 'none'}), ` +
    `${s.discrepancies} discrepanc${s.discrepancies === 1 ? 'y' : 'ies'}, spent $${s.spent}` +
    (s.stoppedBy ? `; stopped: ${s.stoppedBy}` : '') +
    (s.skipped.length ? `; ${s.skipped.length} skipped` : '')
  );
}
