// The catalog page's logic (pure): the cheapest and dearest host, the search, the filters and the sort
// of `GET /v1/catalog`'s entries, and the page's state as it stands in the URL. The rules are
// web/README.md "Catalog"; catalog.unit.test.ts checks them case by case.
import { Decimal } from 'decimal.js';
import { compareDecimal } from './money.ts';

/** Four amounts of a price, USD per 1M tokens as decimal strings (services/api/README.md "The catalog"). */
export interface ListedAmounts {
  readonly prompt: string | null;
  readonly completion: string | null;
  readonly input_cache_read: string | null;
  readonly input_cache_write: string | null;
}

export interface CatalogProvider extends ListedAmounts {
  readonly provider: string;
  readonly source: string;
  readonly status: 'ok' | 'unavailable';
  readonly has_tiers: boolean;
  readonly observed_at: string;
}

export interface LastChange {
  readonly at: string;
  readonly kind: string;
  readonly alert: boolean;
  readonly provider: string | null;
}

export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly created: number | null;
  readonly context_length: number | null;
  readonly input_modalities: readonly string[];
  readonly output_modalities: readonly string[];
  readonly expiration_date: string | null;
  readonly routed: ListedAmounts | null;
  readonly free: boolean;
  readonly providers: readonly CatalogProvider[];
  readonly has_tiers: boolean;
  readonly last_change: LastChange | null;
}

export interface CatalogResponse {
  readonly data: readonly CatalogEntry[];
  readonly providers: readonly string[];
}

/** A host candidate: a provider's price with both an input and an output amount, and their sum. */
export interface Host {
  readonly provider: string;
  readonly source: string;
  readonly prompt: string;
  readonly completion: string;
  /** prompt + completion, exact: the cost of 1M tokens in and 1M out. */
  readonly blend: string;
}

const codePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The candidates of a model, cheapest first (ties: provider, then source, in code-point order). */
export function hostsByBlend(providers: readonly CatalogProvider[]): Host[] {
  const hosts: Host[] = [];
  for (const p of providers) {
    if (p.status !== 'ok' || p.prompt === null || p.completion === null) continue;
    hosts.push({
      provider: p.provider,
      source: p.source,
      prompt: p.prompt,
      completion: p.completion,
      blend: new Decimal(p.prompt).plus(new Decimal(p.completion)).toFixed(),
    });
  }
  return hosts.sort(
    (a, b) =>
      compareDecimal(a.blend, b.blend) || codePoint(a.provider, b.provider) || codePoint(a.source, b.source),
  );
}

/** The cheapest and dearest host (web/README.md "Cheapest and dearest host"); null without candidates. */
export function cheapestAndDearest(providers: readonly CatalogProvider[]): {
  cheapest: Host | null;
  dearest: Host | null;
} {
  const hosts = hostsByBlend(providers);
  if (hosts.length === 0) return { cheapest: null, dearest: null };
  const top = hosts[hosts.length - 1]!;
  // The dearest: the highest blend; among equal blends, the first provider (then source).
  const dearest = hosts.find((h) => compareDecimal(h.blend, top.blend) === 0)!;
  return { cheapest: hosts[0]!, dearest };
}

