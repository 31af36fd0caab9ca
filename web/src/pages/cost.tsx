// The Cost page (web/README.md "Cost"): what one call of a usage costs at every provider of a model,
// cheapest first, with its components and a monthly estimate. The URL holds the whole request.
import { useState } from 'preact/hooks';
import { usePost } from '../api.ts';
import { ComponentsTable, CostNotes } from '../components/cost-parts.tsx';
import { Link } from '../components/link.tsx';
import { ModelOptions } from '../components/model-options.tsx';
import { Empty, Failure, Loading, Page, type PageStatus } from '../components/page.tsx';
import { CallFields } from '../components/call-fields.tsx';
import { UsageFields } from '../components/usage-fields.tsx';
import { providerLabel, utcText } from '../core/changes.ts';
import { cheapestIndexes, signedUsd, tokensText, type CostAnswer, type ProviderCost } from '../core/cost.ts';
import { groupedDecimal, usd } from '../core/money.ts';
import { hrefOf, isModelId } from '../core/routes.ts';
import {
  atOfLocalInput,
  atOfQuery,
  callsOf,
  DEFAULT_CALLS,
  draftOf,
  localInputOfAt,
  monthlyEstimate,
  stateOfDraft,
  usageBodyOf,
  usageQueryOf,
  usageStateOf,
  type UsageDraft,
} from '../core/usage.ts';
import { BASE, setQuery } from '../router.ts';
import './cost.css';

/** What the URL asks: the request body (JSON text) or why none can be made. */
function requestOf(query: URLSearchParams): { body: string | null; problem: string | null; calls: string } {
  const model = query.get('model')?.trim() ?? '';
  const calls = callsOf(query.get('n') ?? DEFAULT_CALLS);
  const callsText = calls.ok ? calls.value : DEFAULT_CALLS;
  if (model === '') return { body: null, problem: null, calls: callsText };
  if (!isModelId(model))
    return {
      body: null,
      problem: `“${model}” is not a model id (author/slug, e.g. anthropic/claude-sonnet-4.6).`,
      calls: callsText,
    };
  const usage = usageBodyOf(usageStateOf(query));
  if (!usage.ok) return { body: null, problem: usage.message, calls: callsText };
  if (!calls.ok) return { body: null, problem: calls.message, calls: callsText };
  const at = atOfQuery(query);
  return {
    body: JSON.stringify({ model, ...usage.value, ...(at ? { at } : {}) }),
    problem: null,
    calls: callsText,
  };
}

export function CostPage(props: { query: URLSearchParams }) {
  const { body, problem, calls } = requestOf(props.query);
  const [attempt, setAttempt] = useState(0);
  const answer = usePost<CostAnswer>('/cost', body, attempt);
  const status: PageStatus =
    problem !== null
      ? 'error'
      : body === null
        ? 'empty'
        : answer.status === 'loading'
          ? 'loading'
          : answer.status === 'error'
            ? 'error'
            : answer.data.data.costs.length === 0
              ? 'empty'
              : 'ready';
  return (
    <Page name="cost" title="Cost of a call" status={status}>
      {/* Remounted from the URL when it changes (a link, Back). */}
      <CostForm key={props.query.toString()} query={props.query} />
      {problem !== null ? (
        <div class="state state-error" role="alert">
          <p class="state-title">Nothing was asked</p>
          <p>{problem}</p>
        </div>
      ) : body === null ? (
        <Empty>Pick a model, give the call’s usage, then Compute.</Empty>
      ) : answer.status === 'loading' ? (
        <Loading what="the cost at every provider" />
      ) : answer.status === 'error' ? (
        <Failure error={answer.error} onRetry={() => setAttempt((a) => a + 1)} />
      ) : (
        <CostResult data={answer.data.data} calls={calls} />
      )}
    </Page>
  );
}

function CostForm(props: { query: URLSearchParams }) {
  const q = props.query;
  const [model, setModel] = useState(q.get('model') ?? '');
  const [at, setAt] = useState(localInputOfAt(atOfQuery(q)));
  const [n, setN] = useState(q.get('n') ?? DEFAULT_CALLS);
  const [draft, setDraft] = useState<UsageDraft>(draftOf(usageStateOf(q)));
  const submit = (e: Event) => {
    e.preventDefault();
    setQuery(
      {
        model: model.trim(),
        at: atOfLocalInput(at) || undefined,
        n: n.trim() === DEFAULT_CALLS ? undefined : n.trim(),
        ...usageQueryOf(stateOfDraft(draft)),
      },
      { push: true },
    );
  };
  return (
    <form class="cost-form" onSubmit={submit}>
      <div class="row">
        <label class="grow">
          Model
          <input
            name="model"
            list="cost-models"
            value={model}
            placeholder="author/slug, e.g. anthropic/claude-sonnet-4.6"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => setModel(e.currentTarget.value)}
          />
        </label>
        <ModelOptions id="cost-models" />
        <CallFields at={at} onAt={setAt} n={n} onN={setN} />
      </div>
      <UsageFields idPrefix="cost" draft={draft} onChange={setDraft} />
      <button class="primary" type="submit">
        Compute
      </button>
    </form>
  );
}

