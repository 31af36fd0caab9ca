// A CMS table in the Next.js flight payload (cerebras.ai: Sanity blocks {_type: "table", rows:
// [{_type: "tableRow", cells: ["Model", "Speed", "Input", "Output"]}, ...]}): the payload is decoded as
// for next-flight, each rows/cells object becomes a grid, and the row-per-model table rules apply.
import type { NextFlightTableParserConfig } from '../providers-config.ts';
import { NamedPrices } from './components.ts';
import type { Grid } from './grid.ts';
import { flightRows, flightText, nextFlightPayload } from './next-flight.ts';
import { readRowTables } from './table.ts';
import type { LayoutResult } from './types.ts';

function payloadGrids(cfg: NextFlightTableParserConfig, rows: readonly unknown[]): Grid[] {
  const grids: Grid[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    const tableRows = rec[cfg.rowsField];
    if (Array.isArray(tableRows)) {
      const cells = tableRows.map((r) => {
        const c = r !== null && typeof r === 'object' ? (r as Record<string, unknown>)[cfg.cellsField] : null;
        return Array.isArray(c)
          ? c.map((x) => ({ text: typeof x === 'string' ? flightText(x) : '', struck: '' }))
          : [];
      });
      if (cells.some((c) => c.length > 0)) grids.push({ rows: cells, label: null });
    }
    Object.values(rec).forEach(walk);
  };
  rows.forEach(walk);
  return grids;
}

export function parseNextFlightTableLayout(cfg: NextFlightTableParserConfig, body: string): LayoutResult {
  const payload = nextFlightPayload(body);
  if (payload === null)
    return { named: [], problems: ['page layout changed: no self.__next_f payload on the page'] };
  const grids = payloadGrids(cfg, flightRows(payload));
  const out = new NamedPrices();
  const used = readRowTables(grids, cfg, out);
  const problems =
    used === 0
      ? [
          `page layout changed: no {${cfg.rowsField}: [{${cfg.cellsField}}]} table with headers ${JSON.stringify(cfg.headers)} in the Next.js payload (of ${grids.length})`,
        ]
      : [];
  return { named: out.list(), problems };
}
