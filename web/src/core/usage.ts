// A usage profile as the Cost and Compare pages hold it (pure): the URL's keys, the checks made before
// any request, the usage object built from token counts, the request body of POST /v1/cost, the time
// of the call and the monthly estimate. The rules are web/README.md "Cost" and "Compare".
import { times } from './money.ts';

export const USAGE_FORMATS = ['openai', 'openrouter', 'anthropic', 'gemini', 'cohere'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

/** The token counts a person types, each under its URL key. */
export const COUNT_FIELDS = [
  { key: 'in', label: 'Input tokens (not cached)' },
  { key: 'cr', label: 'Cache read tokens' },
  { key: 'cw', label: 'Cache write tokens' },
  { key: 'out', label: 'Output tokens (not reasoning)' },
  { key: 'rs', label: 'Reasoning tokens' },
] as const;
export type CountKey = (typeof COUNT_FIELDS)[number]['key'];
export type Counts = Readonly<Record<CountKey, string>>;

/** What the URL holds of a usage: pasted JSON (with its format, '' = auto) or typed counts. */
export type UsageState =
  | { readonly mode: 'json'; readonly text: string; readonly format: UsageFormat | '' }
  | { readonly mode: 'counts'; readonly counts: Counts };

/** README: `in` 1000 and `out` 500 when the URL has no count at all. */
export const DEFAULT_COUNTS: Counts = { in: '1000', cr: '', cw: '', out: '500', rs: '' };
export const DEFAULT_CALLS = '10000';
const MAX_COUNT = 999_999_999;

export function usageStateOf(query: URLSearchParams): UsageState {
  const text = query.get('usage');
  if (text !== null) {
    const f = query.get('format') ?? '';
    return {
      mode: 'json',
      text,
      format: (USAGE_FORMATS as readonly string[]).includes(f) ? (f as UsageFormat) : '',
    };
  }
  if (!COUNT_FIELDS.some((c) => query.has(c.key))) return { mode: 'counts', counts: DEFAULT_COUNTS };
  const counts = Object.fromEntries(COUNT_FIELDS.map((c) => [c.key, query.get(c.key) ?? ''])) as Counts;
  return { mode: 'counts', counts };
}

/** The URL keys of a usage state (every usage key named, so the other mode's keys are removed). */
export function usageQueryOf(s: UsageState): Record<string, string | undefined> {
  const none = Object.fromEntries(COUNT_FIELDS.map((c) => [c.key, undefined]));
  if (s.mode === 'json') return { ...none, usage: s.text, format: s.format || undefined };
  const counts = Object.fromEntries(COUNT_FIELDS.map((c) => [c.key, s.counts[c.key] || '0']));
  return { usage: undefined, format: undefined, ...counts };
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A whole number from 0 to 999,999,999; empty is 0. */
function wholeCount(text: string, label: string): Checked<number> {
  const t = text.trim();
  if (t === '') return { ok: true, value: 0 };
  if (!/^\d{1,9}$/.test(t) || Number(t) > MAX_COUNT)
    return { ok: false, message: `${label}: “${text}” is not a whole number from 0 to 999,999,999.` };
  return { ok: true, value: Number(t) };
}

/**
 * The OpenRouter usage object of typed counts (README "Cost"): prompt_tokens includes cached and
 * written tokens, completion_tokens includes reasoning.
 */
export function usageOfCounts(counts: Counts): Checked<Record<string, unknown>> {
  const n: Partial<Record<CountKey, number>> = {};
  for (const f of COUNT_FIELDS) {
    const c = wholeCount(counts[f.key], f.label);
    if (!c.ok) return c;
    n[f.key] = c.value;
  }
  const v = n as Record<CountKey, number>;
  return {
    ok: true,
    value: {
      prompt_tokens: v.in + v.cr + v.cw,
      completion_tokens: v.out + v.rs,
      prompt_tokens_details: { cached_tokens: v.cr, cache_write_tokens: v.cw },
      completion_tokens_details: { reasoning_tokens: v.rs },
    },
  };
}

/** The pasted text as a usage object, or what is wrong with it (README "Cost"). */
export function usageOfText(text: string): Checked<Record<string, unknown>> {
  if (text.trim() === '') return { ok: false, message: 'Paste a usage object (JSON) first.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      message: `The usage is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    return { ok: false, message: `The usage must be a JSON object ({…}), not ${what}.` };
  }
  const obj = parsed as Record<string, unknown>;
  const inner = obj.usage;
  // A whole response body pasted: its `usage` member is the usage.
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner))
    return { ok: true, value: inner as Record<string, unknown> };
  return { ok: true, value: obj };
}

/** The usage part of a POST /v1/cost body: `usage` and, when known, `format`. */
export function usageBodyOf(
  s: UsageState,
): Checked<{ usage: Record<string, unknown>; format?: UsageFormat }> {
  if (s.mode === 'counts') {
    const u = usageOfCounts(s.counts);
    return u.ok ? { ok: true, value: { usage: u.value, format: 'openrouter' } } : u;
  }
  const u = usageOfText(s.text);
  if (!u.ok) return u;
  return { ok: true, value: { usage: u.value, ...(s.format ? { format: s.format } : {}) } };
}

/** `?at=` as the URL holds it (`YYYY-MM-DDTHH:MM:SSZ`), or '' (now) when absent or malformed. */
export function atOfQuery(query: URLSearchParams): string {
  const at = query.get('at') ?? '';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(at) && !Number.isNaN(Date.parse(at)) ? at : '';
}

/** A datetime-local value, read as UTC: `2026-08-19T12:00` → `2026-08-19T12:00:00Z`; '' stays ''. */
export function atOfLocalInput(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?/.exec(value);
  return m ? `${m[1]}${m[2] ?? ':00'}Z` : '';
}

/** The datetime-local value of an `at`: `2026-08-19T12:00:00Z` → `2026-08-19T12:00`. */
export function localInputOfAt(at: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})/.exec(at);
  return m ? m[1]! : '';
}

/** Calls a month: a whole number from 1 to 1,000,000,000. */
export function callsOf(text: string): Checked<string> {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) < 1 || Number(t) > 1_000_000_000)
    return { ok: false, message: `Calls a month: “${text}” is not a whole number from 1 to 1,000,000,000.` };
  return { ok: true, value: String(Number(t)) };
}

/** The cost of N calls of one shape, exact: `catalog_total × n`. */
export function monthlyEstimate(catalogTotal: string, calls: string): string {
  return times(catalogTotal, calls);
}

/** A form's usage: both modes' values, so switching modes keeps what was typed. */
export interface UsageDraft {
  readonly mode: 'counts' | 'json';
  readonly counts: Counts;
  readonly text: string;
  readonly format: UsageFormat | '';
}

export function draftOf(s: UsageState): UsageDraft {
  return s.mode === 'json'
    ? { mode: 'json', counts: DEFAULT_COUNTS, text: s.text, format: s.format }
    : { mode: 'counts', counts: s.counts, text: '', format: '' };
}

export function stateOfDraft(d: UsageDraft): UsageState {
  return d.mode === 'json'
    ? { mode: 'json', text: d.text, format: d.format }
    : { mode: 'counts', counts: d.counts };
}
