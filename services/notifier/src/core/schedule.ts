/** The retry schedule's settings (README §4). */
export interface RetrySchedule {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts in all, the first included (README §3's N). */
  readonly maxAttempts: number;
}

/**
 * The delay after failed attempt `attempt` (1-based): uniform in
 * [0, min(max, initial × 2^(attempt−1))], rounded to the millisecond (README §4). `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, schedule: RetrySchedule, random: number): number {
  const cap = Math.min(schedule.maxDelayMs, schedule.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(random * cap);
}
