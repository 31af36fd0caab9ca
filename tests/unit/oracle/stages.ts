// The REAL stages' pure cores, run in process over recorded captures: discovery (ModelDiscovered and
// the CatalogSnapshot), the scraper's routed observation, the normalizer's decision with its state.
// What they publish is turned into the oracle's shape so the two can be compared slot by slot.
import type { CatalogSnapshot, PriceChanged, RawPriceObserved } from '@llmpt/schemas';
import { catalogSnapshotOf, discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { routedPriceObservation } from '@llmpt/scraper';
import * as normalizer from '@llmpt/normalizer';
import type { Dimension } from '@llmpt/schemas';
import { type RecordedCapture, type ExpectedEvent, type SlotChangeKind } from '@llmpt/testkit/oracle';

// The normalizer's pure API as issue 11's brief states it; read through the package's exports
// without naming its types, so this harness does not depend on how the state entry looks inside.
type State = Map<string, unknown>;
interface NormalizerApi {
  normalizeAndDecide(
    state: ReadonlyMap<string, unknown>,
    raw: RawPriceObserved,
    opts: object,
  ): { normalized: { readonly price_key: string }; changed: PriceChanged | null; next: unknown };
  applyCatalogSnapshot(
    state: ReadonlyMap<string, unknown>,
    snapshot: CatalogSnapshot,
    opts: object,
  ): { changes: readonly PriceChanged[]; next: unknown };
}

function normalizerApi(): NormalizerApi {
  const api = normalizer as unknown as Partial<NormalizerApi>;
  if (typeof api.normalizeAndDecide !== 'function' || typeof api.applyCatalogSnapshot !== 'function')
    throw new Error('@llmpt/normalizer does not export normalizeAndDecide and applyCatalogSnapshot (yet)');
  return api as NormalizerApi;
}

/** `next` of a snapshot: the entries it changed (or the whole state), as a Map or [key, entry] pairs. */
function merge(state: State, next: unknown): void {
  if (next instanceof Map || Array.isArray(next))
    for (const [k, v] of next as Iterable<[string, unknown]>) state.set(k, v);
}

/** Every PriceChanged the real stages publish over the captures, with the capture it came from. */
export function runStages(captures: readonly RecordedCapture[]): { capture: number; event: PriceChanged }[] {
  const api = normalizerApi();
  const state: State = new Map();
  const out: { capture: number; event: PriceChanged }[] = [];
  captures.forEach((c, capture) => {
    const runId = `oracle-${capture}-${c.label}`;
    const list = parseModelsResponse(c.body);
    const ctx = { runId, fetchedAt: c.capturedAt, sourceUrl: c.sourceUrl };
    const result = discoverModels(list.entries, { ...ctx, blocklist: emptyBlocklist });
    const snapshot = catalogSnapshotOf(list, result, ctx);
    if (snapshot) {
      const { changes, next } = api.applyCatalogSnapshot(state, snapshot, {});
      merge(state, next);
      out.push(...changes.map((event) => ({ capture, event })));
    }
    for (const md of result.events) {
      const raw = routedPriceObservation(md, { runId, fetchedAt: c.capturedAt });
      const { normalized, changed, next } = api.normalizeAndDecide(state, raw, {});
      if (next !== undefined) state.set(normalized.price_key, next);
      if (changed) out.push({ capture, event: changed });
    }
  });
  return out;
}

/** A published PriceChanged in the oracle's shape (the per-entry alert is not on the wire: false). */
export function asExpected(capture: number, e: PriceChanged): ExpectedEvent {
  return {
    capture,
    price_key: e.price_key,
    model_id: e.model_id,
    kind: e.kind,
    changes: e.changes.map((c) => ({
      tier: c.tier,
      dimension: c.dimension as Dimension,
      change: c.change as SlotChangeKind,
      previous: c.previous,
      current: c.current,
      relative_change: c.relative_change,
      alert: false,
    })),
    alert: e.alert,
    expiration_date: e.expiration_date,
  };
}
