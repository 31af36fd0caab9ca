// deploy/k8s/operations: the replay Job (docs/design.md §5) validates against the Kubernetes schema, runs
// the command the image builds (services/sink/dist/replay.js), with env the replay command accepts.
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
  it('holds the replay Job, valid against the Kubernetes OpenAPI schema, in the llmpt namespace', () => {
    expect(operations.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Job/llmpt-replay']);
    for (const m of operations) {
      expect(() => new Job(m as never).validate()).not.toThrow();
      expect(m.metadata.namespace).toBe('llmpt');
    }
  });

  it('runs the replay command with env it accepts, every required variable set', () => {
    const [r] = k8sRunnables(operations, [...baseBuild(), replaySecret]);
    expect(r?.runnable).toBe('replay');
    expect(envProblems('replay', r!.env)).toEqual([]);
    for (const req of envNames('replay').required) expect(Object.keys(r!.env)).toContain(req);
    expect(r!.env['REPLAY_INTO']).toBe('postgres://user:pw@db:5432/empty');
  });
});
