// One heading per model and, under it, a table of "Input price" / "Output price" rows (ai.google.dev
// Gemini API pricing). The first table under a heading is the Standard tier; Batch/Flex/Priority follow.
import * as cheerio from 'cheerio';
import { NO_CONDITIONS, tierLabel } from '@llmpt/schemas';
import type { ModelSectionsParserConfig } from '../providers-config.ts';
import { NamedPrices, dimensionOf, toComponents } from './components.ts';
import { htmlTableGrid, markdownBlocks, type Grid } from './grid.ts';
import { allMoneyTokens, collapse, findLabel, labelMatches, type CellValue } from './text.ts';
import type { LayoutResult } from './types.ts';

interface Section {
  readonly name: string;
  readonly grid: Grid;
}

/**
 * The prices in one Gemini cell, e.g. "$1.25, prompts <= 200k tokens $2.50, prompts > 200k tokens" or
 * "$0.30 (text / image / video) $1.00 (audio) $1.00 / 1,000,000 tokens per hour (storage price)".
 * The first figure is the base rate; "> 200k" is a long-context tier with the strict boundary the page
 * states (`prompt_tokens>200000`; OpenRouter's own overrides are inclusive); an "(audio)" input rate is the `audio` dimension; "(images)"
 * output is `image_output`. Figures followed by another unit ("/ 1,000,000 tokens per hour",
 * "/min", "per 1K image") are not per-token rates of this row and are left out.
 */
export function sectionCellValues(
  text: string,
  dimension: string,
): { dimension: string; value: CellValue }[] {
  const tokens = allMoneyTokens(text);
  const out: { dimension: string; value: CellValue }[] = [];
  tokens.forEach((t, i) => {
    const qualifier = text.slice(t.end, tokens[i + 1]?.index ?? text.length).trim();
    if (qualifier !== '' && !/^[,(]/.test(qualifier)) return;
    const over = /prompts\s*>\s*(\d+)\s*k/i.exec(qualifier);
    if (over) {
      const tier = tierLabel({ ...NO_CONDITIONS, prompt_tokens_gt: Number(over[1]) * 1000 });
      out.push({ dimension, value: { raw: t.raw, tier } });
    } else if (i === 0) {
      out.push({ dimension, value: { raw: t.raw, tier: null } });
    } else if (/\(audio\)/i.test(qualifier) && dimension === 'prompt') {
      out.push({ dimension: 'audio', value: { raw: t.raw, tier: null } });
    } else if (/\(images?\)/i.test(qualifier) && dimension === 'completion') {
      out.push({ dimension: 'image_output', value: { raw: t.raw, tier: null } });
    }
  });
  return out;
}

function markdownSections(body: string, level: number): Section[] {
  const sections: Section[] = [];
  let current: string | null = null;
  for (const b of markdownBlocks(body)) {
    if (b.kind === 'heading') {
      if (b.level === level) current = b.text;
      else if (b.level < level) current = null;
    } else if (current !== null) {
      sections.push({ name: current, grid: b.grid });
      current = null; // only the first table (Standard) under each heading
    }
  }
  return sections;
}

function htmlSections(body: string, level: number): Section[] {
  const $ = cheerio.load(body);
  const sections: Section[] = [];
  let current: string | null = null;
  $(`h1, h2, h3, h4, h5, h6, table`).each((_, el) => {
    const tag = el.name;
    if (tag === 'table') {
      if (current !== null) sections.push({ name: current, grid: htmlTableGrid($, el) });
      current = null;
      return;
    }
    const l = Number(tag.slice(1));
    if (l === level) current = collapse($(el).text());
    else if (l < level) current = null;
  });
  return sections;
}

export function parseModelSectionsLayout(cfg: ModelSectionsParserConfig, body: string): LayoutResult {
  const sections =
    cfg.format === 'markdown'
      ? markdownSections(body, cfg.headingLevel)
      : htmlSections(body, cfg.headingLevel);
  if (sections.length === 0) {
    return {
      named: [],
      problems: [`page layout changed: no level-${cfg.headingLevel} heading followed by a table`],
    };
  }
  const out = new NamedPrices();
  let matched = 0;
  for (const { name, grid } of sections) {
    const h = grid.rows.findIndex((row) => row.some((c) => labelMatches(c.text, cfg.valueColumn, true)));
    if (h < 0) continue;
    matched++;
    const col = (grid.rows[h] ?? []).findIndex((c) => labelMatches(c.text, cfg.valueColumn, true));
    for (const row of grid.rows.slice(h + 1)) {
      const dim = findLabel(row[0]?.text ?? '', cfg.rows, true);
      if (!dim) continue;
      const { dimension, unit } = dimensionOf(dim[1]);
      for (const v of sectionCellValues(row[col]?.text ?? '', dimension)) {
        out.add(name, toComponents({ dimension: v.dimension, unit: unit as 'per_1m_tokens' }, [v.value]));
      }
    }
  }
  const problems =
    matched === 0 ? [`page layout changed: no section table has a "${cfg.valueColumn}" column`] : [];
  return { named: out.list(), problems };
}
