// cost: price one call at the price in force when it was made, with a breakdown per component.
//   npx tsx packages/consumer/src/cli/cost.ts --model google/gemini-2.5-pro --at 2026-08-19T12:00:00Z \
//     --format gemini --usage '{"usageMetadata":{"promptTokenCount":250000,"candidatesTokenCount":1000}}'
//     [--provider NAME --source openrouter_endpoints] [--long-context '{"min_prompt_tokens":200000,"prices":{...}}']
//     [--byok-requests N]
// The price comes from price_at through PostgREST (SUPABASE_URL + SUPABASE_ANON_KEY) or Postgres
// (DATABASE_URL). --usage is the provider's response body (or its usage part), JSON text or @file.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import pg from 'pg';
import ws from 'ws';
import type { SourceType } from '@llmpt/schemas';
import type { CallPrice } from '../cost/compute.ts';
import type { UsageInput } from '../cost/usage.ts';
import { costOfCallAt, priceAtPg, priceAtRest, type PriceAtQuery, type PriceInForce } from '../price-at.ts';

type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      at: { type: 'string', default: new Date().toISOString() },
      provider: { type: 'string' },
      source: { type: 'string', default: 'openrouter_api' },
      format: { type: 'string' },
      usage: { type: 'string' },
      'long-context': { type: 'string' },
      'byok-requests': { type: 'string' },
    },
  });
  if (!values.model || !values.format || !values.usage) {
    console.error(
      'usage: cost --model ID --format openai|anthropic|gemini|cohere|openrouter --usage JSON|@file [--at ISO]',
    );
    return 2;
  }
  const text = values.usage.startsWith('@') ? readFileSync(values.usage.slice(1), 'utf8') : values.usage;
  const body = JSON.parse(text) as Record<string, unknown>;
  // Accept the whole response body or just its usage part.
  const usage = (
    values.format === 'gemini'
      ? { format: 'gemini', usageMetadata: body.usageMetadata ?? body }
      : values.format === 'cohere'
        ? { format: 'cohere', meta: body.meta ?? { billed_units: body.billed_units ?? body } }
        : { format: values.format, usage: body.usage ?? body }
  ) as UsageInput;

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
    const cost = await costOfCallAt(
      lookup,
      {
        modelId: values.model,
        at: values.at,
        ...(values.provider ? { provider: values.provider } : {}),
        source: values.source as SourceType,
      },
      usage,
      {
        ...(values['long-context']
          ? { longContext: JSON.parse(values['long-context']) as CallPrice['long_context'] }
          : {}),
        ...(values['byok-requests'] ? { byok: { requestsThisMonth: Number(values['byok-requests']) } } : {}),
      },
    );
    console.log(JSON.stringify(cost, null, 2));
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
