// The Schema Registry adapter: @kafkajs/confluent-schema-registry 3.x (4.x needs Node 22; this code
// runs on 20 and 22), behind the narrow RegistryClient the wire uses (wire.ts).
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CodecError } from '@llmpt/schemas';
import { ConfigError, errorMessage, TransientError } from '../core/errors.ts';
import { createWire, installWire, type RegistryClient, type Wire, type WireConfig } from './wire.ts';

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The registry client over @kafkajs/confluent-schema-registry (3.x: runs on Node 20 and 22). */
export function schemaRegistryClient(config: WireConfig): RegistryClient {
  const { SCHEMA_REGISTRY_URL: host, SCHEMA_REGISTRY_USERNAME: username } = config;
  const password = config.SCHEMA_REGISTRY_PASSWORD;
  if (!host) throw new ConfigError('SCHEMA_REGISTRY_URL is not set');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or neither');
  }
  const registry = new SchemaRegistry({
    host,
    clientId: 'llmpt',
    retry: { retries: 2 },
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
  });
  return {
    register: async (subject, schema) => {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    },
    schemaById: async (id) => {
      try {
        const type = (await registry.getSchema(id)) as { schema?: () => unknown };
        if (typeof type.schema !== 'function') {
          throw new CodecError('WRONG_TYPE', `registry schema id ${id} is not an Avro schema`);
        }
        return type.schema();
      } catch (err) {
        if (err instanceof CodecError) throw err;
        if (statusOf(err) === 404) return undefined;
        // The registry down or erring: the batch waits and is retried, nothing is dead-lettered.
        throw new TransientError(
          'SCHEMA_REGISTRY_UNAVAILABLE',
          `schema registry ${host}: fetching schema id ${id} failed: ${errorMessage(err)}`,
          err,
        );
      }
    },
  };
}

/** The registry client a config asks for: none without SCHEMA_REGISTRY_URL. */
export function registryClientFor(config: WireConfig): RegistryClient | undefined {
  return config.SCHEMA_REGISTRY_URL ? schemaRegistryClient(config) : undefined;
}

/**
 * Builds and installs the process's wire from its config (call once at start, before producing or
 * consuming). With EVENT_ENCODING=confluent this registers every event type's schema first and fails
 * when the registry cannot be reached or refuses one.
 */
export async function setUpWire(config: WireConfig): Promise<Wire> {
  const wire = await createWire(config, registryClientFor(config));
  installWire(wire);
  return wire;
}
