// The HTTP client's error data against a local node:http server on 127.0.0.1: what callers branch on
// (code, status, retriable), what reaches logs and events (a message without secrets), and the
// options (caps, timeout, guard, allow-list, limiter, retries) on an injected clock, never wall time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PipelineError } from '@llmpt/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.ts';
import { InternalAddressError } from './address-guard.ts';
import { createHttpClient, type HttpClientOptions } from './client.ts';
import { HttpError } from './errors.ts';
import { createHostLimiter } from './host-limiter.ts';
import { fetchBytes } from './http.ts';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base = '';
let port = 0;
const hits = new Map<string, number>();
const stalled: ServerResponse[] = [];
const posted: { method?: string | undefined; sig?: string | string[] | undefined; body: string }[] = [];
const routes = new Map<string, Route>([
  ['/ok', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello')],
  ['/big', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000))],
  [
    '/stream',
    (_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 5; i++) res.write('x'.repeat(1000));
      res.end();
    },
  ],
  ['/hang', (_req, res) => void stalled.push(res)],
  ['/busy', (_req, res) => res.writeHead(429, { 'retry-after': '2' }).end('slow down')],
  ['/echo-auth', (req, res) => res.writeHead(200).end(req.headers.authorization ?? '(none)')],
  ['/to-same-origin', (_req, res) => res.writeHead(302, { location: '/echo-auth' }).end()],
  [
    '/to-other-origin',
    (_req, res) => res.writeHead(302, { location: `http://localhost:${port}/echo-auth` }).end(),
  ],
  ['/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end()],
  [
    '/echo-post',
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posted.push({
          method: req.method,
          sig: req.headers['x-sig'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(201).end('ok');
      });
    },
  ],
]);

function hitCount(p: string): number {
  return hits.get(p) ?? 0;
}

/** The error a promise rejects with (the test fails if it resolves). */
async function failure(p: Promise<unknown>): Promise<HttpError> {
  const err: unknown = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(err instanceof HttpError)) throw err;
  return err;
}

/** No waiting between attempts, and every wait recorded. */
const sleeps: number[] = [];
const quick: HttpClientOptions = {
  attempts: 1,
  sleep: (ms) => {
    sleeps.push(ms);
    return Promise.resolve();
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, hitCount(p) + 1);
    const status = /^\/status\/(\d{3})$/.exec(p)?.[1];
    if (status) return void res.writeHead(Number(status)).end(`answer ${status}`);
    const route = routes.get(p);
    if (route) return route(req, res);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  sleeps.length = 0;
});

describe('an answer with an error status', () => {
  it('a 404 is final: HTTP_4XX with its status, one request, a message naming the URL', async () => {
    const before = hitCount('/status/404');
    const err = await failure(createHttpClient({ ...quick, attempts: 3 }).get(`${base}/status/404`));
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ code: 'HTTP_4XX', status: 404, retriable: false, reason: 'HTTP 404' });
    expect(err.message).toBe(`GET ${base}/status/404 answered 404`);
    expect(hitCount('/status/404') - before).toBe(1);
  });

  it('429 and 5xx are retriable, coded by their status, and retried', async () => {
    for (const status of [429, 500, 503]) {
      const route = `/status/${status}`;
      const before = hitCount(route);
      const err = await failure(createHttpClient({ ...quick, attempts: 3 }).get(`${base}${route}`));
      expect(err, route).toMatchObject({ code: `HTTP_${status}`, status, retriable: true });
      expect(hitCount(route) - before, route).toBe(3);
    }
  });

  it('fetchBytes: retries exhausted are SOURCE_UNREACHABLE with the last status; a 404 stays HTTP_4XX', async () => {
    const gaveUp: unknown = await fetchBytes(`${base}/status/503`, { attempts: 1 }).catch((e: unknown) => e);
    expect(gaveUp).toBeInstanceOf(PipelineError);
    expect(gaveUp).toMatchObject({ code: 'SOURCE_UNREACHABLE', status: 503, retriable: false });
    expect((gaveUp as Error).message).toBe(`GET ${base}/status/503 answered 503 (gave up after retries)`);
    expect((gaveUp as Error).cause).toMatchObject({ code: 'HTTP_503', status: 503, retriable: true });
    const notFound = await failure(fetchBytes(`${base}/status/404`, { attempts: 1 }));
    expect(notFound).toMatchObject({ code: 'HTTP_4XX', status: 404 });
  });
});

