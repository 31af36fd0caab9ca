// What each principal may do on Kafka, as data: the rule and the reasons are in docs/kafka-acls.md,
// this module says the same for the code (bindings.ts turns it into ACL bindings and KafkaUsers).
// Topics are keys of the topic registry (core/topics.ts), so a renamed topic cannot drift from here.
// Names of groups and transactional ids are templates: `{prefix}` becomes TOPIC_PREFIX, `{-prefix}`
// becomes "-" + TOPIC_PREFIX when there is one (the normalizer's transactional id), nothing otherwise.
import { sinkInputTopics, topics } from '../../core/topics.ts';

export type TopicKey = keyof typeof topics;

/** How a resource name matches: exactly, or every name starting with it. */
export type PatternType = 'literal' | 'prefixed';

export type GroupOperation = 'Read' | 'Describe';

export interface GroupGrant {
  readonly name: string;
  readonly pattern: PatternType;
  /** Read: join, commit (also inside a transaction). Describe: read its committed offsets (lag) only. */
  readonly operation: GroupOperation;
  /** Which code names the group so (for the reader; docs/kafka-acls.md "Names and the topic prefix"). */
  readonly why: string;
}

export interface TransactionalIdGrant {
  readonly name: string;
  readonly pattern: PatternType;
}

export interface PrincipalAccess {
  /** The principal's name: the SCRAM user name or the TLS certificate's CN (User:<name>). */
  readonly name: string;
  readonly runs: string;
  /**
   * The deployed workloads that log in as this principal, by their short name: the docker-compose.yml
   * service and the deploy/k8s workload `llmpt-<name>` (docs/kafka-acls.md "One login per workload").
   * Each gets its own login; a workload missing here has no Kafka login of its own.
   */
  readonly workloads: readonly string[];
  readonly reads: readonly TopicKey[];
  readonly writes: readonly TopicKey[];
  /** Create and DescribeConfigs: the topics job creates them and checks their configs. */
  readonly creates: readonly TopicKey[];
  readonly groups: readonly GroupGrant[];
  readonly transactionalIds: readonly TransactionalIdGrant[];
}

const allTopics = Object.keys(topics) as TopicKey[];
const keyOfName = new Map<string, TopicKey>(Object.entries(topics).map(([k, t]) => [t.name, k as TopicKey]));
const sinkInputs = sinkInputTopics.map((name) => {
  const key = keyOfName.get(name);
  if (!key) throw new Error(`sinkInputTopics names ${name}, which the topic registry does not hold`);
  return key;
});

const serviceGroup = (name: string, why: string): GroupGrant => ({
  name: `{prefix}${name}`,
  pattern: 'literal',
  operation: 'Read',
  why,
});
const throwaway = (name: string, why: string): GroupGrant => ({
  name,
  pattern: 'prefixed',
  operation: 'Read',
  why,
});
const watched = (name: string, why: string): GroupGrant => ({
  name: `{prefix}${name}`,
  pattern: 'literal',
  operation: 'Describe',
  why,
});

