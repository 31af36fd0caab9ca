// A Schema Registry that cannot be reached (a real closed port on loopback, not a stand-in): a producer
// with EVENT_ENCODING=confluent fails its start naming the registry and the subject, and never frames an
// event with an id of its own; a reader gets a transient error, so the batch is retried, not
// dead-lettered (schemas/README.md "Schema Registry framing", rules 3 and 4). No broker needed.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { confluentHeader, eventNames } from '@llmpt/schemas';
import { PipelineError, TransientError } from '../core/errors.ts';
import { schemaRegistryClient } from './registry-client.ts';
import { createWire, subjectOf } from './wire.ts';

/** A loopback port nobody listens on: a registry that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a schema registry that is down', () => {
  it('a registry that is down fails the start, naming the registry and the subject', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const config = { EVENT_ENCODING: 'confluent', TOPIC_PREFIX: 't.', SCHEMA_REGISTRY_URL: url } as const;
    const err = await createWire(config, schemaRegistryClient(config)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).code).toBe('SCHEMA_REGISTRATION_FAILED');
    expect((err as PipelineError).retriable).toBe(true);
    expect((err as Error).message).toContain(subjectOf(eventNames[0], 't.'));
    expect((err as Error).message).toContain(url);
  });

  it('a reader whose registry is down gets a transient error (retried, not dead-lettered)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const config = { TOPIC_PREFIX: '', SCHEMA_REGISTRY_URL: url };
    const wire = await createWire(config, schemaRegistryClient(config));
    expect(wire.encoding).toBe('single-object');
    const value = Buffer.concat([confluentHeader(3), Buffer.from([0])]);
    await expect(wire.prepare([value])).rejects.toBeInstanceOf(TransientError);
  });
});
