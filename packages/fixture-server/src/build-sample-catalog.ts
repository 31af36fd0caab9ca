import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { endpointsFromDerivedMap } from './derived-map.ts';
import type { EndpointEntry } from './derived-map.ts';
import { sampleCatalogDir, sharedDataDir } from './paths.ts';

// Builds fixtures/sample-catalog from the recorded data (run: npx tsx fixtures/sample-catalog/build.ts).
// Entries are copied verbatim; only the selection and the envelope's total_count are ours.

const data = path.join(sharedDataDir, 'openrouter');
export const SOURCES = {
  day1: path.join(data, 'models', 'openrouter_models_token-tariff_2026-08-01.json'),
  day2: path.join(data, 'models', 'openrouter_models_unified-llm-pricing_2026-08-19.json'),
  map1: path.join(data, 'endpoints', 'openrouter_endpoints-derived-map_aiscanner_2026-05-07.json'),
  map2: path.join(data, 'endpoints', 'openrouter_endpoints-derived-map_aiscanner_2026-05-18.json'),
  gpt4o: path.join(data, 'endpoints', 'openrouter_endpoints_openai-gpt-4o_fener_2026-08-31.json'),
  providers: path.join(data, 'providers', 'openrouter_providers_aiscanner_2026-05-18.json'),
} as const;

/** The selection, with why each model is in it (day 2 = 2026-08-19 vs day 1 = 2026-08-01). */
export const SELECTION: Readonly<Record<string, string>> = {
  'openai/gpt-5.5': 'pricing.overrides context tier (min_prompt_tokens 272000); unchanged',
  'openai/gpt-4o': 'classic; endpoints from the real Fener /endpoints capture; unchanged',
  'openai/gpt-oss-120b': 'prompt cut 0.000000037 → 0.00000003, input_cache_read appears on day 2',
  'openai/gpt-5.6-sol': 'all prices halved on day 2 (and overrides tiers)',
  'openai/o1-pro': 'huge but real: $150 / $600 per 1M',
  'openai/gpt-5.3-chat': 'REMOVED on day 2',
  'openai/gpt-oss-20b:free': ':free variant, all prices "0"',
  'anthropic/claude-sonnet-4.6': 'input_cache_read/write; many endpoints of one provider (regions)',
  'anthropic/claude-opus-4.7': 'unchanged',
  'anthropic/claude-haiku-4.5': 'unchanged',
  'google/gemini-2.5-pro': 'overrides tier at 200k tokens; image per token (2026 semantics)',
  'google/gemini-2.5-flash':
    'input_cache_write float artifact "0.00000008333333333333334" → "0.0000000833333333333333": NOT a change',
  'google/gemini-3.6-flash': 'every price halved on day 2',
  'google/gemini-3.7-flash': 'ADDED on day 2',
  'mistralai/mistral-small-3.2-24b-instruct': 'price rise 0.000000075 → 0.00000009375 (+25%)',
  'mistralai/mistral-large-2512': 'unchanged',
  'deepseek/deepseek-v4-pro': 'time-of-day overrides on day 2 (wrap midnight); base price rise',
  'deepseek/deepseek-v4-flash': 'price cut ~43%',
  'deepseek/deepseek-v3.1-terminus': 'input_cache_read disappears on day 2',
  'x-ai/grok-4.3': 'overrides tiers; unchanged',
  'x-ai/grok-4.20': 'overrides tiers; unchanged',
  'z-ai/glm-5': 'price cut (0.00000095 → 0.0000006)',
  'z-ai/glm-5.2': 'routed price = cheapest discounted endpoint, swings',
  'qwen/qwen3-14b': 'big cut: prompt -47%, completion -74%',
  'qwen/qwen3.5-35b-a3b': 'price rise, input_cache_read appears',
  'qwen/qwen3-30b-a3b': 'small rise (below a 30% alert)',
  'meta-llama/llama-3.3-70b-instruct': 'price cut',
  'moonshotai/kimi-k2.6': 'price cut',
  'minimax/minimax-m2.7': 'price rise (+20%)',
  'tencent/hy3-preview': 'price rise (+185%)',
  'nvidia/nemotron-3-ultra-550b-a55b': 'price rise',
  'openrouter/auto': 'router: "-1" (variable) prices',
  'openrouter/free': 'zero-priced router that is not a :free id',
  '~openai/gpt-latest': 'alias id starting with "~" (alias_target), halved on day 2',
};

// When the derived maps do not know a model, one endpoint at the routed price from the vendor's own
// (or an actually observed) host stands in: clearly marked in `_provenance`.
const STAND_IN_HOST: Readonly<Record<string, readonly [name: string, tag: string]>> = {
  openai: ['OpenAI', 'openai'],
  '~openai': ['OpenAI', 'openai'],
  google: ['Google AI Studio', 'google-ai-studio'],
  'z-ai': ['Z.AI', 'z-ai'],
  nvidia: ['Nvidia', 'nvidia'],
  tencent: ['SiliconFlow', 'siliconflow'],
};
const MAX_ENDPOINTS = 5;
// The pricing keys /endpoints publishes (docs/data-sources.md §3: prompt, completion, cache), not
// the dimension registry: a stand-in carries no more than a real endpoint would. A unit test proves
// each one feeds a registered dimension.
export const STAND_IN_PRICE_KEYS = ['prompt', 'completion', 'input_cache_read', 'input_cache_write'];

