// The daily run's summary (scripts/daily.ts), pure: the figures read from the database come in, the
// lines go out. Money and counts stay the strings Postgres returned.

export interface ChangeCounts {
  readonly total: string;
  readonly new: string;
  readonly changed: string;
  readonly removed: string;
  readonly returned: string;
  readonly expiring: string;
  readonly alerts: string;
}

/** One change entry with a relative move (`changed` or `returned`), USD per 1M tokens or per unit. */
export interface TopMove {
  readonly modelId: string;
  /** '-' for OpenRouter's routed price. */
  readonly provider: string;
  readonly sourceType: string;
  readonly dimension: string;
  readonly tier: string;
  readonly previous: string;
  readonly current: string;
  /** A fraction: "-0.5" is a halving. */
  readonly relativeChange: string;
}

/** What a live run wrote (rows inserted since it started). */
export interface LiveFigures {
  readonly models: string;
  readonly newModels: string;
  readonly observations: string;
  readonly changes: ChangeCounts;
  readonly top: readonly TopMove[];
}

/** The backfill command's own count (its last line): `/models` files, and those already published. */
export interface BackfillOutcome {
  readonly files: number;
  readonly skipped: number;
}

/** The offline run: the sample's days as the database holds them, and what this run wrote. */
export interface SampleSummary {
  /** The sample's days (UTC dates), oldest first. */
  readonly days: readonly string[];
  readonly backfill: BackfillOutcome | null;
  readonly models: string;
  readonly perDay: readonly {
    readonly day: string;
    readonly models: string;
    readonly routed: string;
    readonly perProvider: string;
  }[];
  /** The changes between the first and the last day (snapshot day after the first, up to the last). */
  readonly changes: ChangeCounts;
  readonly top: readonly TopMove[];
  readonly written: { readonly observations: string; readonly changes: string };
  /** The provider pricing pages step: null when the shared captures are not there to serve. */
  readonly pages?: PagesFigures | null;
}

/** The backfill command's summary line (`backfill: files=2 ... skipped=0`), or null without one. */
export function backfillOutcomeOf(stdout: string): BackfillOutcome | null {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('backfill'));
  const files = /\bfiles=(\d+)/.exec(line ?? '');
  const skipped = /\bskipped=(\d+)/.exec(line ?? '');
  return files && skipped ? { files: Number(files[1]), skipped: Number(skipped[1]) } : null;
}

const label = (text: string) => `  ${text.padEnd(22)} `;

function changesLine(c: ChangeCounts): string {
  return `${c.total} (new: ${c.new}, changed: ${c.changed}, removed: ${c.removed}, returned: ${c.returned}, expiring: ${c.expiring}; alerts: ${c.alerts})`;
}

function topLines(top: readonly TopMove[], heading: string): string[] {
  if (!top.length) return [];
  return [
    `  ${heading} (USD per 1M tokens or per unit):`,
    ...top.map((m) => {
      const pct = (Number(m.relativeChange) * 100).toFixed(1);
      return `    ${m.modelId} [${m.provider} ${m.sourceType}] ${m.dimension} (${m.tier}): ${m.previous} -> ${m.current} (${pct}%)`;
    }),
  ];
}

const wall = (ms: number) => label('wall time') + `${(ms / 1000).toFixed(1)} s`;

export function formatLiveSummary(f: LiveFigures, runId: string, ms: number): string {
  return [
    '',
    `daily run ${runId}: summary`,
    label('models in catalog') + `${f.models} (new this run: ${f.newModels})`,
    label('price observations') + `${f.observations} written`,
    label('price changes') + changesLine(f.changes),
    ...topLines(f.top, 'top price changes'),
    wall(ms),
  ].join('\n');
}

/**
 * Which days were loaded (their real dates, and whether this run or an earlier one published them),
 * what each holds, what changed from the first to the last, and what this run wrote (nothing, the
 * second time).
 */
/** provider_site prices in the database after the pages step, per provider (page slug). */
export interface PagesFigures {
  /** Where the captures were served from (a folder shown to the user). */
  readonly servedFrom: string;
  readonly perProvider: readonly {
    readonly provider: string;
    readonly ok: string;
    readonly unavailable: string;
  }[];
}

function pagesLines(p: PagesFigures | null | undefined): string[] {
  if (p === undefined) return [];
  if (p === null)
    return [
      label('provider pages') +
        'not read: the recorded captures (../shared/data/pricing_pages) are not on this machine and the project does not ship them',
    ];
  return [
    label('provider pages') +
      `the recorded captures in ${p.servedFrom}, served locally (pages as captured in 2026-04/05, observed now; not today's pages)`,
    ...p.perProvider.map(
      (r) => label(`  ${r.provider}`) + `${r.ok} provider_site prices, ${r.unavailable} unavailable`,
    ),
  ];
}

export function formatSampleSummary(s: SampleSummary, ms: number): string {
  const first = s.days[0] ?? '';
  const last = s.days[s.days.length - 1] ?? '';
  const b = s.backfill;
  const loaded =
    b === null
      ? '(the backfill command gave no count)'
      : b.skipped === 0
        ? `published by this run (${b.files} of ${b.files})`
        : b.skipped === b.files
          ? `already loaded by an earlier run: nothing published (${b.skipped} of ${b.files} skipped)`
          : `published by this run: ${b.files - b.skipped}, already loaded: ${b.skipped}`;
  return [
    '',
    'daily run (OFFLINE: the bundled sample, loaded by the backfill command with its real dates): summary',
    label('days') + `${s.days.join(', ')}: ${loaded}`,
    ...s.perDay.map(
      (d) =>
        label(d.day) +
        `${d.models} models: ${d.routed} routed prices, ${d.perProvider} per-provider prices observed`,
    ),
    label('models in catalog') + s.models,
    label('price changes') + `${first} -> ${last}: ${changesLine(s.changes)}`,
    ...topLines(s.top, `top price changes ${first} -> ${last}`),
    ...pagesLines(s.pages),
    label('written by this run') +
      `${s.written.observations} price observations, ${s.written.changes} price changes`,
    wall(ms),
  ].join('\n');
}
