// Pure: the access data (access.ts) and a topic prefix become ACL bindings, the difference between the
// bindings a broker holds and the wanted ones, and Strimzi KafkaUser resources. No I/O here.
import { stringify } from 'yaml';
import { ConfigError } from '../../core/errors.ts';
import { topics } from '../../core/topics.ts';
import type { PatternType, PrincipalAccess } from './access.ts';

export type ResourceType = 'Topic' | 'Group' | 'TransactionalId' | 'Cluster';
export type Operation =
  | 'All'
  | 'Read'
  | 'Write'
  | 'Create'
  | 'Delete'
  | 'Alter'
  | 'Describe'
  | 'ClusterAction'
  | 'DescribeConfigs'
  | 'AlterConfigs'
  | 'IdempotentWrite';
export type Permission = 'Allow' | 'Deny';

/** One ACL as the broker holds it (Kafka's AclBinding: resource pattern + access control entry). */
export interface AclBinding {
  readonly resourceType: ResourceType;
  readonly patternType: PatternType;
  /** `kafka-cluster` for the cluster resource. */
  readonly name: string;
  readonly principal: string;
  readonly host: string;
  readonly operation: Operation;
  readonly permission: Permission;
}

/** Kafka's name of the one cluster resource. */
export const CLUSTER_RESOURCE = 'kafka-cluster';

// Kafka's legal topic characters; a prefix holding others would make names no broker accepts.
const PREFIX_RE = /^[a-zA-Z0-9._-]*$/;

/** `{prefix}` → the prefix; `{-prefix}` → "-" + the prefix when there is one (docs/kafka-acls.md). */
export function expandName(template: string, prefix: string): string {
  return template.replaceAll('{-prefix}', prefix ? `-${prefix}` : '').replaceAll('{prefix}', prefix);
}

function checkPrefix(prefix: string): void {
  if (!PREFIX_RE.test(prefix))
    throw new ConfigError(
      `TOPIC_PREFIX ${JSON.stringify(prefix)}: only letters, digits, ".", "_" and "-" (Kafka's topic characters)`,
    );
}

/** The bindings one principal needs, deduplicated, in a stable order. */
export function principalBindings(p: PrincipalAccess, prefix: string): AclBinding[] {
  checkPrefix(prefix);
  const principal = `User:${p.name}`;
  const bind = (
    resourceType: ResourceType,
    patternType: PatternType,
    name: string,
    operation: Operation,
  ): AclBinding => ({
    resourceType,
    patternType,
    name,
    principal,
    host: '*',
    operation,
    permission: 'Allow',
  });
  const topic = (key: keyof typeof topics) => prefix + topics[key].name;
  const out: AclBinding[] = [
    ...p.reads.map((k) => bind('Topic', 'literal', topic(k), 'Read')),
    ...p.writes.map((k) => bind('Topic', 'literal', topic(k), 'Write')),
    ...p.creates.flatMap((k) => [
      bind('Topic', 'literal', topic(k), 'Create'),
      bind('Topic', 'literal', topic(k), 'DescribeConfigs'),
    ]),
    ...p.groups.map((g) => bind('Group', g.pattern, expandName(g.name, prefix), g.operation)),
    ...p.transactionalIds.map((t) => bind('TransactionalId', t.pattern, expandName(t.name, prefix), 'Write')),
  ];
  return sortBindings(dedupe(out));
}

/** Every binding of every principal. */
export function aclBindings(access: readonly PrincipalAccess[], prefix: string): AclBinding[] {
  return sortBindings(dedupe(access.flatMap((p) => principalBindings(p, prefix))));
}

/** One line per binding, the identity of a binding (two bindings with the same key are the same ACL). */
export function bindingKey(b: AclBinding): string {
  return `${b.principal} ${b.permission} ${b.operation} ${b.resourceType}:${b.patternType}:${b.name} from ${b.host}`;
}

function dedupe(bindings: readonly AclBinding[]): AclBinding[] {
  return [...new Map(bindings.map((b) => [bindingKey(b), b])).values()];
}

