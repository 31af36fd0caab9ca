import { z } from 'zod';
import { commonEnv, kafkaSecurityEnv, loadConfig, registryEnv } from '@llmpt/runtime';

const schema = z
  .object({
    ...commonEnv,
    STORE: z.enum(['postgres', 'supabase']).default('postgres'),
    DATABASE_URL: z.string().startsWith('postgres', 'a postgres:// connection string').optional(),
    SUPABASE_URL: z.url().optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
    GROUP_ID: z.string().default('pricing-sink'),
    // docs/design.md, group commit: partition batches written in one database transaction, up to
    // this many records or this long after the first one was fetched.
    SINK_BATCH_MAX_EVENTS: z.coerce.number().int().min(1, 'at least 1').default(5000),
    SINK_BATCH_MAX_WAIT_MS: z.coerce.number().int().min(0, 'milliseconds, 0 or more').default(100),
  })
  .superRefine((c, ctx) => {
    if (c.STORE === 'postgres' && !c.DATABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required when STORE=postgres' });
    if (c.STORE === 'supabase' && !c.SUPABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['SUPABASE_URL'], message: 'required when STORE=supabase' });
    if (c.STORE === 'supabase' && !c.SUPABASE_SERVICE_ROLE_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_SERVICE_ROLE_KEY'],
        message: 'required when STORE=supabase',
      });
  });

export type SinkConfig = z.infer<typeof schema>;
export const loadSinkConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const sinkEnvSchema = schema;

/** The replay command's environment (the Job sets these; `--into` may replace REPLAY_INTO). */
export const replayEnvSchema = z.object({
  ...registryEnv,
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
  ...kafkaSecurityEnv,
  TOPIC_PREFIX: commonEnv.TOPIC_PREFIX,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  REPLAY_INTO: z
    .string()
    .startsWith('postgres', 'a postgres:// connection string of an empty database')
    .optional(),
  MIGRATIONS_DIR: z.string().optional(),
});

export type ReplayConfig = z.infer<typeof replayEnvSchema>;
export const loadReplayConfig = (e?: Record<string, string | undefined>) => loadConfig(replayEnvSchema, e);
