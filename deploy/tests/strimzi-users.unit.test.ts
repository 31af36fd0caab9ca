// deploy/k8s/strimzi-users: the KafkaUsers the User Operator reads. No npm package ships Strimzi's
// KafkaUser CRD, so this checks the fields of its v1beta2 schema (spec.authentication.type,
// spec.authorization.type simple with acls of resource type/name/patternType and operations) and that
// the users are the principals of docs/kafka-acls.md. That the file equals the generator's output is
// packages/runtime/src/ops/acls/bindings.unit.test.ts; that the ACLs work, tests/int/runtime/acls.int.test.ts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { k8sDir } from './deployables.ts';
import { kustomizeBuild } from './kustomize.ts';

// The CRD's enums (kafka.strimzi.io/v1beta2 KafkaUser, AclRule).
const RESOURCE_TYPES = ['topic', 'group', 'cluster', 'transactionalId'];
const PATTERN_TYPES = ['literal', 'prefix'];
const OPERATIONS = [
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'ClusterAction',
  'AlterConfigs',
  'DescribeConfigs',
  'IdempotentWrite',
  'All',
];

interface KafkaUserShape {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    authentication: { type: string };
    authorization: {
      type: string;
      acls: {
        resource: { type: string; name?: string; patternType?: string };
        operations: string[];
        host: string;
      }[];
    };
  };
}

describe('deploy/k8s/strimzi-users', () => {
  const users = kustomizeBuild(path.join(k8sDir, 'strimzi-users')) as unknown as KafkaUserShape[];

  it('one KafkaUser per service principal; not the admin (a super user) nor the stranger', () => {
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      ['consumer', 'discovery', 'normalizer', 'notifier', 'ops', 'scraper', 'sink', 'verifier'].map(
        (n) => `llmpt-${n}`,
      ),
    );
  });

  it('has the KafkaUser shape the User Operator expects', () => {
    for (const u of users) {
      expect(u.apiVersion).toBe('kafka.strimzi.io/v1beta2');
      expect(u.kind).toBe('KafkaUser');
      expect(u.metadata.namespace).toBe('kafka');
      expect(u.metadata.labels?.['strimzi.io/cluster']).toEqual(expect.any(String));
      expect(Object.keys(u.spec).sort()).toEqual(['authentication', 'authorization']);
      expect(u.spec.authentication.type).toBe('scram-sha-512');
      expect(u.spec.authorization.type).toBe('simple');
      expect(u.spec.authorization.acls.length).toBeGreaterThan(0);
      for (const acl of u.spec.authorization.acls) {
        expect(RESOURCE_TYPES).toContain(acl.resource.type);
        if (acl.resource.type === 'cluster') expect(acl.resource.name).toBeUndefined();
        else {
          expect(acl.resource.name).toMatch(/^[a-zA-Z0-9._-]+$/);
          expect(PATTERN_TYPES).toContain(acl.resource.patternType);
        }
        expect(acl.operations.length).toBeGreaterThan(0);
        for (const op of acl.operations) expect(OPERATIONS).toContain(op);
        expect(acl.host).toBe('*');
      }
    }
  });

  it('the sink may write the dead letters and no other topic', () => {
    const sink = users.find((u) => u.metadata.name === 'llmpt-sink');
    const written = sink?.spec.authorization.acls
      .filter((a) => a.resource.type === 'topic' && a.operations.includes('Write'))
      .map((a) => a.resource.name);
    expect(written).toEqual(['pricing.dead-letter.v1']);
  });
});
