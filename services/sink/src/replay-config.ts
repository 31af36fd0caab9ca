import { z } from 'zod';
import { commonEnv } from '@llmpt/runtime';

/** The replay command's environment (the Job sets these; `--into` may replace REPLAY_INTO). */
export const replayEnvSchema = z.object({
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
  TOPIC_PREFIX: commonEnv.TOPIC_PREFIX,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  REPLAY_INTO: z
    .string()
    .startsWith('postgres', 'a postgres:// connection string of an empty database')
    .optional(),
  MIGRATIONS_DIR: z.string().optional(),
});
