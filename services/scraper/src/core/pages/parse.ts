// The pure entry point: page bytes (as text) + the provider's config → prices per OpenRouter model id.
import type { ParserConfig, ProviderPage } from '../providers-config.ts';
import { parseCardsLayout } from './cards.ts';
import { parseModelSectionsLayout } from './model-sections.ts';
import { parseNextFlightLayout } from './next-flight.ts';
import { parseTableLayout } from './table.ts';
import { normalizeModelName } from './text.ts';
import { parseTransposedTableLayout } from './transposed-table.ts';
import { parseRowLabelTableLayout } from './row-label-table.ts';
import { parseFlatTableLayout } from './flat-table.ts';
import { parseLabelledLinesLayout } from './labelled-lines.ts';
import { parseNextFlightTableLayout } from './next-flight-table.ts';
import type { LayoutResult, PageContext, PagePrice, ParsedPage } from './types.ts';

export const BOT_CHALLENGE_REASON = 'bot challenge / no prices';
export const NOT_LISTED_REASON = 'model not listed on page';

// Interstitials served instead of the page (Cloudflare and similar): they never carry prices.
const CHALLENGE =
  /challenge-platform|cf-chl-|__cf_chl|Just a moment\.\.\.|Enable JavaScript and cookies to continue|captcha-delivery|Attention Required!/i;

export function looksLikeBotChallenge(body: string): boolean {
  return CHALLENGE.test(body);
}

function runLayout(parser: ParserConfig, body: string): LayoutResult {
  switch (parser.kind) {
    case 'table':
      return parseTableLayout(parser, body);
    case 'transposed-table':
      return parseTransposedTableLayout(parser, body);
    case 'model-sections':
      return parseModelSectionsLayout(parser, body);
    case 'cards':
      return parseCardsLayout(parser, body);
    case 'next-flight':
      return parseNextFlightLayout(parser, body);
    case 'row-label-table':
      return parseRowLabelTableLayout(parser, body);
    case 'flat-table':
      return parseFlatTableLayout(parser, body);
    case 'labelled-lines':
      return parseLabelledLinesLayout(parser, body);
    case 'next-flight-table':
      return parseNextFlightTableLayout(parser, body);
    default: {
      const never: never = parser;
      throw new TypeError(`unknown parser ${JSON.stringify(never)}`);
    }
  }
}

/** Page name (normalized) → OpenRouter id, from the provider's `models` mapping. */
export function modelIndex(provider: Pick<ProviderPage, 'models'>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, id] of Object.entries(provider.models)) index.set(normalizeModelName(name), id);
  return index;
}

/**
 * Parses one pricing page. Never guesses: a page that matches none of its rules gives no prices and
 * a "page layout changed: ..." problem; a bot-challenge interstitial gives "bot challenge / no prices".
 * Only mapped models are returned; priced names without a mapping are listed in `unmapped`.
 */
export function parsePricingPage(provider: ProviderPage, body: string, _ctx: PageContext): ParsedPage {
  const layout = runLayout(provider.parser, body);
  const index = modelIndex(provider);
  const prices: PagePrice[] = [];
  const unmapped: string[] = [];
  const problems = [...layout.problems];
  const seen = new Set<string>();
  for (const named of layout.named) {
    const modelId = index.get(normalizeModelName(named.pageName));
    if (modelId === undefined) {
      unmapped.push(named.pageName);
      continue;
    }
    if (seen.has(modelId)) {
      problems.push(`"${named.pageName}" maps to ${modelId} again; kept the first listing`);
      continue;
    }
    seen.add(modelId);
    prices.push({ modelId, pageName: named.pageName, components: named.components });
  }
  if (prices.length === 0) {
    if (looksLikeBotChallenge(body)) problems.unshift(BOT_CHALLENGE_REASON);
    else if (layout.named.length > 0)
      problems.unshift('page layout changed: no mapped model found on the page');
    else if (problems.length === 0) problems.push('page layout changed: no prices found');
  }
  return { prices, problems, unmapped };
}

/** A page that could not be fetched or read, as a ParsedPage whose only content is the reason. */
export function failedPage(reason: string): ParsedPage {
  return { prices: [], problems: [reason], unmapped: [] };
}
