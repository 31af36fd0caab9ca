// The explorer's Changes, Cost and Compare pages in Debian's Chromium against the real API on the
// pipeline-filled database (harness.ts: two recorded OpenRouter days, clock 2026-08-20). The expected
// values never come from the web code: rows and their order from SQL on price_changes_in_force, amounts
// written from web/README.md's rules ("Numbers", "Changes"), costs from @llmpt/consumer's costOfCallAt
// on the same database, Compare's numbers from /v1/cost answers asked here. A live change is written the
// real way (the discovery, scraper and normalizer cores on a modified recorded entry, projected by the
// sink) while the page is open.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import pino from 'pino';
import { Decimal } from 'decimal.js';
import { parse as parseYaml } from 'yaml';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOfCallAt, priceAtPg, type PriceAtQuery, type UsageInput } from '@llmpt/consumer';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { normalizeAndDecide, type PriceState } from '@llmpt/normalizer';
import { routedPriceObservation } from '@llmpt/scraper';
import { DIMENSIONS, type DecodedEvent } from '@llmpt/schemas';
import { createPostgresStore, project } from '@llmpt/sink';
import { sharedData } from '@llmpt/testkit';
import { dayEvents, recorded, type Json } from '../api/setup.ts';
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

// ---- web/README.md's rules, written here from the text (the oracle), not imported from web/ ----

/** "Numbers": USD, at least two decimals, every significant digit, thousands grouped; null is —. */
function usdRule(s: string | null | undefined): string {
  if (s === null || s === undefined) return '—';
  const d = new Decimal(s);
  const [int = '0', frac = ''] = d.abs().toFixed().split('.');
  const digits = frac.replace(/0+$/, '').padEnd(2, '0');
  return `${d.isNegative() && !d.isZero() ? '-' : ''}$${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${digits}`;
}

/** "Numbers": a fraction ×100, half-even to one decimal, signed. */
function percentRule(fraction: string): string {
  const p = new Decimal(fraction).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN);
  return `${p.gt(0) ? '+' : ''}${p.toFixed()}%`;
}

/** "Changes": `[tier] dimension: previous → current unit (move)`, the basis from the registry. */
function moveRule(m: Json): string {
  const spec = DIMENSIONS.find((d) => d.name === m.dimension);
  const ratio = spec?.basis === 'ratio';
  const unit = !spec
    ? ''
    : {
        token: 'per 1M tokens',
        request: 'per request',
        image: 'per image',
        web_search: 'per search',
        ratio: '',
      }[spec.unit];
  const amount = (v: unknown) =>
    typeof v !== 'string' ? '—' : ratio ? `${new Decimal(v).times(100).toFixed()}%` : usdRule(v);
  const tier = typeof m.tier === 'string' ? `[${m.tier}] ` : '';
  const rel = typeof m.relative_change === 'string' ? ` (${percentRule(m.relative_change)})` : '';
  return `${tier}${String(m.dimension)}: ${amount(m.previous)} → ${amount(m.current)}${unit ? ` ${unit}` : ''}${rel}`;
}

/** "Cost": typed counts → an OpenRouter usage object. */
function usageOfCountsRule(c: { in: number; cr: number; cw: number; out: number; rs: number }): Json {
  return {
    prompt_tokens: c.in + c.cr + c.cw,
    completion_tokens: c.out + c.rs,
    prompt_tokens_details: { cached_tokens: c.cr, cache_write_tokens: c.cw },
    completion_tokens_details: { reasoning_tokens: c.rs },
  };
}

const utcRule = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const moneyOf = (text: string) => new Decimal(text.replace(/[$,\s]/g, '').replace(/^\+/, ''));

// ---- the database ----

interface ChangeRow {
  event_id: string;
  model_id: string;
  provider: string | null;
  source: string;
  kind: string;
  alert: boolean;
  changes: Json[];
  at: Date;
}

const CHANGES_NEWEST_FIRST = `
  select event_id, model_id, provider, source_type as source, kind, alert, changes,
         coalesce(current_observed_at, snapshot_date::timestamp at time zone 'UTC') as at
    from public.price_changes_in_force
   order by at desc, event_id desc`;

interface ShownRow {
  id: string;
  alert: boolean;
  cells: string[];
  moves: string[];
  href: string;
}

const ROWS = 'table.changes tbody tr[data-event-id]';

/** What the tests read of a DOM element in the page (the root tsconfig has no DOM lib). */
interface El {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  readonly classList: { contains(c: string): boolean };
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
}

