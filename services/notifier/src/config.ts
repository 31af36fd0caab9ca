import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@llmpt/runtime';

const schema = z
  .object({
    ...commonEnv,
    NODE_ENV: z.string().optional(),
    DATABASE_URL: z.string().startsWith('postgres', 'a postgres:// connection string'),
    GROUP_ID: z.string().default('pricing-notifier'),
    WEBHOOK_TIMEOUT_MS: env.positiveInt(10_000),
    WEBHOOK_MAX_ATTEMPTS: env.positiveInt(8),
    WEBHOOK_BACKOFF_INITIAL_MS: env.positiveInt(1_000),
    WEBHOOK_BACKOFF_MAX_MS: env.positiveInt(3_600_000),
    WEBHOOK_LEASE_MS: env.positiveInt(60_000),
    WEBHOOK_POLL_MS: env.positiveInt(500),
    WEBHOOK_CONCURRENCY: env.positiveInt(8),
    WEBHOOK_ALLOW_LOOPBACK: env.bool(false),
    WEBHOOK_REPLAY_POLL_MS: env.positiveInt(5_000),
  })
  .superRefine((c, ctx) => {
    // README §6: the loopback exception is for tests and local development, never production.
    if (c.WEBHOOK_ALLOW_LOOPBACK && c.NODE_ENV === 'production')
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_ALLOW_LOOPBACK'],
        message: 'must not be set when NODE_ENV=production',
      });
    if (c.WEBHOOK_LEASE_MS <= c.WEBHOOK_TIMEOUT_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_LEASE_MS'],
        message: 'must be longer than WEBHOOK_TIMEOUT_MS, or a slow attempt is claimed again while in flight',
      });
  });

export type NotifierConfig = z.infer<typeof schema>;
export const loadNotifierConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts. */
export const notifierEnvSchema = schema;
