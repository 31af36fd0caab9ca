// The Atom 1.0 feed of price changes (RFC 4287), as services/api/README.md "Changes as an Atom feed"
// describes it. Pure: the changes, the filters and the request's origin in, the XML text out.
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Change } from '../schemas.ts';

export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';
const EPOCH = '1970-01-01T00:00:00.000Z';

interface Move {
  readonly dimension?: unknown;
  readonly previous?: unknown;
  readonly current?: unknown;
  readonly relative_change?: unknown;
  readonly tier?: unknown;
}

/** XML text and attribute escaping. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The feed id: `urn:llmpt:changes`, or with filters the hex SHA-256 of `k=v&...` sorted by key. */
export function feedId(filters: Readonly<Record<string, string | undefined>>): string {
  const pairs = Object.entries(filters)
    .filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'limit')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return 'urn:llmpt:changes';
  return `urn:llmpt:changes:${createHash('sha256').update(pairs.join('&')).digest('hex')}`;
}

/** The fields of a stored change item are strings or null (DimensionChange); a number is printed as is. */
const str = (v: unknown): string | null =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : v === null || v === undefined
        ? null
        : JSON.stringify(v);

/** `[tier] dimension: previous → current` (in a title without the colon), a missing value `none`. */
function moveText(m: Move, sep = ': '): string {
  const tier = str(m.tier);
  return `${tier ? `[${tier}] ` : ''}${str(m.dimension) ?? '?'}${sep}${str(m.previous) ?? 'none'} → ${str(m.current) ?? 'none'}`;
}

/** ` (+x%)` / ` (-x%)`: the relative change × 100 to two decimals; '' without one. */
function percent(m: Move): string {
  const rel = str(m.relative_change);
  if (rel === null) return '';
  const p = new Decimal(rel).times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
  return ` (${p.isNegative() ? '-' : '+'}${p.abs().toFixed(2)}%)`;
}

export function entryTitle(c: Change): string {
  const head = `${c.model_id} · ${c.provider ?? 'openrouter'} · ${c.kind}`;
  if (c.kind === 'expiring') return `${head}: expires ${c.expiration_date ?? 'unknown'}`;
  const moves = c.changes as Move[];
  const first = moves[0];
  if (!first) return head;
  return `${head}: ${moveText(first, ' ')}${moves.length > 1 ? ` (+${moves.length - 1} more)` : ''}`;
}

export function entryContent(c: Change): string {
  const lines = (c.changes as Move[]).map((m) => `${moveText(m)}${percent(m)}`);
  if (c.kind === 'expiring') lines.push(`expires ${c.expiration_date ?? 'unknown'}`);
  lines.push(`source: ${c.source}, alert: ${c.alert ? 'yes' : 'no'}`);
  return lines.join('\n');
}

export function historyLink(origin: string, c: Change): string {
  return `${origin}/v1/models/${c.model_id}/history?provider=${encodeURIComponent(c.provider ?? 'openrouter')}`;
}

export interface AtomFeedInput {
  /** Newest first. */
  readonly changes: readonly Change[];
  readonly filters: Readonly<Record<string, string | undefined>>;
  /** `https://api.example` (no trailing slash). */
  readonly origin: string;
  /** The request's own path and query, for the self link. */
  readonly selfPath: string;
}

export function toAtomFeed(input: AtomFeedInput): string {
  const e = xmlEscape;
  const updated = input.changes[0]?.at ?? EPOCH;
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${e(feedId(input.filters))}</id>`,
    '  <title>LLM price changes</title>',
    `  <updated>${e(updated)}</updated>`,
    '  <author><name>LLM Price Tracker</name></author>',
    `  <link rel="self" type="application/atom+xml" href="${e(input.origin + input.selfPath)}"/>`,
  ];
  for (const c of input.changes)
    out.push(
      '  <entry>',
      `    <id>urn:llmpt:event:${e(c.event_id)}</id>`,
      `    <title type="text">${e(entryTitle(c))}</title>`,
      `    <updated>${e(c.at)}</updated>`,
      `    <link rel="alternate" type="application/json" href="${e(historyLink(input.origin, c))}"/>`,
      `    <content type="text">${e(entryContent(c))}</content>`,
      '  </entry>',
    );
  out.push('</feed>', '');
  return out.join('\n');
}
