// The normalizer's start: restoring the state of N price keys from its compacted changelog topic.
import { topics } from '@llmpt/runtime';
import { createProducer } from '@llmpt/runtime/kafka';
import { decide, encodeState, restoreState } from '@llmpt/normalizer';
import { createTestTopics } from '@llmpt/testkit';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { median } from '../infra.ts';

export async function restoreSection(b: Bench): Promise<void> {
  if (skip('restore')) return;
  const { kafka } = b;
  const rp = b.newPrefix('restore');
  await createTestTopics(rp, { kafka, partitions: cfg.partitions });
  const topic = rp + topics.normalizerState.name;
  const sample = b.history.normalized.find((e) => e.status === 'ok')!;
  const producer = createProducer(kafka);
  await producer.connect();
  for (let i = 0; i < cfg.restoreKeys; i += 5000) {
    const messages = [];
    for (let k = i; k < Math.min(i + 5000, cfg.restoreKeys); k++) {
      const key = `bench/model-${k}|provider-${k % 97}|openrouter_endpoints`;
      messages.push({ key, value: encodeState({ ...decide(undefined, sample).next!, price_key: key }) });
    }
    await producer.send({ topic, messages, acks: -1 });
  }
  await producer.disconnect();
  const times: number[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const t1 = Date.now();
    const state = await restoreState(kafka, topic, b.quiet);
    times.push(Date.now() - t1);
    if (state.histories.size !== cfg.restoreKeys)
      throw new Error(`restored ${state.histories.size} keys, expected ${cfg.restoreKeys}`);
  }
  b.report.record({
    section: 'normalizer',
    figure: `normalizer state restore (${cfg.restoreKeys} keys)`,
    value: median(times) / 1000,
    unit: 's',
    runs: times.map((x) => x / 1000),
  });
}
