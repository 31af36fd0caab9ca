// deploy/k8s/operations: the replay Job (docs/design.md §5) and the backfill Job (design.md "Backfill")
// validate against the Kubernetes schema, run the commands the image builds (services/sink/dist/replay.js,
// services/discovery/dist/backfill.js), with env those commands accept.
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { baseBuild, envNames, envProblems, k8sRunnables } from './deployables.ts';
import { kustomizeBuild, type Manifest } from './kustomize.ts';

const operations = kustomizeBuild(path.join(import.meta.dirname, '..', 'k8s', 'operations'));
// The Secret an operator creates for the target database (the Job's header says how).
const replaySecret: Manifest = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'llmpt-replay', namespace: 'llmpt' },
  stringData: { REPLAY_DATABASE_URL: 'postgres://user:pw@db:5432/empty' },
};

describe('deploy/k8s/operations', () => {
  it('holds the replay and backfill Jobs, valid against the Kubernetes OpenAPI schema, in the llmpt namespace', () => {
    expect(operations.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Job/llmpt-replay',
      'Job/llmpt-backfill',
    ]);
    for (const m of operations) {
      expect(() => new Job(m as never).validate()).not.toThrow();
      expect(m.metadata.namespace).toBe('llmpt');
    }
  });

  it('runs the replay command with env it accepts, every required variable set', () => {
    const r = k8sRunnables(operations, [...baseBuild(), replaySecret]).find((x) => x.runnable === 'replay');
    expect(r?.runnable).toBe('replay');
    expect(envProblems('replay', r!.env)).toEqual([]);
    for (const req of envNames('replay').required) expect(Object.keys(r!.env)).toContain(req);
    expect(r!.env['REPLAY_INTO']).toBe('postgres://user:pw@db:5432/empty');
  });

  it('runs the backfill command on the mounted archive with env it accepts, /tmp writable for tar', () => {
    const r = k8sRunnables(operations, [...baseBuild(), replaySecret]).find(
      (x) => x.workload === 'llmpt-backfill',
    );
    expect(r?.runnable).toBe('backfill');
    expect(r!.command).toEqual(['node', 'services/discovery/dist/backfill.js', '/archive/archive.tar.xz']);
    expect(envProblems('backfill', r!.env)).toEqual([]);
    for (const req of envNames('backfill').required) expect(Object.keys(r!.env)).toContain(req);
    const mounts = (r!.container.volumeMounts ?? []) as { name: string; mountPath: string }[];
    expect(mounts.map((m) => m.mountPath).sort()).toEqual(['/archive', '/etc/llmpt/kafka-tls', '/tmp']);
  });
});
