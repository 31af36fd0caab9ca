// A table rendered one cell per line (the Jina reader's rendering of siliconflow.com's CSS-grid
// tables): the header cells as consecutive lines, then per row the model name, the other cells, each
// price as a "$" line followed by its figure, and a closing "[Details](...)" line. An empty cell leaves
// no line at all, so a row showing fewer prices than there are price columns is ambiguous in its middle:
// only its first price (the first price column) and its last (the last price column) are read.
import type { FlatTableParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { cellValues, collapse, findLabel, labelMatches } from './text.ts';
import type { LayoutResult } from './types.ts';

/** The figures of one row's lines: "$" then "0.14" is "$0.14"; "$0.14" on one line also counts. */
function rowPrices(lines: readonly string[]): string[] {
  const prices: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '$' && /^\d[\d,]*(?:\.\d+)?$/.test(lines[i + 1] ?? '')) {
      prices.push(`$${lines[i + 1]}`);
      i++;
    } else if (/^\$\s?\d[\d,]*(?:\.\d+)?$/.test(line)) prices.push(line);
  }
  return prices;
}

export function parseFlatTableLayout(cfg: FlatTableParserConfig, body: string): LayoutResult {
  const lines = body
    .split(/\r?\n/)
    .map(collapse)
    .filter((l) => l !== '');
  const rowEnd = new RegExp(cfg.rowEnd, 'u');
  const tableEnd = new RegExp(cfg.tableEnd, 'u');
  const priceColumns = cfg.headers
    .map((h) => findLabel(h, cfg.columns))
    .filter((d): d is NonNullable<typeof d> => d !== undefined);
  const out = new NamedPrices();
  let tables = 0;
  for (let i = 0; i + cfg.headers.length <= lines.length; i++) {
    if (!cfg.headers.every((h, k) => labelMatches(lines[i + k] ?? '', h))) continue;
    tables++;
    let row: string[] = [];
    let j = i + cfg.headers.length;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (tableEnd.test(line)) break;
      if (!rowEnd.test(line)) {
        row.push(line);
        continue;
      }
      const [name, ...cells] = row;
      row = [];
      if (name === undefined) continue;
      const prices = rowPrices(cells);
      const n = priceColumns.length;
      const picks: [number, string][] =
        prices.length === n
          ? prices.map((p, k) => [k, p])
          : prices.length >= 2
            ? [
                [0, prices[0]!],
                [n - 1, prices[prices.length - 1]!],
              ]
            : [];
      for (const [k, raw] of picks) {
        const spec = priceColumns[k]?.[1];
        if (spec) out.add(name, toComponents(spec, cellValues({ text: raw, struck: '' })));
      }
    }
    i = j;
  }
  const problems =
    tables === 0 ? [`page layout changed: no header lines ${JSON.stringify(cfg.headers)} on the page`] : [];
  return { named: out.list(), problems };
}