function sortBindings(bindings: AclBinding[]): AclBinding[] {
  return bindings.sort((a, b) => {
    const ka = bindingKey(a);
    const kb = bindingKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export interface AclPlan {
  /** Wanted, not on the broker. */
  readonly add: readonly AclBinding[];
  /** On the broker for a managed principal, not wanted. */
  readonly remove: readonly AclBinding[];
  /** Wanted and already there. */
  readonly keep: number;
}

/**
 * What `apply` does: add the wanted bindings the broker lacks, remove the broker's bindings of the
 * managed principals that are not wanted. Bindings of other principals are never touched.
 */
export function planAcls(
  wanted: readonly AclBinding[],
  actual: readonly AclBinding[],
  managedPrincipals: ReadonlySet<string>,
): AclPlan {
  const have = new Set(actual.map(bindingKey));
  const want = new Set(wanted.map(bindingKey));
  const add = wanted.filter((b) => !have.has(bindingKey(b)));
  const remove = dedupe(actual.filter((b) => managedPrincipals.has(b.principal) && !want.has(bindingKey(b))));
  return { add: sortBindings([...add]), remove: sortBindings(remove), keep: wanted.length - add.length };
}

/** What `plan` prints: one line per change, "+" to add, "-" to remove, and a count line. */
export function formatPlan(plan: AclPlan): string[] {
  return [
    ...plan.add.map((b) => `+ ${bindingKey(b)}`),
    ...plan.remove.map((b) => `- ${bindingKey(b)}`),
    `acls: ${plan.add.length} to add, ${plan.remove.length} to remove, ${plan.keep} in place`,
  ];
}

// ---- Strimzi KafkaUser (kafka.strimzi.io/v1beta2, the User Operator's simple authorization) ----

export interface KafkaUserOptions {
  readonly prefix: string;
  readonly authentication: 'scram-sha-512' | 'tls';
}

export interface KafkaUserAcl {
  readonly resource: {
    readonly type: 'topic' | 'group' | 'cluster' | 'transactionalId';
    readonly name?: string;
    readonly patternType?: 'literal' | 'prefix';
  };
  readonly operations: readonly Operation[];
  readonly host: string;
}

export interface KafkaUser {
  readonly apiVersion: 'kafka.strimzi.io/v1beta2';
  readonly kind: 'KafkaUser';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly authentication: { readonly type: 'scram-sha-512' | 'tls' };
    readonly authorization: { readonly type: 'simple'; readonly acls: readonly KafkaUserAcl[] };
  };
}

const strimziType = {
  Topic: 'topic',
  Group: 'group',
  Cluster: 'cluster',
  TransactionalId: 'transactionalId',
} as const satisfies Record<ResourceType, KafkaUserAcl['resource']['type']>;

/**
 * One KafkaUser per principal with bindings: one ACL rule per resource pattern, its operations sorted.
 * The namespace and the `strimzi.io/cluster` label come from the kustomization, as for the KafkaTopics.
 */
export function kafkaUsers(access: readonly PrincipalAccess[], opts: KafkaUserOptions): KafkaUser[] {
  return access.flatMap((p) => {
    const bindings = principalBindings(p, opts.prefix);
    if (bindings.length === 0) return [];
    const rules = new Map<string, { resource: KafkaUserAcl['resource']; operations: Operation[] }>();
    for (const b of bindings) {
      if (b.permission !== 'Allow') throw new Error('KafkaUser rules here are allow rules only');
      const resource: KafkaUserAcl['resource'] =
        b.resourceType === 'Cluster'
          ? { type: 'cluster' }
          : {
              type: strimziType[b.resourceType],
              name: b.name,
              patternType: b.patternType === 'prefixed' ? 'prefix' : 'literal',
            };
      const id = JSON.stringify(resource);
      const rule = rules.get(id) ?? { resource, operations: [] };
      rule.operations.push(b.operation);
      rules.set(id, rule);
    }
    const acls = [...rules.values()].map((r) => ({
      resource: r.resource,
      operations: [...r.operations].sort(),
      host: '*',
    }));
    return [
      {
        apiVersion: 'kafka.strimzi.io/v1beta2',
        kind: 'KafkaUser',
        metadata: { name: p.name },
        spec: {
          authentication: { type: opts.authentication },
          authorization: { type: 'simple', acls },
        },
      },
    ];
  });
}

/** The generated file deploy/k8s/strimzi-users/kafka-users.yaml: a header, then one document per user. */
export function kafkaUsersYaml(users: readonly KafkaUser[], header: readonly string[]): string {
  const docs = users.map((u) => stringify(u, { lineWidth: 0, singleQuote: true }).trimEnd());
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${docs.join('\n---\n')}\n`;
}
