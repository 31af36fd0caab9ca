// Row-per-model tables: a header row names the dimensions, optional group headers above it
// ("Short context" / "Long context") and the section the table sits in ("Standard" / "Batch") give tiers.
import * as cheerio from 'cheerio';
import type { TableParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { htmlTableGrids, markdownBlocks, mdxDocTableGrids, type Grid } from './grid.ts';
import { cellValues, collapse, findLabel, labelMatches, moneyToken, type Cell } from './text.ts';
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

/** The rules readRowTables needs: the table parser's, also used by parsers that find their grids elsewhere. */
export type RowTableRules = Pick<TableParserConfig, 'headers' | 'modelColumn' | 'columns' | 'cellLabels'> &
  Partial<Pick<TableParserConfig, 'groups' | 'sections'>>;

/**
 * A cell holding a second, labelled price ("$0.269 /Mt· Cache Read $0.1345 /Mt"): the text before the
 * first label (the column's own value) and each label's figure, the figure being the first money after
 * the label and before the next one.
 */
export function splitCellLabels(
  cell: Cell,
  labels: Readonly<Record<string, unknown>>,
): { own: Cell; labelled: { label: string; raw: string }[] } {
  const text = collapse(cell.text);
  const lower = text.toLowerCase();
  const hits = Object.keys(labels)
    .map((label) => ({ label, at: lower.indexOf(collapse(label).toLowerCase()) }))
    .filter((h) => h.at >= 0)
    .sort((a, b) => a.at - b.at);
  if (hits.length === 0) return { own: cell, labelled: [] };
  const labelled: { label: string; raw: string }[] = [];
  hits.forEach((h, i) => {
    const part = text.slice(h.at + h.label.length, hits[i + 1]?.at ?? text.length);
    const raw = moneyToken(part);
    if (raw !== null) labelled.push({ label: h.label, raw });
  });
  return { own: { text: text.slice(0, hits[0]!.at), struck: cell.struck }, labelled };
}

export function readRowTables(grids: readonly Grid[], cfg: RowTableRules, out: NamedPrices): number {
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
        if (cfg.cellLabels) {
          const { own, labelled } = splitCellLabels(cell, cfg.cellLabels);
          out.add(name, toComponents(dim[1], cellValues(own), sectionTier, groupTier));
          for (const l of labelled) {
            const spec = cfg.cellLabels[l.label];
            if (spec) out.add(name, toComponents(spec, [{ raw: l.raw, tier: null }], sectionTier, groupTier));
          }
          return;
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
      cfg.sections?.closest && (cfg.sections.attr ?? cfg.sections.labelSelector)
        ? {
            closest: cfg.sections.closest,
            attr: cfg.sections.attr,
            labelSelector: cfg.sections.labelSelector,
          }
        : undefined;
    grids = htmlTableGrids($, cfg.tableSelector, labelFrom);
    if (grids.length === 0)
      return {
        named: [],
        problems: [`page layout changed: selector "${cfg.tableSelector}" matched nothing`],
      };
  } else if (cfg.format === 'mdx') {
    grids = mdxDocTableGrids(body);
    if (grids.length === 0)
      return { named: [], problems: ['page layout changed: no <DocTable> component in the MDX source'] };
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
