// Each provider's parser on the REAL capture it targets (read from ../shared/data, never copied).
// Expected values are copied by hand from the capture; the quoted cell text is what the page shows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import { loadProvidersConfig } from '../../adapters/providers-file.ts';
import type { ProviderPage } from '../providers-config.ts';
import { BOT_CHALLENGE_REASON, parsePricingPage } from './parse.ts';
import type { PageComponent, ParsedPage } from './types.ts';

const pagesDir = sharedData('pricing_pages');
const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const ctx = { url: 'https://example.test/pricing', fetchedAt: 1_778_000_000_000, runId: 'run-1' };

function provider(id: string): ProviderPage {
  const p = config.providers.find((x) => x.id === id);
  if (!p) throw new Error(`no provider ${id}`);
  return p;
}

function capture(name: string): string {
  return readFileSync(path.join(pagesDir, name), 'utf8');
}

/** The capture file named in the entry's `capture` field: the config says which capture each parser targets. */
function parseCapture(id: string): ParsedPage {
  const p = provider(id);
  return parsePricingPage(p, capture((p.capture ?? '').split(' ')[0] ?? ''), ctx);
}

function price(
  page: ParsedPage,
  modelId: string,
  dimension: string,
  tier: string | null = null,
): string | undefined {
  return page.prices
    .find((p) => p.modelId === modelId)
    ?.components.find((c: PageComponent) => c.dimension === dimension && c.tier === tier)?.raw_value;
}

describe('OpenAI (developers.openai.com HTML fragment)', () => {
  const page = parseCapture('openai');

  it('reads the Standard pane only, short and long context', () => {
    expect(page.problems).toEqual([]);
    // "gpt-5.5 | $5.00 | $0.50 | $30.00 | $10.00 | $1.00 | $45.00" (Standard pane)
    expect(price(page, 'openai/gpt-5.5', 'prompt')).toBe('$5.00');
    expect(price(page, 'openai/gpt-5.5', 'input_cache_read')).toBe('$0.50');
    expect(price(page, 'openai/gpt-5.5', 'completion')).toBe('$30.00');
    expect(price(page, 'openai/gpt-5.5', 'prompt', 'prompt_tokens>272000')).toBe('$10.00');
    expect(price(page, 'openai/gpt-5.5', 'completion', 'prompt_tokens>272000')).toBe('$45.00');
    // "gpt-5.4-mini | $0.75 | $0.075 | $4.50 | - | - | -": no long-context tier invented from "-"
    expect(page.prices.find((p) => p.modelId === 'openai/gpt-5.4-mini')?.components).toEqual([
      { dimension: 'prompt', raw_value: '$0.75', unit: 'per_1m_tokens', currency: 'USD', tier: null },
      {
        dimension: 'input_cache_read',
        raw_value: '$0.075',
        unit: 'per_1m_tokens',
        currency: 'USD',
        tier: null,
      },
      { dimension: 'completion', raw_value: '$4.50', unit: 'per_1m_tokens', currency: 'USD', tier: null },
    ]);
    // "gpt-5.5-pro | $30.00 | - | $180.00": no cached-input price
    expect(price(page, 'openai/gpt-5.5-pro', 'input_cache_read')).toBeUndefined();
    // Batch/Flex/Priority panes (Batch: "gpt-5.5 | $2.50 ...") are not read: only base and long-context tiers.
    const tiers = new Set(page.prices.flatMap((p) => p.components.map((c) => c.tier)));
    expect([...tiers]).toEqual([null, 'prompt_tokens>272000']);
    expect(price(page, 'openai/gpt-5.4', 'prompt')).toBe('$2.50');
    expect(price(page, 'openai/gpt-5.4-nano', 'completion')).toBe('$1.25');
  });

  it('the Jina markdown rendering gives the same Standard prices', () => {
    const md = parseCapture('openai-markdown');
    // "| gpt-5.4-pro | $30.00 | - | $180.00 | $60.00 | - | $270.00 |"
    expect(price(md, 'openai/gpt-5.4-pro', 'prompt')).toBe('$30.00');
    expect(price(md, 'openai/gpt-5.4-pro', 'completion', 'prompt_tokens>272000')).toBe('$270.00');
    expect(price(md, 'openai/gpt-5.5', 'prompt')).toBe(price(page, 'openai/gpt-5.5', 'prompt'));
  });

  it('the bot-challenge page is "bot challenge / no prices", never a price', () => {
    const r = parsePricingPage(
      provider('openai'),
      capture('openai_platform-docs-pricing_2026-05-08_BOT-CHALLENGE-no-prices.html'),
      ctx,
    );
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toBe(BOT_CHALLENGE_REASON);
  });
});

