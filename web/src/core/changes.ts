// The Changes page's logic (pure): its filters in the URL, the API paths it asks, the order of its
// rows, the merge of live updates and the wording of a move. The rules are web/README.md "Changes".
import { amountText, dimensionWords } from './dimensions.ts';
import { isDecimal, percent } from './money.ts';
import { isModelId, queryString } from './routes.ts';

export const CHANGE_KINDS = ['new', 'changed', 'removed', 'returned', 'expiring'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One item of a change's `changes`: a tier's dimension, before and after (amounts in our units). */
export interface ChangeMove {
  readonly tier?: string | null;
  readonly dimension?: string;
  readonly previous?: string | null;
  readonly current?: string | null;
  readonly relative_change?: string | null;
}

/** An item of GET /v1/changes (services/api/README.md "Changes"). */
export interface ChangeItem {
  readonly event_id: string;
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source: string;
  readonly kind: string;
  readonly at: string;
  readonly changes: readonly ChangeMove[];
  readonly alert: boolean;
  readonly expiration_date: string | null;
}

export interface ChangesPage {
  readonly data: readonly ChangeItem[];
  readonly next_cursor: string | null;
}

export interface ChangesFilters {
  readonly model?: string;
  readonly provider?: string;
  readonly alerts: boolean;
  readonly kind?: ChangeKind;
}

/** Items a page asks for (README: 50 a page). */
export const PAGE_SIZE = 50;
/** Pages a poll round follows at most. */
export const POLL_MAX_PAGES = 10;
export const POLL_DEFAULT_SECONDS = 30;

const PROVIDER = /^[A-Za-z0-9._-]{1,100}$/;

/** The filters the URL holds, and what in it is refused (each named, never sent to the API). */
export function filtersOf(query: URLSearchParams): { filters: ChangesFilters; problems: string[] } {
  const problems: string[] = [];
  const model = query.get('model')?.trim() ?? '';
  const provider = query.get('provider')?.trim() ?? '';
  const kind = query.get('kind') ?? '';
  if (model !== '' && !isModelId(model))
    problems.push(`“${model}” is not a model id (author/slug, e.g. openai/gpt-4o).`);
  if (provider !== '' && !PROVIDER.test(provider))
    problems.push(`“${provider}” is not a provider slug (letters, digits, . _ -).`);
  if (kind !== '' && !(CHANGE_KINDS as readonly string[]).includes(kind))
    problems.push(`“${kind}” is not a kind of change (${CHANGE_KINDS.join(', ')}).`);
  return {
    filters: {
      ...(model !== '' && isModelId(model) ? { model } : {}),
      ...(provider !== '' && PROVIDER.test(provider) ? { provider } : {}),
      alerts: query.get('alerts') === 'true',
      ...(kind !== '' && (CHANGE_KINDS as readonly string[]).includes(kind)
        ? { kind: kind as ChangeKind }
        : {}),
    },
    problems,
  };
}

/** The filters the API applies (kind is the page's own). */
function apiFilters(f: ChangesFilters): Record<string, string | undefined> {
  return { model: f.model, provider: f.provider, alerts: f.alerts ? 'true' : undefined };
}

/** The first page (no cursor) or an older one: `/changes?…` under /v1. */
export function pagePath(f: ChangesFilters, cursor?: string): string {
  return `/changes?${queryString({
    ...apiFilters(f),
    order: 'newest',
    limit: String(PAGE_SIZE),
    cursor,
  })}`;
}

/** A live-update round: what took effect at or after the newest shown, oldest first. */
export function pollPath(f: ChangesFilters, since: string, cursor?: string): string {
  return `/changes?${queryString({ ...apiFilters(f), since, order: 'oldest', limit: '500', cursor })}`;
}

/** The Atom feed with the same filters, as a path on the API's origin. */
export function atomHref(f: ChangesFilters, apiBase = '/v1'): string {
  const q = queryString(apiFilters(f));
  return `${apiBase}/changes.atom${q === '' ? '' : `?${q}`}`;
}

/** `?poll=` in seconds: a whole number from 1 to 3600, anything else the default (30). */
export function pollSeconds(query: URLSearchParams): number {
  const raw = query.get('poll');
  if (raw === null || !/^\d{1,4}$/.test(raw)) return POLL_DEFAULT_SECONDS;
  const n = Number(raw);
  return n >= 1 && n <= 3600 ? n : POLL_DEFAULT_SECONDS;
}

/** Newest first: `at` descending, then `event_id` descending (the API's newest-first order). */
export function newestFirst(a: ChangeItem, b: ChangeItem): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.event_id === b.event_id ? 0 : a.event_id < b.event_id ? 1 : -1;
}