type Entry = Record<string, unknown> & { id: string; pricing: Record<string, unknown> };

export function buildSampleCatalog(outDir: string = sampleCatalogDir): Record<string, number> {
  const day1 = selectModels(SOURCES.day1);
  const day2 = selectModels(SOURCES.day2);
  const fener = readJson(SOURCES.gpt4o) as { data: { endpoints: unknown[] } };
  const maps = [
    endpointsFromDerivedMap(readJson(SOURCES.map1)),
    endpointsFromDerivedMap(readJson(SOURCES.map2)),
  ];
  const endpointFiles = [day1, day2].map((models, i) =>
    endpointsFor(models, maps[i] ?? new Map(), fener.data.endpoints, i === 0 ? '2026-05-07' : '2026-05-18'),
  );
  const usedProviders = new Set<string>(['fake-provider']);
  for (const file of endpointFiles) {
    for (const list of Object.values(file.endpoints)) {
      for (const e of list as { provider_name?: string }[])
        if (e.provider_name) usedProviders.add(e.provider_name);
    }
  }
  const providers = (readJson(SOURCES.providers) as { data: { name: string; slug: string }[] }).data.filter(
    (p) => usedProviders.has(p.name) || usedProviders.has(p.slug),
  );

  mkdirSync(path.join(outDir, 'endpoints'), { recursive: true });
  const sizes: Record<string, number> = {};
  const write = (rel: string, text: string): void => {
    writeFileSync(path.join(outDir, rel), text);
    sizes[rel] = Buffer.byteLength(text);
  };
  write('day1.models.json', modelsFile(day1));
  write('day2.models.json', modelsFile(day2));
  write('providers.json', `{"data":[\n${providers.map((p) => JSON.stringify(p)).join(',\n')}\n]}\n`);
  endpointFiles.forEach((file, i) => write(`endpoints/day${i + 1}.json`, endpointsFileText(file)));
  return sizes;
}

function selectModels(file: string): Entry[] {
  const body = readJson(file) as { data: Entry[] };
  return body.data.filter((m) => m.id in SELECTION);
}

function modelsFile(models: readonly Entry[]): string {
  // The mid-2026 envelope, one entry per line so day-to-day diffs stay readable.
  return `{"data":[\n${models.map((m) => JSON.stringify(m)).join(',\n')}\n],"total_count":${models.length},"links":{"next":null}}\n`;
}

interface EndpointsFile {
  provenance: Record<string, string>;
  endpoints: Record<string, readonly unknown[]>;
}

function endpointsFor(
  models: readonly Entry[],
  map: ReadonlyMap<string, readonly EndpointEntry[]>,
  fenerEndpoints: readonly unknown[],
  mapDate: string,
): EndpointsFile {
  const out: EndpointsFile = { provenance: {}, endpoints: {} };
  for (const model of models) {
    const author = model.id.split('/')[0] ?? '';
    const fromMap = map.get(model.id);
    if (model.id === 'openai/gpt-4o') {
      out.endpoints[model.id] = fenerEndpoints;
      out.provenance[model.id] = 'real /endpoints response, Mert1026/Fener, retrieved 2026-08-31';
    } else if (fromMap && fromMap.length > 0) {
      out.endpoints[model.id] = fromMap.slice(0, MAX_ENDPOINTS);
      out.provenance[model.id] =
        `aiscanner derived map ${mapDate} (floats → decimal strings)` +
        (fromMap.length > MAX_ENDPOINTS ? `; first ${MAX_ENDPOINTS} of ${fromMap.length} endpoints` : '');
    } else if (author === 'openrouter') {
      out.endpoints[model.id] = [];
      out.provenance[model.id] = 'router: no hosting endpoints';
    } else {
      out.endpoints[model.id] = [standIn(model, author)];
      out.provenance[model.id] = 'STAND-IN: one endpoint at the routed price (model not in the derived map)';
    }
  }
  return out;
}

function standIn(model: Entry, author: string): EndpointEntry {
  const [name, tag] = STAND_IN_HOST[author] ?? [author, author];
  const pricing: Record<string, string | number> = {};
  for (const key of STAND_IN_PRICE_KEYS) {
    const value = model.pricing[key];
    if (typeof value === 'string') pricing[key] = value;
  }
  pricing.discount = 0;
  const top = (model.top_provider ?? {}) as Record<string, unknown>;
  return {
    name: `${name} | ${typeof model.canonical_slug === 'string' ? model.canonical_slug : model.id}`,
    model_id: model.id,
    model_name: typeof model.name === 'string' ? model.name : model.id,
    context_length: typeof model.context_length === 'number' ? model.context_length : null,
    pricing,
    provider_name: name,
    tag,
    quantization: 'unknown',
    max_completion_tokens: typeof top.max_completion_tokens === 'number' ? top.max_completion_tokens : null,
    max_prompt_tokens: null,
    supported_parameters: Array.isArray(model.supported_parameters)
      ? (model.supported_parameters as string[])
      : [],
    status: 0,
    uptime_last_30m: null,
    supports_implicit_caching: false,
  };
}

function endpointsFileText(file: EndpointsFile): string {
  const lines = Object.entries(file.endpoints).map(
    ([id, list]) => `${JSON.stringify(id)}:[\n${list.map((e) => JSON.stringify(e)).join(',\n')}\n]`,
  );
  return `{"_provenance":${JSON.stringify(file.provenance, null, 1)},\n${lines.join(',\n')}\n}\n`;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}
