// Exports (services/api/README.md "Exports") on the recorded days (tests/int/api/setup.ts): the files
// `npm run export` writes, served; a past day is the end of that UTC day and the same bytes every time.
// The app's clock is 2026-08-20T00:00:00Z.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Decimal } from 'decimal.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type FreshDatabase } from '@llmpt/testkit';
import { startRecordedApi, type Json, type RecordedApi } from './setup.ts';

const LABEL = 'api_exports';

describe('GET /v1/exports on two recorded OpenRouter days', () => {
  let api: RecordedApi;
  let db: FreshDatabase;
  let base: string;
  let validate: RecordedApi['validate'];
  const get: RecordedApi['get'] = (p, h) => api.get(p, h);

  beforeAll(async () => {
    api = await startRecordedApi(LABEL);
    ({ db, base, validate } = api);
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  // Exports (services/api/README.md "Exports"): the CLI's files, served; a past day is the end of that
  // UTC day and the same bytes every time. The app's clock is 2026-08-20T00:00:00Z.
  const exportBytes = async (p: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${p}`, { headers });
    return { res, text: await res.text() };
  };

  /** What `npm run export` writes for the same format and day, run as the database owner. */
  const cliExport = (format: string, at: string): Promise<string> => cliRun(format, at).then((r) => r.out);

  /** `npm run export` for a format and day: its file (stdout) and its report (stderr). */
  function cliRun(format: string, at: string): Promise<{ out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(repoRoot, 'packages/exports/src/cli/export.ts'),
          '--format',
          format,
          '--at',
          at,
        ],
        { env: { PATH: process.env.PATH, DATABASE_URL: db.url }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve({ out, err }) : reject(new Error(`export exited ${code}: ${err}`)),
      );
    });
  }

  it('exports of a past day: the CLI’s --at DAY file byte for byte (as api_reader), the same bytes and ETag twice, 304', async () => {
    const [api, again, cli] = await Promise.all([
      exportBytes('/v1/exports/litellm/2026-08-19.json'),
      exportBytes('/v1/exports/litellm/2026-08-19.json'),
      cliExport('litellm', '2026-08-19'),
    ]);
    expect(api.res.status).toBe(200);
    expect(api.res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(api.text).toBe(cli);
    expect(again.text).toBe(api.text);
    const tag = api.res.headers.get('etag');
    expect(tag).toMatch(/^"/);
    expect(again.res.headers.get('etag')).toBe(tag);
    validate('/v1/exports/{format}/{file}', 200, JSON.parse(api.text));
    const cached = await exportBytes('/v1/exports/litellm/2026-08-19.json', { 'if-none-match': tag! });
    expect(cached.res.status).toBe(304);

    const csv = await exportBytes('/v1/exports/csv/2026-08-19.csv');
    expect(csv.res.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text).toBe(await cliExport('csv', '2026-08-19'));
    for (const format of ['genai-prices', 'models-dev']) {
      const one = await exportBytes(`/v1/exports/${format}/2026-08-19.json`);
      expect(one.res.status, format).toBe(200);
      expect(one.text, format).toBe((await exportBytes(`/v1/exports/${format}/2026-08-19.json`)).text);
      validate('/v1/exports/{format}/{file}', 200, JSON.parse(one.text));
    }
  }, 30_000);

  it('X-Export-Prices/-Skipped/-Caveats: the counts the CLI reports on standard error, on 200 and 304', async () => {
    // README "Exports": the CLI prints `skipped <key>: <reason>` and `caveat <key>: <reason>` lines, then
    // `<format>: N prices at <at>, M skipped`. The same day, the same snapshot: the same counts.
    // Two CLI runs (the formats with both skipped and caveated entries) keep the test fast; the other two
    // are checked below against the snapshot's size, which every format's counts add up to.
    const formats = [
      ['litellm', 'json'],
      ['models-dev', 'json'],
    ] as const;
    const runs = await Promise.all(formats.map(([f]) => cliRun(f, '2026-08-19')));
    let skippedSomewhere = 0;
    for (const [i, [format, ext]] of formats.entries()) {
      const { err } = runs[i]!;
      const summary = new RegExp(`^${format}: (\\d+) prices at \\S+, (\\d+) skipped$`, 'm').exec(err);
      expect(summary, err).not.toBeNull();
      const lines = (kind: string) => err.split('\n').filter((l) => l.startsWith(`${kind} `)).length;
      expect(lines('skipped')).toBe(Number(summary![2]));
      const { res, text } = await exportBytes(`/v1/exports/${format}/2026-08-19.${ext}`);
      expect(res.status).toBe(200);
      expect(text).toBe(runs[i]!.out);
      const headers = {
        prices: res.headers.get('x-export-prices'),
        skipped: res.headers.get('x-export-skipped'),
        caveats: res.headers.get('x-export-caveats'),
      };
      expect(headers, format).toEqual({
        prices: summary![1],
        skipped: summary![2],
        caveats: String(lines('caveat')),
      });
      skippedSomewhere += Number(summary![2]);
      // A 304 says the same; and browsers may read the headers (CORS).
      const cached = await exportBytes(`/v1/exports/${format}/2026-08-19.${ext}`, {
        'if-none-match': res.headers.get('etag')!,
        origin: 'https://app.example',
      });
      expect(cached.res.status).toBe(304);
      expect(cached.res.headers.get('x-export-skipped')).toBe(summary![2]);
      expect(cached.res.headers.get('access-control-expose-headers')).toMatch(/X-Export-Skipped/i);
    }
    // The recorded days have endpoint prices, which LiteLLM cannot carry: the report is not all zeros.
    expect(skippedSomewhere).toBeGreaterThan(0);
    // Every format starts from the same snapshot: prices + skipped is its size, which is the CSV's row
    // count (one row per entry, README "Exports").
    const csv = await exportBytes('/v1/exports/csv/2026-08-19.csv');
    const entries = (parseCsv(csv.text) as unknown[]).length - 1;
    expect(entries).toBeGreaterThan(30);
    expect(csv.res.headers.get('x-export-prices')).toBe(String(entries));
    expect(csv.res.headers.get('x-export-skipped')).toBe('0');
    expect(csv.res.headers.get('x-export-caveats')).toBe('0');
    for (const format of ['litellm', 'genai-prices', 'models-dev']) {
      const { res } = await exportBytes(`/v1/exports/${format}/2026-08-19.json`);
      const sum = Number(res.headers.get('x-export-prices')) + Number(res.headers.get('x-export-skipped'));
      expect(sum, format).toBe(entries);
    }
    expect(
      (await exportBytes('/v1/exports/genai-prices/2026-08-19.json')).res.headers.get('x-export-caveats'),
    ).toBe('0');
    // The OpenAPI document names the headers.
    const doc = (await get('/openapi.json')).body!;
    const ok = ((doc.paths as Json)['/v1/exports/{format}/{file}'] as Json).get as Json;
    expect(Object.keys(((ok.responses as Json)['200'] as Json).headers as Json).sort()).toEqual([
      'X-Export-Caveats',
      'X-Export-Prices',
      'X-Export-Skipped',
    ]);
    // The current export reports too.
    const current = await exportBytes('/v1/exports/litellm.json');
    expect(Number(current.res.headers.get('x-export-skipped'))).toBeGreaterThan(0);
  }, 30_000);

  it('exports before and after a change: the day’s end decides (qwen/qwen3-14b cut on 2026-08-19)', async () => {
    const routed = async (day: string) => {
      const { res, text } = await exportBytes(`/v1/exports/litellm/${day}.json`);
      expect(res.status).toBe(200);
      return (JSON.parse(text) as Record<string, Json>)['openrouter/qwen/qwen3-14b'];
    };
    // Values from fixtures/sample-catalog/README.md "What changes".
    const before = await routed('2026-08-18');
    expect(new Decimal(String(before!.input_cost_per_token)).toFixed()).toBe('0.0000002275');
    const after = await routed('2026-08-19');
    expect(new Decimal(String(after!.input_cost_per_token)).toFixed()).toBe('0.00000012');
    expect(new Decimal(String(after!.output_cost_per_token)).toFixed()).toBe('0.00000024');
    // Before the first observation there is nothing to export.
    expect(await exportBytes('/v1/exports/csv/2026-07-01.csv').then((r) => parseCsv(r.text))).toHaveLength(1);
  });

  it('the current exports: every format, in force now, with the catalog’s names', async () => {
    const litellm = await exportBytes('/v1/exports/litellm.json');
    expect(litellm.res.status).toBe(200);
    const map = JSON.parse(litellm.text) as Record<string, Json>;
    validate('/v1/exports/{file}', 200, map);
    expect(new Decimal(String(map['openrouter/qwen/qwen3-14b']!.input_cost_per_token)).toFixed()).toBe(
      '0.00000012',
    );
    const models = (await get('/v1/models')).body!.data as Json[];
    expect(
      Object.keys(map).filter((k) => k.split('/').length === 3 && k.startsWith('openrouter/')).length,
    ).toBeGreaterThan(0);
    for (const m of models.filter((m) => Object.keys(m.pricing as Json).length > 0))
      expect(map, String(m.id)).toHaveProperty([`openrouter/${String(m.id)}`]);
    for (const file of ['genai-prices.json', 'models-dev.json']) {
      const { res, text } = await exportBytes(`/v1/exports/${file}`);
      expect(res.status, file).toBe(200);
      validate('/v1/exports/{file}', 200, JSON.parse(text));
    }
    const csv = await exportBytes('/v1/exports/csv.csv', { 'accept-encoding': 'gzip' });
    expect(csv.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.res.headers.get('content-encoding')).toBe('gzip');
    const rows: string[][] = parseCsv(csv.text);
    expect(rows.length).toBeGreaterThan(models.length);
  });

  it('exports: an unknown format is 404, a bad or unfinished day 400, JSON errors as documented', async () => {
    const cases: [string, string, number][] = [
      ['/v1/exports/openrouter.json', '/v1/exports/{file}', 404],
      ['/v1/exports/litellm.csv', '/v1/exports/{file}', 404],
      ['/v1/exports/litellm', '/v1/exports/{file}', 404],
      ['/v1/exports/' + 'a'.repeat(200) + '.json', '/v1/exports/{file}', 400],
      ['/v1/exports/nope/2026-08-19.json', '/v1/exports/{format}/{file}', 404],
      ['/v1/exports/csv/2026-08-19.json', '/v1/exports/{format}/{file}', 404],
      ['/v1/exports/litellm/2026-08-19', '/v1/exports/{format}/{file}', 404],
      ['/v1/exports/litellm/2026-02-30.json', '/v1/exports/{format}/{file}', 400],
      ['/v1/exports/litellm/yesterday.json', '/v1/exports/{format}/{file}', 400],
      ['/v1/exports/litellm/2026-08-20.json', '/v1/exports/{format}/{file}', 400], // today: not over
      ['/v1/exports/litellm/2099-01-01.json', '/v1/exports/{format}/{file}', 400],
      ["/v1/exports/litellm/2026-08-19'%3B.json", '/v1/exports/{format}/{file}', 400],
    ];
    for (const [url, route, status] of cases) {
      const { res, body } = await get(url);
      expect(res.status, url).toBe(status);
      expect(res.headers.get('content-type'), url).toMatch(/^application\/json/);
      expect((body!.error as Json).code, url).toBe(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST');
      validate(route, status, body);
    }
  });
});
