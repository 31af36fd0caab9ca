// The broker side of the ACL command: read the ACLs a broker holds, create and delete bindings, through
// kafkajs's admin (DescribeAcls, CreateAcls, DeleteAcls). What to do is decided by planAcls (pure).
import kafkajs, { type Admin, type AclEntry, type Kafka } from 'kafkajs';
import { PipelineError } from '../../core/errors.ts';
import {
  planAcls,
  type AclBinding,
  type AclPlan,
  type Operation,
  type Permission,
  type ResourceType,
} from './bindings.ts';
import type { PatternType } from './access.ts';

// Node's CommonJS named-export detection misses these enums in kafkajs's index.js: take them off the default.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
type AclOperationTypes = kafkajs.AclOperationTypes;
type AclPermissionTypes = kafkajs.AclPermissionTypes;
type AclResourceTypes = kafkajs.AclResourceTypes;
type ResourcePatternTypes = kafkajs.ResourcePatternTypes;

const resourceTypes: Record<ResourceType, AclResourceTypes> = {
  Topic: AclResourceTypes.TOPIC,
  Group: AclResourceTypes.GROUP,
  Cluster: AclResourceTypes.CLUSTER,
  TransactionalId: AclResourceTypes.TRANSACTIONAL_ID,
};
const patternTypes: Record<PatternType, ResourcePatternTypes> = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};
const operations: Record<Operation, AclOperationTypes> = {
  All: AclOperationTypes.ALL,
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Alter: AclOperationTypes.ALTER,
  Describe: AclOperationTypes.DESCRIBE,
  ClusterAction: AclOperationTypes.CLUSTER_ACTION,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
  AlterConfigs: AclOperationTypes.ALTER_CONFIGS,
  IdempotentWrite: AclOperationTypes.IDEMPOTENT_WRITE,
};
const permissions: Record<Permission, AclPermissionTypes> = {
  Allow: AclPermissionTypes.ALLOW,
  Deny: AclPermissionTypes.DENY,
};

function reverse<K extends string, V>(m: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(m).map(([k, v]) => [v as V, k as K]));
}
const resourceTypeOf = reverse(resourceTypes);
const patternTypeOf = reverse(patternTypes);
const operationOf = reverse(operations);
const permissionOf = reverse(permissions);

function toEntry(b: AclBinding): AclEntry {
  return {
    resourceType: resourceTypes[b.resourceType],
    resourceName: b.name,
    resourcePatternType: patternTypes[b.patternType],
    principal: b.principal,
    host: b.host,
    operation: operations[b.operation],
    permissionType: permissions[b.permission],
  };
}

function known<T>(value: T | undefined, what: string, raw: number): T {
  if (value === undefined)
    throw new PipelineError(
      'ACL_UNKNOWN',
      `the broker holds an ACL with a ${what} this tool does not know (${raw})`,
    );
  return value;
}

/** Every ACL binding the broker holds (all principals, all resources). */
export async function describeBindings(admin: Admin): Promise<AclBinding[]> {
  const res = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  // kafkajs throws on an error code and returns only `resources` (its typings promise more).
  return res.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: known(resourceTypeOf.get(r.resourceType), 'resource type', r.resourceType),
      patternType: known(patternTypeOf.get(r.resourcePatternType), 'pattern type', r.resourcePatternType),
      name: r.resourceName,
      principal: a.principal,
      host: a.host,
      operation: known(operationOf.get(a.operation), 'operation', a.operation),
      permission: known(permissionOf.get(a.permissionType), 'permission', a.permissionType),
    })),
  );
}

/** Creates the bindings (creating one that exists is a no-op on the broker). */
export async function createBindings(admin: Admin, bindings: readonly AclBinding[]): Promise<void> {
  if (bindings.length === 0) return;
  await admin.createAcls({ acl: bindings.map(toEntry) });
}

/** Deletes exactly these bindings: each filter names one binding, so nothing else matches. */
export async function deleteBindings(admin: Admin, bindings: readonly AclBinding[]): Promise<void> {
  if (bindings.length === 0) return;
  const res = await admin.deleteAcls({ filters: bindings.map(toEntry) });
  const failed = res.filterResponses.filter((f) => Boolean(f.errorCode));
  if (failed.length > 0)
    throw new PipelineError(
      'ACL_DELETE_FAILED',
      `deleteAcls: ${failed.map((f) => f.errorMessage ?? String(f.errorCode)).join('; ')}`,
    );
}

export type AclAction = 'plan' | 'apply' | 'remove';

/**
 * plan: the difference only. apply: make the managed principals' bindings equal the wanted ones.
 * remove: delete every binding of the managed principals. Returns the plan that was (or would be) carried out.
 */
export async function reconcileAcls(
  kafka: Kafka,
  action: AclAction,
  wanted: readonly AclBinding[],
  managedPrincipals: ReadonlySet<string>,
): Promise<AclPlan> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const actual = await describeBindings(admin);
    const plan = planAcls(action === 'remove' ? [] : wanted, actual, managedPrincipals);
    if (action !== 'plan') {
      await deleteBindings(admin, plan.remove);
      await createBindings(admin, plan.add);
    }
    return plan;
  } finally {
    await admin.disconnect();
  }
}