/** The principals the ACL command manages (every one here, the admin and the stranger included). */
export const principalAccess: readonly PrincipalAccess[] = [
  {
    name: 'llmpt-discovery',
    runs: 'discovery (CronJob)',
    workloads: ['discovery'],
    reads: [],
    writes: ['modelDiscovered', 'providerDiscovered', 'catalogSnapshot', 'deadLetter'],
    creates: [],
    groups: [],
    transactionalIds: [],
  },
  {
    name: 'llmpt-scraper',
    runs: 'scraper; npm run pages',
    workloads: ['scraper'],
    reads: ['modelDiscovered'],
    writes: ['rawPriceObserved', 'deadLetter'],
    creates: [],
    groups: [serviceGroup('pricing-scraper', 'GROUP_ID of the scraper')],
    transactionalIds: [],
  },
  {
    name: 'llmpt-normalizer',
    runs: 'normalizer',
    workloads: ['normalizer'],
    reads: ['rawPriceObserved', 'catalogSnapshot', 'normalizerState'],
    writes: ['normalizedPrice', 'priceChanged', 'priceChangeRetracted', 'normalizerState', 'deadLetter'],
    creates: [],
    groups: [
      serviceGroup('pricing-normalizer', 'GROUP_ID of the normalizer; sendOffsets in its transactions'),
      throwaway('normalizer-restore-', 'services/normalizer/src/adapters/changelog.ts restoreState'),
    ],
    transactionalIds: [{ name: 'pricing-normalizer{-prefix}', pattern: 'literal' }],
  },
  {
    name: 'llmpt-sink',
    runs: 'sink',
    workloads: ['sink'],
    reads: sinkInputs,
    writes: ['deadLetter'],
    creates: [],
    groups: [serviceGroup('pricing-sink', 'GROUP_ID of the sink')],
    transactionalIds: [],
  },
  {
    name: 'llmpt-notifier',
    runs: 'notifier',
    workloads: ['notifier'],
    reads: ['priceChanged', 'priceChangeRetracted'],
    writes: ['deadLetter'],
    creates: [],
    groups: [serviceGroup('pricing-notifier', 'GROUP_ID of the notifier')],
    transactionalIds: [],
  },
  {
    name: 'llmpt-verifier',
    runs: 'verifier (CronJob)',
    workloads: ['verifier'],
    reads: [],
    writes: ['priceVerified', 'priceDiscrepancy'],
    creates: [],
    groups: [],
    transactionalIds: [],
  },
  {
    name: 'llmpt-ops',
    runs: 'create-topics, replay, rebuild-changes, dead-letters, backfill, the daily run',
    workloads: ['topics', 'replay', 'backfill'],
    reads: allTopics,
    writes: allTopics,
    creates: allTopics,
    groups: [
      throwaway('pricing-replay-', 'services/sink/src/adapters/replay.ts'),
      throwaway('pricing-rebuild-changes-', 'services/normalizer/src/cli/rebuild-changes.ts'),
      throwaway('llmpt-dead-letters-', 'packages/runtime/src/ops/dead-letters.ts'),
      throwaway('{prefix}backfill-read-', 'services/discovery/src/cli/backfill.ts'),
      watched('pricing-scraper', "backfill's settle and the daily run's drain: lag"),
      watched('pricing-normalizer', "backfill's settle and the daily run's drain: lag"),
      watched('pricing-sink', "the daily run's drain: lag"),
      watched('pricing-notifier', 'lag'),
    ],
    transactionalIds: [],
  },
  {
    name: 'llmpt-consumer',
    runs: 'tail, gateway-sync, @llmpt/consumer subscribers',
    workloads: [],
    reads: ['priceChanged', 'priceChangeRetracted', 'normalizedPrice'],
    writes: [],
    creates: [],
    groups: [
      serviceGroup('gateway-model-pricing', 'GROUP_ID of gateway-sync'),
      throwaway('llmpt-tail-', 'packages/consumer/src/tail/tail.ts'),
      throwaway('{prefix}llmpt-consumer-', 'a subscriber of the @llmpt/consumer library'),
    ],
    transactionalIds: [],
  },
  // The super user (broker's super.users): it applies the ACLs and needs none of its own.
  {
    name: 'llmpt-admin',
    runs: 'npm run acls',
    workloads: [],
    reads: [],
    writes: [],
    creates: [],
    groups: [],
    transactionalIds: [],
  },
  // No ACL at all: everything it tries is refused (the integration test's proof).
  {
    name: 'llmpt-stranger',
    runs: 'nobody',
    workloads: [],
    reads: [],
    writes: [],
    creates: [],
    groups: [],
    transactionalIds: [],
  },
];

/** The principals the ACL command manages: their bindings on the broker are exactly the data's. */
export const managedPrincipals: ReadonlySet<string> = new Set(principalAccess.map((p) => `User:${p.name}`));
