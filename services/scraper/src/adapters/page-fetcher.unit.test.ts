// The page fetcher's own decisions on top of the runtime's client, against a local server: what a
// robots.txt that is missing (4xx) or unreachable (5xx) means, read from the error's status, and how
// client errors become page results.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, PipelineError } from '@llmpt/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenderError } from './browser.ts';
import { createPageFetcher, type PageFetcherOptions } from './page-fetcher.ts';

let server: Server;
let port = 0;
const hits = new Map<string, number>();
let robotsStatus = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    if (p === '/robots.txt')
      return void res.writeHead(robotsStatus).end(robotsStatus === 200 ? 'User-agent: *\nDisallow:\n' : '');
    if (p === '/gone') return void res.writeHead(410).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>prices</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function fetcher(over: Partial<PageFetcherOptions> = {}) {
  return createPageFetcher({
    allowHosts: ['127.0.0.1'],
    perHostConcurrency: 1,
    minIntervalMs: 0,
    timeoutMs: 5_000,
    maxBytes: 100_000,
    retries: 0,
    userAgent: 'llm-price-tracker/0.1 (test)',
    robots: true,
    allowPrivateAddresses: true,
    ...over,
  });
}

/** A page fetched by a new fetcher (robots.txt is read once per fetcher) whose robots.txt answers `status`. */
async function withRobotsStatus(status: number) {
  robotsStatus = status;
  try {
    return await fetcher().fetchPage(`http://127.0.0.1:${port}/pricing`);
  } finally {
    robotsStatus = 200;
  }
}

describe('robots.txt by the status of its answer', () => {
  it('missing (404, 410, and 429 as before): every page may be fetched', async () => {
    for (const status of [404, 410, 429])
      expect((await withRobotsStatus(status)).status, `${status}`).toBe('ok');
  });

  it('unreachable (5xx): complete disallow', async () => {
    for (const status of [500, 503])
      expect(await withRobotsStatus(status), `${status}`).toMatchObject({
        status: 'robots_disallowed',
        reason: 'robots.txt disallows /pricing',
      });
  });
});

describe('client errors as page results', () => {
  it('an answer with an error status: failed, "HTTP <status>"', async () => {
    const r = await fetcher({ robots: false }).fetchPage(`http://127.0.0.1:${port}/gone`);
    expect(r).toMatchObject({ status: 'failed', reason: 'HTTP 410' });
  });

  it('not a URL, or a host outside the allow-list: refused before any request', async () => {
    expect(await fetcher().fetchPage('not a url')).toMatchObject({
      status: 'refused',
      reason: 'not a URL: not a url',
    });
    const before = hits.get('/pricing') ?? 0;
    expect(await fetcher().fetchPage(`http://localhost:${port}/pricing`)).toMatchObject({
      status: 'refused',
      reason: 'host localhost is not allow-listed',
    });
    expect(hits.get('/pricing') ?? 0).toBe(before);
  });

  it('an empty allow-list is a configuration error', () => {
    expect(() => fetcher({ allowHosts: [] })).toThrow(ConfigError);
  });

  it("the renderer's errors are PipelineErrors with their code", () => {
    const err = new RenderError('RENDER_TIMEOUT', 'selector "table" did not appear within 10 ms');
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ code: 'RENDER_TIMEOUT', name: 'RenderError', retriable: false });
  });
});
