// A catalog k times today's, by deterministic cloning: clone 0 is the recorded catalog as it is, clone
// i ≥ 1 repeats every model with the id (and canonical slug) prefixed `x<i>-`, and every endpoint of
// the model under the clone's id. Providers stay the same (more models per provider, as a growing
// catalog has), so every price key of a clone is distinct from the original's. Pure: no I/O.
import { eventId } from '@llmpt/schemas';
import type { NormalizedPrice } from '@llmpt/schemas';
import type { EndpointEntry } from '@llmpt/fixture-server';

/** The id of clone `i` of a model id or slug (clone 0 is the original). */
export const cloneId = (id: string, i: number): string => (i === 0 ? id : `x${i}-${id}`);

/** Which clone a model id belongs to (0 for an original id). */
export function cloneOf(modelId: string): number {
  const m = /^x(\d+)-/.exec(modelId);
  return m ? Number(m[1]) : 0;
}

type ModelEntry = Record<string, unknown> & { readonly id: string };

export interface Catalog {
  /** `/models` entries (the `data` array), clones after the originals. */
  readonly models: readonly ModelEntry[];
  /** Model id → its endpoints, in the real `/endpoints` response shape. */
  readonly endpoints: ReadonlyMap<string, readonly EndpointEntry[]>;
}

/** `factor` copies of the catalog (factor 1: the catalog itself). */
export function cloneCatalog(catalog: Catalog, factor: number): Catalog {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`cloneCatalog: factor ${factor}`);
  const models: ModelEntry[] = [];
  const endpoints = new Map<string, readonly EndpointEntry[]>();
  for (let i = 0; i < factor; i++) {
    for (const m of catalog.models) {
      const slug = m.canonical_slug;
      models.push({
        ...m,
        id: cloneId(m.id, i),
        ...(typeof slug === 'string' ? { canonical_slug: cloneId(slug, i) } : {}),
      });
    }
    for (const [id, list] of catalog.endpoints)
      endpoints.set(
        cloneId(id, i),
        list.map((e) => ({ ...e, model_id: cloneId(e.model_id, i) })),
      );
  }
  return { models, endpoints };
}

/**
 * Clone `i` of a NormalizedPrice: the same observation of the cloned model (model id and price key
 * renamed, a distinct deterministic event id, the rest unchanged). Clone 0 is the event itself.
 */
export function cloneNormalized(e: NormalizedPrice, i: number): NormalizedPrice {
  if (i === 0) return e;
  if (!e.price_key.startsWith(`${e.model_id}|`))
    throw new Error(`cloneNormalized: price key ${e.price_key} does not start with ${e.model_id}|`);
  const model_id = cloneId(e.model_id, i);
  return {
    ...e,
    event_id: eventId('NormalizedPrice', 'bench-clone', i, e.event_id),
    model_id,
    price_key: model_id + e.price_key.slice(e.model_id.length),
  };
}

/** The events of clones 0 … factor − 1: a catalog cloned 16 times holds the 1× and 4× catalogs too. */
export const ofFirstClones = <T extends { readonly model_id: string }>(
  events: readonly T[],
  factor: number,
): T[] => events.filter((e) => cloneOf(e.model_id) < factor);

/** The first `total` observations of clones 0, 1, 2, … of `base`, one clone (an array) at a time. */
export function* clonedObservations(
  base: readonly NormalizedPrice[],
  total: number,
): Generator<NormalizedPrice[]> {
  if (base.length === 0) return;
  for (let i = 0, n = 0; n < total; i++) {
    const clone = base.slice(0, total - n).map((e) => cloneNormalized(e, i));
    n += clone.length;
    yield clone;
  }
}
