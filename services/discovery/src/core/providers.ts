import { z } from 'zod';
import { isRecord } from '@llmpt/core';
import { contentHash, eventId, type ProviderDiscovered } from '@llmpt/schemas';
import { canonicalJson, utcDate } from './discover.ts';
import { DiscoveryError } from '../errors.ts';

/** One provider of GET /api/v1/providers, old (≤2026-03) or new schema (adds headquarters, datacenters). */
export interface ProviderInfo {
  readonly slug: string;
  readonly name: string;
  readonly privacy_policy_url: string | null;
  readonly terms_of_service_url: string | null;
  readonly status_page_url: string | null;
  /** ISO country code; null when unknown or in the old schema. */
  readonly headquarters: string | null;
  /** Country codes; null when unknown or in the old schema ([] is kept as published). */
  readonly datacenters: readonly string[] | null;
}

export interface ProvidersResult {
  readonly providers: ProviderInfo[];
  /** The published entry of each provider, in the same order. */
  readonly entries: unknown[];
  readonly rejected: { readonly entry: unknown; readonly index: number; readonly reason: string }[];
}

// slug and name identify a provider; every other field is optional and any may be null.
const providerSchema = z.looseObject({ slug: z.string().min(1), name: z.string() });

/** Parses a providers response (`{data:[...]}` or a bare array), leniently (pure). */
export function parseProvidersResponse(body: unknown): ProvidersResult {
  const list = Array.isArray(body)
    ? (body as unknown[])
    : isRecord(body) && Array.isArray(body.data)
      ? (body.data as unknown[])
      : null;
  if (list === null) {
    throw new DiscoveryError('NOT_A_PROVIDERS_LIST', 'expected {data:[...]} or an array of providers');
  }
  const providers: ProviderInfo[] = [];
  const entries: unknown[] = [];
  const rejected: ProvidersResult['rejected'] = [];
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    const parsed = providerSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejected.push({
        entry,
        index,
        reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      });
      return;
    }
    const p = parsed.data;
    if (seen.has(p.slug)) {
      rejected.push({ entry, index, reason: `duplicate slug ${p.slug}: the first entry was kept` });
      return;
    }
    seen.add(p.slug);
    entries.push(entry);
    providers.push({
      slug: p.slug,
      name: p.name,
      privacy_policy_url: str(p.privacy_policy_url),
      terms_of_service_url: str(p.terms_of_service_url),
      status_page_url: str(p.status_page_url),
      headquarters: str(p.headquarters),
      datacenters: Array.isArray(p.datacenters)
        ? p.datacenters.filter((d): d is string => typeof d === 'string')
        : null,
    });
  });
  return { providers, entries, rejected };
}

export interface ProviderContext {
  readonly runId: string;
  readonly fetchedAt: number;
  readonly sourceUrl: string;
}

/**
 * One ProviderDiscovered per provider of a `/providers` response (pure). Like models, the id is
 * (slug, content, UTC day): a re-run the same day is a no-op, the next day moves last_seen_at.
 */
export function discoverProviders(
  body: unknown,
  ctx: ProviderContext,
): { events: ProviderDiscovered[]; rejected: ProvidersResult['rejected'] } {
  const { providers, entries, rejected } = parseProvidersResponse(body);
  const day = utcDate(ctx.fetchedAt);
  const events = providers.map((p, i): ProviderDiscovered => {
    const raw = entries[i];
    const hash = contentHash(canonicalJson(raw));
    return {
      event_id: eventId('ProviderDiscovered', p.slug, hash, day),
      run_id: ctx.runId,
      caused_by: null,
      occurred_at: ctx.fetchedAt,
      ...p,
      raw_entry: JSON.stringify(raw),
      source_url: ctx.sourceUrl,
      fetched_at: ctx.fetchedAt,
      content_hash: hash,
    };
  });
  return { events, rejected };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
