// The web explorer served by the API (services/api/README.md "The web explorer"): a build in a temp
// directory (index.html, a hashed asset, a top-level file, a dotfile), served through the real app.
// Expected headers and answers are the README's. The reader points at a port where nothing listens:
// these routes never read the database, and the API's own routes must answer as without the explorer.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp, createCatalogReader, type CatalogReader } from '@llmpt/api';
import { repoRoot } from '@llmpt/testkit';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/explorer/assets/x.js"></script></head></html>\n';
const ASSET = 'console.log("explorer");\n';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
  "frame-ancestors 'none'";
const NOWHERE = 'postgres://nobody:x@127.0.0.1:1/none';

type App = Awaited<ReturnType<typeof buildApiApp>>;

describe('the web explorer at /explorer/ (WEB_DIST)', () => {
  let dir: string;
  let reader: CatalogReader;
  let app: App;
  let plain: App;
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'llmpt-explorer-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'x.js'), ASSET);
    writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1\n');
    reader = createCatalogReader({ databaseUrl: NOWHERE, poolSize: 1 });
    app = await buildApiApp({ reader, explorer: { root: dir } });
    plain = await buildApiApp({ reader });
  });

  afterAll(async () => {
    await app?.close();
    await plain?.close();
    await reader?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('any path that is not a file answers index.html, no-cache, with the policy; / and /explorer redirect', async () => {
    for (const url of [
      '/explorer/',
      '/explorer/models/openai/gpt-5.5?at=2026-08-19',
      '/explorer/changes/',
      '/explorer/index.html',
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).toBe(INDEX);
      expect(r.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control'], url).toBe('no-cache');
      expect(r.headers['content-security-policy'], url).toBe(CSP);
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
    }
    const head = await app.inject({ method: 'HEAD', url: '/explorer/models/x' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-security-policy']).toBe(CSP);
    for (const url of ['/', '/explorer']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(302);
      expect(r.headers.location, url).toBe('/explorer/');
    }
    // A dotfile is never served: the explorer's page comes instead.
    expect((await get('/explorer/.env')).body).toBe(INDEX);
  });

  it('assets are immutable; a missing asset is a JSON 404; other files are revalidated', async () => {
    const asset = await get('/explorer/assets/x.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(ASSET);
    expect(asset.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBeUndefined();
    // Revalidation works with the file server's validators.
    const again = await get('/explorer/assets/x.js', { 'if-none-match': String(asset.headers.etag) });
    expect(again.statusCode).toBe(304);
    const gz = await get('/explorer/assets/x.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    for (const url of ['/explorer/assets/gone-1234.js', '/explorer/assets/']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    const favicon = await get('/explorer/favicon.svg');
    expect(favicon.statusCode).toBe(200);
    expect(favicon.headers['cache-control']).toBe('no-cache');
    expect(favicon.headers['content-security-policy']).toBeUndefined();
    const post = await app.inject({ method: 'POST', url: '/explorer/models' });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('the API is unchanged: same OpenAPI document, JSON 404 outside /explorer/, 503 from the routes, rate limit', async () => {
    for (const a of [app, plain]) {
      const nope = await a.inject({ url: '/v1/nope' });
      expect(nope.statusCode).toBe(404);
      expect(nope.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /v1/nope' } });
      const models = await a.inject({ url: '/v1/catalog' });
      expect(models.statusCode).toBe(503);
      expect(models.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(models.headers['x-ratelimit-limit']).toBe('300');
      expect((await a.inject({ url: '/livez' })).statusCode).toBe(200);
    }
    expect((await app.inject({ url: '/openapi.json' })).json()).toEqual(
      (await plain.inject({ url: '/openapi.json' })).json(),
    );
    // Without WEB_DIST, / and /explorer/ are unknown paths like any other.
    for (const url of ['/', '/explorer/', '/explorer/assets/x.js']) {
      const r = await plain.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('in Chromium the policy runs the build’s script, refuses inline script, eval and other origins, lets chart styles apply', async () => {
    // What the README says the policy allows and refuses, checked in a real browser: a page with an
    // inline script and a script of the build that does what chart libraries do (a <style> element, a
    // style attribute) and what an injected script would (eval, a request to another origin).
    const build = mkdtempSync(path.join(tmpdir(), 'llmpt-explorer-csp-'));
    mkdirSync(path.join(build, 'assets'));
    writeFileSync(
      path.join(build, 'index.html'),
      '<!doctype html><html><head><script>window.inlineRan = true;</script>' +
        '<script type="module" src="/explorer/assets/app.js"></script></head><body></body></html>',
    );
    writeFileSync(
      path.join(build, 'assets', 'app.js'),
      `const out = { inlineRan: window.inlineRan === true, violations: [], done: false };
       window.__result = out;
       document.addEventListener('securitypolicyviolation', (e) => out.violations.push(e.effectiveDirective));
       const style = document.createElement('style');
       style.textContent = '#probe { width: 123px; }';
       document.head.append(style);
       const probe = document.createElement('div');
       probe.id = 'probe';
       probe.setAttribute('style', 'height: 45px');
       document.body.append(probe);
       out.width = getComputedStyle(probe).width;
       out.height = getComputedStyle(probe).height;
       try { out.evalRan = eval('1 + 1') === 2; } catch { out.evalRan = false; }
       out.sameOrigin = (await fetch('/v1/catalog')).status;
       try { await fetch('http://127.0.0.1:1/'); out.otherOrigin = 'answered'; } catch { out.otherOrigin = 'failed'; }
       out.done = true;`,
    );
    const served = await buildApiApp({ reader, explorer: { root: build } });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      await served.listen({ port: 0, host: '127.0.0.1' });
      const addr = served.server.address();
      const page = await browser.newPage();
      await page.goto(
        `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/explorer/deep/link`,
      );
      // Violation reports are dispatched as tasks: wait for the one of the refused request.
      const handle = await page.waitForFunction(
        () => {
          const r = (globalThis as unknown as { __result?: { done: boolean; violations: string[] } })
            .__result;
          return r?.done && r.violations.includes('connect-src') ? r : null;
        },
        undefined,
        { timeout: 10_000 },
      );
      const result = (await handle.jsonValue()) as Record<string, unknown>;
      expect(result).toMatchObject({
        inlineRan: false,
        evalRan: false,
        width: '123px',
        height: '45px',
        // The API's own answer (its database does not answer here): the request was made.
        sameOrigin: 503,
        otherOrigin: 'failed',
      });
      expect(result.violations).toEqual(expect.arrayContaining(['script-src', 'connect-src']));
      expect(result.violations).not.toContain('style-src-elem');
      expect(result.violations).not.toContain('style-src-attr');
    } finally {
      await browser.close();
      await served.close();
      rmSync(build, { recursive: true, force: true });
    }
  });

  it('WEB_DIST without index.html, or not a directory: the API refuses to start, naming WEB_DIST', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'llmpt-explorer-empty-'));
    try {
      for (const root of [empty, path.join(empty, 'missing')])
        await expect(buildApiApp({ reader, explorer: { root } })).rejects.toThrow(/WEB_DIST/);
      // The service itself: exits non-zero at start, before listening, saying why.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot, 'services/api/src/main.ts')],
        {
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: NOWHERE,
            PORT: '0',
            HOST: '127.0.0.1',
            WEB_DIST: empty,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (b: Buffer) => (output += b.toString()));
      child.stderr.on('data', (b: Buffer) => (output += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).not.toBe(0);
      expect(output).toContain(`WEB_DIST: ${empty} holds no index.html`);
      expect(output).not.toMatch(/api listening/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
