import { z } from 'zod';
import { commonEnv, kafkaSecurityEnv, loadConfig, registryEnv } from '@llmpt/runtime';

const schema = z.object({
  ...commonEnv,
  ALERT_THRESHOLD: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'a decimal ratio such as 0.30')
    .default('0.30'),
  // Consecutive absences (of a slot from its key's observations, or of a model from the catalog
  // snapshots) that make a removal; one absence is a blink (docs/price-model.md §3 rules 4 and 5).
  REMOVAL_AFTER_RUNS: z.coerce.number().int('a whole number of runs').min(1, 'at least 1').default(2),
  GROUP_ID: z.string().default('pricing-normalizer'),
  TRANSACTIONAL_ID: z.string().default('pricing-normalizer'),
  // docs/design.md, group commit: partition batches handled and committed in one Kafka transaction, up
  // to this many records or this long after the first one was fetched.
  NORMALIZER_BATCH_MAX_EVENTS: z.coerce.number().int().min(1, 'at least 1').default(5000),
  NORMALIZER_BATCH_MAX_WAIT_MS: z.coerce.number().int().min(0, 'milliseconds, 0 or more').default(100),
});

export type NormalizerConfig = z.infer<typeof schema>;
export const loadNormalizerConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const normalizerEnvSchema = schema;

/** The `rebuild-changes` command's environment: the broker, and the normalizer's decision settings. */
const rebuildChangesSchema = z.object({
  ...registryEnv,
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
  ...kafkaSecurityEnv,
  TOPIC_PREFIX: commonEnv.TOPIC_PREFIX,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  ALERT_THRESHOLD: schema.shape.ALERT_THRESHOLD,
  REMOVAL_AFTER_RUNS: schema.shape.REMOVAL_AFTER_RUNS,
});

export const loadRebuildChangesConfig = (e?: Record<string, string | undefined>) =>
  loadConfig(rebuildChangesSchema, e);
