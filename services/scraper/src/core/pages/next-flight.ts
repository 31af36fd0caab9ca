// Next.js app-router pages (mistral.ai/pricing) ship their data as escaped JSON strings in
// `self.__next_f.push([1, "..."])` scripts; the visible DOM has no prices until hydration. We decode
// the payload and walk it for {name, price: [{value: label, price_dollar: "$0.5"}]} objects.
import type { NextFlightParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { cellValues, collapse, findLabel } from './text.ts';
import type { LayoutResult } from './types.ts';

const PUSH = /self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\]\)/g;

/** The concatenated flight payload, or null when the page has none. */
export function nextFlightPayload(html: string): string | null {
  const chunks: string[] = [];
  for (const m of html.matchAll(PUSH)) {
    try {
      chunks.push(JSON.parse(m[1] ?? '""') as string);
    } catch {
      // A chunk that is not a JSON string literal is not ours to read.
    }
  }
  return chunks.length === 0 ? null : chunks.join('');
}

/** Each "id:JSON" row of the payload that parses as JSON (text and module rows are skipped). */
export function flightRows(payload: string): unknown[] {
  const rows: unknown[] = [];
  for (const line of payload.split('\n')) {
    const m = /^[0-9a-f]+:([[{].*)$/s.exec(line);
    if (!m) continue;
    try {
      rows.push(JSON.parse(m[1] ?? ''));
    } catch {
      // Rows split across chunks or holding non-JSON references are skipped.
    }
  }
  return rows;
}

/** Flight escapes strings that start with "$" as "$$"; the value may also be an HTML snippet ("<p>$0.5</p>"). */
export function flightText(value: string): string {
  const unescaped = value.startsWith('$$') ? value.slice(1) : value;
  return collapse(unescaped.replace(/<[^>]*>/g, ' '));
}

export function parseNextFlightLayout(cfg: NextFlightParserConfig, body: string): LayoutResult {
  const payload = nextFlightPayload(body);
  if (payload === null)
    return { named: [], problems: ['page layout changed: no self.__next_f payload on the page'] };
  const out = new NamedPrices();
  let entries = 0;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    const name = rec[cfg.nameField];
    const prices = rec[cfg.pricesField];
    if (typeof name === 'string' && Array.isArray(prices)) {
      entries++;
      for (const p of prices) {
        if (p === null || typeof p !== 'object') continue;
        const label = (p as Record<string, unknown>)[cfg.labelField];
        const value = (p as Record<string, unknown>)[cfg.valueField];
        if (typeof label !== 'string' || typeof value !== 'string') continue;
        const dim = findLabel(label, cfg.labels);
        if (dim)
          out.add(collapse(name), toComponents(dim[1], cellValues({ text: flightText(value), struck: '' })));
      }
    }
    Object.values(rec).forEach(walk);
  };
  flightRows(payload).forEach(walk);
  const problems =
    entries === 0
      ? [`page layout changed: no {${cfg.nameField}, ${cfg.pricesField}[]} entries in the Next.js payload`]
      : [];
  return { named: out.list(), problems };
}
