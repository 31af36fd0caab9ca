// Text helpers shared by the layout parsers: label matching and reading money out of a cell.
import { NO_CONDITIONS, parseTierLabel, tierLabel } from '@llmpt/schemas';

/** A table cell: its visible text, and the text of struck-through parts (<del>, <s>, ~~x~~): a list price next to a promo. */
export interface Cell {
  readonly text: string;
  readonly struck: string;
}

/** A value read from a cell: the money as published ("$0.435") or "0" for "Free", and a tier label (tiers.ts grammar). */
export interface CellValue {
  readonly raw: string;
  readonly tier: string | null;
}

const MONEY = /\$\s?(\d[\d,]*(?:\.\d+)?)/;
const MONEY_ALL = /\$\s?(\d[\d,]*(?:\.\d+)?)/g;
const EMPTY = /^(?:-|—|–|\\|n\/a|not available|tbd|)$/i;
const FREE = /^free(?: of charge)?$/i;
const PROMO = tierLabel({ ...NO_CONDITIONS, variant: 'promo' });

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Case-, width- and spacing-insensitive form of a label ("（Beta）" and "(Beta)" compare equal). */
export function normalizeLabel(text: string): string {
  return collapse(text.normalize('NFKC').replace(/\*/g, '').toLowerCase());
}

/**
 * A model name as the mapping keys are written: trailing notes in parentheses ("(deprecated)",
 * "(limited availability)"), emoji and footnote markers dropped, so "Claude Opus 4.1 (deprecated)"
 * finds the key "Claude Opus 4.1".
 */
export function normalizeModelName(text: string): string {
  let name = normalizeLabel(text);
  for (;;) {
    const next = name.replace(/\s*\([^()]*\)\s*$/, '').trim();
    if (next === name) break;
    name = next;
  }
  return name.replace(/[^\p{L}\p{N})]+$/u, '').trim();
}

/**
 * True when a label is the key (case, width and spacing aside). With `prefix`, also the key followed by
 * a qualifier: "Output price (including thinking tokens)" matches "Output price". Column headers are
 * matched exactly so "Cached Input Storage" is never read as "Cached Input".
 */
export function labelMatches(text: string, key: string, prefix = false): boolean {
  const t = normalizeLabel(text);
  const k = normalizeLabel(key);
  if (t === k) return true;
  return prefix && (t.startsWith(`${k} `) || t.startsWith(`${k}(`) || t.startsWith(`${k},`));
}

export function findLabel<T>(
  text: string,
  table: Readonly<Record<string, T>>,
  prefix = false,
): [string, T] | undefined {
  // Longest key first: with prefix matching the most specific key wins.
  const keys = Object.keys(table).sort((a, b) => b.length - a.length);
  for (const key of keys) if (labelMatches(text, key, prefix)) return [key, table[key] as T];
  return undefined;
}

/** "$1,250.50" → "$1250.50": the published figure, thousands separators dropped so it parses as a decimal. */
export function moneyToken(text: string): string | null {
  const m = MONEY.exec(text);
  return m?.[1] === undefined ? null : `$${m[1].replace(/,/g, '')}`;
}

export function allMoneyTokens(text: string): { raw: string; index: number; end: number }[] {
  return [...text.matchAll(MONEY_ALL)].map((m) => ({
    raw: `$${(m[1] ?? '').replace(/,/g, '')}`,
    index: m.index,
    end: m.index + m[0].length,
  }));
}

export function isEmptyCell(text: string): boolean {
  return EMPTY.test(collapse(text));
}

/**
 * The values of one price cell. A cell with a struck-through list price and a promo price
 * ("$0.435 (75% off) ~~$1.74~~") gives the list price as the base value and the promo as a separate
 * tier `variant=promo`: the list price is what the provider charges once the promotion ends, and the
 * normalizer's "highest per dimension" rule then publishes the list price, never the promo.
 */
export function cellValues(cell: Cell): CellValue[] {
  const text = collapse(cell.text);
  if (isEmptyCell(text)) return [];
  if (FREE.test(text)) return [{ raw: '0', tier: null }];
  const list = cell.struck === '' ? null : moneyToken(cell.struck);
  if (list !== null) {
    const promoText = text.replace(collapse(cell.struck), ' ');
    const promo = moneyToken(promoText);
    return promo === null
      ? [{ raw: list, tier: null }]
      : [
          { raw: list, tier: null },
          { raw: promo, tier: PROMO },
        ];
  }
  const raw = moneyToken(text);
  return raw === null ? [] : [{ raw, tier: null }];
}

/**
 * One tier out of the parts a page gives it (a section's "variant=batch", a column group's
 * "prompt_tokens>272000", a cell's promo), in the one grammar of tiers.ts: "prompt_tokens>272000 &
 * variant=promo". null when no part names a tier.
 */
export function joinTiers(...tiers: (string | null | undefined)[]): string | null {
  const parts = tiers.filter((t): t is string => typeof t === 'string' && t !== '');
  return parts.length === 0 ? null : tierLabel(parseTierLabel(parts.join(' & ')));
}