describe('Anthropic', () => {
  it('claude.com cards: .tokens_main_val_number spans', () => {
    const page = parseCapture('anthropic');
    expect(page.problems).toEqual([]);
    // Card "Opus 4.7": "Input$5 / MTok", "Output$25 / MTok", "Write$6.25 / MTok", "Read$0.50 / MTok"
    expect(price(page, 'anthropic/claude-opus-4.7', 'prompt')).toBe('$5');
    expect(price(page, 'anthropic/claude-opus-4.7', 'completion')).toBe('$25');
    expect(price(page, 'anthropic/claude-opus-4.7', 'input_cache_write')).toBe('$6.25');
    expect(price(page, 'anthropic/claude-opus-4.7', 'input_cache_read')).toBe('$0.50');
    // Card "Opus 4.1": "Input$15 / MTok", "Output$75 / MTok"
    expect(price(page, 'anthropic/claude-opus-4.1', 'prompt')).toBe('$15');
    expect(price(page, 'anthropic/claude-opus-4.1', 'completion')).toBe('$75');
    // Card "Haiku 4.5": "Read$0.10 / MTok"
    expect(price(page, 'anthropic/claude-haiku-4.5', 'input_cache_read')).toBe('$0.10');
    expect(page.prices).toHaveLength(9);
  });

  it('claude.com with the price class renamed: layout changed, no prices', () => {
    const html = capture('anthropic_claude-com-pricing_2026-05-08_raw.html').replaceAll(
      'tokens_main_val_number',
      'tokens_price_amount',
    );
    const page = parsePricingPage(provider('anthropic'), html, ctx);
    expect(page.prices).toEqual([]);
    expect(page.problems[0]).toBe('page layout changed: selector ".tokens_main_val_number" matched nothing');
  });

  it('docs table fragment: names with "(deprecated)" notes, 5m and 1h cache writes', () => {
    const page = parseCapture('anthropic-docs');
    // "Claude Opus 4.1 (deprecated) | $15 / MTok | $18.75 / MTok | $30 / MTok | $1.50 / MTok | $75 / MTok"
    expect(price(page, 'anthropic/claude-opus-4.1', 'prompt')).toBe('$15');
    expect(price(page, 'anthropic/claude-opus-4.1', 'input_cache_write')).toBe('$18.75');
    expect(price(page, 'anthropic/claude-opus-4.1', 'input_cache_write_1h')).toBe('$30');
    expect(price(page, 'anthropic/claude-opus-4.1', 'input_cache_read')).toBe('$1.50');
    expect(price(page, 'anthropic/claude-opus-4.1', 'completion')).toBe('$75');
    // "Claude Haiku 3.5 (retired, except on Bedrock and Vertex AI) | $0.80 / MTok | ... | $4 / MTok"
    expect(price(page, 'anthropic/claude-3.5-haiku', 'prompt')).toBe('$0.80');
    expect(price(page, 'anthropic/claude-3.5-haiku', 'completion')).toBe('$4');
    // Only the first table (the fast-mode "Input | Output" table says "$30 / MTok" for Opus 4.6).
    expect(price(page, 'anthropic/claude-opus-4.6', 'prompt')).toBe('$5');
    expect(page.unmapped).toContain('Claude Fable 5');
  });
});

