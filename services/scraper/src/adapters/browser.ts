// Script-rendered pricing pages through Debian's Chromium driven by playwright-core. Only allow-listed
// hosts load, enforced twice: page.route aborts every other request (analytics, CDNs), and Chromium's
// own resolver knows no other host name (--host-resolver-rules), because page.route never sees the
// later hops of a redirect chain: an allow-listed page redirecting a navigation or an <img> elsewhere
// would otherwise be followed (the scraper int test proves it is not).
import { PipelineError } from '@llmpt/runtime';
import { chromium, errors, type Browser } from 'playwright-core';
import type { FetchLogger } from './page-fetcher.ts';

export const DEFAULT_CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface BrowserRendererOptions {
  readonly executablePath: string;
  readonly args?: readonly string[];
  readonly allowHosts: readonly string[];
  readonly timeoutMs: number;
  readonly userAgent: string;
  /** A rendered page larger than this is refused, like a static one. */
  readonly maxBytes: number;
  readonly logger?: FetchLogger;
}

export interface RenderedPage {
  readonly url: string;
  readonly finalUrl: string;
  readonly html: string;
  readonly httpStatus: number | null;
  /** Requests aborted because their host is not allow-listed. */
  readonly blocked: readonly string[];
}

export interface BrowserRenderer {
  render(url: string, opts: { waitForSelector: string }): Promise<RenderedPage>;
  close(): Promise<void>;
}

export type RenderErrorCode = 'RENDER_TIMEOUT' | 'RENDER_REFUSED' | 'RENDER_TOO_LARGE' | 'RENDER_FAILED';

export class RenderError extends PipelineError {
  declare readonly code: RenderErrorCode;
  constructor(code: RenderErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * Every host name resolves to nothing except the allow-listed ones (IP literals included), so no hop
 * of any redirect can reach another host.
 */
export function hostResolverRules(allowHosts: readonly string[]): string {
  const excluded = allowHosts.map((h) => `EXCLUDE ${h.toLowerCase()}`);
  return `--host-resolver-rules=${['MAP * ~NOTFOUND', ...excluded].join(', ')}`;
}

function isAllowedRequest(reqUrl: string, allow: ReadonlySet<string>): boolean {
  try {
    const u = new URL(reqUrl);
    if (u.protocol === 'data:' || u.protocol === 'blob:') return true;
    return (u.protocol === 'http:' || u.protocol === 'https:') && allow.has(u.hostname.toLowerCase());
  } catch {
    return false;
  }
}

export function createBrowserRenderer(opts: BrowserRendererOptions): BrowserRenderer {
  const allow = new Set(opts.allowHosts.map((h) => h.toLowerCase()));
  let browser: Promise<Browser> | null = null;

  const launch = () => {
    browser ??= chromium.launch({
      executablePath: opts.executablePath,
      args: [...(opts.args ?? DEFAULT_CHROMIUM_ARGS), hostResolverRules(opts.allowHosts)],
    });
    return browser;
  };

  return {
    async render(url, { waitForSelector }) {
      if (!allow.has(new URL(url).hostname.toLowerCase())) {
        throw new RenderError('RENDER_REFUSED', `host ${new URL(url).hostname} is not allow-listed`);
      }
      const b = await launch();
      const context = await b.newContext({ userAgent: opts.userAgent, serviceWorkers: 'block' });
      const blocked: string[] = [];
      try {
        await context.route('**/*', async (route) => {
          const reqUrl = route.request().url();
          if (isAllowedRequest(reqUrl, allow)) return route.continue();
          blocked.push(reqUrl);
          return route.abort('blockedbyclient');
        });
        const page = await context.newPage();
        page.setDefaultTimeout(opts.timeoutMs);
        let response;
        try {
          response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs });
        } catch (err) {
          const msg = (err as Error).message;
          // Chromium's net error reaches us only inside Playwright's message.
          if (/ERR_BLOCKED_BY_CLIENT/.test(msg))
            throw new RenderError('RENDER_REFUSED', `navigation left the allow-list: ${msg}`);
          throw new RenderError(err instanceof errors.TimeoutError ? 'RENDER_TIMEOUT' : 'RENDER_FAILED', msg);
        }
        try {
          await page.waitForSelector(waitForSelector, { state: 'attached', timeout: opts.timeoutMs });
        } catch {
          throw new RenderError(
            'RENDER_TIMEOUT',
            `selector "${waitForSelector}" did not appear within ${opts.timeoutMs} ms`,
          );
        }
        const html = await page.content();
        if (Buffer.byteLength(html) > opts.maxBytes) {
          throw new RenderError('RENDER_TOO_LARGE', `rendered page exceeds the ${opts.maxBytes}-byte cap`);
        }
        if (blocked.length > 0)
          opts.logger?.debug({ url, blocked: blocked.length }, 'blocked non-allow-listed requests');
        return { url, finalUrl: page.url(), html, httpStatus: response?.status() ?? null, blocked };
      } finally {
        await context.close();
      }
    },
    async close() {
      const b = browser;
      browser = null;
      if (b) await (await b).close();
    },
  };
}
