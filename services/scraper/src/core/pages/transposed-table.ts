// Column-per-model tables (api-docs.deepseek.com): a "MODEL" row names the models, the rows below it
// are labelled in the column just before the first model column (a rowspan'd "PRICING" sits further left).
import * as cheerio from 'cheerio';
import type { TransposedTableParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { htmlTableGrids } from './grid.ts';
import { cellValues, findLabel, labelMatches } from './text.ts';
import type { LayoutResult } from './types.ts';

export function parseTransposedTableLayout(cfg: TransposedTableParserConfig, body: string): LayoutResult {
  const $ = cheerio.load(body);
  const grids = htmlTableGrids($, cfg.tableSelector);
  if (grids.length === 0)
    return { named: [], problems: [`page layout changed: selector "${cfg.tableSelector}" matched nothing`] };
  const out = new NamedPrices();
  let found = false;
  for (const grid of grids) {
    const m = grid.rows.findIndex((row) => labelMatches(row[0]?.text ?? '', cfg.modelRow));
    if (m < 0) continue;
    found = true;
    const modelRow = grid.rows[m] ?? [];
    const rowLabel = modelRow[0]?.text ?? '';
    // Model columns are those whose cell is not the (colspanned) row label itself.
    const modelCols = modelRow.flatMap((c, i) => (i > 0 && c.text !== rowLabel && c.text !== '' ? [i] : []));
    const first = modelCols[0];
    if (first === undefined) continue;
    for (const row of grid.rows.slice(m + 1)) {
      const dim = findLabel(row[first - 1]?.text ?? '', cfg.rows);
      if (!dim) continue;
      for (const col of modelCols) {
        const name = modelRow[col]?.text ?? '';
        const cell = row[col];
        if (cell) out.add(name, toComponents(dim[1], cellValues(cell)));
      }
    }
  }
  const problems = found ? [] : [`page layout changed: no table with a "${cfg.modelRow}" row`];
  return { named: out.list(), problems };
}