/**
 * `incoming` merged into `shown` (newest first): items whose event_id is shown are dropped, the rest
 * inserted in order. `added`: the new ones, newest first.
 */
export function mergeChanges(
  shown: readonly ChangeItem[],
  incoming: readonly ChangeItem[],
): { items: ChangeItem[]; added: ChangeItem[] } {
  const seen = new Set(shown.map((c) => c.event_id));
  const added: ChangeItem[] = [];
  for (const c of incoming) {
    if (seen.has(c.event_id)) continue;
    seen.add(c.event_id);
    added.push(c);
  }
  added.sort(newestFirst);
  return { items: [...shown, ...added].sort(newestFirst), added };
}

/** The newest `at` among the items, or null when there are none. */
export function newestAt(items: readonly ChangeItem[]): string | null {
  let newest: string | null = null;
  for (const c of items) if (newest === null || c.at > newest) newest = c.at;
  return newest;
}

export function matchesKind(c: ChangeItem, kind: ChangeKind | undefined): boolean {
  return kind === undefined || c.kind === kind;
}

/** `1 new change`, `2 new changes`. */
export function newChangesText(n: number): string {
  return `${n} new change${n === 1 ? '' : 's'}`;
}

/** The provider as a reader knows it: the routed price has none. */
export function providerLabel(provider: string | null): string {
  return provider ?? 'OpenRouter (routed)';
}

/** `2026-08-19T06:00:01.000Z` → `2026-08-19 06:00 UTC`. */
export function utcText(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/**
 * How a dimension's amounts read (the explorer's dimension words, src/core/dimensions.ts): the unit
 * after the amounts (`per 1M tokens`, `per request`, none for a ratio) and each amount as a table
 * cell shows it (`$3.00`, `30%` for a ratio).
 */
export function dimensionUnit(dimension: string): { unit: string; amount: (value: string) => string } {
  const w = dimensionWords(dimension);
  return {
    unit: w.basis === 'per_1m_tokens' ? 'per 1M tokens' : w.per,
    amount: (value) => amountText(dimension, value),
  };
}

/** One move as text: `[tier] dimension: previous → current unit (+x%)` (README "Changes"). */
export function moveText(m: ChangeMove): string {
  const dimension = m.dimension ?? '?';
  const { unit, amount } = dimensionUnit(dimension);
  const cell = (v: string | null | undefined) =>
    v === null || v === undefined || !isDecimal(v) ? '—' : amount(v);
  const tier = m.tier ? `[${m.tier}] ` : '';
  const move =
    m.relative_change !== null && m.relative_change !== undefined && isDecimal(m.relative_change)
      ? ` (${percent(m.relative_change)})`
      : '';
  return `${tier}${dimension}: ${cell(m.previous)} → ${cell(m.current)}${unit ? ` ${unit}` : ''}${move}`;
}

/** The filters as the page's own query (what a link restores), `poll` kept as it was. */
export function filtersQuery(f: ChangesFilters): Record<string, string | undefined> {
  return { model: f.model, provider: f.provider, alerts: f.alerts ? 'true' : undefined, kind: f.kind };
}
