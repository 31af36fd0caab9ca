// The Dockerfile against the other deploy files: the images' default commands are the ones compose and
// the manifests run, tini is PID 1, the process is not root, and the paths the bundles need are there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseBuild, dockerStages, k8sRunnables, readCompose, repoRoot, runnableOf } from './deployables.ts';

const stages = dockerStages();
const stage = (name: string) => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`Dockerfile has no stage ${name}`);
  return s;
};
const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('has build, deps and two runtime targets built on a pinned Node 22 image', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'service', 'scraper']);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22\.\d+\.\d+-bookworm-slim$/m);
  });

  it('runs node under tini as a non-root user in both runtime targets', () => {
    for (const s of [stage('service'), stage('scraper')]) {
      expect(s.entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(s.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(s.env.HEALTH_PORT).toBe('8080');
    }
    expect(dockerfile.replace(/\\\n/g, ' ')).toMatch(/^HEALTHCHECK .*\/readyz/m);
  });

  it("defaults to the same commands compose and the manifests run for each target's service", () => {
    const { services } = readCompose();
    expect(stage('scraper').cmd).toEqual(services.scraper?.command);
    expect(stage('service').cmd).toEqual(services.normalizer?.command);
    const k8s = k8sRunnables(baseBuild());
    for (const s of [stage('service'), stage('scraper')]) {
      const r = runnableOf(s.cmd ?? []);
      expect(k8s.find((x) => x.runnable === r)?.command).toEqual(s.cmd);
    }
    // Every command compose or k8s runs is a file the build stage produces (scripts/build.mjs).
    const build = readFileSync(path.join(repoRoot, 'scripts', 'build.mjs'), 'utf8');
    const commands = [
      ...Object.values(services).flatMap((s) => (s.build ? [s.command ?? []] : [])),
      ...k8s.map((r) => r.command),
    ];
    for (const c of commands) {
      expect(build, c.join(' ')).toContain(`'${c[1]}'`);
      expect(dockerfile, c.join(' ')).toContain(`COPY --from=build /app/${path.dirname(c[1] ?? '')} `);
    }
  });

  it('ships the runtime files the bundles read, and points the migrate CLI at them', () => {
    // cli/migrate.ts resolves its default dir from the source layout, wrong for a bundle: the image sets it.
    expect(stage('service').env.MIGRATIONS_DIR).toBe('/app/migrations');
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^COPY configs configs$/m);
    expect(dockerfile).toMatch(/^COPY migrations migrations$/m);
    expect(dockerfile).toMatch(/apt-get install .*chromium/);
  });

  it('.dockerignore keeps local state out but not what the build needs', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const must of ['**/node_modules', '.stack', '.git', '.env']) expect(ignored).toContain(must);
    for (const keep of [
      'configs',
      'migrations',
      'services',
      'packages',
      'schemas',
      'scripts',
      'package-lock.json',
    ])
      expect(ignored).not.toContain(keep);
  });
});
