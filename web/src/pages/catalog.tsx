// The Catalog page (web/README.md "Catalog"): every model of GET /v1/catalog in one request; the
// search, filters and sort run over that answer (src/core/catalog.ts), memoized, and live in the URL.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { useApi } from '../api.ts';
import { Link } from '../components/link.tsx';
import { Empty, Failure, Loading, Page } from '../components/page.tsx';
import { Price } from '../components/price.tsx';
import {
  DEFAULT_STATE,
  modalitiesOf,
  queryOf,
  relativeDate,
  rowsOf,
  SORT_KEYS,
  stateOf,
  visibleRows,
  type CatalogResponse,
  type CatalogRow,
  type CatalogState,
  type Host,
  type SortKey,
} from '../core/catalog.ts';
import { groupedDecimal } from '../core/money.ts';
import { hrefOf } from '../core/routes.ts';
import { BASE, setQuery } from '../router.ts';
import './catalog.css';

const SORT_LABELS: Record<SortKey, string> = {
  name: 'name',
  input: 'input price',
  output: 'output price',
  cheapest: 'cheapest host',
  context: 'context length',
  change: 'last change',
};

function update(state: CatalogState, change: Partial<CatalogState>): void {
  setQuery(queryOf({ ...state, ...change }));
}

export function CatalogPage(props: { query: URLSearchParams }) {
  const [attempt, setAttempt] = useState(0);
  const loaded = useApi<CatalogResponse>('/catalog', attempt);
  const search = props.query.toString();
  const state = useMemo(() => stateOf(new URLSearchParams(search)), [search]);
  const data = loaded.status === 'ok' ? loaded.data : null;
  const rows = useMemo(() => (data ? rowsOf(data.data) : []), [data]);
  const visible = useMemo(() => visibleRows(rows, state), [rows, state]);
  const inputs = useMemo(() => (data ? modalitiesOf(data.data, 'input') : []), [data]);
  const outputs = useMemo(() => (data ? modalitiesOf(data.data, 'output') : []), [data]);

  if (loaded.status === 'error')
    return (
      <Page name="catalog" title="Catalog" status="error">
        <Failure error={loaded.error} onRetry={() => setAttempt((a) => a + 1)} />
      </Page>
    );
  if (data === null)
    return (
      <Page name="catalog" title="Catalog" status="loading">
        <Loading what="the catalog" />
      </Page>
    );
  const hasFilters =
    state.provider !== '' || state.in !== '' || state.out !== '' || state.free || state.tiers;
  const filtered = hasFilters || state.q !== '';
  const clear = () => update(DEFAULT_STATE, { sort: state.sort, dir: state.dir });
  return (
    <Page
      name="catalog"
      title="Catalog"
      status={visible.length === 0 ? 'empty' : 'ready'}
      actions={
        <p class="count" role="status" data-testid="count">
          {visible.length} of {rows.length} models
        </p>
      }
    >
      <form
        class="filters"
        role="search"
        aria-label="Search and filter the models"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Search
          <input
            type="search"
            name="q"
            value={state.q}
            placeholder="name or id"
            autoComplete="off"
            onInput={(e) => update(state, { q: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Provider
          <select
            name="provider"
            value={state.provider}
            onChange={(e) => update(state, { provider: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            {data.providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Input
          <select
            name="in"
            value={state.in}
            onChange={(e) => update(state, { in: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            {inputs.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Output
          <select
            name="out"
            value={state.out}
            onChange={(e) => update(state, { out: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            {outputs.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="free"
            checked={state.free}
            onChange={(e) => update(state, { free: (e.target as HTMLInputElement).checked })}
          />
          Free only
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="tiers"
            checked={state.tiers}
            onChange={(e) => update(state, { tiers: (e.target as HTMLInputElement).checked })}
          />
          Has tiers
        </label>
        <label class="narrow-only">
          Sort by
          <select
            name="sort"
            value={state.sort}
            onChange={(e) => update(state, { sort: (e.target as HTMLSelectElement).value as SortKey })}
          >
            {SORT_KEYS.map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label class="narrow-only">
          Order
          <select
            name="dir"
            value={state.dir}
            onChange={(e) =>
              update(state, { dir: (e.target as HTMLSelectElement).value === 'desc' ? 'desc' : 'asc' })
            }
          >
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
        </label>
        {filtered ? (
          <button type="button" onClick={clear}>
            Clear search and filters
          </button>
        ) : null}
      </form>
      {visible.length === 0 ? (
        <Empty>
          No model matches {state.q !== '' ? <>“{state.q}”</> : 'these filters'}
          {state.q !== '' && hasFilters ? ' with these filters' : ''}.{' '}
          <button type="button" onClick={clear}>
            Clear search and filters
          </button>
        </Empty>
      ) : (
        <CatalogTable rows={visible} state={state} />
      )}
    </Page>
  );
}

function SortHeader(props: {
  state: CatalogState;
  sortKey: SortKey;
  children: ComponentChildren;
  num?: boolean;
}) {
  const { state, sortKey } = props;
  const active = state.sort === sortKey;
  const sort = active ? (state.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  const next = () =>
    update(state, { sort: sortKey, dir: active ? (state.dir === 'asc' ? 'desc' : 'asc') : 'asc' });
  return (
    <th scope="col" class={props.num ? 'num' : undefined} aria-sort={sort}>
      <button type="button" class="sort" onClick={next} data-sort={sortKey}>
        {props.children}
        <span aria-hidden="true" class="sort-mark">
          {active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
        </span>
      </button>
    </th>
  );
}

function HostCell(props: { host: Host | null; col: 'cheapest' | 'dearest'; label: string }) {
  const h = props.host;
  if (h === null)
    return (
      <td class="host" data-col={props.col} data-label={props.label}>
        <Price amount={null} />
      </td>
    );
  return (
    <td class="host" data-col={props.col} data-label={props.label} data-provider={h.provider}>
      <span class="host-name">
        {h.provider}
        {h.source === 'provider_site' ? ' (site)' : ''}
      </span>{' '}
      <span class="host-prices">
        <Price amount={h.prompt} /> / <Price amount={h.completion} />
      </span>
    </td>
  );
}

function CatalogTable(props: { rows: readonly CatalogRow[]; state: CatalogState }) {
  const { rows, state } = props;
  const now = Date.now();
  return (
    <div class="table-wrap" role="region" aria-label="Models" tabIndex={0}>
      <table class="catalog" data-testid="catalog">
        <thead>
          <tr>
            <SortHeader state={state} sortKey="name">
              Model
            </SortHeader>
            <SortHeader state={state} sortKey="input" num>
              Input /1M
            </SortHeader>
            <SortHeader state={state} sortKey="output" num>
              Output /1M
            </SortHeader>
            <SortHeader state={state} sortKey="cheapest">
              Cheapest host <span class="unit">in / out per 1M</span>
            </SortHeader>
            <th scope="col">
              Dearest host <span class="unit">in / out per 1M</span>
            </th>
            <th scope="col" class="num">
              Cache read / write <span class="unit">per 1M</span>
            </th>
            <SortHeader state={state} sortKey="context" num>
              Context
            </SortHeader>
            <th scope="col">Modalities</th>
            <SortHeader state={state} sortKey="change">
              Last change
            </SortHeader>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const e = row.entry;
            const change = e.last_change;
            return (
              <tr key={e.id} data-model={e.id} class={change?.alert ? 'alert' : undefined}>
                <th scope="row" class="model">
                  <Link href={hrefOf({ page: 'model', id: e.id }, BASE)}>{e.name}</Link>
                  <br />
                  <code class="muted">{e.id}</code>
                </th>
                <td class="num" data-col="input" data-label="Input /1M">
                  <Price amount={e.routed?.prompt} />
                </td>
                <td class="num" data-col="output" data-label="Output /1M">
                  <Price amount={e.routed?.completion} />
                </td>
                <HostCell host={row.cheapest} col="cheapest" label="Cheapest host, in / out per 1M" />
                <HostCell host={row.dearest} col="dearest" label="Dearest host, in / out per 1M" />
                <td class="num" data-col="cache" data-label="Cache read / write per 1M">
                  <Price amount={e.routed?.input_cache_read} /> /{' '}
                  <Price amount={e.routed?.input_cache_write} />
                </td>
                <td class="num" data-col="context" data-label="Context">
                  {e.context_length === null ? (
                    <Price amount={null} />
                  ) : (
                    groupedDecimal(String(e.context_length), 0)
                  )}
                </td>
                <td class="modalities" data-label="Modalities">
                  {e.input_modalities.join(', ') || '—'} → {e.output_modalities.join(', ') || '—'}
                </td>
                <td class="change" data-label="Last change">
                  {change === null ? (
                    <span class="muted">none</span>
                  ) : (
                    <>
                      <time dateTime={change.at} title={change.at}>
                        {relativeDate(change.at, now)}
                      </time>
                      <br />
                      <span class="muted">
                        {change.kind}, {change.provider ?? 'routed'}
                      </span>
                      {change.alert ? (
                        <>
                          {' '}
                          <span class="badge alert">alert</span>
                        </>
                      ) : null}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
