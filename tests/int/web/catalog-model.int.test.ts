// The Catalog and Model pages in Chromium against the real API on the pipeline-filled database (two
// recorded days, harness.ts), plus the model lifecycle of those days through the real stages: each
// day's CatalogSnapshot (discovery's catalogSnapshotOf) applied by the normalizer's
// applyCatalogSnapshot (removal after one absent run), projected by the sink: openai/gpt-5.3-chat,
// listed on day 1 with an expiration date and gone on day 2, has every price removed.
//
// Oracles: the database (price_observations, price_changes_in_force, queried here) and the recorded
// files, read through the rules of web/README.md ("Catalog", "Model", "Numbers"), never the web code.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { CatalogSnapshot } from '@llmpt/schemas';
import { catalogSnapshotOf, discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { applyCatalogSnapshot, type PriceState } from '@llmpt/normalizer';
import { createPostgresStore, project, type DecodedEvent } from '@llmpt/sink';
import { repoRoot, withClient } from '@llmpt/testkit';
import { dayEvents, readJson, type Json } from '../api/setup.ts';
import {
  launchBrowser,
  openPage,
  screenshot,
  seriousViolations,
  startExplorer,
  waitForPage,
  type Explorer,
  type OpenedPage,
} from './harness.ts';

const NOW = '2026-08-20T00:00:00.000Z';
const DAYS = [
  { day: 'day1', at: Date.parse('2026-08-01T06:00:00Z') },
  { day: 'day2', at: Date.parse('2026-08-19T06:00:00Z') },
] as const;
const MODELS_URL = 'https://openrouter.ai/api/v1/models';
const REMOVED_MODEL = 'openai/gpt-5.3-chat';

// ---------------------------------------------------------------------------------------------------
// The rules of web/README.md, written here from the text (the oracle), not imported from web/.

/** "Numbers": USD, at least two decimals, every significant digit, thousands grouped. */
function usdText(amount: string): string {
  const d = new Decimal(amount);
  const [int, frac] = d.abs().toFixed(Math.max(2, d.decimalPlaces())).split('.');
  return `${d.isNegative() ? '-' : ''}$${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** "Numbers": a fraction as a signed percentage, one decimal, half-even. */
function percentText(fraction: Decimal): string {
  const pct = fraction.times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN);
  return `${pct.isPositive() && !pct.isZero() ? '+' : ''}${pct.toFixed()}%`;
}

/** "Dimension words": the short names of the dimensions the recorded data prices. */
const SHORT: Record<string, string> = {
  prompt: 'input',
  completion: 'output',
  internal_reasoning: 'reasoning',
  input_cache_read: 'cache read',
  input_cache_write: 'cache write',
  web_search: 'web search',
  input_audio: 'audio input',
  input_audio_cache: 'audio cache read',
  image_token: 'image input',
  discount: 'discount',
};
const ORDER = Object.keys(SHORT);

interface StoredAmount {
  dimension: string;
  amount: string;
}
interface StoredTier {
  prompt_tokens_gte: number | null;
  prompt_tokens_gt: number | null;
  utc_start: number | null;
  utc_end: number | null;
  variant: string | null;
  other: string[];
  prices: StoredAmount[];
}

/** "Tiers in words". */
function tierWords(t: StoredTier): string {
  const tokens = (n: number) =>
    n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n % 1000 === 0 ? `${n / 1000}K` : n.toLocaleString('en-US');
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const parts: string[] = [];
  if (t.prompt_tokens_gte !== null) parts.push(`prompt ≥ ${tokens(t.prompt_tokens_gte)} tokens`);
  if (t.prompt_tokens_gt !== null) parts.push(`prompt > ${tokens(t.prompt_tokens_gt)} tokens`);
  if (t.utc_start !== null && t.utc_end !== null) parts.push(`UTC ${hhmm(t.utc_start)}–${hhmm(t.utc_end)}`);
  if (t.variant !== null) parts.push(`variant ${t.variant}`);
  parts.push(...t.other);
  const prices = [...t.prices]
    .sort((a, b) => ORDER.indexOf(a.dimension) - ORDER.indexOf(b.dimension))
    .map((p) =>
      p.dimension === 'discount'
        ? `discount ${new Decimal(p.amount).times(100).toFixed()}%`
        : `${SHORT[p.dimension]} ${usdText(p.amount)}`,
    );
  return `${parts.join(' and ')}: ${prices.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------
// The database's answer.

interface Latest {
  price_key: string;
  model_id: string;
  provider: string | null;
  source_type: string;
  status: string;
  base: StoredAmount[];
  tiers: StoredTier[];
  columns: Record<string, string | null>;
  source_url: string;
  observed_at: Date;
  removed: boolean;
}

/** Each key's newest observation at NOW, and whether a removal in force came after it. */
async function latestPrices(dbUrl: string): Promise<Latest[]> {
  return withClient(dbUrl, async (c) => {
    const { rows } = await c.query<Record<string, unknown>>(
      `with latest as (
         select distinct on (price_key) *
         from price_observations where observed_at <= $1
         order by price_key, observed_at desc, event_id desc)
       select l.price_key, l.model_id, l.provider, l.source_type, l.status, l.base, l.tiers, l.source_url,
              l.observed_at, l.prompt::text as prompt, l.completion::text as completion,
              exists (select 1 from price_changes_in_force c
                      where c.price_key = l.price_key and c.kind = 'removed'
                        and c.snapshot_date > l.snapshot_date and c.snapshot_date <= $1::date) as removed
       from latest l order by l.price_key`,
      [NOW],
    );
    return rows.map(
      (r) =>
        ({
          ...r,
          columns: { prompt: r.prompt as string | null, completion: r.completion as string | null },
        }) as unknown as Latest,
    );
  });
}

/** "The listed amount": the base's, or the stored column when the base is empty. */
function listed(p: Latest, dimension: string): string | null {
  if (p.status !== 'ok') return null;
  if (p.base.length > 0) return p.base.find((a) => a.dimension === dimension)?.amount ?? null;
  return p.columns[dimension] ?? null;
}

interface Expected {
  id: string;
  input: string;
  output: string;
  cheapest: string;
  dearest: string;
}

/** "Cheapest and dearest host" on the database's prices in force. */
function expectedRows(prices: readonly Latest[]): Expected[] {
  const models = new Map<string, { routed?: Latest; hosts: Latest[] }>();
  for (const p of prices) {
    if (p.removed) continue;
    const m = models.get(p.model_id) ?? { hosts: [] };
    if (p.provider === null && p.source_type === 'openrouter_api') m.routed = p;
    else m.hosts.push(p);
    models.set(p.model_id, m);
  }
  const out: Expected[] = [];
  for (const [id, m] of models) {
    if (!m.routed) continue;
    const cands = m.hosts
      .map((h) => ({ h, p: listed(h, 'prompt'), c: listed(h, 'completion') }))
      .filter((x) => x.p !== null && x.c !== null)
      .map((x) => ({ ...x, blend: new Decimal(x.p!).plus(x.c!) }))
      .sort(
        (a, b) =>
          a.blend.comparedTo(b.blend) ||
          (a.h.provider! < b.h.provider! ? -1 : a.h.provider! > b.h.provider! ? 1 : 0) ||
          (a.h.source_type < b.h.source_type ? -1 : 1),
      );
    const cell = (x: (typeof cands)[number] | undefined) =>
      x ? `${x.h.provider} ${usdText(x.p!)} / ${usdText(x.c!)}` : '—';
    const top = cands.at(-1);
    const input = listed(m.routed, 'prompt');
    const output = listed(m.routed, 'completion');
    out.push({
      id,
      input: input === null ? '—' : usdText(input),
      output: output === null ? '—' : usdText(output),
      cheapest: cell(cands[0]),
      dearest: cell(top ? cands.find((x) => x.blend.eq(top.blend)) : undefined),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Every model's name as listed on day 2 (the recorded file): the search's haystack. */
function recordedNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const { day } of DAYS)
    for (const m of readJson(`${day}.models.json`).data as Json[])
      names.set(m.id as string, m.name as string);
  return names;
}

/** The model lifecycle of the two recorded days through the real stages (see the header). */
async function writeLifecycle(dbUrl: string): Promise<void> {
  const state = new Map<string, PriceState>();
  const events: DecodedEvent[] = [];
  for (const { day, at } of DAYS) {
    // The state as the normalizer had it after the day's observations (setup.ts stored their events).
    dayEvents(day, at, state);
    const list = parseModelsResponse(readJson(`${day}.models.json`));
    const runId = `web-test-${day}`;
    const result = discoverModels(list.entries, {
      runId,
      fetchedAt: at,
      sourceUrl: MODELS_URL,
      blocklist: emptyBlocklist,
    });
    const snapshot: CatalogSnapshot | null = catalogSnapshotOf(list, result, {
      runId,
      fetchedAt: at,
      sourceUrl: MODELS_URL,
    });
    expect(snapshot, `${day} is a complete catalog`).not.toBeNull();
    const { changes, next } = applyCatalogSnapshot(state, snapshot!, { removalAfterRuns: 1 });
    for (const [k, v] of next) state.set(k, v);
    events.push(
      { name: 'CatalogSnapshot', event: snapshot! },
      ...changes.map((event) => ({ name: 'PriceChanged' as const, event })),
    );
  }
  const store = createPostgresStore({ databaseUrl: dbUrl });
  try {
    await store.writeBatch(project(events));
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------------

const text = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/**
 * One record per element matching `selector`: each field is `text:SEL` (the whitespace-collapsed text of
 * the element's first SEL, or the element's own with an empty SEL) or `attr:SEL@NAME` (an attribute),
 * null when nothing matches. Read in the page from a script (the tests are typed without the DOM).
 */
async function readRows<K extends string>(
  page: Page,
  selector: string,
  fields: Record<K, string>,
): Promise<Record<K, string | null>[]> {
  return page.evaluate<Record<K, string | null>[]>(`(() => {
    const fields = ${JSON.stringify(fields)};
    const clean = (s) => (s ?? '').replace(/\\s+/g, ' ').trim();
    return [...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => {
      const out = {};
      for (const [key, spec] of Object.entries(fields)) {
        const colon = spec.indexOf(':');
        const kind = spec.slice(0, colon);
        const rest = spec.slice(colon + 1);
        if (kind === 'attr') {
          const [sel, name] = rest.split('@');
          const target = sel ? el.querySelector(sel) : el;
          out[key] = target ? target.getAttribute(name) : null;
        } else {
          const target = rest ? el.querySelector(rest) : el;
          out[key] = target ? clean(target.textContent) : null;
        }
      }
      return out;
    });
  })()`);
}

async function catalogRows(page: Page): Promise<Expected[]> {
  const rows = await readRows(page, 'table.catalog tbody tr', {
    id: 'attr:@data-model',
    input: 'text:td[data-col=input]',
    output: 'text:td[data-col=output]',
    cheapest: 'text:td[data-col=cheapest]',
    dearest: 'text:td[data-col=dearest]',
  });
  return rows.map((r) => ({
    id: r.id ?? '',
    input: r.input ?? '',
    output: r.output ?? '',
    cheapest: r.cheapest ?? '',
    dearest: r.dearest ?? '',
  }));
}

const rowIds = async (page: Page) =>
  (await readRows(page, 'table.catalog tbody tr', { id: 'attr:@data-model' })).map((r) => r.id);

/** Every match's text, trimmed. */
const textsOf = async (page: Page, selector: string) =>
  (await page.locator(selector).allTextContents()).map((t) => t.trim());

/** The page itself never scrolls sideways (tables scroll inside their box or collapse). */
async function noPageScroll(page: Page): Promise<void> {
  const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
  expect(scroll, 'the page does not scroll sideways').toBeLessThanOrEqual(page.viewportSize()!.width);
}

describe('web explorer: Catalog and Model pages', () => {
  let explorer: Explorer;
  let browser: Browser;
  let prices: Latest[];
  let expected: Expected[];
  const opened: OpenedPage[] = [];

  /** A page whose clock is the app's (2026-08-20T00:00Z), so relative dates and "now" agree with the API. */
  async function open(viewport: 'desktop' | 'phone' = 'desktop'): Promise<OpenedPage> {
    const o = await openPage(browser, viewport);
    await o.page.clock.setFixedTime(new Date(NOW));
    opened.push(o);
    return o;
  }

  beforeAll(async () => {
    explorer = await startExplorer('web-catalog-model');
    await writeLifecycle(explorer.api.db.url);
    prices = await latestPrices(explorer.api.db.url);
    expected = expectedRows(prices);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await explorer?.stop();
  });

  it("lists every model with the database's routed prices and cheapest and dearest hosts", async () => {
    const { page, problems } = await open();
    const started = Date.now();
    await page.goto(`${explorer.base}/explorer/`);
    await waitForPage(page, 'catalog');
    const readyMs = Date.now() - started;

    // The removed model is gone; the rest is the database's, row by row.
    expect(expected.map((e) => e.id)).not.toContain(REMOVED_MODEL);
    expect(expected.length).toBe(33);
    expect(text(await page.textContent('[data-testid=count]'))).toBe(
      `${expected.length} of ${expected.length} models`,
    );
    const shown = await catalogRows(page);
    expect([...shown].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(expected);
    // Read by hand from the recorded day 2 endpoints: qwen3-14b's hosts, and gemini-2.5-pro's tie.
    expect(shown.find((r) => r.id === 'qwen/qwen3-14b')).toMatchObject({
      input: '$0.12',
      output: '$0.24',
      cheapest: 'nextbit $0.10 / $0.24',
      dearest: 'alibaba $0.2275 / $0.91',
    });
    expect(shown.find((r) => r.id === 'google/gemini-2.5-pro')).toMatchObject({
      cheapest: 'google-ai-studio $1.25 / $10.00',
      dearest: 'google-ai-studio $1.25 / $10.00',
    });
    // Sorted by name by default: the names lower-cased, in code-point order, ties by id.
    const names = recordedNames();
    const byName = expected
      .map((e) => e.id)
      .sort((a, b) => {
        const [x, y] = [names.get(a)!.toLowerCase(), names.get(b)!.toLowerCase()];
        return x < y ? -1 : x > y ? 1 : a < b ? -1 : 1;
      });
    expect(shown.map((r) => r.id)).toEqual(byName);
    // The model's page is one link away.
    expect(await page.getAttribute('tr[data-model="qwen/qwen3-14b"] th a', 'href')).toBe(
      '/explorer/models/qwen/qwen3-14b',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'catalog', 'desktop');

    const phone = await open('phone');
    await phone.page.goto(`${explorer.base}/explorer/`);
    await waitForPage(phone.page, 'catalog');
    await noPageScroll(phone.page);
    await screenshot(phone.page, 'catalog', 'phone');
    expect([...problems(), ...phone.problems()]).toEqual([]);
    console.log(`catalog of ${expected.length} models ready in ${readyMs} ms`);
  });

  it('keeps search, sort and filters in the URL, and a deep link restores them', async () => {
    const { page, problems } = await open();
    await page.goto(`${explorer.base}/explorer/`);
    await waitForPage(page, 'catalog');
    const names = recordedNames();
    const matching = (q: string) =>
      expected.filter((e) => `${names.get(e.id)}\n${e.id}`.toLowerCase().includes(q)).map((e) => e.id);

    await page.fill('input[name=q]', 'qwen');
    await page.waitForURL((u) => u.searchParams.get('q') === 'qwen');
    const qwen = matching('qwen');
    expect(qwen.length).toBeGreaterThan(2);
    expect(text(await page.textContent('[data-testid=count]'))).toBe(
      `${qwen.length} of ${expected.length} models`,
    );

    // Sort by routed input, then press again: descending (exact decimals, ties by id).
    await page.click('button[data-sort=input]');
    await page.click('button[data-sort=input]');
    await page.waitForURL((u) => u.searchParams.get('dir') === 'desc');
    expect(await page.getAttribute('th:has(button[data-sort=input])', 'aria-sort')).toBe('descending');
    const routedPrompt = (id: string) =>
      new Decimal(
        listed(
          prices.find((p) => p.model_id === id && p.provider === null && !p.removed)!,
          'prompt',
        )!,
      );
    const desc = [...qwen].sort((a, b) => routedPrompt(b).comparedTo(routedPrompt(a)) || (a < b ? -1 : 1));
    expect(await rowIds(page)).toEqual(desc);

    // A provider filter: the models with an ok price of that host.
    await page.selectOption('select[name=provider]', 'deepinfra');
    await page.waitForURL((u) => u.searchParams.get('provider') === 'deepinfra');
    const onDeepinfra = desc.filter((id) =>
      prices.some((p) => p.model_id === id && p.provider === 'deepinfra' && p.status === 'ok' && !p.removed),
    );
    expect(onDeepinfra.length).toBeGreaterThan(0);
    expect(await rowIds(page)).toEqual(onDeepinfra);
    const url = page.url();
    expect(new URL(url).search).toBe('?dir=desc&provider=deepinfra&q=qwen&sort=input');

    // The keyboard: a sort header is a button.
    await page.focus('button[data-sort=context]');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'context');
    await page.goBack().catch(() => undefined);

    // A deep link restores the same view.
    const again = await open();
    await again.page.goto(url);
    await waitForPage(again.page, 'catalog');
    expect(await again.page.inputValue('input[name=q]')).toBe('qwen');
    expect(await again.page.inputValue('select[name=provider]')).toBe('deepinfra');
    expect(await again.page.getAttribute('th:has(button[data-sort=input])', 'aria-sort')).toBe('descending');
    expect(await rowIds(again.page)).toEqual(onDeepinfra);

    // Nothing matches: the page says so. The removed model is not in the catalog.
    await again.page.fill('input[name=q]', 'gpt-5.3-chat');
    await waitForPage(again.page, 'catalog', 'empty');
    expect(text(await again.page.textContent('section[data-page=catalog]'))).toContain(
      'No model matches “gpt-5.3-chat” with these filters.',
    );
    await again.page.click('text=Clear search and filters');
    await waitForPage(again.page, 'catalog');
    expect(new URL(again.page.url()).search).toBe('?dir=desc&sort=input');
    expect([...problems(), ...again.problems()]).toEqual([]);
  });

  it('shows a model with tiers and several providers: every current price and tier as the database stores it, and its history chart', async () => {
    const id = 'deepseek/deepseek-v4-pro';
    const { page, problems } = await open();
    await page.goto(`${explorer.base}/explorer/models/${id}`);
    await waitForPage(page, 'model');
    const keys = prices.filter((p) => p.model_id === id);
    expect(keys.length).toBeGreaterThan(5);

    const rows = await readRows(page, '[data-testid=current-prices] tbody tr', {
      provider: 'attr:@data-provider',
      source: 'attr:@data-source',
      status: 'attr:@data-status',
      prompt: 'text:td[data-dimension=prompt]',
      completion: 'text:td[data-dimension=completion]',
      source_url: 'attr:a[href^=http]@href',
      observed: 'attr:td.status time@datetime',
      hash: 'attr:td.source code@data-hash',
      hashText: 'text:td.source code',
    });
    expect(rows.map((r) => r.provider)[0]).toBe('openrouter');
    expect(rows).toHaveLength(keys.length);
    for (const k of keys) {
      const row = rows.find((r) => r.provider === (k.provider ?? 'openrouter') && r.source === k.source_type);
      expect(row, k.price_key).toBeDefined();
      expect(row!.status).toBe('in-force');
      expect(row!.prompt).toBe(usdText(listed(k, 'prompt')!));
      expect(row!.completion).toBe(usdText(listed(k, 'completion')!));
      const tiers = await textsOf(
        page,
        `[data-testid=current-prices] tr[data-provider="${k.provider ?? 'openrouter'}"][data-source="${k.source_type}"] td.tiers li`,
      );
      expect(tiers, k.price_key).toEqual(k.tiers.map(tierWords));
      expect(row!.source_url).toBe(k.source_url);
      expect(new Date(row!.observed!).getTime()).toBe(k.observed_at.getTime());
    }
    // The routed price's four time-of-day tiers, as stored on day 2 (written out from the DB rows).
    const routed = rows[0]!;
    expect(
      await textsOf(page, '[data-testid=current-prices] tr[data-provider=openrouter] td.tiers li'),
    ).toEqual([
      'UTC 10:00–01:00: input $0.66, output $1.98, cache read $0.022',
      'UTC 01:00–04:00: input $1.32, output $3.96, cache read $0.044',
      'UTC 04:00–06:00: input $0.66, output $1.98, cache read $0.022',
      'UTC 06:00–10:00: input $1.32, output $3.96, cache read $0.044',
    ]);
    // Its interval starts at the day 2 observation (a new price): that observation's content hash.
    const hash = await withClient(
      explorer.api.db.url,
      async (c) =>
        (
          await c.query<{ content_hash: string }>(
            `select content_hash from price_observations where price_key = $1 and snapshot_date = '2026-08-19'`,
            [`${id}||openrouter_api`],
          )
        ).rows[0]!.content_hash,
    );
    expect(routed.hash).toBe(hash);
    expect(routed.hashText).toBe(hash.slice(0, 12));

    // The chart: one series per price key (uPlot's legend has the x series first), described in words
    // with the routed price's move from the database: 0.435 → 0.66 per 1M.
    const moves = await withClient(explorer.api.db.url, async (c) =>
      (
        await c.query<{ base: StoredAmount[] }>(
          `select base from price_observations where price_key = $1 order by observed_at`,
          [`${id}||openrouter_api`],
        )
      ).rows.map((r) => r.base),
    );
    const amount = (base: StoredAmount[], d: string) =>
      new Decimal(base.find((a) => a.dimension === d)!.amount);
    const move = (d: string) =>
      percentText(amount(moves[1]!, d).minus(amount(moves[0]!, d)).div(amount(moves[0]!, d)));
    expect(move('prompt')).toBe('+51.7%');
    await page.waitForSelector('.u-legend');
    await expect.poll(() => page.locator('.u-legend .u-series').count()).toBe(keys.length + 1);
    const description = text(await page.textContent('#chart-description'));
    expect(description).toContain(`${keys.length} series`);
    expect(description).toContain(`OpenRouter (routed) (changes: ${move('prompt')})`);
    expect(await page.getAttribute('figure.chart', 'aria-describedby')).toBe('chart-description');
    // The table beside it: one row per interval of the shown keys.
    const intervals = ((await explorer.api.get(`/v1/models/${id}/history`)).body!.data as Json)
      .intervals as Json[];
    expect(await page.locator('[data-testid=history-table] tbody tr').count()).toBe(intervals.length);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'model', 'desktop');

    // The dimension switch and the provider filter live in the URL; a reload restores them.
    await page.selectOption('.chart-controls select', 'completion');
    await page.waitForURL((u) => u.searchParams.get('dim') === 'completion');
    await expect
      .poll(async () => text(await page.textContent('#chart-description')))
      .toContain(`OpenRouter (routed) (changes: ${move('completion')})`);
    // The URL changes in the render; the chart is rebuilt in an effect after it, so its legend is polled.
    await page.getByLabel('OpenRouter (routed)', { exact: true }).uncheck();
    await page.waitForURL((u) => u.searchParams.has('providers'));
    await expect.poll(() => page.locator('.u-legend .u-series').count()).toBe(keys.length);
    await page.reload();
    await waitForPage(page, 'model');
    expect(await page.inputValue('.chart-controls select')).toBe('completion');
    expect(await page.getByLabel('OpenRouter (routed)', { exact: true }).isChecked()).toBe(false);
    await expect.poll(() => page.locator('.u-legend .u-series').count()).toBe(keys.length);

    const phone = await open('phone');
    await phone.page.goto(`${explorer.base}/explorer/models/${id}`);
    await waitForPage(phone.page, 'model');
    await noPageScroll(phone.page);
    expect(await seriousViolations(phone.page)).toEqual([]);
    await screenshot(phone.page, 'model', 'phone');
    expect([...problems(), ...phone.problems()]).toEqual([]);
  });

  it('shows a model whose every price was removed, its expiry, and a model with tiers by prompt length', async () => {
    const { page, problems } = await open();
    await page.goto(`${explorer.base}/explorer/models/${REMOVED_MODEL}`);
    await waitForPage(page, 'model');
    const keys = prices.filter((p) => p.model_id === REMOVED_MODEL);
    expect(keys.length).toBe(3);
    expect(keys.every((k) => k.removed)).toBe(true);
    // The removal takes effect at the UTC midnight of the absent run's snapshot date (day 2).
    const body = text(await page.textContent('section[data-page=model]'));
    expect(body).toContain('Every price of this model was removed; the last on 2026-08-19.');
    const expiry = (readJson('day1.models.json').data as Json[]).find(
      (m) => m.id === REMOVED_MODEL,
    )!.expiration_date;
    expect(body).toContain(`OpenRouter announces this model goes away on ${String(expiry)}.`);
    expect(await page.textContent('h1')).toBe(
      (readJson('day1.models.json').data as Json[]).find((m) => m.id === REMOVED_MODEL)!.name,
    );
    const statuses = (
      await readRows(page, '[data-testid=current-prices] tbody tr', {
        status: 'attr:@data-status',
        text: 'text:td.status .status-text',
      })
    ).map((r) => [r.status, r.text]);
    expect(statuses).toEqual(keys.map(() => ['removed', 'removed on 2026-08-19']));
    await page.waitForSelector('.u-legend');
    await expect.poll(() => page.locator('.u-legend .u-series').count()).toBe(keys.length + 1);
    expect(
      await page.locator('[data-testid=history-table] tbody tr td:nth-child(4)').allTextContents(),
    ).toEqual(keys.map(() => 'removal'));
    await screenshot(page, 'model-removed', 'desktop');

    // A prompt-length tier and variant tiers (one per endpoint of a host), as stored.
    await page.goto(`${explorer.base}/explorer/models/google/gemini-2.5-pro`);
    await waitForPage(page, 'model');
    const gemini = prices.filter((p) => p.model_id === 'google/gemini-2.5-pro');
    for (const k of gemini) {
      const tiers = await textsOf(
        page,
        `[data-testid=current-prices] tr[data-provider="${k.provider ?? 'openrouter'}"][data-source="${k.source_type}"] td.tiers li`,
      );
      expect(tiers, k.price_key).toEqual(k.tiers.map(tierWords));
    }
    expect(
      await page.textContent('[data-testid=current-prices] tr[data-provider=openrouter] td.tiers li'),
    ).toBe(
      'prompt ≥ 200K tokens: input $2.50, output $15.00, cache read $0.25, audio input $2.50, audio cache read $0.25',
    );
    expect(problems()).toEqual([]);
  });

  it("says an unknown model is unknown in the API's words, and that the API is down, never a blank page", async () => {
    const { page, problems } = await open();
    await page.goto(`${explorer.base}/explorer/models/nobody/nothing`);
    await waitForPage(page, 'model', 'error');
    const { body } = await explorer.api.get('/v1/models/nobody/nothing/history');
    const message = ((body!.error as Json).message as string).trim();
    expect(message.length).toBeGreaterThan(0);
    expect(text(await page.textContent('[role=alert]'))).toContain(message);
    expect(await page.getAttribute('[role=alert] a', 'href')).toBe('/explorer/');
    expect(await seriousViolations(page)).toEqual([]);

    // The API down: every /v1 request refused, then back.
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    await page.goto(`${explorer.base}/explorer/?q=qwen`);
    await waitForPage(page, 'catalog', 'error');
    expect(text(await page.textContent('[role=alert]'))).toContain('The price API is not reachable');
    await screenshot(page, 'catalog-api-down', 'desktop');
    await page.unroute('**/v1/**');
    await page.click('[role=alert] button');
    await waitForPage(page, 'catalog');
    expect(await page.inputValue('input[name=q]')).toBe('qwen');
    expect(problems()).toEqual([]);
  });

  it('stays fast with a catalog the size of the full one (the answer ×12: 396 models)', async () => {
    const real = (await explorer.api.get('/v1/catalog')).body!;
    const data = real.data as Json[];
    const big = {
      ...real,
      data: Array.from({ length: 12 }, (_, i) =>
        data.map((m): Json => ({ ...m, id: `${String(m.id)}-${i}` })),
      ).flat(),
    };
    const endpoints = big.data.reduce((n, m) => n + (m.providers as unknown[]).length, 0);
    const { page, problems } = await open();
    await page.route('**/v1/catalog', (route) => route.fulfill({ json: big }));
    const started = Date.now();
    await page.goto(`${explorer.base}/explorer/`);
    await waitForPage(page, 'catalog');
    const readyMs = Date.now() - started;
    expect(await page.locator('table.catalog tbody tr').count()).toBe(big.data.length);
    const typed = Date.now();
    await page.fill('input[name=q]', 'qwen3');
    const qwen3 = big.data.filter(
      (m) => String(m.name).toLowerCase().includes('qwen3') || String(m.id).includes('qwen3'),
    ).length;
    await page.waitForFunction(`document.querySelectorAll('table.catalog tbody tr').length === ${qwen3}`);
    const searchMs = Date.now() - typed;
    const sorted = Date.now();
    await page.click('button[data-sort=cheapest]');
    await page.waitForSelector('th[aria-sort=ascending]:has(button[data-sort=cheapest])');
    const sortMs = Date.now() - sorted;
    console.log(
      `catalog of ${big.data.length} models / ${endpoints} host prices: ready in ${readyMs} ms, search ${searchMs} ms, sort ${sortMs} ms`,
    );
    expect(readyMs).toBeLessThan(5000);
    expect(problems()).toEqual([]);
  });

  it('writes docs/explorer-model.png: the Model page of a model with several providers and a history', async () => {
    const { page } = await open();
    await page.goto(`${explorer.base}/explorer/models/qwen/qwen3-14b`);
    await waitForPage(page, 'model');
    await page.waitForSelector('.u-legend');
    const file = await screenshot(page, 'model-qwen3-14b', 'desktop');
    mkdirSync(path.join(repoRoot, 'docs'), { recursive: true });
    copyFileSync(file, path.join(repoRoot, 'docs', 'explorer-model.png'));
  });
});