describe('no complete answer', () => {
  it('a refused connection is NETWORK, retriable, with no status', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(createHttpClient(quick).get(`http://127.0.0.1:${deadPort}/x`));
    expect(err).toMatchObject({ code: 'NETWORK', retriable: true, status: undefined });
    expect(err.reason).toBe('network error: ECONNREFUSED');
    expect(err.message).toBe(`GET http://127.0.0.1:${deadPort}/x failed: network error: ECONNREFUSED`);
  });

  it('a stalled answer is TIMEOUT, retriable', async () => {
    const err = await failure(createHttpClient({ ...quick, timeoutMs: 100 }).get(`${base}/hang`));
    expect(err).toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
      reason: 'no complete response within 100 ms',
    });
  });

  it('the size cap: declared or streamed, TOO_LARGE and final', async () => {
    const client = createHttpClient({ ...quick, attempts: 3, maxBytes: 1024 });
    const declared = await failure(client.get(`${base}/big`));
    expect(declared).toMatchObject({
      code: 'TOO_LARGE',
      retriable: false,
      reason: 'content-length 5000 exceeds the 1024-byte cap',
    });
    const before = hitCount('/stream');
    const streamed = await failure(client.get(`${base}/stream`));
    expect(streamed).toMatchObject({ code: 'TOO_LARGE', reason: 'body exceeds the 1024-byte cap' });
    expect(hitCount('/stream') - before).toBe(1);
    // A per-request cap overrides the client's.
    expect((await client.get(`${base}/big`, { maxBytes: 10_000 })).body.byteLength).toBe(5000);
  });
});

describe('secrets stay out of errors', () => {
  it('the password of a URL is redacted from the message and the url; a key in the headers never shows', async () => {
    const err = await failure(
      createHttpClient({ ...quick, headers: { authorization: 'Bearer sk-or-v1-0123456789abcdef0123' } }).get(
        `http://tracker:hunter2-pw@127.0.0.1:${port}/ok`,
      ),
    );
    expect(err.url).toBe(`http://tracker:***@127.0.0.1:${port}/ok`);
    expect(err.message).toMatch(/^GET http:\/\/tracker:\*\*\*@127\.0\.0\.1:\d+\/ok failed: /);
    for (const text of [err.message, err.reason, err.url]) {
      expect(text).not.toContain('hunter2-pw');
      expect(text).not.toContain('sk-or-v1');
    }
  });

  it('a redirect to another origin does not carry the authorization header; one to the same origin does', async () => {
    const client = createHttpClient({ ...quick, headers: { authorization: 'Bearer k-123' } });
    const same = await client.get(`${base}/to-same-origin`);
    expect(same.body.toString()).toBe('Bearer k-123');
    expect(same.finalUrl).toBe(`${base}/echo-auth`);
    const other = await client.get(`${base}/to-other-origin`);
    expect(other.body.toString()).toBe('(none)');
    expect(other.finalUrl).toBe(`http://localhost:${port}/echo-auth`);
  });
});

describe('guard and allow-list', () => {
  it('the guard refuses an internal address before any request: REFUSED, final', async () => {
    const before = hitCount('/ok');
    const err = await failure(createHttpClient({ ...quick, guard: {} }).get(`${base}/ok`));
    expect(err).toMatchObject({ code: 'REFUSED', retriable: false, reason: 'address 127.0.0.1 is internal' });
    expect(hitCount('/ok')).toBe(before);
    // Without the guard the same address is fetched.
    expect((await createHttpClient(quick).get(`${base}/ok`)).body.toString()).toBe('hello');
  });

  it('the allow-list refuses other hosts, redirect hops included', async () => {
    const client = createHttpClient({ ...quick, allowHosts: ['127.0.0.1'] });
    expect(await client.refusal(new URL(`http://localhost:${port}/ok`))).toBe(
      'host localhost is not allow-listed',
    );
    expect(await client.refusal(new URL(`${base}/ok`))).toBeNull();
    const before = hitCount('/echo-auth');
    const err = await failure(client.get(`${base}/to-other-origin`));
    expect(err).toMatchObject({
      code: 'REFUSED',
      reason: 'redirect refused: host localhost is not allow-listed',
    });
    expect(hitCount('/echo-auth')).toBe(before);
    expect(await client.refusal(new URL('file:///etc/passwd'))).toBe('scheme file: is not fetched');
  });

  it('a redirect loop ends: TOO_MANY_REDIRECTS, final', async () => {
    const before = hitCount('/loop');
    const err = await failure(createHttpClient({ ...quick, maxRedirects: 2 }).get(`${base}/loop`));
    expect(err).toMatchObject({
      code: 'TOO_MANY_REDIRECTS',
      retriable: false,
      reason: 'more than 2 redirects',
    });
    expect(hitCount('/loop') - before).toBe(3);
  });

  it('the guard error of a connection is data too', () => {
    const err = new InternalAddressError('host x resolves to internal address 127.0.0.1 (at connect)');
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ code: 'EINTERNALADDRESS', retriable: false, name: 'InternalAddressError' });
  });
});

