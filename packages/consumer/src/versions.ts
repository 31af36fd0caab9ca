// Which published price changes are in force, for a consumer that follows both PriceChanged and
// PriceChangeRetracted (docs/price-model.md §4.3, §4.4). A change is known by its version, (event id,
// digest): a late input can publish a second version of an id (another previous_observed_at) and
// retract the first. For each version the retraction record with the highest revision says whether it
// is in force; a version without any record is in force. The order the two topics arrive in does not
// matter, nor do redeliveries. Pure: no I/O, in memory; a consumer with its own store keeps the same
// two facts per version (the change, and the highest-revision record's `retracted`).
import { changeDigest, versionOf, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';

/** The version of a change: `versionOf(event_id, changeDigest(event))`, what its retractions name. */
export function changeVersion(e: PriceChanged): string {
  return versionOf(e.event_id, changeDigest(e));
}

/** The version a retraction record is about. */
export function retractedVersion(r: PriceChangeRetracted): string {
  return versionOf(r.retracted_event_id, r.retracted_digest);
}

export interface VersionsInForce {
  /** Takes a PriceChanged; a version already held changes nothing. Returns its version. */
  change(e: PriceChanged): string;
  /** Takes a retraction record; only the highest revision per version counts. */
  retraction(r: PriceChangeRetracted): void;
  /** Whether a version is in force (a version not seen as a change is not). */
  isInForce(version: string): boolean;
  /** The changes in force, in the order their versions were first seen. */
  inForce(): PriceChanged[];
}

export function versionsInForce(): VersionsInForce {
  const changes = new Map<string, PriceChanged>();
  // Per version, the record with the highest revision seen so far. Revisions count the records of one
  // price key, and a version belongs to one key, so two records of a version never share a revision
  // unless they are the same record delivered twice.
  const latest = new Map<string, { readonly revision: number; readonly retracted: boolean }>();
  const inForce = (v: string) => changes.has(v) && latest.get(v)?.retracted !== true;
  return {
    change: (e) => {
      const v = changeVersion(e);
      if (!changes.has(v)) changes.set(v, e);
      return v;
    },
    retraction: (r) => {
      const v = retractedVersion(r);
      const held = latest.get(v);
      if (!held || r.revision > held.revision)
        latest.set(v, { revision: r.revision, retracted: r.retracted });
    },
    isInForce: inForce,
    inForce: () => [...changes].filter(([v]) => inForce(v)).map(([, e]) => e),
  };
}
