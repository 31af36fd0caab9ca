// How event values are framed on the wire (schemas/README.md "Bytes on the wire" and "Schema Registry
// framing"): Avro single-object (the default, no service needed) or, with EVENT_ENCODING=confluent, the
// Confluent framing with ids from a Schema Registry. Readers take both whatever the producers write.
//
// One wire per process, installed at start by the service shell (installWire) before anything is
// produced or consumed; records.ts and kafka.ts encode and decode through it, so the pure stage plan
// and every adapter keep their signatures. Decoding stays synchronous: consumers call `prepare` with a
// batch's values first, which fetches the writer schemas of the registry ids not seen yet.
// No I/O here: the registry client comes in (registry-client.ts is the HTTP adapter).
import {
  CodecError,
  codecSchemas,
  CONFLUENT_MAGIC,
  confluentIdOf,
  decodeEvent,
  decodeEventAs,
  encodeEvent,
  encodeEventConfluent,
  eventNames,
  writerVersionFromRegistry,
  type DecodedEvent,
  type EventName,
  type EventTypes,
  type RegistrySchemas,
  type SchemaVersion,
} from '@llmpt/schemas';
import { ConfigError, errorMessage, PipelineError } from '../core/errors.ts';
import { topicOfEvent } from '../core/topics.ts';

export type EventEncoding = 'single-object' | 'confluent';
export const EVENT_ENCODINGS = ['single-object', 'confluent'] as const;

/** The config fields the wire reads (commonEnv has them all). */
export interface WireConfig {
  readonly EVENT_ENCODING?: EventEncoding | undefined;
  readonly SCHEMA_REGISTRY_URL?: string | undefined;
  readonly SCHEMA_REGISTRY_USERNAME?: string | undefined;
  readonly SCHEMA_REGISTRY_PASSWORD?: string | undefined;
  readonly TOPIC_PREFIX: string;
}

/** The part of a Schema Registry the wire needs. */
export interface RegistryClient {
  /** Registers a schema under a subject (BACKWARD on a new subject) and returns the registry's id. */
  register(subject: string, schema: string): Promise<number>;
  /** The schema the registry holds under an id, parsed; undefined when the registry has no such id. */
  schemaById(id: number): Promise<unknown>;
}

export interface Wire {
  readonly encoding: EventEncoding;
  /** Encodes an event in the wire's framing; synchronous (registry ids were obtained at start). */
  encode<N extends EventName>(name: N, event: EventTypes[N]): Buffer;
  /** Decodes either framing; Confluent values need `prepare` to have seen them. */
  decode(value: Buffer): DecodedEvent;
  decodeAs<N extends EventName>(name: N, value: Buffer): EventTypes[N];
  /** Fetches the writer schemas of registry ids among these values that are not known yet. */
  prepare(values: Iterable<Buffer | null | undefined>): Promise<void>;
}

/** TopicNameStrategy: each topic carries one event type (topicOfEvent), so `<topic>-value`. */
export function subjectOf(name: EventName, topicPrefix: string): string {
  return `${topicPrefix}${topicOfEvent[name]}-value`;
}

/** The schema text registered for an event type: its current .avsc, as JSON. */
export function registeredSchemaText(name: EventName): string {
  const version = codecSchemas().current.get(name);
  if (!version) throw new CodecError('WRONG_TYPE', `unknown event type ${name}`);
  return JSON.stringify(version.schema);
}

/**
 * A reader of registry-framed values: the writer schemas of the ids seen so far, fetched on demand.
 * `client` undefined: no registry configured, Confluent values are refused (NO_REGISTRY, poison).
 */
