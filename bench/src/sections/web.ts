// The explorer (web/, issue 15) in Debian's Chromium on the full catalog: the bench history COPYed
// into a fresh database (the recorded full day: ≈400 models, ≈1,000 endpoints, priced over the bench's
// days), served by the API process with WEB_DIST and its answer cache OFF (every visit computes
// /v1/catalog, the worst case), opened by playwright-core. Measured per run:
// - time to a usable catalog: from navigation start to the Catalog page's `data-state="ready"`
//   (every row rendered), read in the page (a MutationObserver stamps performance.now()); cold (a new
//   browser context: nothing cached) and warm (a reload: the assets from the HTTP cache);
// - what Chromium received: the JavaScript (transfer = compressed bytes on the wire, decoded = what
//   the browser parses) and /v1/catalog's answer, from the Resource Timing entries;
// - the files on disk (web/dist/assets/*.js, raw and gzip -9), for comparison with the wire.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ChildProcess } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';
import { repoRoot, waitFor, withClient } from '@llmpt/testkit';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { freshDatabase, load, median } from '../infra.ts';
import { fmt, say } from '../report.ts';
import { copyRows } from './copy.ts';
import { freePort, startProcess } from './api.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Visit {
  readonly readyMs: number;
  readonly rows: number;
  readonly jsTransfer: number;
  readonly jsDecoded: number;
  readonly catalogTransfer: number;
  readonly catalogDecoded: number;
}

/** Stamps the moment the catalog page says it is ready (installed before any page script runs). */
const STAMP_READY = `(() => {
  const mark = () => {
    const s = document.querySelector('section[data-page="catalog"][data-state="ready"]');
    if (s && window.__readyAt === undefined) window.__readyAt = performance.now();
    return window.__readyAt !== undefined;
  };
  new MutationObserver((_, o) => { if (mark()) o.disconnect(); })
    .observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
})();`;

/** What one visit measured, read in the page (a string: this package is typed without the DOM). */
const READ_VISIT = `(() => {
  const res = performance.getEntriesByType('resource');
  const js = res.filter((r) => r.name.endsWith('.js'));
  const cat = res.find((r) => new URL(r.name).pathname === '/v1/catalog');
  return {
    readyMs: window.__readyAt,
    rows: document.querySelectorAll('section[data-page="catalog"] tbody tr').length,
    jsTransfer: js.reduce((n, r) => n + r.transferSize, 0),
    jsDecoded: js.reduce((n, r) => n + r.decodedBodySize, 0),
    catalogTransfer: cat ? cat.transferSize : 0,
    catalogDecoded: cat ? cat.decodedBodySize : 0,
  };
})()`;

export async function webSection(b: Bench): Promise<void> {
  if (skip('web')) return;
  execFileSync('npm', ['run', '--silent', 'web:build'], { cwd: repoRoot, stdio: 'pipe' });
  const dist = path.join(repoRoot, 'web', 'dist');
  const jsFiles = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  const onDisk = jsFiles.map((f) => readFileSync(path.join(dist, 'assets', f)));
  const rawBytes = onDisk.reduce((n, buf) => n + buf.length, 0);
  const gzipBytes = onDisk.reduce((n, buf) => n + gzipSync(buf, { level: 9 }).length, 0);

  const db = await freshDatabase('web');
  const login = `llmpt_bench_web_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let api: ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    await copyRows(db.url, b.rows);
    await withClient(db.url, (c) => c.query('analyze'));
    await withClient(db.url, (c) =>
      c.query(`create role ${login} login password '${password}' in role api_reader`),
    );
    const apiUrl = new URL(db.url);
    apiUrl.username = login;
    apiUrl.password = password;
    const port = await freePort();
    api = startProcess(
      'api-web',
      process.execPath,
      ['--import', 'tsx', path.join('services', 'api', 'src', 'main.ts')],
      {
        DATABASE_URL: apiUrl.toString(),
        PORT: String(port),
        HOST: '127.0.0.1',
        RATE_LIMIT_MAX: String(1e9),
        CACHE_TTL_MS: '0',
        LOG_LEVEL: 'warn',
        WEB_DIST: dist,
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok === true, {
      timeoutMs: 60_000,
      message: 'api-web /readyz',
    });
    const catalog = (await (await fetch(`${base}/v1/catalog`)).json()) as { data: unknown[] };
    const models = catalog.data.length;
    const endpoints = (catalog.data as { providers: unknown[] }[]).reduce(
      (n, m) => n + m.providers.length,
      0,
    );
    say(`web: /v1/catalog holds ${models} models, ${endpoints} provider prices`);

    const measure = async (page: Page): Promise<Visit> => {
      await page.waitForSelector('section[data-page="catalog"][data-state="ready"]', { timeout: 120_000 });
      await page.waitForFunction('window.__readyAt !== undefined');
      return page.evaluate<Visit>(READ_VISIT);
    };
    const cold: Visit[] = [];
    const warm: Visit[] = [];
    for (let i = 0; i < Math.max(cfg.runs, 5); i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(STAMP_READY);
      await page.goto(`${base}/explorer/`);
      cold.push(await measure(page));
      await page.reload();
      warm.push(await measure(page));
      await context.close();
    }
    for (const v of [...cold, ...warm])
      if (v.rows !== models)
        throw new Error(`web: the catalog shows ${v.rows} rows, /v1/catalog has ${models}`);
    const note = `${models} models, ${endpoints} provider prices; API cache off`;
    b.report.record({
      section: 'web',
      figure: 'Time to a usable catalog, cold (new browser context)',
      value: median(cold.map((v) => v.readyMs)),
      unit: 'ms',
      runs: cold.map((v) => v.readyMs),
      note,
    });
    b.report.record({
      section: 'web',
      figure: 'Time to a usable catalog, warm (reload, assets cached)',
      value: median(warm.map((v) => v.readyMs)),
      unit: 'ms',
      runs: warm.map((v) => v.readyMs),
      note,
    });
    const first = cold[0]!;
    b.report.record({
      section: 'web',
      figure: 'JavaScript shipped, on the wire (Chromium transfer size)',
      value: first.jsTransfer / 1024,
      unit: 'KiB',
      runs: cold.map((v) => v.jsTransfer / 1024),
      note: `decoded ${fmt(first.jsDecoded / 1024)} KiB; on disk ${fmt(rawBytes / 1024)} KiB raw, ${fmt(gzipBytes / 1024)} KiB gzip -9 (${jsFiles.length} file${jsFiles.length === 1 ? '' : 's'})`,
    });
    b.report.record({
      section: 'web',
      figure: '/v1/catalog answer, on the wire',
      value: first.catalogTransfer / 1024,
      unit: 'KiB',
      runs: cold.map((v) => v.catalogTransfer / 1024),
      note: `decoded ${fmt(first.catalogDecoded / 1024)} KiB`,
    });
    b.report.loads.push(`web: ${load()}`);
  } finally {
    await browser.close();
    if (api) {
      api.kill('SIGTERM');
      await new Promise((r) => (api!.exitCode !== null ? r(null) : api!.once('exit', r)));
    }
    await db.drop();
    await withClient(b.env.databaseUrl, (c) => c.query(`drop role if exists ${login}`));
  }
}
