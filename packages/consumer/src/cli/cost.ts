// cost: price one call at the price in force when it was made, with a breakdown per component.
//   npx tsx packages/consumer/src/cli/cost.ts --model google/gemini-2.5-pro --at 2026-08-19T12:00:00Z \
//     --format gemini --usage '{"usageMetadata":{"promptTokenCount":250000,"candidatesTokenCount":1000}}'
//     [--provider NAME [--source openrouter_endpoints|provider_site|web_fallback] [--strict-source]]
//     [--tier LABEL|base] [--images N] [--web-searches N] [--byok-requests N]
// --at is the call's time: it picks the price in force and the time-of-day tiers. Tiers are chosen from
// the usage unless --tier names one (a label such as "prompt_tokens>200000", or "base" for none).
// --provider alone asks every source of that provider and takes the preferred one (SOURCE_PREFERENCE).
// The price comes from price_at through PostgREST (SUPABASE_URL + SUPABASE_ANON_KEY) or Postgres
// (DATABASE_URL). --usage is the provider's response body (or its usage part), JSON text or @file.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import ws from 'ws';
import { ConfigError } from '@llmpt/core';
import { SourceTypeValues, type SourceType } from '@llmpt/schemas';
import type { UsageInput } from '../cost/usage.ts';
import {
  costOfCallAt,
  priceAtPg,
  priceAtRest,
  type CostAtOptions,
  type PriceAtQuery,
  type PriceInForce,
} from '../price-at.ts';

type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

const usageText =
  'usage: cost --model ID --format openai|anthropic|gemini|cohere|openrouter --usage JSON|@file [--at ISO]\n' +
  '            [--provider NAME] [--source SOURCE] [--strict-source] [--tier LABEL|base] [--images N]\n' +
  '            [--web-searches N] [--byok-requests N]';

function usageOf(format: string, text: string): UsageInput {
  const body = JSON.parse(text) as Record<string, unknown>;
  // Accept the whole response body or just its usage part.
  return (
    format === 'gemini'
      ? { format: 'gemini', usageMetadata: body.usageMetadata ?? body }
      : format === 'cohere'
        ? { format: 'cohere', meta: body.meta ?? { billed_units: body.billed_units ?? body } }
        : { format, usage: body.usage ?? body }
  ) as UsageInput;
}

function wholeNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(`--${name} must be a whole number, got ${text}`);
  return Number(text);
}

function costOptions(values: Record<string, string | boolean | undefined>): CostAtOptions {
  const images = wholeNumber(values.images as string | undefined, 'images');
  const searches = wholeNumber(values['web-searches'] as string | undefined, 'web-searches');
  const byok = wholeNumber(values['byok-requests'] as string | undefined, 'byok-requests');
  const tier = values.tier as string | undefined;
  return {
    ...(tier === undefined ? {} : { tier: tier === 'base' ? null : tier }),
    ...(images === undefined ? {} : { images }),
    ...(searches === undefined ? {} : { webSearches: searches }),
    ...(byok === undefined ? {} : { byok: { requestsThisMonth: byok } }),
    strictSource: values['strict-source'] === true,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      at: { type: 'string', default: new Date().toISOString() },
      provider: { type: 'string' },
      source: { type: 'string' },
      'strict-source': { type: 'boolean', default: false },
      format: { type: 'string' },
      usage: { type: 'string' },
      tier: { type: 'string' },
      images: { type: 'string' },
      'web-searches': { type: 'string' },
      'byok-requests': { type: 'string' },
    },
  });
  if (!values.model || !values.format || !values.usage) {
    console.error(usageText);
    return 2;
  }
  if (values.source !== undefined && !(SourceTypeValues as readonly string[]).includes(values.source)) {
    console.error(`--source must be one of ${SourceTypeValues.join(', ')}\n${usageText}`);
    return 2;
  }
  const text = values.usage.startsWith('@') ? readFileSync(values.usage.slice(1), 'utf8') : values.usage;
  const usage = usageOf(values.format, text);

  let lookup: (q: PriceAtQuery) => Promise<PriceInForce[]>;
  let close = async () => {};
  if (process.env.DATABASE_URL) {
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    lookup = (q) => priceAtPg(db, q);
    close = () => db.end();
  } else if (process.env.SUPABASE_URL && process.env.SUPABASE_ANON_KEY) {
    const client = createClient(process.env.SUPABASE_URL, process.env.SUPABASE_ANON_KEY, {
      realtime: { transport: ws as unknown as Transport },
      auth: { persistSession: false },
    });
    lookup = (q) => priceAtRest(client, q);
  } else {
    console.error('set DATABASE_URL, or SUPABASE_URL and SUPABASE_ANON_KEY');
    return 2;
  }
  try {
    const query: PriceAtQuery = {
      modelId: values.model,
      at: values.at,
      ...(values.provider ? { provider: values.provider } : {}),
      ...(values.source ? { source: values.source as SourceType } : {}),
    };
    const cost = await costOfCallAt(lookup, query, usage, costOptions(values));
    console.log(JSON.stringify(cost, null, 2));
    for (const w of cost.warnings) console.error(`warning: ${w}`);
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? `cost: ${err.message}` : err);
    process.exitCode = 1;
  },
);
