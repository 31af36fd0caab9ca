// One card per model, each price an item with a label and a value element (claude.com/pricing, Webflow).
import * as cheerio from 'cheerio';
import type { CardsParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { cellValues, collapse, findLabel } from './text.ts';
import type { LayoutResult } from './types.ts';

export function parseCardsLayout(cfg: CardsParserConfig, body: string): LayoutResult {
  const $ = cheerio.load(body);
  const cards = $(cfg.cardSelector);
  if (cards.length === 0)
    return { named: [], problems: [`page layout changed: selector "${cfg.cardSelector}" matched nothing`] };
  if ($(cfg.valueSelector).length === 0) {
    return { named: [], problems: [`page layout changed: selector "${cfg.valueSelector}" matched nothing`] };
  }
  const out = new NamedPrices();
  cards.each((_, card) => {
    const title = collapse($(card).find(cfg.titleSelector).first().text());
    if (title === '') return;
    $(card)
      .find(cfg.itemSelector)
      .each((_i, item) => {
        const value = $(item).find(cfg.valueSelector).first();
        if (value.length === 0) return;
        const dim = findLabel($(item).find(cfg.labelSelector).first().text(), cfg.labels);
        if (!dim) return;
        // The figure is split over spans ("$", "5", " / MTok"): read the value element's container.
        const text = collapse(value.parent().text());
        out.add(title, toComponents(dim[1], cellValues({ text, struck: '' })));
      });
  });
  return { named: out.list(), problems: [] };
}
