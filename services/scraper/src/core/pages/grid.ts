// Tables as grids of cells, whether the page is HTML or a markdown rendering of it, so the row and
// column rules are written once. HTML rowspan/colspan are expanded: a spanned cell repeats in every
// position it covers, which is how a reader sees it.
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { collapse, type Cell } from './text.ts';

export interface Grid {
  readonly rows: readonly (readonly Cell[])[];
  /** The section the table sits in (a tab pane's value, or the line above a markdown table), if any. */
  readonly label: string | null;
}

export interface LabelFrom {
  /** HTML: the closest ancestor matching this selector carries the label in `attr`, or in the text of its first `labelSelector` element. */
  readonly closest: string;
  readonly attr?: string;
  readonly labelSelector?: string;
}

function sectionLabel($: CheerioAPI, table: Element, from: LabelFrom): string | null {
  const section = $(table).closest(from.closest);
  if (section.length === 0) return null;
  if (from.attr) return section.attr(from.attr) ?? null;
  if (from.labelSelector) {
    const el = section.find(from.labelSelector).first();
    return el.length === 0 ? null : collapse(el.text());
  }
  return null;
}

function htmlCell($: CheerioAPI, el: Element): Cell {
  const copy = $(el).clone();
  // Footnote markers ("deepseek-v4-flash<sup>(1)</sup>") are not part of names or prices.
  copy.find('sup').remove();
  const struck = copy
    .find('del, s, strike')
    .map((_, d) => $(d).text())
    .get()
    .join(' ');
  return { text: collapse(copy.text()), struck: collapse(struck) };
}

function span(el: Element, attr: 'rowspan' | 'colspan'): number {
  const n = Number.parseInt(el.attribs[attr] ?? '1', 10);
  return Number.isFinite(n) && n > 0 && n < 100 ? n : 1;
}

/** One HTML <table> as a grid, spans expanded; rows of nested tables are not its rows. */
export function htmlTableGrid($: CheerioAPI, table: Element, labelFrom?: LabelFrom): Grid {
  const trs = $(table)
    .find('tr')
    .filter((_, tr) => $(tr).closest('table').get(0) === table)
    .get();
  const rows: Cell[][] = [];
  trs.forEach((tr, r) => {
    const row: Cell[] = (rows[r] = rows[r] ?? []);
    let c = 0;
    for (const el of $(tr).children('td, th').get()) {
      const cell = htmlCell($, el);
      const rs = span(el, 'rowspan');
      const cs = span(el, 'colspan');
      while (row[c] !== undefined) c++;
      for (let i = 0; i < cs; i++) {
        row[c + i] = cell;
        for (let k = 1; k < rs && r + k < trs.length; k++) {
          const below = (rows[r + k] = rows[r + k] ?? []);
          below[c + i] = cell;
        }
      }
      c += cs;
    }
  });
  const label = labelFrom ? sectionLabel($, table, labelFrom) : null;
  return { rows: rows.map((row) => Array.from(row, (cell) => cell ?? { text: '', struck: '' })), label };
}

export function htmlTableGrids($: CheerioAPI, selector: string, labelFrom?: LabelFrom): Grid[] {
  return $(selector)
    .get()
    .filter((n: AnyNode): n is Element => 'name' in n && n.name === 'table')
    .map((t) => htmlTableGrid($, t, labelFrom));
}

// ---- markdown ----

function markdownCell(raw: string): Cell {
  const struckParts = [...raw.matchAll(/~~(.*?)~~/g)].map((m) => m[1] ?? '');
  const text = raw
    .replace(/~~(.*?)~~/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|__|`/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, ' ');
  return { text: collapse(text), struck: collapse(struckParts.join(' ')) };
}

export function splitMarkdownRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

const SEPARATOR = /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

export function isMarkdownTableLine(line: string): boolean {
  return line.trimStart().startsWith('|');
}

/** A markdown table's lines as a grid: the separator line dropped, no span expansion (markdown has none). */
export function markdownTableGrid(lines: readonly string[], label: string | null): Grid {
  const rows = lines
    .filter((l) => !SEPARATOR.test(l.trim()))
    .map((l) => splitMarkdownRow(l).map(markdownCell));
  return { rows, label };
}

export type MarkdownBlock =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'table'; readonly grid: Grid };

/**
 * Headings and tables of a markdown document in order. A table's label is the last short text line
 * above it (a rendered tab name such as "Standard" or "Batch"), when there is one within a few lines.
 */
export function markdownBlocks(markdown: string): MarkdownBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: MarkdownBlock[] = [];
  let lastText: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({
        kind: 'heading',
        level: heading[1]?.length ?? 1,
        text: markdownCell(heading[2] ?? '').text,
      });
      lastText = null;
      continue;
    }
    if (isMarkdownTableLine(line)) {
      const start = i;
      while (i + 1 < lines.length && isMarkdownTableLine(lines[i + 1] ?? '')) i++;
      const label = lastText !== null && start - lastText.line <= 3 ? lastText.text : null;
      blocks.push({ kind: 'table', grid: markdownTableGrid(lines.slice(start, i + 1), label) });
      lastText = null;
      continue;
    }
    const text = collapse(line);
    if (text !== '') lastText = { text, line: i };
  }
  return blocks;
}

// ---- MDX ----

// Ends at the `]}` closing its last prop then `/>`: fragments inside cells (`</>`) also contain "/>".
const DOC_TABLE = /<DocTable\b([\s\S]*?\]\})\s*\/>/g;
const CELL = /"((?:[^"\\]|\\.)*)"|<>([\s\S]*?)<\/>/g;

/** One DocTable cell: a JSON string literal, or a JSX fragment such as `<>{"$"}0.16</>` ("$0.16"). */
function mdxCellText(literal: string | undefined, fragment: string | undefined): string {
  if (literal !== undefined) {
    try {
      return JSON.parse(`"${literal}"`) as string;
    } catch {
      return literal;
    }
  }
  return (fragment ?? '').replace(/\{\s*"((?:[^"\\]|\\.)*)"\s*\}/g, '$1').replace(/<[^>]*>/g, ' ');
}

function mdxRow(line: string): Cell[] {
  return [...line.matchAll(CELL)].map((m) => ({ text: collapse(mdxCellText(m[1], m[2])), struck: '' }));
}

/**
 * The `<DocTable columns={[{ title: "Model" }, ...]} rows={[["kimi-k2.6", ...], ...]} />` components of an
 * MDX source as grids: the column titles are the header row, each row array a row (Kimi's docs).
 */
export function mdxDocTableGrids(source: string): Grid[] {
  const grids: Grid[] = [];
  for (const m of source.matchAll(DOC_TABLE)) {
    const props = m[1] ?? '';
    const rowsAt = props.indexOf('rows={');
    const columnsPart = rowsAt < 0 ? props : props.slice(0, rowsAt);
    const titles = [...columnsPart.matchAll(/title:\s*"((?:[^"\\]|\\.)*)"/g)].map((t) => ({
      text: collapse(mdxCellText(t[1], undefined)),
      struck: '',
    }));
    const rows: Cell[][] = [titles];
    if (rowsAt >= 0) {
      for (const line of props.slice(rowsAt + 'rows={'.length).split(/\r?\n/)) {
        const t = line.trim();
        if (t.startsWith('[') && !t.startsWith('[[') && t !== '[') rows.push(mdxRow(t));
      }
    }
    grids.push({ rows, label: null });
  }
  return grids;
}
