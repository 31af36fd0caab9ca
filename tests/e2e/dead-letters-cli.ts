// The dead-letter tool as an operator runs it: `npm run dead-letters -- ...` as its own process,
// pointed at a test pipeline's topics through the same variables the services read.
import { stackEnv, runProcess, type ProcessRun } from '@llmpt/testkit';

/** `npm run dead-letters -- <args>` on the pipeline with this topic prefix. */
export function deadLettersCli(prefix: string, args: readonly string[]): Promise<ProcessRun> {
  return runProcess('npm', ['run', '--silent', 'dead-letters', '--', ...args], {
    KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
    TOPIC_PREFIX: prefix,
  });
}

/** The parsed output of `dead-letters list --json`. */
export interface ListJson {
  readonly topic: string;
  readonly total: number;
  readonly selected: number;
  readonly summary: { stage: string; code: string; count: number }[];
  readonly deadLetters: (Record<string, unknown> & {
    event_id: string;
    stage: string;
    error_code: string;
    error_message: string;
    source_topic: string | null;
    source_partition: number | null;
    source_offset: string | null;
    payload_base64: string;
  })[];
}

export async function listDeadLetters(prefix: string, args: readonly string[] = []): Promise<ListJson> {
  const res = await deadLettersCli(prefix, ['list', '--json', ...args]);
  if (res.code !== 0)
    throw new Error(`dead-letters list exited with ${res.code}: ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout) as ListJson;
}
