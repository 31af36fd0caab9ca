// Writes one export file from the database (wiring only: config, the snapshot adapter, the core).
//   DATABASE_URL=... npm run export -- --format genai-prices|litellm|models-dev|csv [--at 2026-08-19] [--out data.json]
// With --at the file is the catalog as it stood then, built from the history: the same bytes every
// time. Entries the format cannot carry are listed on standard error.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { z } from 'zod';
import { exportEnvSchema, parseArgs, type ExportArgs } from '../config.ts';
import { loadSnapshot } from '../adapters/snapshot-pg.ts';
import { stableJson } from '../core/json.ts';
import { toGenaiPrices } from '../core/genai-prices.ts';
import { toLiteLLM } from '../core/litellm.ts';
import { toModelsDev } from '../core/models-dev.ts';
import { toCsv } from '../core/csv.ts';
import type { Skipped } from '../core/errors.ts';

let args: ExportArgs;
let env: z.infer<typeof exportEnvSchema>;
try {
  args = parseArgs(process.argv.slice(2));
  env = exportEnvSchema.parse(process.env);
} catch (err) {
  const why =
    err instanceof z.ZodError
      ? err.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')
      : String(err);
  process.stderr.write(`export: ${why}\n`);
  process.exit(2);
}
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const snapshot = await loadSnapshot(db, {
    at: args.at ?? new Date(),
    fallbackToLatest: args.at === undefined,
  });
  let text: string;
  let skipped: Skipped[] = [];
  let caveats: Skipped[] = [];
  if (args.format === 'csv') text = toCsv(snapshot);
  else {
    let content: unknown;
    if (args.format === 'genai-prices') ({ providers: content, skipped } = toGenaiPrices(snapshot));
    else if (args.format === 'litellm') ({ map: content, skipped, caveats } = toLiteLLM(snapshot));
    else ({ api: content, skipped, caveats } = toModelsDev(snapshot));
    text = stableJson(content);
  }
  if (args.out) writeFileSync(args.out, text);
  else process.stdout.write(text);
  for (const c of caveats) process.stderr.write(`caveat ${c.price_key}: ${c.reason}\n`);
  for (const s of skipped) process.stderr.write(`skipped ${s.price_key}: ${s.reason}\n`);
  process.stderr.write(
    `${args.format}: ${snapshot.entries.length - skipped.length} prices at ${snapshot.at}, ${skipped.length} skipped\n`,
  );
} finally {
  await db.end();
}
