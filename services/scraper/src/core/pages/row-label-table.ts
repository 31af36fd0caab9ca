// Rows are (model, row label) pairs, columns are tiers (cloud.google.com Vertex AI pricing): the model
// cell spans its rows (rowspan, expanded by the grid), the "Type" cell names the dimension, each price
// column is a tier, and a column may price another dimension than its row ("cached input tokens").
import * as cheerio from 'cheerio';
import type { RowLabelTableParserConfig } from '../providers-config.ts';
import { NamedPrices, dimensionOf, toComponents } from './components.ts';
import { htmlTableGrids, type Grid } from './grid.ts';
import { cellValues, collapse, findLabel, labelMatches } from './text.ts';
import type { LayoutResult } from './types.ts';

function headerRow(grid: Grid, headers: readonly string[]): number {
  return grid.rows.findIndex((row) => headers.every((h) => row.some((c) => labelMatches(c.text, h))));
}

export function parseRowLabelTableLayout(cfg: RowLabelTableParserConfig, body: string): LayoutResult {
  const $ = cheerio.load(body);
  const labelFrom = cfg.sections
    ? { closest: cfg.sections.closest, labelSelector: cfg.sections.labelSelector }
    : undefined;
  const grids = htmlTableGrids($, cfg.tableSelector, labelFrom);
  if (grids.length === 0)
    return { named: [], problems: [`page layout changed: selector "${cfg.tableSelector}" matched nothing`] };
  const out = new NamedPrices();
  let used = 0;
  for (const grid of grids) {
    let sectionTier: string | null = null;
    if (cfg.sections) {
      const found = grid.label === null ? undefined : findLabel(grid.label, cfg.sections.include);
      if (!found) continue;
      sectionTier = found[1];
    }
    const h = headerRow(grid, cfg.headers);
    if (h < 0) continue;
    const header = grid.rows[h] ?? [];
    const modelCol = header.findIndex((c) => labelMatches(c.text, cfg.modelColumn));
    const labelCol = header.findIndex((c) => labelMatches(c.text, cfg.labelColumn));
    if (modelCol < 0 || labelCol < 0) continue;
    used++;
    for (const row of grid.rows.slice(h + 1)) {
      const name = collapse(row[modelCol]?.text ?? '');
      const label = row[labelCol]?.text ?? '';
      // The model's own row (its spanning cell only) repeats the name in the label column: no prices.
      if (name === '' || label === '' || label === row[modelCol]?.text) continue;
      const rowDim = findLabel(label, cfg.rows, true);
      if (!rowDim) continue;
      const { dimension, unit } = dimensionOf(rowDim[1]);
      row.forEach((cell, col) => {
        if (col === modelCol || col === labelCol) return;
        const column = findLabel(header[col]?.text ?? '', cfg.columns);
        if (!column) return;
        const { tier, as } = column[1];
        const target = as ? as[dimension] : dimension;
        if (target === undefined) return;
        out.add(
          name,
          toComponents(
            { dimension: target, unit: unit as 'per_1m_tokens' },
            cellValues(cell),
            sectionTier,
            tier,
          ),
        );
      });
    }
  }
  const problems =
    used === 0
      ? [
          `page layout changed: no table with headers ${JSON.stringify(cfg.headers)} (of ${grids.length} tables)`,
        ]
      : [];
  return { named: out.list(), problems };
}
