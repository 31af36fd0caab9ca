// The bodies the fixture server answers with, built from recorded files: shared by the server and
// by the sample's dated backfill captures, so both carry the same bytes.
import { isRecord } from '@llmpt/core';
import { endpointsFromDerivedMap } from './derived-map.ts';
import type { EndpointEntry } from './derived-map.ts';

export interface ModelSummary {
  readonly id: string;
  readonly name: unknown;
  readonly created: unknown;
  readonly description: unknown;
  readonly architecture: unknown;
}

export interface EndpointsForModel {
  readonly model?: ModelSummary;
  readonly endpoints: readonly EndpointEntry[] | readonly unknown[];
}

/** Id and canonical slug → the fields the endpoints envelope repeats from the model. */
export function indexModels(body: unknown): Map<string, ModelSummary> {
  const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : [];
  const index = new Map<string, ModelSummary>();
  for (const entry of list as unknown[]) {
    if (!isRecord(entry) || typeof entry.id !== 'string') continue;
    const summary: ModelSummary = {
      id: entry.id,
      name: entry.name,
      created: entry.created,
      description: entry.description,
      architecture: entry.architecture,
    };
    index.set(entry.id, summary);
    if (typeof entry.canonical_slug === 'string' && !index.has(entry.canonical_slug)) {
      index.set(entry.canonical_slug, summary);
    }
  }
  return index;
}

export function indexEndpoints(body: unknown): Map<string, EndpointsForModel> {
  const index = new Map<string, EndpointsForModel>();
  if (isRecord(body) && isRecord(body.providers)) {
    for (const [id, endpoints] of endpointsFromDerivedMap(body)) index.set(id, { endpoints });
  } else if (isRecord(body) && isRecord(body.data) && Array.isArray(body.data.endpoints)) {
    const data = body.data;
    const id = String(data.id);
    index.set(id, {
      model: {
        id,
        name: data.name,
        created: data.created,
        description: data.description,
        architecture: data.architecture,
      },
      endpoints: data.endpoints as unknown[],
    });
  } else if (isRecord(body)) {
    for (const [id, endpoints] of Object.entries(body)) {
      if (Array.isArray(endpoints)) index.set(id, { endpoints: endpoints as unknown[] });
    }
  }
  return index;
}

/**
 * The `/api/v1/models/{slug}/endpoints` body for a slug (a model id or canonical slug): the model's
 * fields from the models file, its endpoints from the endpoints file ([] when it lists none). null
 * when neither knows the slug (the real API answers 404).
 */
export function endpointsResponse(
  slug: string,
  models: ReadonlyMap<string, ModelSummary>,
  endpoints: ReadonlyMap<string, EndpointsForModel> | undefined,
): { data: Record<string, unknown> } | null {
  const model = models.get(slug);
  const found = endpoints?.get(model?.id ?? slug) ?? endpoints?.get(slug);
  if (!model && !found) return null;
  const summary = model ?? found?.model;
  return {
    data: {
      id: summary?.id ?? slug,
      name: summary?.name ?? slug,
      created: summary?.created ?? null,
      description: summary?.description ?? null,
      architecture: summary?.architecture ?? null,
      endpoints: found?.endpoints ?? [],
    },
  };
}