function registryReader(
  client: RegistryClient | undefined,
  registered: ReadonlyMap<number, SchemaVersion> = new Map(),
): Pick<Wire, 'decode' | 'decodeAs' | 'prepare'> {
  // The ids this process registered itself are known without asking the registry again.
  const known = new Map<number, SchemaVersion>(registered);
  // Ids whose registry schema is not one of our event types: their values fail with that reason.
  const refused = new Map<number, CodecError>();
  const registry: RegistrySchemas | undefined = client ? known : undefined;
  const check = (value: Buffer): void => {
    if (refused.size === 0 || value.length < 5 || value[0] !== CONFLUENT_MAGIC) return;
    const reason = refused.get(confluentIdOf(value));
    if (reason) throw reason;
  };
  return {
    decode: (value) => {
      check(value);
      return decodeEvent(value, registry);
    },
    decodeAs: (name, value) => {
      check(value);
      return decodeEventAs(name, value, registry);
    },
    prepare: async (values) => {
      if (!client) return;
      const wanted = new Set<number>();
      for (const v of values) {
        if (!v || v.length < 5 || v[0] !== CONFLUENT_MAGIC) continue;
        const id = confluentIdOf(v);
        if (!known.has(id) && !refused.has(id)) wanted.add(id);
      }
      for (const id of wanted) {
        const schema = await client.schemaById(id);
        // Absent from the registry: left out of the map, so decoding says UNKNOWN_REGISTRY_ID (poison).
        if (schema === undefined) continue;
        try {
          known.set(id, writerVersionFromRegistry(id, schema));
        } catch (err) {
          if (!(err instanceof CodecError)) throw err;
          refused.set(id, err);
        }
      }
    },
  };
}

/** The default wire: single-object out, single-object in, Confluent values refused (no registry). */
export const singleObjectWire: Wire = {
  encoding: 'single-object',
  encode: (name, event) => encodeEvent(name, event),
  ...registryReader(undefined),
};

/**
 * Builds the wire for a config. With a registry (always for `confluent`), the current schema of every
 * event type is registered first; an unreachable or refusing registry fails here, with the subject
 * named, so that a producer never writes an id the registry did not give.
 */
export async function createWire(config: WireConfig, registry: RegistryClient | undefined): Promise<Wire> {
  const encoding = config.EVENT_ENCODING ?? 'single-object';
  if (encoding === 'single-object') {
    return registry ? { ...singleObjectWire, ...registryReader(registry) } : singleObjectWire;
  }
  if (!registry) {
    throw new ConfigError(
      'EVENT_ENCODING=confluent needs SCHEMA_REGISTRY_URL (the Schema Registry that issues the ids)',
    );
  }
  const ids = new Map<EventName, number>();
  const registered = new Map<number, SchemaVersion>();
  for (const name of eventNames) {
    const subject = subjectOf(name, config.TOPIC_PREFIX);
    let id: number;
    try {
      id = await registry.register(subject, registeredSchemaText(name));
    } catch (err) {
      throw new PipelineError(
        'SCHEMA_REGISTRATION_FAILED',
        `registering ${name} under subject ${subject} at ${config.SCHEMA_REGISTRY_URL ?? 'the schema registry'} failed: ${errorMessage(err)}`,
        { cause: err, retriable: !(err instanceof CodecError) },
      );
    }
    if (!Number.isInteger(id) || id < 0) {
      throw new PipelineError(
        'SCHEMA_REGISTRATION_FAILED',
        `${subject}: the registry answered no id (${id})`,
      );
    }
    ids.set(name, id);
    const current = codecSchemas().current.get(name);
    if (current) registered.set(id, current);
  }
  return {
    encoding,
    encode: (name, event) => {
      const id = ids.get(name);
      // Unreachable: every event type was registered above. Never frame with an id of our own.
      if (id === undefined) throw new CodecError('WRONG_TYPE', `${name} has no registry id`);
      return encodeEventConfluent(name, event, id);
    },
    ...registryReader(registry, registered),
  };
}

let installed: Wire = singleObjectWire;

/** Sets the process's wire (the service shell does, once, at start). */
export function installWire(wire: Wire): void {
  installed = wire;
}

/** The process's wire: single-object until a service installs another. */
export function currentWire(): Wire {
  return installed;
}
