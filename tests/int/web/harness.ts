// The explorer in a real browser: web/ built by Vite (npm run web:build), served by the real API app
// (services/api with its static explorer) on the pipeline-filled database of tests/int/api/setup.ts
// (two recorded OpenRouter days; the app's clock 2026-08-20T00:00:00Z), opened in Debian's Chromium
// through playwright-core. Screenshots go to .cache/screenshots (CI output, not committed); the
// accessibility scan is axe-core's own (@axe-core/playwright).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { buildApiApp, createCatalogReader } from '@llmpt/api';
import { repoRoot } from '@llmpt/testkit';
import { startRecordedApi, type RecordedApi } from '../api/setup.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const WEB_DIST = path.join(repoRoot, 'web', 'dist');
export const SCREENSHOTS = path.join(repoRoot, '.cache', 'screenshots');

/** Builds the explorer once per test file (Vite: about a second). */
let built = false;
export function buildExplorer(): string {
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'web:build'], { cwd: repoRoot, stdio: 'pipe' });
    built = true;
  }
  return WEB_DIST;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export const VIEWPORTS = {
  desktop: { viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * What the page threw or wrote to the console as an error. The browser's own line for a failed or
   * non-2xx request ("Failed to load resource") is not the page's: the page shows those in words,
   * and the tests check that text.
   */
  readonly problems: () => string[];
}

export async function openPage(browser: Browser, viewport: ViewportName = 'desktop'): Promise<OpenedPage> {
  const context = await browser.newContext({ ...VIEWPORTS[viewport], colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      problems.push(`console.error: ${msg.text()}`);
  });
  return { context, page, problems: () => [...problems] };
}

/** Waits until `section[data-page=name]` says it is `state` (ready by default). */
export async function waitForPage(page: Page, name: string, state = 'ready'): Promise<void> {
  await page.waitForSelector(`section[data-page="${name}"][data-state="${state}"]`, { timeout: 20_000 });
}

/** A full-page PNG at .cache/screenshots/<name>-<viewport>.png; the path. */
export async function screenshot(page: Page, name: string, viewport: ViewportName): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}-${viewport}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core's WCAG 2.1 A/AA rules on the page as it stands: the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export interface Explorer {
  /** http://127.0.0.1:<port>: the API, with the explorer at /explorer/. */
  readonly base: string;
  readonly api: RecordedApi;
  readonly stop: () => Promise<void>;
}

/**
 * The pipeline-filled database of the API tests (two recorded days), served by the API app with the
 * explorer built from web/ (`webDist`), clock 2026-08-20T00:00:00Z.
 */
export async function startExplorer(label: string): Promise<Explorer> {
  const webDist = buildExplorer();
  const api = await startRecordedApi(label);
  const url = new URL(api.db.url);
  url.username = api.login;
  url.password = api.password;
  const reader = createCatalogReader({ databaseUrl: url.toString(), poolSize: 4 });
  const app = await buildApiApp({
    reader,
    now: () => new Date('2026-08-20T00:00:00Z'),
    rateLimit: { max: 100_000, windowMs: 60_000 },
    explorer: { root: webDist },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    base,
    api,
    stop: async () => {
      await app.close();
      await reader.close();
      await api.stop();
    },
  };
}
