// The discovery job's identity and outcome: its run id, the summary line it prints, the exit code the
// CronJob and the daily script read. Pure: the clock and the random part come in.

/** A run id when none is given: the start time to the second, then 8 random hex digits. */
export function runIdOf(now: number, uuid: string): string {
  return `${new Date(now).toISOString().slice(0, 19)}Z-${uuid.slice(0, 8)}`;
}

export interface DiscoverySummary {
  readonly runId: string;
  readonly models: number;
  readonly sent: number;
  readonly rejected: number;
  readonly blocked: number;
  readonly providers: number | null;
  /** Whether the run published a CatalogSnapshot (a filtered or incomplete list publishes none). */
  readonly catalogSnapshot: boolean;
  readonly seconds: number;
}

export function formatSummary(s: DiscoverySummary): string {
  return `discovery run=${s.runId} models=${s.models} sent=${s.sent} rejected=${s.rejected} blocked=${s.blocked} providers=${s.providers ?? 'n/a'} seconds=${s.seconds.toFixed(2)}`;
}

// Exit codes the CronJob and the daily script rely on.
const EXIT_UNREACHABLE = 2;
const EXIT_NOT_A_LIST = 3;
const EXIT_OTHER = 1;

/** The exit code of a failed run, from its error code. */
export function exitCodeOf(code: string): number {
  return code === 'SOURCE_UNREACHABLE' || code === 'HTTP_4XX'
    ? EXIT_UNREACHABLE
    : code === 'NOT_A_MODELS_LIST'
      ? EXIT_NOT_A_LIST
      : EXIT_OTHER;
}
