// Row-per-model tables: a header row names the dimensions, optional group headers above it
// ("Short context" / "Long context") and the section the table sits in ("Standard" / "Batch") give tiers.
import * as cheerio from 'cheerio';
import type { TableParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { htmlTableGrids, markdownBlocks, type Grid } from './grid.ts';
import { cellValues, collapse, findLabel, labelMatches, type Cell } from './text.ts';
import type { LayoutResult } from './types.ts';

function headerRowIndex(grid: Grid, headers: readonly string[]): number {
  return grid.rows.findIndex((row) => headers.every((h) => row.some((c) => labelMatches(c.text, h))));
}

/**
 * The group label above column `col`. HTML colspans already repeat the label; a markdown rendering
 * loses the spans ("|  | Short context | Long context |" over 7 columns), so its groups are taken as
 * equal-width runs after the model column.
 */
function groupLabel(groupRow: readonly Cell[], width: number, col: number): string {
  if (groupRow.length >= width) return groupRow[col]?.text ?? '';
  const groups = groupRow.slice(1);
  if (groups.length === 0 || col === 0) return '';
  const size = Math.max(1, Math.floor((width - 1) / groups.length));
  return groups[Math.min(groups.length - 1, Math.floor((col - 1) / size))]?.text ?? '';
}

export function readRowTables(grids: readonly Grid[], cfg: TableParserConfig, out: NamedPrices): number {
  let used = 0;
  for (const grid of grids) {
    let sectionTier: string | null = null;
    if (cfg.sections) {
      const found = grid.label === null ? undefined : findLabel(grid.label, cfg.sections.include);
      if (!found) continue;
      sectionTier = found[1];
    }
    const h = headerRowIndex(grid, cfg.headers);
    if (h < 0) continue;
    used++;
    const header = grid.rows[h] ?? [];
    const groupRow = h > 0 ? grid.rows[h - 1] : undefined;
    const modelCol = cfg.modelColumn
      ? Math.max(
          0,
          header.findIndex((c) => labelMatches(c.text, cfg.modelColumn ?? '')),
        )
      : 0;
    for (const row of grid.rows.slice(h + 1)) {
      const name = collapse(row[modelCol]?.text ?? '');
      if (name === '' || headerRowIndex({ rows: [row], label: null }, cfg.headers) === 0) continue;
      row.forEach((cell, col) => {
        if (col === modelCol) return;
        const dim = findLabel(header[col]?.text ?? '', cfg.columns);
        if (!dim) return;
        let groupTier: string | null = null;
        if (cfg.groups && groupRow) {
          const g = findLabel(groupLabel(groupRow, header.length, col), cfg.groups);
          if (!g) return;
          groupTier = g[1];
        }
        out.add(name, toComponents(dim[1], cellValues(cell), sectionTier, groupTier));
      });
    }
  }
  return used;
}

export function parseTableLayout(cfg: TableParserConfig, body: string): LayoutResult {
  const out = new NamedPrices();
  let grids: Grid[];
  if (cfg.format === 'html') {
    const $ = cheerio.load(body);
    const labelFrom =
      cfg.sections?.closest && cfg.sections.attr
        ? { closest: cfg.sections.closest, attr: cfg.sections.attr }
        : undefined;
    grids = htmlTableGrids($, cfg.tableSelector, labelFrom);
    if (grids.length === 0)
      return {
        named: [],
        problems: [`page layout changed: selector "${cfg.tableSelector}" matched nothing`],
      };
  } else {
    grids = markdownBlocks(body).flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
    if (grids.length === 0)
      return { named: [], problems: ['page layout changed: no markdown table on the page'] };
  }
  const used = readRowTables(grids, cfg, out);
  const problems =
    used === 0
      ? [
          `page layout changed: no table with headers ${JSON.stringify(cfg.headers)} (of ${grids.length} tables)`,
        ]
      : [];
  return { named: out.list(), problems };
}
