import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { seriesDays } from './series.ts';
import { startFixtureServer } from './server.ts';
import type { FixtureServer } from './server.ts';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('skissue daily series', () => {
  it('lists the 63 captures in order (three on 2026-02-27, none on 02-28, 03-01, 03-08)', () => {
    const days = seriesDays();
    expect(days).toHaveLength(63);
    expect(days.slice(0, 4).map((d) => d.date)).toEqual([
      '2026-02-27',
      '2026-02-27',
      '2026-02-27',
      '2026-03-02',
    ]);
    expect(days[0]?.stamp).toBe('20260227-1840');
    expect(days.at(-1)).toMatchObject({ date: '2026-05-01', stamp: '20260501-0149' });
    const dates = new Set(days.map((d) => d.date));
    expect(dates.size).toBe(61);
    expect(['2026-02-28', '2026-03-01', '2026-03-08'].filter((d) => dates.has(d))).toEqual([]);
    // The first capture is the raw {data} response, the rest are sorted arrays.
    expect(Array.isArray(JSON.parse(readFileSync(days[0]?.file ?? '', 'utf8')))).toBe(false);
    expect(Array.isArray(JSON.parse(readFileSync(days[1]?.file ?? '', 'utf8')))).toBe(true);
  });

  it('serves day N of the series (2026-03-04 carries the Qwen price cut)', async () => {
    server = await startFixtureServer({ models: { series: true } });
    expect(server.dayCount).toBe(63);
    const march4 = server.days.indexOf('2026-03-04');
    server.setDay(march4 - 1);
    const before = (await (await fetch(`${server.url}/api/v1/models`)).json()) as {
      id: string;
      pricing: { prompt: string };
    }[];
    server.setDay(march4);
    const after = (await (await fetch(`${server.url}/api/v1/models`)).json()) as {
      id: string;
      pricing: { prompt: string };
    }[];
    const price = (list: typeof before) => list.find((m) => m.id === 'qwen/qwen-max')?.pricing.prompt;
    expect([price(before), price(after)]).toEqual(['0.0000016', '0.00000104']);
    expect(after).toHaveLength(343);
    const file = seriesDays()[march4]?.file ?? '';
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(after);
  });
});
