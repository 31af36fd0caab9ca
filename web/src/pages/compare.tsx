// The Compare page (web/README.md "Compare"): two to five models side by side for one usage, one
// POST /v1/cost per model; the cheapest column marked. The URL holds the models and the usage.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, postJson, type Loaded } from '../api.ts';
import { Link } from '../components/link.tsx';
import { ModelOptions } from '../components/model-options.tsx';
import { Empty, Page, type PageStatus } from '../components/page.tsx';
import { CallFields } from '../components/call-fields.tsx';
import { UsageFields } from '../components/usage-fields.tsx';
import { providerLabel, utcText } from '../core/changes.ts';
import {
  addModel,
  cheapestIndexes,
  COMPARE_MIN,
  componentText,
  modelsOf,
  removeModel,
  routedOf,
  tierText,
  type CostAnswer,
  type ProviderCost,
} from '../core/cost.ts';
import { groupedDecimal, usd } from '../core/money.ts';
import { hrefOf } from '../core/routes.ts';
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

type Data = CostAnswer['data'];

function apiErrorOf(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError('server', 0, 'CLIENT', err instanceof Error ? err.message : String(err));
}

/** One POST /v1/cost per model with the same body (JSON text, the model added); null: none asked. */
function useCosts(models: readonly string[], body: string | null): Loaded<Data>[] {
  const key = body === null ? null : JSON.stringify([models, body]);
  const [state, setState] = useState<{ key: string | null; results: Loaded<Data>[] }>({
    key: null,
    results: [],
  });
  useEffect(() => {
    if (key === null || body === null) return;
    const controller = new AbortController();
    setState({ key, results: models.map(() => ({ status: 'loading' })) });
    const settle = (i: number, result: Loaded<Data>) =>
      setState((s) =>
        s.key === key ? { key, results: s.results.map((r, j) => (j === i ? result : r)) } : s,
      );
    models.forEach((model, i) => {
      postJson<CostAnswer>('/cost', { ...(JSON.parse(body) as object), model }, controller.signal).then(
        (answer) => settle(i, { status: 'ok', data: answer.data }),
        (err: unknown) => {
          if (!controller.signal.aborted) settle(i, { status: 'error', error: apiErrorOf(err) });
        },
      );
    });
    return () => controller.abort();
    // `key` holds models and body.
  }, [key]);
  return state.key === key && key !== null ? state.results : models.map(() => ({ status: 'loading' }));
}

