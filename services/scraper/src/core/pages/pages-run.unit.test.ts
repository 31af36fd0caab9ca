import { describe, expect, it } from 'vitest';
import { catalogModelIds, hostsByModel, pagesRunModel } from './pages-run.ts';

describe('pages-only run', () => {
  it('reads model ids from a {data} body or the bare array', () => {
    expect(catalogModelIds({ data: [{ id: 'a/one' }, { id: 'b/two' }] })).toEqual(['a/one', 'b/two']);
    expect(catalogModelIds([{ id: 'a/one' }, { name: 'no id' }])).toEqual(['a/one']);
    expect(() => catalogModelIds({ models: [] })).toThrow(/no data array/);
  });

  it('keys the hosts of each model as endpoint prices are keyed: the tag before "/", else the name', () => {
    const hosts = hostsByModel({
      'deepseek/deepseek-v4-pro': [
        { provider_name: 'Novita', tag: 'novita/fp8' },
        { provider_name: 'SiliconFlow', tag: null },
        { provider_name: 'Google', tag: 'google-vertex/global' },
      ],
    });
    expect([...(hosts.get('deepseek/deepseek-v4-pro') ?? [])]).toEqual([
      'novita',
      'siliconflow',
      'google-vertex',
    ]);
  });

  it('gives a stable id per run and model, so a rerun publishes the same observation ids', () => {
    const a = pagesRunModel('a/one', 'daily-pages-2026-08-19', 1, 'models.json');
    const b = pagesRunModel('a/one', 'daily-pages-2026-08-19', 2, 'models.json');
    expect(a.event_id).toBe(b.event_id);
    expect(pagesRunModel('a/two', 'daily-pages-2026-08-19', 1, 'm').event_id).not.toBe(a.event_id);
    expect(a.backfill).toBe(false);
  });
});