describe('Google Gemini API (Jina markdown)', () => {
  const page = parseCapture('google');

  it('"prompts <= 200k" and "> 200k" are two tiers', () => {
    // "| Input price | Free of charge | $1.25, prompts <= 200k tokens $2.50, prompts > 200k tokens |"
    expect(price(page, 'google/gemini-2.5-pro', 'prompt')).toBe('$1.25');
    expect(price(page, 'google/gemini-2.5-pro', 'prompt', 'prompt_tokens>200000')).toBe('$2.50');
    // "| Output price (including thinking tokens) | Free of charge | $10.00, prompts <= 200k tokens $15.00, prompts > 200k |"
    expect(price(page, 'google/gemini-2.5-pro', 'completion')).toBe('$10.00');
    expect(price(page, 'google/gemini-2.5-pro', 'completion', 'prompt_tokens>200000')).toBe('$15.00');
    // "| Context caching price | Not available | $0.125, prompts <= 200k tokens $0.25, prompts > 200k $4.50 / 1,000,000 tokens per hour (storage price) |"
    expect(price(page, 'google/gemini-2.5-pro', 'input_cache_read')).toBe('$0.125');
    expect(price(page, 'google/gemini-2.5-pro', 'input_cache_read', 'prompt_tokens>200000')).toBe('$0.25');
    // The storage price per hour is not a per-token cache price.
    expect(page.prices.flatMap((p) => p.components).some((c) => c.raw_value === '$4.50')).toBe(false);
  });

  it('takes the Standard (first) table, text rate as base and the audio rate separately', () => {
    // "| Input price | Free of charge | $0.30 (text / image / video) $1.00 (audio) |" (Batch says "$0.15")
    expect(price(page, 'google/gemini-2.5-flash', 'prompt')).toBe('$0.30');
    expect(price(page, 'google/gemini-2.5-flash', 'audio')).toBe('$1.00');
    expect(price(page, 'google/gemini-2.5-flash', 'completion')).toBe('$2.50');
    // "## Gemini 3.1 Pro Preview": "$2.00, prompts <= 200k tokens $4.00, prompts > 200k tokens"
    expect(price(page, 'google/gemini-3.1-pro-preview', 'prompt', 'prompt_tokens>200000')).toBe('$4.00');
    // "| Output price | Not available | $0.039 per image* |": per image, not per 1M tokens: not read
    expect(price(page, 'google/gemini-2.5-flash-image', 'completion')).toBeUndefined();
  });
});

describe('Mistral (Next.js __next_f payload)', () => {
  const page = parseCapture('mistralai');

  it('reads the escaped flight JSON, not the DOM', () => {
    expect(page.problems).toEqual([]);
    // {"name":"Mistral Large 3", "price":[{"value":"Input (/M tokens)","price_dollar":"<p>$0.5</p>"}, ... "<p>$1.5</p>"]}
    expect(price(page, 'mistralai/mistral-large-2512', 'prompt')).toBe('$0.5');
    expect(price(page, 'mistralai/mistral-large-2512', 'completion')).toBe('$1.5');
    // {"name":"Mistral Medium 3.5", ..., "price_dollar":"$$1.5"} (flight escapes a leading "$" as "$$")
    expect(price(page, 'mistralai/mistral-medium-3-5', 'prompt')).toBe('$1.5');
    expect(price(page, 'mistralai/mistral-medium-3-5', 'completion')).toBe('$7.5');
    // Codestral: "<div class=\"col-span-1 md:col-span-2\">\n<p>$0.3</p>\n</div>"
    expect(price(page, 'mistralai/codestral-2508', 'prompt')).toBe('$0.3');
    expect(price(page, 'mistralai/mixtral-8x22b-instruct', 'completion')).toBe('$6');
  });

  it('a page without the payload is a layout change', () => {
    const r = parsePricingPage(provider('mistralai'), '<html><body><h1>Pricing</h1></body></html>', ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toBe('page layout changed: no self.__next_f payload on the page');
  });
});

describe('DeepSeek (one table, rowspan, promo and list price in one cell)', () => {
  const page = parseCapture('deepseek');

  it('reads columns as models, the list price as base and the promo as tier "variant=promo"', () => {
    expect(page.problems).toEqual([]);
    // "1M INPUT TOKENS (CACHE MISS) | $0.14 | $0.435 (75% off(3))$1.74" (the $1.74 is <del>)
    expect(price(page, 'deepseek/deepseek-v4-flash', 'prompt')).toBe('$0.14');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'prompt')).toBe('$1.74');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'prompt', 'variant=promo')).toBe('$0.435');
    // "1M OUTPUT TOKENS | $0.28 | $0.87 (75% off(3))$3.48"
    expect(price(page, 'deepseek/deepseek-v4-flash', 'completion')).toBe('$0.28');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'completion')).toBe('$3.48');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'completion', 'variant=promo')).toBe('$0.87');
    // "1M INPUT TOKENS (CACHE HIT)(2) | $0.0028 | $0.003625 (75% off(3))$0.0145"
    expect(price(page, 'deepseek/deepseek-v4-flash', 'input_cache_read')).toBe('$0.0028');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'input_cache_read')).toBe('$0.0145');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'input_cache_read', 'variant=promo')).toBe('$0.003625');
  });
});