function CostResult(props: { data: CostAnswer['data']; calls: string }) {
  const { data, calls } = props;
  const counted = tokensText(data.tokens);
  const cheapest = new Set(cheapestIndexes(data.costs.map((c) => c.catalog_total)));
  return (
    <div class="cost-result">
      <p class="muted">
        <Link href={hrefOf({ page: 'model', id: data.model }, BASE)}>{data.model}</Link> at{' '}
        <time dateTime={data.at}>{utcText(data.at)}</time>, usage read as <strong>{data.format}</strong>
        {counted ? `: ${counted}` : ''}.
      </p>
      {data.costs.length === 0 ? (
        <Empty>No provider of {data.model} has a price this call can be priced at.</Empty>
      ) : (
        <>
          <h2>Cheapest first</h2>
          <div class="table-wrap" role="region" aria-label="Cost per provider" tabIndex={0}>
            <table class="cost-summary">
              <caption class="sr-only">The cost of the call per provider, cheapest first</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col" class="num">
                    This call
                  </th>
                  <th scope="col" class="num">
                    {groupedDecimal(calls, 0)} calls a month
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.costs.map((c) => (
                  <tr key={c.price_key} data-price-key={c.price_key}>
                    <th scope="row">
                      <a href={`#${anchorOf(c)}`}>{providerLabel(c.provider)}</a>
                    </th>
                    <td class="num">{usd(c.catalog_total)}</td>
                    <td class="num">{usd(monthlyEstimate(c.catalog_total, calls))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.costs.map((c, i) => (
            <ProviderSection
              key={c.price_key}
              cost={c}
              rank={i + 1}
              cheapest={cheapest.has(i)}
              calls={calls}
            />
          ))}
        </>
      )}
      {data.unpriced.length > 0 ? (
        <>
          <h2>Not priced</h2>
          <ul class="unpriced">
            {data.unpriced.map((u) => (
              <li key={`${u.provider ?? ''}|${u.code}`} data-provider={u.provider ?? 'openrouter'}>
                <strong>{providerLabel(u.provider)}</strong>: {u.message} <code>{u.code}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function anchorOf(c: ProviderCost): string {
  return `cost-${(c.provider ?? 'openrouter').replace(/[^A-Za-z0-9_-]/g, '-')}-${c.source}`;
}

function ProviderSection(props: { cost: ProviderCost; rank: number; cheapest: boolean; calls: string }) {
  const { cost: c, calls } = props;
  const name = providerLabel(c.provider);
  return (
    <section
      class="provider-cost"
      id={anchorOf(c)}
      data-price-key={c.price_key}
      aria-labelledby={`${anchorOf(c)}-h`}
    >
      <h3 id={`${anchorOf(c)}-h`}>
        {props.rank}. {name} <span class="muted">{c.source}</span>
        {props.cheapest ? (
          <>
            {' '}
            <span class="badge cheapest">Cheapest</span>
          </>
        ) : null}
      </h3>
      <p class="totals">
        Cost of this call: <strong class="call-total">{usd(c.catalog_total)}</strong>
        <span class="sep"> · </span>
        {groupedDecimal(calls, 0)} calls a month:{' '}
        <strong class="monthly">{usd(monthlyEstimate(c.catalog_total, calls))}</strong>
      </p>
      {c.reported ? (
        <p class={`reported${c.reported.disagrees ? ' disagrees' : ''}`}>
          OpenRouter charged <strong class="reported-cost">{usd(c.reported.cost)}</strong>, difference
          (charged − catalog) <strong class="difference">{signedUsd(c.reported.difference)}</strong>
        </p>
      ) : null}
      <ComponentsTable components={c.components} caption={`Components of the cost at ${name}`} />
      <p class="price-row muted">
        Price:{' '}
        {c.price.source_url ? (
          <a href={c.price.source_url} rel="noreferrer noopener" target="_blank">
            {c.price.source}
          </a>
        ) : (
          c.price.source
        )}
        , observed <time dateTime={c.price.observed_at}>{utcText(c.price.observed_at)}</time>, in effect from{' '}
        <time dateTime={c.price.effective_from}>{utcText(c.price.effective_from)}</time>
        {c.tiers_applied.length > 0 ? `; tiers applied: ${c.tiers_applied.join(', ')}` : ''}.
      </p>
      <CostNotes notes={c.notes} warnings={c.warnings} />
    </section>
  );
}
