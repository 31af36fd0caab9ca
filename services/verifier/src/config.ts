import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@llmpt/runtime';

/** A non-negative decimal string (money and fractions stay text: they are never floats here). */
const decimal = (def: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'a non-negative decimal such as 0.05')
    .default(def);

const schema = z
  .object({
    ...commonEnv,
    // Off without a key: the run sends nothing and says so (README "How to turn it on").
    OPENROUTER_API_KEY: z.string().optional(),
    OPENROUTER_BASE_URL: env.baseUrl().default('https://openrouter.ai'),
    DATABASE_URL: z.string().startsWith('postgres', 'a postgres:// connection string').optional(),
    RUN_ID: z.string().min(1).optional(),
    /** Pairs probed per run. */
    VERIFIER_SAMPLE_SIZE: env.positiveInt(10),
    /** USD a run may spend at most (reported charges plus bounds of probes whose charge is unknown). */
    VERIFIER_SPEND_CAP_USD: decimal('0.05'),
    /** Days during which a new pair or a changed price is verified first. */
    VERIFIER_RECENT_DAYS: env.positiveInt(7),
    /** Prompt tokens a probe's bound assumes (the probe's message and the chat template). */
    VERIFIER_PROMPT_TOKEN_BOUND: env.positiveInt(64),
    /** A charge further than both bounds from the expected cost is a discrepancy. */
    VERIFIER_TOLERANCE_USD: decimal('0.000000001'),
    VERIFIER_TOLERANCE_RELATIVE: decimal('0.01'),
    HTTP_TIMEOUT_MS: env.positiveInt(30_000),
    // docs/metrics.md "Jobs": the run's figures are pushed there when set.
    PUSHGATEWAY_URL: env.baseUrl().optional(),
  })
  .superRefine((c, ctx) => {
    // The prices in force and the pairs come from the database: needed as soon as the verifier is on.
    if (c.OPENROUTER_API_KEY && !c.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'required when OPENROUTER_API_KEY is set',
      });
  });

export type VerifierConfig = z.infer<typeof schema>;
export const loadVerifierConfig = (e?: Record<string, string | undefined>) => loadConfig(schema, e);

/** The environment this service accepts (deploy/tests check compose and k8s env against it). */
export const verifierEnvSchema = schema;