describe('xAI (Jina markdown)', () => {
  it('reads the Chat API table', () => {
    const page = parseCapture('x-ai');
    // "| grok-4.3 | 1M | $1.25 | $2.50 |  |"
    expect(price(page, 'x-ai/grok-4.3', 'prompt')).toBe('$1.25');
    expect(price(page, 'x-ai/grok-4.3', 'completion')).toBe('$2.50');
    // "| grok-4-1-fast-reasoning | 2M | $0.20 | $0.50 |  |"
    expect(price(page, 'x-ai/grok-4.1-fast', 'prompt')).toBe('$0.20');
    expect(price(page, 'x-ai/grok-4.1-fast', 'completion')).toBe('$0.50');
  });
});

describe('Z.AI (Jina markdown)', () => {
  const page = parseCapture('z-ai');

  it('reads text and vision tables; "Free" is 0; "Cached Input Storage" is not the cache price', () => {
    // "| GLM-5.1 | $1.4 | $0.26 | Limited-time Free | $4.4 |"
    expect(price(page, 'z-ai/glm-5.1', 'prompt')).toBe('$1.4');
    expect(price(page, 'z-ai/glm-5.1', 'input_cache_read')).toBe('$0.26');
    expect(price(page, 'z-ai/glm-5.1', 'completion')).toBe('$4.4');
    // "| GLM-4-32B-0414-128K | $0.1 | - | - | $0.1 |"
    expect(price(page, 'z-ai/glm-4-32b', 'input_cache_read')).toBeUndefined();
    // "| GLM-4.7-Flash | Free | Free | Free | Free |"
    expect(price(page, 'z-ai/glm-4.7-flash', 'prompt')).toBe('0');
    // Vision table: "| GLM-4.5V | $0.6 | $0.11 | Limited-time Free | $1.8 |"
    expect(price(page, 'z-ai/glm-4.5v', 'completion')).toBe('$1.8');
  });
});

