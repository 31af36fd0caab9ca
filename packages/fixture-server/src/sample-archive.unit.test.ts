import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleArchive } from './sample-archive.ts';
import { sampleCatalog } from './sample-catalog.ts';
import { startFixtureServer, type FixtureServer } from './server.ts';

// The sample as a dated archive (docs/design.md "Backfill"): each day's captures carry the day's
// real date (fixtures/sample-catalog/README.md: 2026-08-01 and 2026-08-19) and the bytes the fixture
// server serves that day, so a backfill of it observes what the live scraper would have fetched.
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const catalog = sampleCatalog();
const archive = sampleArchive(catalog);
const byPath = new Map(archive.files.map((f) => [f.path, f.bytes]));
const modelsOf = (day: number) =>
  (
    JSON.parse(readFileSync(catalog.models[day]!, 'utf8')) as {
      data: { id: string; canonical_slug?: string }[];
    }
  ).data;

describe('the sample archive', () => {
  it('dates every capture with its day, in a manifest at the root', () => {
    expect(archive.days).toEqual([
      { date: '2026-08-01', models: '2026-08-01/models.json' },
      { date: '2026-08-19', models: '2026-08-19/models.json' },
    ]);
    const manifest = JSON.parse(byPath.get('manifest.json')!.toString('utf8')) as Record<string, string>;
    expect(manifest).toEqual(archive.manifest);
    const responses = archive.files.filter((f) => f.path !== 'manifest.json').map((f) => f.path);
    expect(Object.keys(manifest).sort()).toEqual([...responses].sort());
    for (const [file, date] of Object.entries(manifest)) expect(file.startsWith(`${date}/`)).toBe(true);
  });

  it("holds each day's /models and /providers files byte for byte", () => {
    expect(byPath.get('2026-08-01/models.json')!.equals(readFileSync(catalog.models[0]))).toBe(true);
    expect(byPath.get('2026-08-19/models.json')!.equals(readFileSync(catalog.models[1]))).toBe(true);
    for (const d of ['2026-08-01', '2026-08-19'])
      expect(byPath.get(`${d}/providers.json`)!.equals(readFileSync(catalog.providers))).toBe(true);
  });

  it('holds one /endpoints capture per model and day: the bytes the fixture server serves that day', async () => {
    server = await startFixtureServer(catalog);
    for (const [day, date] of ['2026-08-01', '2026-08-19'].entries()) {
      server.setDay(day);
      const models = modelsOf(day);
      const files = archive.files.filter((f) => f.path.startsWith(`${date}/endpoints/`));
      expect(files).toHaveLength(models.length);
      for (const m of models) {
        const slug = m.canonical_slug ?? m.id;
        const res = await fetch(`${server.url}/api/v1/models/${slug}/endpoints`);
        const served = Buffer.from(await res.arrayBuffer());
        const file = byPath.get(`${date}/endpoints/${slug}.json`);
        expect(file?.equals(served), `${date} ${slug}`).toBe(true);
        expect((JSON.parse(served.toString('utf8')) as { data: { id: string } }).data.id).toBe(m.id);
      }
    }
  });
});