async function shownChanges(page: Page): Promise<ShownRow[]> {
  return page.$$eval(ROWS, (trs: El[]) =>
    trs.map((tr) => ({
      id: tr.getAttribute('data-event-id') ?? '',
      alert: tr.classList.contains('alert'),
      cells: [...tr.querySelectorAll(':scope > td')].map((td) => td.textContent?.trim() ?? ''),
      moves: [...tr.querySelectorAll('ul.moves li')].map((li) => li.textContent ?? ''),
      href: tr.querySelector('td.model a')?.getAttribute('href') ?? '',
    })),
  );
}

const SONNET = 'anthropic/claude-sonnet-4.6';
const FLASH = 'google/gemini-2.5-flash';
const SOL = 'openai/gpt-5.6-sol'; // a long-context tier (prompt_tokens >= 272000)

describe('explorer: Changes, Cost and Compare', () => {
  let explorer: Explorer;
  let browser: Browser;
  let client: pg.Client;
  const opened: OpenedPage[] = [];

  const open = async (viewport: 'desktop' | 'phone' = 'desktop') => {
    const p = await openPage(browser, viewport);
    opened.push(p);
    return p;
  };
  const url = (path: string) => `${explorer.base}/explorer/${path}`;
  const changesInForce = async (where = 'true', params: unknown[] = []) =>
    (
      await client.query<ChangeRow>(
        CHANGES_NEWEST_FIRST.replace('order by', `where ${where}\n   order by`),
        params,
      )
    ).rows;

  beforeAll(async () => {
    [explorer, browser] = await Promise.all([startExplorer('web_b2'), launchBrowser()]);
    client = new pg.Client({ connectionString: explorer.api.db.url });
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    for (const p of opened) await p.context.close().catch(() => undefined);
    await browser?.close();
    await client?.end();
    await explorer?.stop();
  });

  it('Changes: the rows are price_changes_in_force newest first, worded by the rules; Load older to the end; feed and webhook links', async () => {
    const { page, problems } = await open();
    await page.goto(url('changes'));
    await waitForPage(page, 'changes');
    const all = await changesInForce();
    expect(all.length).toBeGreaterThan(100); // more than two pages of 50

    const first = await shownChanges(page);
    expect(first.map((r) => r.id)).toEqual(all.slice(0, 50).map((r) => r.event_id));
    for (const [i, row] of first.entries()) {
      const db = all[i]!;
      const [when, model, provider, source, kind] = row.cells;
      expect(when).toBe(utcRule(db.at));
      expect(model).toBe(db.model_id);
      expect(row.href).toBe(`/explorer/models/${db.model_id.split('/').map(encodeURIComponent).join('/')}`);
      expect(provider).toBe(db.provider ?? 'OpenRouter (routed)');
      expect(source).toBe(db.source);
      expect(kind).toBe(db.alert ? `${db.kind} Alert` : db.kind);
      expect(row.alert).toBe(db.alert);
      expect(row.moves).toEqual(db.changes.map(moveRule));
    }
    // The rules hold on rows that exercise them: a tier, an alert, a new dimension (no previous).
    expect(first.some((r) => r.moves.some((m) => m.startsWith('[')))).toBe(true);
    expect(first.some((r) => r.alert)).toBe(true);
    expect(first.some((r) => r.moves.some((m) => m.includes(': — → ')))).toBe(true);
    await screenshot(page, 'changes', 'desktop');
    expect(await seriousViolations(page)).toEqual([]);

    for (;;) {
      const older = page.getByRole('button', { name: 'Load older' });
      if ((await older.count()) === 0) break;
      const before = (await shownChanges(page)).length;
      await older.click();
      await page.locator(ROWS).nth(before).waitFor();
    }
    await page.getByText('These are all the changes.').waitFor();
    expect((await shownChanges(page)).map((r) => r.id)).toEqual(all.map((r) => r.event_id));

    // The Atom feed link carries the same filters and answers the same events; the webhook docs exist.
    const atom = await page
      .getByRole('link', { name: /^Atom feed( \(these filters\))?$/ })
      .getAttribute('href');
    expect(atom).toBe('/v1/changes.atom');
    const feed = await (await fetch(`${explorer.base}${atom}`)).text();
    expect([...feed.matchAll(/<id>urn:llmpt:event:([0-9a-f]+)<\/id>/g)].map((m) => m[1])).toEqual(
      all.slice(0, 50).map((r) => r.event_id),
    );
    const docs = await page.getByRole('link', { name: /Webhook subscriptions/ }).getAttribute('href');
    const openapi = (await (await fetch(`${explorer.base}${docs}`)).json()) as { paths: Json };
    expect(Object.keys(openapi.paths)).toContain('/v1/subscriptions');

    expect(problems()).toEqual([]);
  });

  it('Changes: filters in the URL (a deep link restores them), typed filters write the URL, the feed follows', async () => {
    const { page, problems } = await open();
    await page.goto(url('changes?alerts=true&kind=changed'));
    await waitForPage(page, 'changes');
    expect(await page.locator('input[name=alerts]').isChecked()).toBe(true);
    expect(await page.locator('select[name=kind]').inputValue()).toBe('changed');
    const alertsChanged = await changesInForce(`alert and kind = 'changed'`);
    expect(alertsChanged.length).toBeGreaterThan(0);
    expect((await shownChanges(page)).map((r) => r.id)).toEqual(alertsChanged.map((r) => r.event_id));

    // Typed: a model and the routed price; committed with Enter, the URL holds them.
    await page.locator('input[name=alerts]').uncheck();
    await page.waitForURL(/changes\?kind=changed$/);
    await page.locator('input[name=model]').fill(SOL);
    await page.locator('input[name=model]').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('model') === SOL);
    await page.locator('input[name=provider]').fill('openrouter');
    await page.locator('input[name=provider]').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('provider') === 'openrouter');
    const routed = await changesInForce(`model_id = $1 and provider is null and kind = 'changed'`, [SOL]);
    expect(routed.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await shownChanges(page)).map((r) => r.id), { timeout: 15_000 })
      .toEqual(routed.map((r) => r.event_id));
    await waitForPage(page, 'changes');
    expect(
      await page.getByRole('link', { name: /^Atom feed( \(these filters\))?$/ }).getAttribute('href'),
    ).toBe(`/v1/changes.atom?model=${encodeURIComponent(SOL)}&provider=openrouter`);

    // The same URL opened afresh restores the fields and the rows.
    const again = await open();
    await again.page.goto(page.url());
    await waitForPage(again.page, 'changes');
    expect(await again.page.locator('input[name=model]').inputValue()).toBe(SOL);
    expect(await again.page.locator('input[name=provider]').inputValue()).toBe('openrouter');
    expect(await again.page.locator('select[name=kind]').inputValue()).toBe('changed');
    expect((await shownChanges(again.page)).map((r) => r.id)).toEqual(routed.map((r) => r.event_id));

    // Nothing matches: said, not a blank table; a malformed model is named and not sent.
    await again.page.goto(url('changes?model=nope&kind=expiring'));
    await waitForPage(again.page, 'changes', 'empty');
    await again.page.getByText('No change matches these filters').waitFor();
    expect(await again.page.getByRole('alert').innerText()).toContain('“nope” is not a model id');
    expect([...problems(), ...again.problems()]).toEqual([]);
  });

  it('Changes: a change arriving while the page is open appears at the top without a reload', async () => {
    const { page, problems } = await open();
    await page.goto(url('changes?poll=1'));
    await waitForPage(page, 'changes');
    // A mark on this document: a reload or a navigation would lose it.
    await page.evaluate('window.__sameDocument = true');

    // The pipeline's state after the two recorded days, then a third sighting of one routed price,
    // its prompt doubled, through the real cores, projected by the sink into the page's database.
    const state = new Map<string, PriceState>();
    dayEvents('day1', Date.parse('2026-08-01T06:00:00Z'), state);
    dayEvents('day2', Date.parse('2026-08-19T06:00:00Z'), state);
    const entry = structuredClone(recorded.day2.find((m) => m.id === 'qwen/qwen3-14b')!);
    const pricing = entry.pricing as Record<string, string>;
    pricing.prompt = new Decimal(pricing.prompt!).times(2).toFixed();
    const at = Date.parse('2026-08-19T18:00:00Z');
    const { events } = discoverModels(parseModelsResponse({ data: [entry] }).entries, {
      runId: 'web-live',
      fetchedAt: at,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
    });
    const md = events[0]!;
    const raw = routedPriceObservation(md, { runId: 'web-live', fetchedAt: at + 1000 });
    const { normalized, changed } = normalizeAndDecide(state, raw);
    expect(changed).toBeTruthy();
    const batch: DecodedEvent[] = [
      { name: 'ModelDiscovered', event: md },
      { name: 'RawPriceObserved', event: raw },
      { name: 'NormalizedPrice', event: normalized },
      { name: 'PriceChanged', event: changed! },
    ];
    const store = createPostgresStore({
      databaseUrl: explorer.api.db.url,
      logger: pino({ level: 'silent' }),
    });
    try {
      await store.writeBatch(project(batch));
    } finally {
      await store.close();
    }
    const newest = (await changesInForce())[0]!;
    expect(newest.event_id).toBe(changed!.event_id);

    await page.waitForSelector(`table.changes tbody tr[data-event-id="${newest.event_id}"]`, {
      timeout: 15_000,
    });
    const rows = await shownChanges(page);
    expect(rows[0]!.id).toBe(newest.event_id);
    expect(rows[0]!.moves).toEqual(newest.changes.map(moveRule));
    expect(rows[0]!.alert).toBe(newest.alert);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length); // deduped
    expect(await page.locator('.live[role=status]').innerText()).toBe('1 new change');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(problems()).toEqual([]);
  });

  it('Cost: a recorded usage pasted; every provider’s cost equals costOfCallAt, cheapest first; monthly; a deep link restores it', async () => {
    // A real completion (SOURCES.md §8): cache reads and writes, OpenRouter's charged cost.
    const cassette = parseYaml(
      readFileSync(
        sharedData(
          'openrouter',
          'chat',
          'chat-cassette_anthropic-sonnet46-cache_pydantic-ai_2026-03-08.yaml',
        ),
        'utf8',
      ),
    ) as { interactions: { request: { parsed_body: Json }; response: { parsed_body: Json } }[] };
    const call = cassette.interactions[1]!;
    expect(call.request.parsed_body.model).toBe(SONNET);
    const usage = call.response.parsed_body.usage as Json;
    const at = '2026-08-19T12:00:00Z';

    const { page, problems } = await open();
    await page.goto(url('cost'));
    await waitForPage(page, 'cost', 'empty');
    await page.locator('input[name=model]').fill(SONNET);
    await page.locator('input[name=cost-mode][value=json]').check();
    await page.locator('textarea[name=usage]').fill(JSON.stringify(usage, null, 2));
    await page.locator('input[name=at]').fill('2026-08-19T12:00');
    await page.locator('input[name=n]').fill('30000');
    await page.getByRole('button', { name: 'Compute' }).click();
    await waitForPage(page, 'cost');
    const href = new URL(page.url());
    expect(href.searchParams.get('model')).toBe(SONNET);
    expect(href.searchParams.get('at')).toBe(at);
    expect(href.searchParams.get('n')).toBe('30000');
    expect(JSON.parse(href.searchParams.get('usage')!)).toEqual(usage);

    const lookup = (q: PriceAtQuery) => priceAtPg(client, q);
    const input: UsageInput = { format: 'openrouter', usage: usage as never };
    const check = async (p: Page) => {
      const shown = await p.$$eval('section.provider-cost', (sections: El[]) =>
        sections.map((s) => ({
          key: s.getAttribute('data-price-key') ?? '',
          total: s.querySelector('.call-total')?.textContent ?? '',
          monthly: s.querySelector('.monthly')?.textContent ?? '',
          reported: s.querySelector('.reported-cost')?.textContent ?? null,
          difference: s.querySelector('.difference')?.textContent ?? null,
          cheapest: s.querySelector('.badge.cheapest') !== null,
          components: [...s.querySelectorAll('table.components tbody tr')].map((tr) => ({
            dimension: tr.getAttribute('data-dimension'),
            text: tr.querySelector('td')?.textContent ?? '',
          })),
        })),
      );
      const unpriced = await p.$$eval('ul.unpriced li', (lis: El[]) =>
        lis.map((li) => li.getAttribute('data-provider')),
      );
      // Every provider with a price of the model at `at`, the routed one included, priced or said unpriced.
      const rows = await priceAtPg(client, { modelId: SONNET, at, provider: null, source: null });
      const providers = [...new Set(rows.map((r) => r.provider ?? 'openrouter'))].sort();
      const listed = [...shown.map((s) => s.key.split('|')[1] || 'openrouter'), ...unpriced].sort();
      expect(listed).toEqual(providers);
      expect(shown.length).toBeGreaterThan(1);

      const totals: Decimal[] = [];
      for (const s of shown) {
        const provider = s.key.split('|')[1] || null;
        const direct = await costOfCallAt(
          lookup,
          provider === null
            ? { modelId: SONNET, at, provider: null, source: 'openrouter_api' }
            : { modelId: SONNET, at, provider },
          input,
        );
        expect(s.key).toBe(direct.price.price_key);
        expect(s.total).toBe(usdRule(direct.catalogTotal));
        expect(moneyOf(s.total).equals(new Decimal(direct.catalogTotal))).toBe(true);
        expect(s.monthly).toBe(usdRule(new Decimal(direct.catalogTotal).times(30000).toFixed()));
        expect(direct.reported).not.toBeNull();
        expect(s.reported).toBe(usdRule(direct.reported!.cost));
        expect(moneyOf(s.difference!).equals(new Decimal(direct.reported!.difference))).toBe(true);
        expect(s.components.map((c) => c.dimension)).toEqual(direct.components.map((c) => c.component));
        for (const [i, c] of direct.components.entries())
          expect(s.components[i]!.text.endsWith(`= ${usdRule(c.cost)}`)).toBe(true);
        totals.push(new Decimal(direct.catalogTotal));
      }
      // Cheapest first; the lowest (every equal one) badged.
      for (let i = 1; i < totals.length; i++) expect(totals[i]!.gte(totals[i - 1]!)).toBe(true);
      expect(shown.map((s) => s.cheapest)).toEqual(totals.map((t) => t.equals(totals[0]!)));
    };
    await check(page);
    await screenshot(page, 'cost', 'desktop');
    expect(await seriousViolations(page)).toEqual([]);

    // The URL alone restores the form and the answer.
    const again = await open();
    await again.page.goto(page.url());
    await waitForPage(again.page, 'cost');
    expect(await again.page.locator('input[name=model]').inputValue()).toBe(SONNET);
    expect(JSON.parse(await again.page.locator('textarea[name=usage]').inputValue())).toEqual(usage);
    expect(await again.page.locator('input[name=at]').inputValue()).toBe('2026-08-19T12:00');
    await check(again.page);
    expect([...problems(), ...again.problems()]).toEqual([]);
  });

  it('Cost: malformed usage is named before any request; the API’s 400 and 404 in its words', async () => {
    const { page, problems } = await open();
    const costRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/cost')) costRequests.push(r.method());
    });
    await page.goto(url('cost'));
    await waitForPage(page, 'cost', 'empty');
    await page.locator('input[name=model]').fill(SONNET);
    await page.locator('input[name=cost-mode][value=json]').check();
    await page.locator('textarea[name=usage]').fill('{"prompt_tokens": 12,}');
    await page.getByRole('button', { name: 'Compute' }).click();
    await waitForPage(page, 'cost', 'error');
    expect(await page.getByRole('alert').innerText()).toMatch(/The usage is not valid JSON: \S/);
    await page.locator('textarea[name=usage]').fill('[1, 2]');
    await page.getByRole('button', { name: 'Compute' }).click();
    await page.getByText('The usage must be a JSON object ({…}), not an array.').waitFor();
    expect(costRequests).toEqual([]);

    // Keys of two formats: the API refuses, the page says why in its words.
    await page.locator('textarea[name=usage]').fill('{"prompt_tokens": 10, "input_tokens": 3}');
    await page.getByRole('button', { name: 'Compute' }).click();
    await waitForPage(page, 'cost', 'error');
    expect(await page.getByRole('alert').innerText()).toContain(
      'its keys fit several formats (openai, anthropic); say which with format',
    );
    // A model never observed.
    await page.goto(url('cost?model=nope%2Fnever&in=10&out=5'));
    await waitForPage(page, 'cost', 'error');
    expect(await page.getByRole('alert').innerText()).toContain('no model "nope/never"');
    expect(costRequests).toEqual(['POST', 'POST']);
    expect(problems()).toEqual([]);
  });

  it('Compare: three models for typed counts equal /v1/cost asked here, the cheapest column marked; add and remove', async () => {
    const counts = { in: 300000, cr: 1000, cw: 0, out: 2000, rs: 0 };
    const models = [SONNET, FLASH, SOL];
    const { page, problems } = await open();
    await page.goto(
      url(`compare?models=${models.join(',')}&in=${counts.in}&cr=${counts.cr}&cw=0&out=${counts.out}&rs=0`),
    );
    await waitForPage(page, 'compare');
    const expected = await Promise.all(
      models.map(async (model) => {
        const res = await fetch(`${explorer.base}/v1/cost`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, usage: usageOfCountsRule(counts), format: 'openrouter' }),
        });
        expect(res.status).toBe(200);
        const data = ((await res.json()) as { data: { costs: Json[] } }).data;
        const totals = data.costs.map((c) => new Decimal(c.catalog_total as string));
        const min = totals.reduce((a, b) => (b.lt(a) ? b : a));
        const routed = data.costs.find((c) => c.provider === null);
        return { min, routed: routed ? (routed.catalog_total as string) : null, costs: data.costs };
      }),
    );
    const column = (row: string) =>
      page.$$eval(`table.compare tr[data-row="${row}"] td`, (tds: El[]) =>
        tds.map((td) => td.textContent?.trim() ?? ''),
      );
    const heads = await page.$$eval('table.compare thead th[data-model]', (ths: El[]) =>
      ths.map((th) => ({
        model: th.getAttribute('data-model'),
        cheapest: th.querySelector('.badge.cheapest') !== null,
      })),
    );
    expect(heads.map((h) => h.model)).toEqual(models);
    const call = await column('call');
    const routed = await column('routed');
    const monthly = await column('monthly');
    for (const [i, e] of expected.entries()) {
      expect(call[i]).toBe(usdRule(e.min.toFixed()));
      expect(routed[i]).toBe(e.routed === null ? '—' : usdRule(e.routed));
      expect(monthly[i]).toBe(usdRule(e.min.times(10000).toFixed()));
    }
    const lowest = expected.reduce((a, b) => (b.min.lt(a.min) ? b : a)).min;
    expect(heads.map((h) => h.cheapest)).toEqual(expected.map((e) => e.min.equals(lowest)));
    // The long-context tier of gpt-5.6-sol applies (300k + 1k prompt tokens ≥ 272k): its rows say so.
    expect(await column('component-prompt')).toEqual(
      expect.arrayContaining([expect.stringContaining('prompt_tokens>=272000')]),
    );
    await screenshot(page, 'compare', 'desktop');
    expect(await seriousViolations(page)).toEqual([]);

    // Remove one (3 → 2), then refuse to go below two; add one back.
    await page.getByRole('button', { name: `Remove ${FLASH}` }).click();
    await page.waitForURL((u) => u.searchParams.get('models') === `${SONNET},${SOL}`);
    await waitForPage(page, 'compare');
    await page.getByRole('button', { name: `Remove ${SOL}` }).click();
    await page.getByText('A comparison needs at least 2 models').waitFor();
    expect(new URL(page.url()).searchParams.get('models')).toBe(`${SONNET},${SOL}`);
    await page.locator('input[name=add-model]').fill(FLASH);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('models') === `${SONNET},${SOL},${FLASH}`);
    await waitForPage(page, 'compare');
    expect(await column('call')).toEqual(
      [SONNET, SOL, FLASH].map((m) => usdRule(expected[models.indexOf(m)]!.min.toFixed())),
    );

    // An unknown model's column says the API's words; the others still compare.
    await page.goto(url(`compare?models=${SONNET},nope/never`));
    await waitForPage(page, 'compare');
    expect(await page.getByRole('alert').innerText()).toContain('no model "nope/never"');
    expect(problems()).toEqual([]);
  });

  it('phone: the three pages read at 390 px (no page-wide scroll), axe clean, screenshots', async () => {
    const { page, problems } = await open('phone');
    const usage = JSON.stringify(usageOfCountsRule({ in: 1200, cr: 3000, cw: 0, out: 400, rs: 100 }));
    for (const [name, path] of [
      ['changes', 'changes?alerts=true'],
      ['cost', `cost?model=${encodeURIComponent(SOL)}&usage=${encodeURIComponent(usage)}&format=openrouter`],
      ['compare', `compare?models=${SONNET},${FLASH}&in=1200&out=400`],
    ] as const) {
      await page.goto(url(path));
      await waitForPage(page, name);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(page, name, 'phone');
      expect(await seriousViolations(page), name).toEqual([]);
    }
    expect(problems()).toEqual([]);
  });

  it('the API down: each page says so in words, with a retry, nothing thrown', async () => {
    const { page, problems } = await open();
    await page.route('**/v1/**', (route) => route.abort('connectionrefused'));
    for (const [name, path] of [
      ['changes', 'changes'],
      ['cost', `cost?model=${encodeURIComponent(SONNET)}`],
    ] as const) {
      await page.goto(url(path));
      await waitForPage(page, name, 'error');
      expect(await page.getByRole('alert').innerText()).toContain('The price API is not reachable');
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    }
    await page.goto(url(`compare?models=${SONNET},${FLASH}`));
    await waitForPage(page, 'compare', 'error');
    expect(await page.getByRole('alert').count()).toBe(2);
    expect(problems()).toEqual([]);
  });
});
