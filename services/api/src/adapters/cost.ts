// /v1/cost's pricing (services/api/README.md "Cost of a call"): the consumer's costOfCallAt over the
// reader's price_at, once per provider asked. Nothing here prices: the consumer does, this runs it
// and turns its errors into the API's.
import {
  ConsumerError,
  costOfCallAt,
  tokenCounts,
  type CallCostAt,
  type CostAtOptions,
  type PriceAtQuery,
  type TokenCounts,
  type UsageInput,
} from '@llmpt/consumer/pricing';
import { ApiError } from '../errors.ts';
import { cheapestFirst, costItemOf, providersOf, type CostItem, type CostRequest } from '../core/cost.ts';
import type { CatalogReader } from './catalog.ts';

export interface CostAnswer {
  model: string;
  at: string;
  format: string;
  tokens: TokenCounts;
  chosen: string | null;
  costs: CostItem[];
  unpriced: { provider: string | null; code: string; message: string }[];
}

/** Consumer errors that say the request is wrong (the same for every provider). */
const REQUEST_ERRORS = new Set(['USAGE_INVALID', 'TIME_INVALID']);
/** Consumer errors that say one provider's price cannot price this call. */
const UNPRICED = new Set(['PRICE_NOT_IN_FORCE', 'PRICE_MISSING', 'TIER_UNKNOWN', 'PRICE_UNKNOWN']);

function apiErrorOf(err: ConsumerError): ApiError {
  if (err.code === 'PRICE_MISSING') return new ApiError('PRICE_MISSING', err.message, 422);
  if (err.code === 'PRICE_NOT_IN_FORCE' || err.code === 'PRICE_UNKNOWN')
    return new ApiError('NO_PRICE', err.message, 404);
  return new ApiError(err.code === 'TIER_UNKNOWN' ? 'TIER_UNKNOWN' : 'BAD_REQUEST', err.message, 400);
}

export async function priceCall(
  reader: CatalogReader,
  req: CostRequest,
  usage: UsageInput,
  at: Date,
): Promise<CostAnswer> {
  // The usage is checked once, before any query: a bad count is the request's fault, whatever the price.
  let tokens: TokenCounts;
  const counts = {
    ...(req.images === undefined ? {} : { images: req.images }),
    ...(req.webSearches === undefined ? {} : { webSearches: req.webSearches }),
  };
  try {
    tokens = tokenCounts(usage, counts);
  } catch (err) {
    if (err instanceof ConsumerError) throw new ApiError('USAGE_INVALID', err.message, 400);
    throw err;
  }
  const opts: CostAtOptions = {
    ...counts,
    ...(req.tier === undefined ? {} : { tier: req.tier }),
    ...(req.byokRequestsThisMonth === undefined
      ? {}
      : { byok: { requestsThisMonth: req.byokRequestsThisMonth } }),
  };
  const lookup = (q: PriceAtQuery) => reader.priceAt(q);
  const queryOf = (provider: string | null): PriceAtQuery => ({
    modelId: req.model,
    at,
    provider,
    // The routed price is openrouter_api's (provider null); a provider's, every source unless named.
    ...(provider === null ? { source: 'openrouter_api' } : req.source ? { source: req.source } : {}),
  });
  const noPrice = async (): Promise<ApiError> =>
    (await reader.modelObserved(req.model))
      ? new ApiError(
          'NO_PRICE',
          `no price of ${req.model}${req.provider === undefined ? '' : ` from ${req.provider ?? 'openrouter (routed)'}`}${req.source ? ` (${req.source})` : ''} in force at ${at.toISOString()}`,
          404,
        )
      : new ApiError(
          'NOT_FOUND',
          `no model ${JSON.stringify(req.model)}: we have never observed a price of it`,
          404,
        );

  const answer = (chosen: string | null, results: { cost: CallCostAt }[], unpriced: CostAnswer['unpriced']) =>
    reader.sourceUrls(results.map((r) => r.cost.price.event_id)).then((urls) => ({
      model: req.model,
      at: at.toISOString(),
      format: usage.format,
      tokens,
      chosen,
      costs: cheapestFirst(results.map((r) => costItemOf(r.cost, urls.get(r.cost.price.event_id) ?? null))),
      unpriced,
    }));

  if (req.provider !== undefined) {
    if (req.provider === null && req.source !== undefined && req.source !== 'openrouter_api')
      throw new ApiError(
        'BAD_REQUEST',
        'provider=openrouter is the routed price, of source openrouter_api',
        400,
      );
    let cost: CallCostAt;
    try {
      cost = await costOfCallAt(lookup, queryOf(req.provider), usage, opts);
    } catch (err) {
      if (!(err instanceof ConsumerError)) throw err;
      if (err.code === 'PRICE_UNKNOWN') throw await noPrice();
      throw apiErrorOf(err);
    }
    return answer(cost.price.price_key, [{ cost }], []);
  }

  const rows = await reader.priceAt({ modelId: req.model, at, provider: null, source: req.source ?? null });
  if (rows.length === 0) throw await noPrice();
  const results: { cost: CallCostAt }[] = [];
  const unpriced: CostAnswer['unpriced'] = [];
  const errors: ConsumerError[] = [];
  for (const provider of providersOf(rows)) {
    try {
      results.push({ cost: await costOfCallAt(lookup, queryOf(provider), usage, opts) });
    } catch (err) {
      if (!(err instanceof ConsumerError)) throw err;
      if (REQUEST_ERRORS.has(err.code)) throw apiErrorOf(err);
      if (!UNPRICED.has(err.code)) throw err;
      errors.push(err);
      unpriced.push({ provider, code: err.code, message: err.message });
    }
  }
  if (results.length === 0) {
    const missing = errors.find((e) => e.code === 'PRICE_MISSING');
    const tier = errors.find((e) => e.code === 'TIER_UNKNOWN');
    if (missing) throw apiErrorOf(missing);
    if (tier) throw apiErrorOf(tier);
    throw await noPrice();
  }
  // What the consumer picks when no provider is named: the routed price (choosePrice's default query).
  const routed = results.find((r) => r.cost.price.provider === null);
  return answer(routed ? routed.cost.price.price_key : null, results, unpriced);
}