export const SORT_KEYS = ['name', 'input', 'output', 'cheapest', 'context', 'change'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

/** The page's state, as the URL holds it (web/README.md "Catalog"). */
export interface CatalogState {
  readonly q: string;
  readonly provider: string;
  readonly in: string;
  readonly out: string;
  readonly free: boolean;
  readonly tiers: boolean;
  readonly sort: SortKey;
  readonly dir: SortDir;
}

export const DEFAULT_STATE: CatalogState = {
  q: '',
  provider: '',
  in: '',
  out: '',
  free: false,
  tiers: false,
  sort: 'name',
  dir: 'asc',
};

export function stateOf(query: URLSearchParams): CatalogState {
  const sort = query.get('sort') ?? '';
  const dir = query.get('dir');
  return {
    q: query.get('q') ?? '',
    provider: query.get('provider') ?? '',
    in: query.get('in') ?? '',
    out: query.get('out') ?? '',
    free: query.get('free') === '1',
    tiers: query.get('tiers') === '1',
    sort: (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : 'name',
    dir: dir === 'desc' ? 'desc' : 'asc',
  };
}

/** The query of a state: defaults left out (so equal states give equal URLs). */
export function queryOf(state: CatalogState): Record<string, string | undefined> {
  return {
    q: state.q === '' ? undefined : state.q,
    provider: state.provider || undefined,
    in: state.in || undefined,
    out: state.out || undefined,
    free: state.free ? '1' : undefined,
    tiers: state.tiers ? '1' : undefined,
    sort: state.sort === 'name' ? undefined : state.sort,
    dir: state.dir === 'asc' ? undefined : state.dir,
  };
}

/** An entry with what the page computes once per answer (not per keystroke). */
export interface CatalogRow {
  readonly entry: CatalogEntry;
  readonly cheapest: Host | null;
  readonly dearest: Host | null;
  /** Name and id, lower-cased, for the search. */
  readonly haystack: string;
  readonly nameKey: string;
}

export function rowsOf(entries: readonly CatalogEntry[]): CatalogRow[] {
  return entries.map((entry) => ({
    entry,
    ...cheapestAndDearest(entry.providers),
    haystack: `${entry.name}\n${entry.id}`.toLowerCase(),
    nameKey: entry.name.toLowerCase(),
  }));
}

export function matches(row: CatalogRow, state: CatalogState): boolean {
  const words = state.q
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (!words.every((w) => row.haystack.includes(w))) return false;
  const e = row.entry;
  if (state.provider !== '' && !e.providers.some((p) => p.provider === state.provider && p.status === 'ok'))
    return false;
  if (state.in !== '' && !e.input_modalities.includes(state.in)) return false;
  if (state.out !== '' && !e.output_modalities.includes(state.out)) return false;
  if (state.free && !e.free) return false;
  if (state.tiers && !e.has_tiers) return false;
  return true;
}

type Value = { kind: 'decimal'; v: string } | { kind: 'number'; v: number } | { kind: 'text'; v: string };

function valueOf(row: CatalogRow, key: SortKey): Value | null {
  const e = row.entry;
  switch (key) {
    case 'name':
      return { kind: 'text', v: row.nameKey };
    case 'input':
      return e.routed?.prompt != null ? { kind: 'decimal', v: e.routed.prompt } : null;
    case 'output':
      return e.routed?.completion != null ? { kind: 'decimal', v: e.routed.completion } : null;
    case 'cheapest':
      return row.cheapest ? { kind: 'decimal', v: row.cheapest.blend } : null;
    case 'context':
      return e.context_length !== null ? { kind: 'number', v: e.context_length } : null;
    case 'change':
      return e.last_change ? { kind: 'number', v: Date.parse(e.last_change.at) } : null;
  }
}

function compareValues(a: Value, b: Value): number {
  if (a.kind === 'decimal' && b.kind === 'decimal') return compareDecimal(a.v, b.v);
  if (a.kind === 'number' && b.kind === 'number') return a.v - b.v;
  return codePoint(String(a.v), String(b.v));
}

/** The rows that match, in the state's order (a missing value last both ways; ties by id). */
export function visibleRows(rows: readonly CatalogRow[], state: CatalogState): CatalogRow[] {
  const sign = state.dir === 'desc' ? -1 : 1;
  const keyed = rows
    .filter((r) => matches(r, state))
    .map((row) => ({ row, value: valueOf(row, state.sort) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else {
      const c = compareValues(a.value, b.value);
      if (c !== 0) return sign * c;
    }
    return codePoint(a.row.entry.id, b.row.entry.id);
  });
  return keyed.map((k) => k.row);
}

/** The modalities found in the catalog, sorted: the options of the modality filters. */
export function modalitiesOf(entries: readonly CatalogEntry[], which: 'input' | 'output'): string[] {
  const set = new Set<string>();
  for (const e of entries)
    for (const m of which === 'input' ? e.input_modalities : e.output_modalities) set.add(m);
  return [...set].sort(codePoint);
}

const DAY = 86_400_000;

/** web/README.md "Last change": `today`, `yesterday`, `N days ago`, `N months ago`, `N years ago`. */
export function relativeDate(at: string, now: number): string {
  const days = Math.max(0, Math.floor((now - Date.parse(at)) / DAY));
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 60) return `${days} days ago`;
  if (days < 730) return `${Math.floor(days / 30)} months ago`;
  return `${Math.floor(days / 365)} years ago`;
}