export function ComparePage(props: { query: URLSearchParams }) {
  const q = props.query;
  const { models, problems } = modelsOf(q);
  const calls = callsOf(q.get('n') ?? DEFAULT_CALLS);
  const usage = usageBodyOf(usageStateOf(q));
  const at = atOfQuery(q);
  const problem = !usage.ok ? usage.message : !calls.ok ? calls.message : null;
  const enough = models.length >= COMPARE_MIN;
  const body =
    enough && usage.ok && problem === null ? JSON.stringify({ ...usage.value, ...(at ? { at } : {}) }) : null;
  const results = useCosts(models, body);
  const [listMessage, setListMessage] = useState<string | null>(null);

  const writeModels = (next: readonly string[]) => {
    setListMessage(null);
    setQuery({ models: next.join(',') || undefined }, { push: true });
  };
  const onRemove = (id: string) => {
    const r = removeModel(models, id);
    if (r.ok) writeModels(r.models);
    else setListMessage(r.message);
  };

  const status: PageStatus =
    problem !== null
      ? 'error'
      : !enough
        ? 'empty'
        : results.some((r) => r.status === 'loading')
          ? 'loading'
          : results.every((r) => r.status === 'error')
            ? 'error'
            : 'ready';

  return (
    <Page name="compare" title="Compare models" status={status}>
      <h2 class="sr-only">Models compared</h2>
      <ul class="compared" aria-label="Models compared">
        {models.map((m) => (
          <li key={m}>
            <Link href={hrefOf({ page: 'model', id: m }, BASE)}>{m}</Link>
            <button type="button" aria-label={`Remove ${m}`} onClick={() => onRemove(m)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <AddModel models={models} onAdd={writeModels} onRefuse={(message) => setListMessage(message)} />
      {listMessage !== null || problems.length > 0 ? (
        <div class="state state-error" role="alert">
          {[...(listMessage !== null ? [listMessage] : []), ...problems].map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      <CompareForm key={q.toString()} query={q} />
      {problem !== null ? (
        <div class="state state-error" role="alert">
          <p class="state-title">Nothing was asked</p>
          <p>{problem}</p>
        </div>
      ) : !enough ? (
        <Empty>
          Add {models.length === 0 ? 'two models' : 'another model'} to compare (two to five, side by side).
        </Empty>
      ) : (
        <CompareTable models={models} results={results} calls={calls.ok ? calls.value : DEFAULT_CALLS} />
      )}
    </Page>
  );
}

function AddModel(props: {
  models: readonly string[];
  onAdd: (next: string[]) => void;
  onRefuse: (message: string) => void;
}) {
  const [id, setId] = useState('');
  return (
    <form
      class="model-add"
      onSubmit={(e) => {
        e.preventDefault();
        const r = addModel(props.models, id);
        if (r.ok) {
          setId('');
          props.onAdd(r.models);
        } else props.onRefuse(r.message);
      }}
    >
      <label>
        Add a model
        <input
          name="add-model"
          list="compare-models"
          value={id}
          placeholder="author/slug"
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => setId(e.currentTarget.value)}
        />
      </label>
      <ModelOptions id="compare-models" />
      <button type="submit">Add</button>
    </form>
  );
}

function CompareForm(props: { query: URLSearchParams }) {
  const q = props.query;
  const [at, setAt] = useState(localInputOfAt(atOfQuery(q)));
  const [n, setN] = useState(q.get('n') ?? DEFAULT_CALLS);
  const [draft, setDraft] = useState<UsageDraft>(draftOf(usageStateOf(q)));
  return (
    <form
      class="compare-form"
      onSubmit={(e) => {
        e.preventDefault();
        setQuery(
          {
            at: atOfLocalInput(at) || undefined,
            n: n.trim() === DEFAULT_CALLS ? undefined : n.trim(),
            ...usageQueryOf(stateOfDraft(draft)),
          },
          { push: true },
        );
      }}
    >
      <UsageFields idPrefix="compare" draft={draft} onChange={setDraft} />
      <div class="row">
        <CallFields at={at} onAt={setAt} n={n} onN={setN} />
        <button class="primary" type="submit">
          Compare
        </button>
      </div>
    </form>
  );
}

function CompareTable(props: { models: readonly string[]; results: readonly Loaded<Data>[]; calls: string }) {
  const { models, results, calls } = props;
  const cheapestOf = (r: Loaded<Data>): ProviderCost | null =>
    r.status === 'ok' ? (r.data.costs[0] ?? null) : null;
  const best = new Set(cheapestIndexes(results.map((r) => cheapestOf(r)?.catalog_total ?? null)));
  const cls = (i: number) => (best.has(i) ? 'cheapest' : undefined);
  // Component rows: every dimension of a cheapest provider's cost, in order of first appearance.
  const dimensions = [
    ...new Set(results.flatMap((r) => cheapestOf(r)?.components.map((c) => c.dimension) ?? [])),
  ];
  const first = results.find((r) => r.status === 'ok');
  const cell = (
    i: number,
    render: (d: Data, cheapest: ProviderCost | null) => ComponentChildren,
    withError = false,
  ) => {
    const r = results[i]!;
    return (
      <td key={models[i]} class={cls(i)}>
        {r.status === 'loading' ? (
          <span class="muted">Loading…</span>
        ) : r.status === 'error' ? (
          withError ? (
            <div role="alert" class="error">
              {r.error.message}
            </div>
          ) : (
            '—'
          )
        ) : (
          render(r.data, cheapestOf(r))
        )}
      </td>
    );
  };
  return (
    <>
      {first?.status === 'ok' ? (
        <p class="muted">
          Priced at <time dateTime={first.data.at}>{utcText(first.data.at)}</time>; each column is the
          cheapest provider of its model for this usage.
        </p>
      ) : null}
      <div class="table-wrap" role="region" aria-label="The models side by side" tabIndex={0}>
        <table class="compare">
          <caption class="sr-only">The models side by side for one usage</caption>
          <thead>
            <tr>
              <td />
              {models.map((m, i) => (
                <th key={m} scope="col" class={cls(i)} data-model={m}>
                  {m}
                  {best.has(i) ? (
                    <>
                      {' '}
                      <span class="badge cheapest">Cheapest</span>
                    </>
                  ) : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr data-row="cheapest-provider">
              <th scope="row">Cheapest provider</th>
              {models.map((_, i) =>
                cell(
                  i,
                  (d, c) =>
                    c === null
                      ? `none of ${d.unpriced.length} priced`
                      : c.provider === null
                        ? providerLabel(null)
                        : `${c.provider} (${c.source})`,
                  true,
                ),
              )}
            </tr>
            <tr data-row="call">
              <th scope="row">This call, cheapest</th>
              {models.map((_, i) => cell(i, (_d, c) => <strong>{usd(c?.catalog_total)}</strong>))}
            </tr>
            <tr data-row="routed">
              <th scope="row">This call, routed by OpenRouter</th>
              {models.map((_, i) =>
                cell(i, (d) => {
                  const routed = routedOf(d);
                  if (routed === null) return '—';
                  return 'cost' in routed
                    ? usd(routed.cost.catalog_total)
                    : `not priced: ${routed.unpriced.message}`;
                }),
              )}
            </tr>
            <tr data-row="monthly">
              <th scope="row">{groupedDecimal(calls, 0)} calls a month, cheapest</th>
              {models.map((_, i) =>
                cell(i, (_d, c) => <strong>{c ? usd(monthlyEstimate(c.catalog_total, calls)) : '—'}</strong>),
              )}
            </tr>
            {dimensions.map((dim) => (
              <tr key={dim} data-row={`component-${dim}`}>
                <th scope="row">{dim}</th>
                {models.map((_, i) =>
                  cell(i, (_d, c) => {
                    const comp = c?.components.find((x) => x.dimension === dim);
                    return comp ? (
                      <>
                        {componentText(comp)}
                        {comp.tier ? (
                          <>
                            {' '}
                            <code>{tierText(comp)}</code>
                          </>
                        ) : null}
                      </>
                    ) : (
                      '—'
                    );
                  }),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