describe('Moonshot AI / Kimi (MDX source of the docs, <DocTable> components)', () => {
  const page = parseCapture('moonshotai');

  it('reads each DocTable row: cache hit, cache miss and output columns', () => {
    expect(page.problems).toEqual([]);
    // line 43: ["kimi-k2.6", "1M tokens", <>{"$"}0.16</>, <>{"$"}0.95</>, <>{"$"}4.00</>, "262,144 tokens"]
    // under "Model | Unit | Input Price (Cache Hit) | Input Price (Cache Miss) | Output Price | Context Window"
    expect(price(page, 'moonshotai/kimi-k2.6', 'input_cache_read')).toBe('$0.16');
    expect(price(page, 'moonshotai/kimi-k2.6', 'prompt')).toBe('$0.95');
    expect(price(page, 'moonshotai/kimi-k2.6', 'completion')).toBe('$4.00');
    // line 156: ["kimi-k2-0711-preview", "1M tokens", <>{"$"}0.15</>, <>{"$"}0.60</>, <>{"$"}2.50</>, "131,072 tokens"]
    expect(price(page, 'moonshotai/kimi-k2', 'prompt')).toBe('$0.60');
    expect(price(page, 'moonshotai/kimi-k2', 'completion')).toBe('$2.50');
    // line 99: ["kimi-k2.5", "1M tokens", <>{"$"}0.10</>, <>{"$"}0.60</>, <>{"$"}3.00</>, ...]
    expect(price(page, 'moonshotai/kimi-k2.5', 'input_cache_read')).toBe('$0.10');
    // The moonshot-v1 table has a plain "Input Price" column: not a mapped column, and not mapped models.
    expect(page.unmapped).toContain('moonshot-v1-8k');
  });

  it('a renamed output column gives no prices: layout changed, never a shifted column', () => {
    const mdx = capture('kimi_platform-docs-pricing-k2.6_2026-05-08_markdown.md').replaceAll(
      'title: "Output Price"',
      'title: "Completion Price"',
    );
    const r = parsePricingPage(provider('moonshotai'), mdx, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toMatch(/^page layout changed: no table with headers \["Model","Output Price"\]/);
  });
});

describe('Cerebras (host; Sanity table inside the Next.js flight payload)', () => {
  const page = parseCapture('cerebras');

  it('reads the Developer tier table cells ("$$0.10/M tokens" is "$0.10")', () => {
    expect(page.problems).toEqual([]);
    // "cells":["[META]Llama 3.1 8B**","~2200 tokens/s","$$0.10/M tokens","$$0.10/M tokens"]
    expect(price(page, 'meta-llama/llama-3.1-8b-instruct', 'prompt')).toBe('$0.10');
    expect(price(page, 'meta-llama/llama-3.1-8b-instruct', 'completion')).toBe('$0.10');
    // "cells":["[ZAI]ZAI GLM 4.7*","~1000 tokens/s","$$2.25/M tokens","$$2.75/M tokens"]
    expect(price(page, 'z-ai/glm-4.7', 'prompt')).toBe('$2.25');
    expect(price(page, 'z-ai/glm-4.7', 'completion')).toBe('$2.75');
    // "cells":["[QWEN]Qwen 3 235B Instruct**","~1400 tokens/s","$$0.60/M tokens ","$$1.20/M tokens"]
    expect(price(page, 'qwen/qwen3-235b-a22b-2507', 'completion')).toBe('$1.20');
    // The "Speed" column ("~3000 tokens/s") is not a price.
    expect(page.prices.flatMap((p) => p.components.map((c) => c.dimension)).sort()).toEqual(
      Array(4).fill(['completion', 'prompt']).flat().sort(),
    );
  });

  it('a payload table without the "Input" header gives layout changed, no price', () => {
    const html = capture('cerebras_pricing_2026-05-08_raw.html').replace(
      '\\"Model\\",\\"Speed\\",\\"Input\\",\\"Output\\"',
      '\\"Model\\",\\"Speed\\",\\"Prompt\\",\\"Output\\"',
    );
    const r = parsePricingPage(provider('cerebras'), html, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toMatch(/^page layout changed: no \{rows: \[\{cells\}\]\} table with headers/);
  });
});

describe('Google Cloud Vertex AI (host; raw HTML, rowspan model cells, Standard pane only)', () => {
  const page = parseCapture('google-vertex');

  it('reads base, > 200K and cached columns of the Standard pane', () => {
    expect(page.problems).toEqual([]);
    // Standard pane, Gemini 2.5: <td rowspan="3">Gemini 2.5 Pro</td>, then
    // "Input (text, image, video, audio) | $1.25 | $2.50 | $0.13 | $0.25" and
    // "Text output (response and reasoning) | $10 | $15 | N/A | N/A"
    expect(price(page, 'google/gemini-2.5-pro', 'prompt')).toBe('$1.25');
    expect(price(page, 'google/gemini-2.5-pro', 'prompt', 'prompt_tokens>200000')).toBe('$2.50');
    expect(price(page, 'google/gemini-2.5-pro', 'input_cache_read')).toBe('$0.13');
    expect(price(page, 'google/gemini-2.5-pro', 'input_cache_read', 'prompt_tokens>200000')).toBe('$0.25');
    expect(price(page, 'google/gemini-2.5-pro', 'completion')).toBe('$10');
    expect(price(page, 'google/gemini-2.5-pro', 'completion', 'prompt_tokens>200000')).toBe('$15');
    // Gemini 3: "Gemini 3.1 Pro Preview": "Input ... | $2 | $4 | $0.2 | $0.4", "Text output ... | $12 | $18"
    expect(price(page, 'google/gemini-3.1-pro-preview', 'prompt')).toBe('$2');
    expect(price(page, 'google/gemini-3.1-pro-preview', 'completion', 'prompt_tokens>200000')).toBe('$18');
    // "Gemini 3 Flash Preview": "Input (audio) | $1 | $1 | $0.1 | $0.1": audio input; its cached
    // audio price has no dimension mapped for that column (only prompt → input_cache_read).
    expect(price(page, 'google/gemini-3-flash-preview', 'audio')).toBe('$1');
    expect(price(page, 'google/gemini-3-flash-preview', 'input_cache_read')).toBe('$0.05');
    // The Priority pane's "Input (text, image, video, audio) | $2.25 | $4.50 | $0.23 | $0.45" for
    // Gemini 2.5 Pro is never read: only the Standard pane.
    const tiers = new Set(page.prices.flatMap((p) => p.components.map((c) => c.tier)));
    expect([...tiers].sort()).toEqual([null, 'prompt_tokens>200000'].sort());
    // "Image Output*** | $60" (Gemini 3.1 Flash Image Preview): its row label is not mapped, not read.
    expect(page.prices.flatMap((p) => p.components).some((c) => c.raw_value === '$60')).toBe(false);
  });

  it('panes renamed (no "Standard" heading) give layout changed, not the Priority prices', () => {
    const html = capture('google-cloud-vertex_agent-platform-genai-pricing_2026-05-08_raw.html').replaceAll(
      'data-text="Standard" tabindex="-1">Standard</h3>',
      'data-text="Default" tabindex="-1">Default</h3>',
    );
    const r = parsePricingPage(provider('google-vertex'), html, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toMatch(/^page layout changed: no table with headers \["Model","Type"\]/);
  });
});

describe('Novita (host; Jina markdown, cache price inside the input cell)', () => {
  const page = parseCapture('novita');

  it('reads input, the "Cache Read" inside the input cell, and output', () => {
    expect(page.problems).toEqual([]);
    // line 38: "| [deepseek/deepseek-v3.2](...) | 163,840 | $0.269 /Mt· Cache Read $0.1345 /Mt | $0.4 /Mt | [More](...) |"
    expect(price(page, 'deepseek/deepseek-v3.2', 'prompt')).toBe('$0.269');
    expect(price(page, 'deepseek/deepseek-v3.2', 'input_cache_read')).toBe('$0.1345');
    expect(price(page, 'deepseek/deepseek-v3.2', 'completion')).toBe('$0.4');
    // line 106: "| [zai-org/glm-5.1](...) | 204,800 | $1.4 /Mt· Cache Read $0.26 /Mt | $4.4 /Mt |"
    expect(price(page, 'z-ai/glm-5.1', 'prompt')).toBe('$1.4');
    expect(price(page, 'z-ai/glm-5.1', 'input_cache_read')).toBe('$0.26');
    // line 42: "| [deepseek/deepseek-v3.2-exp](...) | 163,840 | $0.27 /Mt | $0.41 /Mt |": no cache price
    expect(price(page, 'deepseek/deepseek-v3.2-exp', 'input_cache_read')).toBeUndefined();
    expect(price(page, 'deepseek/deepseek-v3.2-exp', 'completion')).toBe('$0.41');
    // line 67: "| [qwen/qwen3-max](...) | 262,144 | - | Tiered pricing |": no figure, nothing read
    expect(page.unmapped).not.toContain('qwen/qwen3-max');
  });

  it('a renamed "Input" header gives layout changed, no price', () => {
    const md = capture('novita_pricing_2026-05-08_jina-markdown.md').replaceAll(
      '| Model Name | Context | Input | Output | Actions |',
      '| Model Name | Context | Input tokens | Output | Actions |',
    );
    const r = parsePricingPage(provider('novita'), md, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toMatch(
      /^page layout changed: no table with headers \["Model Name","Input","Output"\]/,
    );
  });
});

describe('SiliconFlow (host; Jina markdown, one line per cell)', () => {
  const page = parseCapture('siliconflow');

  it('reads the three price columns of full rows, only the ends of short rows', () => {
    expect(page.problems).toEqual([]);
    // lines 97-113: "DeepSeek-V4-Pro", "1049K", "$", "1.74", "$", "0.145", "$", "3.48", "[Details](...)"
    expect(price(page, 'deepseek/deepseek-v4-pro', 'prompt')).toBe('$1.74');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'input_cache_read')).toBe('$0.145');
    expect(price(page, 'deepseek/deepseek-v4-pro', 'completion')).toBe('$3.48');
    // lines 133-145: "DeepSeek-V3.2-Exp", "164K", "$", "0.27", "$", "0.41": two prices under three columns;
    // the empty cell left no line, so the first is Input, the last Output, and no cache price is guessed.
    expect(price(page, 'deepseek/deepseek-v3.2-exp', 'prompt')).toBe('$0.27');
    expect(price(page, 'deepseek/deepseek-v3.2-exp', 'completion')).toBe('$0.41');
    expect(price(page, 'deepseek/deepseek-v3.2-exp', 'input_cache_read')).toBeUndefined();
    // Z.ai section: "GLM-5.1", "205K", "$", "1.4", "$", "0.26", "$", "4.4"
    expect(price(page, 'z-ai/glm-5.1', 'input_cache_read')).toBe('$0.26');
    // Image models ("FLUX 1.1 [pro]", "$", "0.04" under "Price (/image)") are another table: not read.
    expect(page.unmapped).not.toContain('FLUX 1.1 [pro]');
  });

  it('a header line renamed gives layout changed, no price', () => {
    const md = capture('siliconflow_pricing_published-2026-04-26_jina-markdown.md').replaceAll(
      '\nCached Input\n',
      '\nCache Hit Input\n',
    );
    const r = parsePricingPage(provider('siliconflow'), md, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toMatch(/^page layout changed: no header lines/);
  });
});

describe('Venice (host; Jina markdown, "Label$price" lines under Chat Completions)', () => {
  const page = parseCapture('venice');

  it('reads each entry by its API id', () => {
    expect(page.problems).toEqual([]);
    // lines 83/87: "GLM 5.1 Beta`zai-org-glm-5-1`" / "Input Price$1.75 Output Price$5.50 Cache Read$0.33 Context 200K"
    expect(price(page, 'z-ai/glm-5.1', 'prompt')).toBe('$1.75');
    expect(price(page, 'z-ai/glm-5.1', 'completion')).toBe('$5.50');
    expect(price(page, 'z-ai/glm-5.1', 'input_cache_read')).toBe('$0.33');
    // lines 333/337: "Kimi K2.6`kimi-k2-6`" / "Input Price$0.85 Output Price$4.66 Cache Read$0.22 Context 256K"
    expect(price(page, 'moonshotai/kimi-k2.6', 'completion')).toBe('$4.66');
    // line 117: "Input Price$0.13 Output Price$0.50 Context 128K" (GLM 4.7 Flash): no cache price
    expect(price(page, 'z-ai/glm-4.7-flash', 'input_cache_read')).toBeUndefined();
    // "Context 200K" is not a price.
    expect(page.prices.flatMap((p) => p.components).every((c) => c.raw_value.startsWith('$'))).toBe(true);
  });

  it('without the "Chat Completions" section the page is a layout change, not prices from elsewhere', () => {
    const md = capture('venice_docs-pricing_2026-05-08_jina-markdown.md').replaceAll(
      '\nChat Completions\n',
      '\nText Generation\n',
    );
    const r = parsePricingPage(provider('venice'), md, ctx);
    expect(r.prices).toEqual([]);
    expect(r.problems[0]).toBe('page layout changed: no line "Chat Completions" on the page');
  });

  it('a renamed price label gives no price for it: "Input Cost$1.75" is not read as prompt', () => {
    const md = capture('venice_docs-pricing_2026-05-08_jina-markdown.md').replaceAll(
      'Input Price$',
      'Input Cost$',
    );
    const r = parsePricingPage(provider('venice'), md, ctx);
    expect(price(r, 'z-ai/glm-5.1', 'prompt')).toBeUndefined();
    expect(price(r, 'z-ai/glm-5.1', 'completion')).toBe('$5.50');
  });
});
