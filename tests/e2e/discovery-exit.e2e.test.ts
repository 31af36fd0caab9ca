// Discovery's exit codes, which the CronJob and the daily script act on: 0 when the run is out,
// 2 when the source cannot be reached, 3 when it answers with something that is not a models list.
// Each failure says why on stderr in one line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { stackEnv, repoRoot, runDiscoveryJob, type PipelineSettings, uniquePrefix } from '@llmpt/testkit';

// Nothing is produced in these runs (they fail before sending), so no topics are needed.
const settings = (baseUrl: string): PipelineSettings => ({
  kafkaBrokers: stackEnv().kafkaBrokers.join(','),
  store: 'postgres',
  topicPrefix: uniquePrefix('e2e-discovery-exit'),
  openRouterBaseUrl: baseUrl,
  scrapeProviderSites: false,
  logDir: path.join(repoRoot, '.stack', 'logs', 'e2e', 'discovery-exit'),
  logLevel: 'warn',
});
// Two attempts keep the retried failures short; the code path is the same as with the default four.
const fast = { HTTP_ATTEMPTS: '2', HTTP_TIMEOUT_MS: '5000' };

describe('discovery exit codes', () => {
  let dir: string;
  const servers: FixtureServer[] = [];
  const serve = async (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, body);
    const s = await startFixtureServer({ models: file });
    servers.push(s);
    return s;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'llmpt-e2e-exit-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 when the source is unreachable', async () => {
    const t0 = Date.now();
    const res = await runDiscoveryJob(settings('http://127.0.0.1:1'), 'e2e-exit-unreachable', fast);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^discovery failed \(SOURCE_UNREACHABLE\): .*127\.0\.0\.1:1/m);
    expect(res.stdout).not.toMatch(/discovery run=/);
    console.info('[e2e discovery-exit] unreachable', {
      ms: Date.now() - t0,
      stderr: res.stderr.trim().split('\n').pop(),
    });
  });

  it('exits 2 when the source keeps answering 5xx', async () => {
    const s = await serve('ok.json', JSON.stringify({ data: [] }));
    s.setFault('/api/v1/models', { status: 503 });
    const res = await runDiscoveryJob(settings(s.url), 'e2e-exit-503', fast);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^discovery failed \(SOURCE_UNREACHABLE\): .*503/m);
  });

  it('exits 3 when the answer is not a models list', async () => {
    const s = await serve(
      'error.json',
      JSON.stringify({ error: { code: 401, message: 'No auth credentials found' } }),
    );
    const res = await runDiscoveryJob(settings(s.url), 'e2e-exit-not-a-list', fast);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(
      /^discovery failed \(NOT_A_MODELS_LIST\): .*expected \{data:\[\.\.\.\]\} or an array/m,
    );
  });

  it('exits 3 when the answer is not JSON', async () => {
    const s = await serve('page.html', '<!doctype html><title>Just a moment...</title>');
    const res = await runDiscoveryJob(settings(s.url), 'e2e-exit-not-json', fast);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^discovery failed \(NOT_A_MODELS_LIST\): .*did not return JSON/m);
  });

  it('exits 0 with a one-line summary when the list is empty', async () => {
    const s = await serve('empty.json', JSON.stringify({ data: [] }));
    const res = await runDiscoveryJob(settings(s.url), 'e2e-exit-empty', fast);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^discovery run=e2e-exit-empty models=0 sent=0 rejected=0 blocked=0 providers=\S+ seconds=\d+\.\d{2}$/m,
    );
  });
});
