import type { PriceComponent } from '@llmpt/schemas';

/** One price component as read off a pricing page, before any unit conversion (the RawPriceObserved shape). */
export type PageComponent = PriceComponent;

/** The prices one page publishes for one model, already mapped to its OpenRouter id. */
export interface PagePrice {
  readonly modelId: string;
  /** The model's name as the page prints it (kept for logs and problems). */
  readonly pageName: string;
  readonly components: readonly PageComponent[];
}

/** Where and when the page bytes came from; passed in so parsers stay pure. */
export interface PageContext {
  readonly url: string;
  readonly fetchedAt: number;
  readonly runId: string;
  /** sha256 hex of the fetched bytes (from the fetcher). */
  readonly contentHash?: string;
}

/** What a parser found on one page: prices per mapped model, and what it could not make sense of. */
export interface ParsedPage {
  readonly prices: readonly PagePrice[];
  /**
   * Human-readable problems. When `prices` is empty the first problem is the reason every model of the
   * provider is reported unavailable (e.g. "page layout changed: selector X matched nothing").
   */
  readonly problems: readonly string[];
  /** Page names that priced something but have no mapping to an OpenRouter id (new models to map). */
  readonly unmapped: readonly string[];
}

/** A price row found on a page before the name → OpenRouter id mapping. */
export interface NamedPrice {
  readonly pageName: string;
  readonly components: readonly PageComponent[];
}

/** What a layout parser returns: named prices, and problems such as "selector X matched nothing". */
export interface LayoutResult {
  readonly named: readonly NamedPrice[];
  readonly problems: readonly string[];
}