describe('retries and politeness on an injected clock', () => {
  it('backoff is full jitter, doubling up to its cap; onRetry sees each wait', async () => {
    const seen: [string, number, number][] = [];
    const client = createHttpClient({
      ...quick,
      attempts: 4,
      backoff: { initialDelayMs: 100, maxDelayMs: 150 },
      random: () => 0.5,
      onRetry: (err, attempt, delayMs) => seen.push([err.code, attempt, delayMs]),
    });
    await failure(client.get(`${base}/status/502`));
    expect(sleeps).toEqual([50, 75, 75]);
    expect(seen).toEqual([
      ['HTTP_502', 1, 50],
      ['HTTP_502', 2, 75],
      ['HTTP_502', 3, 75],
    ]);
  });

  it('Retry-After: honoured up to the cap, a longer one gives up, unread when no cap is set', async () => {
    const opts = { ...quick, attempts: 2, random: () => 0 };
    let before = hitCount('/busy');
    const honoured = await failure(createHttpClient({ ...opts, retryAfterCapMs: 5_000 }).get(`${base}/busy`));
    expect(honoured).toMatchObject({ code: 'HTTP_429', status: 429, retryAfterMs: 2000 });
    expect(sleeps).toEqual([2000]);
    expect(hitCount('/busy') - before).toBe(2);

    sleeps.length = 0;
    before = hitCount('/busy');
    await failure(createHttpClient({ ...opts, retryAfterCapMs: 1_000 }).get(`${base}/busy`));
    expect(sleeps).toEqual([]);
    expect(hitCount('/busy') - before).toBe(1);

    sleeps.length = 0;
    await failure(createHttpClient(opts).get(`${base}/busy`));
    expect(sleeps).toEqual([0]);
  });

  it('the limiter spaces request starts to a host, on a fake clock', async () => {
    let clock = 0;
    const waits: number[] = [];
    const limiter = createHostLimiter({
      concurrency: 1,
      minIntervalMs: 1000,
      now: () => clock,
      sleep: (ms) => {
        waits.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    const client = createHttpClient({ ...quick, limiter, now: () => clock });
    const before = hitCount('/ok');
    const got = await Promise.all([1, 2, 3].map(() => client.get(`${base}/ok`)));
    expect(got.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(waits).toEqual([1000, 1000]);
    expect(hitCount('/ok') - before).toBe(3);
  });
});

describe('post (webhook deliveries)', () => {
  it('sends the body and headers once and resolves with the status, an error status included', async () => {
    const client = createHttpClient(quick);
    const before = hitCount('/echo-post');
    expect(await client.post(`${base}/echo-post`, '{"a":1}', { headers: { 'x-sig': 'v1,abc' } })).toEqual({
      status: 201,
    });
    expect(hitCount('/echo-post')).toBe(before + 1);
    expect(posted.at(-1)).toEqual({ method: 'POST', sig: 'v1,abc', body: '{"a":1}' });
    const fiveHundreds = hitCount('/status/503');
    expect(await client.post(`${base}/status/503`, '{}')).toEqual({ status: 503 });
    expect(hitCount('/status/503')).toBe(fiveHundreds + 1);
  });

  it('a redirect is an answer, not followed', async () => {
    const before = hitCount('/echo-auth');
    expect(await createHttpClient(quick).post(`${base}/to-same-origin`, '{}')).toEqual({ status: 302 });
    expect(hitCount('/echo-auth')).toBe(before);
  });

  it('no answer: TIMEOUT after its own timeout, REFUSED by the guard before sending', async () => {
    const timeout = await failure(createHttpClient(quick).post(`${base}/hang`, '{}', { timeoutMs: 100 }));
    expect(timeout).toMatchObject({ code: 'TIMEOUT', retriable: true });
    expect(timeout.message).toMatch(/^POST /);
    const before = hitCount('/echo-post');
    const refused = await failure(createHttpClient({ ...quick, guard: {} }).post(`${base}/echo-post`, '{}'));
    expect(refused).toMatchObject({ code: 'REFUSED', reason: 'address 127.0.0.1 is internal' });
    expect(hitCount('/echo-post')).toBe(before);
  });
});

describe('options are checked at creation', () => {
  it('a bad option is a ConfigError that says what to fix', () => {
    expect(() => createHttpClient({ timeoutMs: 0 })).toThrow(ConfigError);
    expect(() => createHttpClient({ attempts: 0 })).toThrow(
      'createHttpClient: attempts must be a positive number',
    );
    expect(() => createHttpClient({ allowHosts: [] })).toThrow('allowHosts is empty');
  });
});
