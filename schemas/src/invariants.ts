// What the Avro types cannot say but the contract does (the docs in schemas/*.avsc): money is a decimal
// string of scale 8 that fits numeric(18,8), a snapshot date is YYYY-MM-DD, ids are not empty. A body
// that decodes but breaks these is poison: caught where it is read (INVALID_EVENT, dead-lettered), never
// silently rounded by the database nor keyed under an empty id.
import { CodecError, type DecodedEvent } from './codec.ts';
import { DIMENSION_NAMES, isDimension, type DimensionValues } from './dimensions.ts';
import type { EventName } from './generated.ts';
import { TierLabelError, parseTierLabel } from './tiers.ts';

/** numeric(18,8): up to 10 integer digits, exactly 8 decimals, never negative (prices). */
const MONEY = /^\d{1,10}\.\d{8}$/;
/** A relative change may be negative; same scale. */
const SIGNED_SCALE_8 = /^-?\d{1,10}\.\d{8}$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The money columns of NormalizedPrice, in schema order: every registered dimension (dimensions.ts). */
export const MONEY_FIELDS = DIMENSION_NAMES;

/** The money columns as decimal strings (null: not priced), as events and rows carry them. */
export type MoneyValues = DimensionValues;

function shown(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
}

/** Every broken invariant of a decoded event, as `field: problem`; empty when the event is sound. */
export function eventProblems(decoded: DecodedEvent): string[] {
  const problems: string[] = [];
  const money = (field: string, v: string | null | undefined, pattern = MONEY) => {
    if (v !== null && v !== undefined && !pattern.test(v))
      problems.push(`${field}: ${shown(v)} is not a decimal string of scale 8 (e.g. "3.00000000")`);
  };
  const date = (field: string, v: string) => {
    if (!DATE.test(v)) problems.push(`${field}: ${shown(v)} is not a YYYY-MM-DD date`);
  };
  if (decoded.event.event_id === '') problems.push('event_id: empty');
  switch (decoded.name) {
    case 'NormalizedPrice': {
      const e = decoded.event;
      for (const f of MONEY_FIELDS) money(f, e[f]);
      const priced = (where: string, prices: readonly { dimension: string; amount: string }[]) =>
        prices.forEach((p, i) => {
          if (!isDimension(p.dimension))
            problems.push(`${where}.${i}.dimension: ${shown(p.dimension)} is not a registered dimension`);
          money(`${where}.${i}.amount`, p.amount);
        });
      priced('base', e.base ?? []);
      (e.tiers ?? []).forEach((t, i) => {
        priced(`tiers.${i}.prices`, t.prices);
        try {
          parseTierLabel(t.label);
        } catch (err) {
          if (!(err instanceof TierLabelError)) throw err;
          problems.push(`tiers.${i}.label: ${err.message}`);
        }
      });
      date('snapshot_date', e.snapshot_date);
      if (e.model_id === '') problems.push('model_id: empty');
      break;
    }
    case 'PriceChanged': {
      const e = decoded.event;
      e.changes.forEach((c, i) => {
        money(`changes.${i}.previous`, c.previous);
        money(`changes.${i}.current`, c.current);
        money(`changes.${i}.relative_change`, c.relative_change, SIGNED_SCALE_8);
      });
      date('snapshot_date', e.snapshot_date);
      if (e.model_id === '') problems.push('model_id: empty');
      break;
    }
    case 'ModelDiscovered':
    case 'RawPriceObserved':
      if (decoded.event.model_id === '') problems.push('model_id: empty');
      break;
    case 'CatalogSnapshot':
      date('snapshot_date', decoded.event.snapshot_date);
      if (decoded.event.model_ids.some((id) => id === '')) problems.push('model_ids: an empty id');
      break;
    case 'PriceChangeRetracted':
      if (decoded.event.price_key === '') problems.push('price_key: empty');
      if (decoded.event.revision < 1) problems.push('revision: below 1');
      break;
    case 'PriceVerified':
    case 'PriceDiscrepancy':
      if (decoded.event.model_id === '') problems.push('model_id: empty');
      if (decoded.event.provider === '') problems.push('provider: empty');
      break;
    case 'ProviderDiscovered':
    case 'DeadLetter':
      break;
    default: {
      const unreachable: never = decoded;
      throw new TypeError(`eventProblems: unknown event ${JSON.stringify(unreachable)}`);
    }
  }
  return problems;
}

/**
 * Checks a decoded event read from `topic`: its type must be the one the topic carries (`expected`,
 * when known) and its invariants must hold. Throws CodecError WRONG_TYPE or INVALID_EVENT.
 */
export function assertSoundEvent(decoded: DecodedEvent, expected?: EventName): void {
  if (expected !== undefined && decoded.name !== expected)
    throw new CodecError('WRONG_TYPE', `expected a ${expected} event on this topic, got a ${decoded.name}`);
  const problems = eventProblems(decoded);
  if (problems.length > 0)
    throw new CodecError(
      'INVALID_EVENT',
      `invalid ${decoded.name} ${decoded.event.event_id || '(no id)'}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    );
}
