// Expected values come from docs/kafka-acls.md's tables, written out here by hand, not from access.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { managedPrincipals, principalAccess } from './access.ts';
import {
  aclBindings,
  bindingKey,
  expandName,
  formatPlan,
  kafkaUsers,
  planAcls,
  principalBindings,
  type AclBinding,
} from './bindings.ts';
import { KAFKA_USERS_FILE, kafkaUsersFile } from './kafka-users-file.ts';

const access = (name: string) => {
  const p = principalAccess.find((a) => a.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p;
};
/** "Topic literal p.pricing.x.v1 Read" → the binding, principal given. */
const b = (principal: string, spec: string): AclBinding => {
  const [resourceType, patternType, name, operation] = spec.split(' ') as [
    AclBinding['resourceType'],
    AclBinding['patternType'],
    string,
    AclBinding['operation'],
  ];
  return {
    resourceType,
    patternType,
    name,
    principal: `User:${principal}`,
    host: '*',
    operation,
    permission: 'Allow',
  };
};
const keys = (bs: readonly AclBinding[]) => bs.map(bindingKey).sort();

describe('ACL bindings (docs/kafka-acls.md "The principals")', () => {
  it('scraper: reads model-discovered, writes raw observations and dead letters, its group, with the prefix', () => {
    expect(keys(principalBindings(access('llmpt-scraper'), 't1.'))).toEqual(
      keys([
        b('llmpt-scraper', 'Topic literal t1.pricing.model-discovered.v1 Read'),
        b('llmpt-scraper', 'Topic literal t1.pricing.raw-price-observed.v1 Write'),
        b('llmpt-scraper', 'Topic literal t1.pricing.dead-letter.v1 Write'),
        b('llmpt-scraper', 'Group literal t1.pricing-scraper Read'),
      ]),
    );
  });

  it('normalizer: its transaction id is pricing-normalizer, then -prefix when there is one', () => {
    const txn = (prefix: string) =>
      principalBindings(access('llmpt-normalizer'), prefix)
        .filter((x) => x.resourceType === 'TransactionalId')
        .map((x) => `${x.patternType} ${x.name} ${x.operation}`);
    expect(txn('')).toEqual(['literal pricing-normalizer Write']);
    expect(txn('t1.')).toEqual(['literal pricing-normalizer-t1. Write']);
  });

  it('normalizer: the whole set without a prefix', () => {
    const n = (s: string) => b('llmpt-normalizer', s);
    expect(keys(principalBindings(access('llmpt-normalizer'), ''))).toEqual(
      keys([
        n('Topic literal pricing.raw-price-observed.v1 Read'),
        n('Topic literal pricing.catalog-snapshot.v1 Read'),
        n('Topic literal pricing.normalizer-state.v1 Read'),
        n('Topic literal pricing.normalized-price.v1 Write'),
        n('Topic literal pricing.price-changed.v1 Write'),
        n('Topic literal pricing.price-change-retracted.v1 Write'),
        n('Topic literal pricing.normalizer-state.v1 Write'),
        n('Topic literal pricing.dead-letter.v1 Write'),
        n('Group literal pricing-normalizer Read'),
        n('Group prefixed normalizer-restore- Read'),
        n('TransactionalId literal pricing-normalizer Write'),
      ]),
    );
  });

  it('sink: reads its eight inputs, writes the dead letters and nothing else', () => {
    const sink = principalBindings(access('llmpt-sink'), '');
    expect(sink.filter((x) => x.operation === 'Write').map((x) => x.name)).toEqual([
      'pricing.dead-letter.v1',
    ]);
    expect(
      sink
        .filter((x) => x.operation === 'Read' && x.resourceType === 'Topic')
        .map((x) => x.name)
        .sort(),
    ).toEqual(
      [
        'pricing.model-discovered.v1',
        'pricing.provider-discovered.v1',
        'pricing.raw-price-observed.v1',
        'pricing.normalized-price.v1',
        'pricing.price-changed.v1',
        'pricing.price-change-retracted.v1',
        'pricing.price-verified.v1',
        'pricing.price-discrepancy.v1',
      ].sort(),
    );
    expect(sink.filter((x) => x.resourceType === 'Group').map((x) => `${x.name} ${x.operation}`)).toEqual([
      'pricing-sink Read',
    ]);
  });

  it('ops: Describe, never Read, on the services groups; Create and DescribeConfigs on every topic', () => {
    const ops = principalBindings(access('llmpt-ops'), 'p-');
    const groupOps = (name: string) =>
      ops.filter((x) => x.resourceType === 'Group' && x.name === name).map((x) => x.operation);
    for (const g of ['pricing-scraper', 'pricing-normalizer', 'pricing-sink', 'pricing-notifier'])
      expect(groupOps(`p-${g}`)).toEqual(['Describe']);
    expect(ops.filter((x) => x.operation === 'Create')).toHaveLength(11);
    expect(ops.filter((x) => x.operation === 'DescribeConfigs')).toHaveLength(11);
    expect(ops.filter((x) => x.resourceType === 'Topic').every((x) => x.name.startsWith('p-pricing.'))).toBe(
      true,
    );
    expect(keys(ops.filter((x) => x.patternType === 'prefixed'))).toEqual(
      keys([
        b('llmpt-ops', 'Group prefixed pricing-replay- Read'),
        b('llmpt-ops', 'Group prefixed pricing-rebuild-changes- Read'),
        b('llmpt-ops', 'Group prefixed llmpt-dead-letters- Read'),
        b('llmpt-ops', 'Group prefixed p-backfill-read- Read'),
      ]),
    );
  });

  it('discovery, notifier, verifier and consumer, as the table says', () => {
    const of = (name: string) => keys(principalBindings(access(name), ''));
    expect(of('llmpt-discovery')).toEqual(
      keys([
        b('llmpt-discovery', 'Topic literal pricing.model-discovered.v1 Write'),
        b('llmpt-discovery', 'Topic literal pricing.provider-discovered.v1 Write'),
        b('llmpt-discovery', 'Topic literal pricing.catalog-snapshot.v1 Write'),
        b('llmpt-discovery', 'Topic literal pricing.dead-letter.v1 Write'),
      ]),
    );
    expect(of('llmpt-notifier')).toEqual(
      keys([
        b('llmpt-notifier', 'Topic literal pricing.price-changed.v1 Read'),
        b('llmpt-notifier', 'Topic literal pricing.price-change-retracted.v1 Read'),
        b('llmpt-notifier', 'Topic literal pricing.dead-letter.v1 Write'),
        b('llmpt-notifier', 'Group literal pricing-notifier Read'),
      ]),
    );
    expect(of('llmpt-verifier')).toEqual(
      keys([
        b('llmpt-verifier', 'Topic literal pricing.price-verified.v1 Write'),
        b('llmpt-verifier', 'Topic literal pricing.price-discrepancy.v1 Write'),
      ]),
    );
    expect(of('llmpt-consumer')).toEqual(
      keys([
        b('llmpt-consumer', 'Topic literal pricing.price-changed.v1 Read'),
        b('llmpt-consumer', 'Topic literal pricing.price-change-retracted.v1 Read'),
        b('llmpt-consumer', 'Topic literal pricing.normalized-price.v1 Read'),
        b('llmpt-consumer', 'Group literal gateway-model-pricing Read'),
        b('llmpt-consumer', 'Group prefixed llmpt-tail- Read'),
        b('llmpt-consumer', 'Group prefixed llmpt-consumer- Read'),
      ]),
    );
  });

  it('nobody has a cluster ACL; the admin and the stranger have none at all', () => {
    const all = aclBindings(principalAccess, '');
    expect(all.filter((x) => x.resourceType === 'Cluster')).toEqual([]);
    expect(
      all.filter((x) => x.principal === 'User:llmpt-admin' || x.principal === 'User:llmpt-stranger'),
    ).toEqual([]);
    expect(all.every((x) => x.permission === 'Allow' && x.host === '*')).toBe(true);
  });

  it('the ten principals are managed', () => {
    expect([...managedPrincipals].sort()).toEqual(
      [
        'admin',
        'consumer',
        'discovery',
        'normalizer',
        'notifier',
        'ops',
        'scraper',
        'sink',
        'stranger',
        'verifier',
      ].map((n) => `User:llmpt-${n}`),
    );
  });

  it('expands the name templates and refuses a prefix Kafka could not name a topic with', () => {
    expect(expandName('{prefix}pricing-sink', 'a.')).toBe('a.pricing-sink');
    expect(expandName('pricing-normalizer{-prefix}', '')).toBe('pricing-normalizer');
    expect(() => principalBindings(access('llmpt-sink'), 'bad prefix')).toThrow(/TOPIC_PREFIX/);
  });
});

describe('planAcls', () => {
  const managed = new Set(['User:llmpt-sink']);
  const wanted = [b('llmpt-sink', 'Topic literal pricing.dead-letter.v1 Write')];
  it('adds what is missing, removes what a managed principal should not have, leaves others alone', () => {
    const stale = b('llmpt-sink', 'Topic literal pricing.price-changed.v1 Write');
    const foreign = b('someone', 'Topic literal pricing.price-changed.v1 Write');
    const plan = planAcls(wanted, [stale, foreign], managed);
    expect(plan.add).toEqual(wanted);
    expect(plan.remove).toEqual([stale]);
    expect(plan.keep).toBe(0);
    expect(formatPlan(plan)).toEqual([
      '+ User:llmpt-sink Allow Write Topic:literal:pricing.dead-letter.v1 from *',
      '- User:llmpt-sink Allow Write Topic:literal:pricing.price-changed.v1 from *',
      'acls: 1 to add, 1 to remove, 0 in place',
    ]);
  });
  it('a broker that holds exactly the wanted bindings needs nothing (apply twice = no change)', () => {
    const plan = planAcls(wanted, wanted, managed);
    expect([plan.add.length, plan.remove.length, plan.keep]).toEqual([0, 0, 1]);
  });
});

describe('Strimzi KafkaUsers', () => {
  it('one user per principal with ACLs, one rule per resource, operations together', () => {
    const users = kafkaUsers(principalAccess, { prefix: '', authentication: 'scram-sha-512' });
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      ['consumer', 'discovery', 'normalizer', 'notifier', 'ops', 'scraper', 'sink', 'verifier'].map(
        (n) => `llmpt-${n}`,
      ),
    );
    const normalizer = users.find((u) => u.metadata.name === 'llmpt-normalizer');
    expect(normalizer?.spec.authentication).toEqual({ type: 'scram-sha-512' });
    const state = normalizer?.spec.authorization.acls.find(
      (a) => a.resource.name === 'pricing.normalizer-state.v1',
    );
    expect(state).toEqual({
      resource: { type: 'topic', name: 'pricing.normalizer-state.v1', patternType: 'literal' },
      operations: ['Read', 'Write'],
      host: '*',
    });
    const restore = normalizer?.spec.authorization.acls.find(
      (a) => a.resource.type === 'group' && a.resource.patternType === 'prefix',
    );
    expect(restore?.resource.name).toBe('normalizer-restore-');
    expect(normalizer?.spec.authorization.acls.find((a) => a.resource.type === 'transactionalId')).toEqual({
      resource: { type: 'transactionalId', name: 'pricing-normalizer', patternType: 'literal' },
      operations: ['Write'],
      host: '*',
    });
  });

  it(`${KAFKA_USERS_FILE} is what the generator writes (npm run acls -- kafka-users)`, () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
    expect(readFileSync(path.join(root, KAFKA_USERS_FILE), 'utf8')).toBe(kafkaUsersFile());
  });
});
