// The one tier grammar (docs/price-model.md §2): typed conditions, their label (how raw events name a
// tier), and whether a tier applies to a call. Every source's tiers go through here: OpenRouter
// overrides, endpoint variants, provider pages.
import { PoisonInputError } from '@llmpt/core';

/** A tier's conditions. Every field null/empty: the base price. All present conditions must hold. */
export interface TierConditions {
  /** Applies when the request's prompt tokens (cached included) are ≥ this (inclusive boundary). */
  readonly prompt_tokens_gte: number | null;
  /** Applies when the request's prompt tokens are > this (strict boundary). */
  readonly prompt_tokens_gt: number | null;
  /** UTC window start, minutes after midnight (inclusive). */
  readonly utc_start: number | null;
  /** UTC window end, minutes after midnight (exclusive); ≤ start wraps midnight; = start is all day. */
  readonly utc_end: number | null;
  /** A named alternative usage cannot select (a quantization, "promo", "batch"). */
  readonly variant: string | null;
  /** Any other condition as published, `key=value` (e.g. utc_days=weekend). */
  readonly other: readonly string[];
}

export const NO_CONDITIONS: TierConditions = {
  prompt_tokens_gte: null,
  prompt_tokens_gt: null,
  utc_start: null,
  utc_end: null,
  variant: null,
  other: [],
};

/** A tier label the grammar cannot read: poison input, code INVALID_TIER. */
export class TierLabelError extends PoisonInputError {
  declare readonly code: 'INVALID_TIER';
  constructor(message: string) {
    super('INVALID_TIER', message);
  }
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The canonical label of a tier: the same conditions always print the same label. */
export function tierLabel(c: TierConditions): string {
  const parts: string[] = [];
  if (c.prompt_tokens_gte !== null) parts.push(`prompt_tokens>=${c.prompt_tokens_gte}`);
  if (c.prompt_tokens_gt !== null) parts.push(`prompt_tokens>${c.prompt_tokens_gt}`);
  if (c.utc_start !== null || c.utc_end !== null)
    parts.push(`utc ${hhmm(c.utc_start ?? 0)}-${hhmm(c.utc_end ?? c.utc_start ?? 0)}`);
  if (c.variant !== null) parts.push(`variant=${c.variant}`);
  parts.push(...[...c.other].sort());
  return parts.join(' & ');
}

const INT = /^\d{1,15}$/;
const WINDOW = /^utc (\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function minutesOf(h: string, m: string, label: string): number {
  const hours = Number(h);
  const mins = Number(m);
  if (hours > 24 || mins > 59 || (hours === 24 && mins > 0))
    throw new TierLabelError(`tier ${JSON.stringify(label)}: ${h}:${m} is not a time of day`);
  return (hours * 60 + mins) % 1440;
}

/**
 * A tier label back to its conditions. Reads the v2 grammar and the labels written before it:
 * `min_prompt_tokens>=N` (OpenRouter overrides, inclusive), `min_prompt_tokens=N` (provider pages that
 * state "> N": strict), `;` between parts, and a bare word (`fp8`, `promo`) as a variant.
 */
export function parseTierLabel(label: string): TierConditions {
  const parts = label
    .split(/\s*(?:&|;)\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new TierLabelError('empty tier label');
  let gte: number | null = null;
  let gt: number | null = null;
  let start: number | null = null;
  let end: number | null = null;
  const variants: string[] = [];
  const other: string[] = [];
  for (const part of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^(?:min_)?prompt_tokens\s*>=\s*(\S+)$/.exec(part))) gte = count(m[1]!, label);
    else if ((m = /^prompt_tokens\s*>\s*(\S+)$/.exec(part))) gt = count(m[1]!, label);
    else if ((m = /^min_prompt_tokens\s*=\s*(\S+)$/.exec(part))) gt = count(m[1]!, label);
    else if ((m = WINDOW.exec(part))) {
      start = minutesOf(m[1]!, m[2]!, label);
      end = minutesOf(m[3]!, m[4]!, label);
    } else if ((m = /^variant=(.+)$/.exec(part))) variants.push(m[1]!);
    else if (part.includes('=')) other.push(part);
    else variants.push(part);
  }
  return {
    prompt_tokens_gte: gte,
    prompt_tokens_gt: gt,
    utc_start: start,
    utc_end: end,
    variant: variants.length === 0 ? null : variants.join('+'),
    other,
  };
}

function count(text: string, label: string): number {
  if (!INT.test(text))
    throw new TierLabelError(`tier ${JSON.stringify(label)}: ${text} is not a token count`);
  return Number(text);
}

/** HHMM as OpenRouter publishes it (1000 = 10:00, 100 = 01:00, 0 = 00:00) to minutes after midnight. */
function hhmmToMinutes(value: string, key: string): number | string {
  if (!/^\d{1,4}$/.test(value)) return `${key}=${value}`;
  const n = Number(value);
  const hours = Math.floor(n / 100);
  const mins = n % 100;
  if (hours > 24 || mins > 59 || (hours === 24 && mins > 0)) return `${key}=${value}`;
  return (hours * 60 + mins) % 1440;
}

/** The conditions of one OpenRouter `pricing.overrides[]` entry (its condition keys, values as text). */
export function conditionsOfOverride(conditions: Readonly<Record<string, string>>): TierConditions {
  let gte: number | null = null;
  let start: number | null = null;
  let end: number | null = null;
  const other: string[] = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (key === 'min_prompt_tokens' && INT.test(value)) gte = Number(value);
    else if (key === 'utc_start' || key === 'utc_end') {
      const m = hhmmToMinutes(value, key);
      if (typeof m === 'string') other.push(m);
      else if (key === 'utc_start') start = m;
      else end = m;
    } else other.push(`${key}=${value}`);
  }
  // A window needs both ends; one alone is kept as published.
  if ((start === null) !== (end === null)) {
    if (start !== null) other.push(`utc_start=${conditions.utc_start ?? ''}`);
    if (end !== null) other.push(`utc_end=${conditions.utc_end ?? ''}`);
    start = null;
    end = null;
  }
  return { ...NO_CONDITIONS, prompt_tokens_gte: gte, utc_start: start, utc_end: end, other };
}

/** Whether usage can select the tier (no variant, no unknown condition). */
export function isSelectable(c: TierConditions): boolean {
  return c.variant === null && c.other.length === 0;
}

export interface CallContext {
  /** Every input token of the request, cached ones included. */
  readonly promptTokens: number;
  /** When the call was made (epoch millis or Date). */
  readonly at: number | Date;
}

/** Minutes after UTC midnight of an instant. */
export function utcMinuteOfDay(at: number | Date): number {
  const d = at instanceof Date ? at : new Date(at);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** Whether a UTC minute of the day falls in [start, end), wrapping midnight when end ≤ start. */
export function inUtcWindow(minute: number, start: number, end: number): boolean {
  if (start === end) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** Whether a selectable tier applies to a call; a tier usage cannot select never applies. */
export function tierApplies(c: TierConditions, call: CallContext): boolean {
  if (!isSelectable(c)) return false;
  if (c.prompt_tokens_gte !== null && !(call.promptTokens >= c.prompt_tokens_gte)) return false;
  if (c.prompt_tokens_gt !== null && !(call.promptTokens > c.prompt_tokens_gt)) return false;
  if (
    c.utc_start !== null &&
    c.utc_end !== null &&
    !inUtcWindow(utcMinuteOfDay(call.at), c.utc_start, c.utc_end)
  )
    return false;
  return true;
}
