// The Model page (web/README.md "Model"): the model's header, its current prices per provider and
// source with tiers in words and provenance, and its price history as step lines with a table beside.
// Two requests: the history, and the catalog for the header (the catalog at the model's last price
// when it is no longer listed).
import { useMemo, useState } from 'preact/hooks';
import { useApi } from '../api.ts';
import { HistoryChart, seriesColour } from '../components/history-chart.tsx';
import { Link } from '../components/link.tsx';
import { Failure, Loading, Page } from '../components/page.tsx';
import { Price } from '../components/price.tsx';
import type { CatalogEntry, CatalogResponse } from '../core/catalog.ts';
import {
  chartData,
  chartProviders,
  chosenDimension,
  chartDimensions,
  parseProviders,
} from '../core/chart.ts';
import { dimensionWords } from '../core/dimensions.ts';
import {
  currentPrices,
  dayText,
  everyPriceRemoved,
  keyName,
  listedDimensions,
  utcText,
  type CurrentPrice,
  type HistoryResponse,
  type Interval,
} from '../core/history.ts';
import { groupedDecimal } from '../core/money.ts';
import { tierText } from '../core/tiers.ts';
import { BASE, setQuery } from '../router.ts';
import './model.css';

function latestFrom(intervals: readonly Interval[]): string | null {
  let best: string | null = null;
  for (const i of intervals) if (best === null || Date.parse(i.from) > Date.parse(best)) best = i.from;
  return best;
}

export function ModelPage(props: { id: string; query: URLSearchParams }) {
  const { id, query } = props;
  const [attempt, setAttempt] = useState(0);
  const path = id.split('/').map(encodeURIComponent).join('/');
  const history = useApi<HistoryResponse>(`/models/${path}/history`, attempt);
  const catalog = useApi<CatalogResponse>('/catalog', attempt);
  const intervals = history.status === 'ok' ? history.data.data.intervals : null;
  const listed = catalog.status === 'ok' ? catalog.data.data.find((e) => e.id === id) : undefined;
  // Not listed now (removed): the catalog as it stood at the model's last price gives its header.
  const pastAt =
    catalog.status === 'ok' && listed === undefined && intervals !== null ? latestFrom(intervals) : null;
  const past = useApi<CatalogResponse>(
    pastAt === null ? null : `/catalog?at=${encodeURIComponent(pastAt)}`,
    attempt,
  );
  const entry: CatalogEntry | undefined =
    listed ?? (past.status === 'ok' ? past.data.data.find((e) => e.id === id) : undefined);
  // The header waits for the catalog (and, for a model no longer listed, the catalog of its last price).
  const headerSettled =
    catalog.status === 'error' ||
    (catalog.status === 'ok' && (listed !== undefined || pastAt === null || past.status !== 'loading'));

  const title = entry?.name ?? id;
  if (history.status === 'error')
    return (
      <Page
        name="model"
        title={history.error.kind === 'not-found' ? 'Model not found' : title}
        status="error"
      >
        <Failure error={history.error} onRetry={() => setAttempt((a) => a + 1)}>
          <p>
            <Link href={BASE}>Back to the catalog</Link>
          </p>
        </Failure>
      </Page>
    );
  if (intervals === null || !headerSettled)
    return (
      <Page name="model" title={title} status="loading">
        <Loading what={`the prices of ${id}`} />
      </Page>
    );
  return (
    <Page name="model" title={title} status="ready">
      <ModelBody id={id} entry={entry} intervals={intervals} query={query} />
    </Page>
  );
}

function ModelBody(props: {
  id: string;
  entry: CatalogEntry | undefined;
  intervals: readonly Interval[];
  query: URLSearchParams;
}) {
  const { id, entry, intervals, query } = props;
  const removedAt = useMemo(() => everyPriceRemoved(intervals), [intervals]);
  return (
    <>
      <p class="model-id">
        <code>{id}</code>
      </p>
      {entry ? (
        <dl class="facts">
          <div>
            <dt>Context</dt>
            <dd>
              {entry.context_length === null
                ? 'not stated'
                : `${groupedDecimal(String(entry.context_length), 0)} tokens`}
            </dd>
          </div>
          <div>
            <dt>Input</dt>
            <dd>{entry.input_modalities.join(', ') || 'not stated'}</dd>
          </div>
          <div>
            <dt>Output</dt>
            <dd>{entry.output_modalities.join(', ') || 'not stated'}</dd>
          </div>
        </dl>
      ) : null}
      {entry?.expiration_date ? (
        <p class="banner banner-alert" role="note">
          OpenRouter announces this model goes away on <strong>{entry.expiration_date}</strong>.
        </p>
      ) : null}
      {removedAt !== null ? (
        <p class="banner banner-removed" role="note">
          Every price of this model was removed; the last on <strong>{dayText(removedAt)}</strong>. The
          history below is what it cost before.
        </p>
      ) : null}
      <h2>Current prices</h2>
      <CurrentPrices intervals={intervals} />
      <History intervals={intervals} query={query} />
    </>
  );
}

function statusText(row: CurrentPrice): string {
  if (row.status === 'in-force') return `in force since ${dayText(row.interval.from)}`;
  if (row.status === 'unavailable')
    return `unavailable${row.interval.unavailable_reason ? `: ${row.interval.unavailable_reason}` : ''}`;
  return `removed on ${dayText(row.interval.to!)}`;
}

function CurrentPrices(props: { intervals: readonly Interval[] }) {
  const rows = useMemo(() => currentPrices(props.intervals), [props.intervals]);
  const dims = useMemo(() => listedDimensions(rows.map((r) => r.amounts)), [rows]);
  const [copied, setCopied] = useState('');
  const copy = (name: string, hash: string) => {
    navigator.clipboard?.writeText(hash).then(
      () => setCopied(`Copied the content hash of ${name}.`),
      () => setCopied('The browser did not let the page copy; select the hash in the tooltip instead.'),
    );
  };
  return (
    <>
      <div class="table-wrap" role="region" aria-label="Current prices" tabIndex={0}>
        <table
          class={rows.some((r) => r.interval.tiers.length > 0) ? 'prices with-tiers' : 'prices'}
          data-testid="current-prices"
        >
          <thead>
            <tr>
              <th scope="col">Price</th>
              {dims.map((d) => {
                const w = dimensionWords(d);
                return (
                  <th scope="col" class="num" key={d} data-dimension={d}>
                    {w.label}
                    {w.headUnit ? <span class="unit"> {w.headUnit}</span> : null}
                  </th>
                );
              })}
              <th scope="col">Tiers</th>
              <th scope="col">Status and observation</th>
              <th scope="col">Source and content hash</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const i = row.interval;
              const name = keyName(i);
              return (
                <tr
                  key={i.price_key}
                  class={`status-${row.status}`}
                  data-provider={i.provider ?? 'openrouter'}
                  data-source={i.source}
                  data-status={row.status}
                >
                  <th scope="row">{name}</th>
                  {dims.map((d) => {
                    const w = dimensionWords(d);
                    return (
                      <td
                        class="num"
                        key={d}
                        data-dimension={d}
                        data-label={`${w.label} ${w.headUnit}`.trim()}
                      >
                        {row.status === 'unavailable' ? (
                          <span class="muted">n/a</span>
                        ) : (
                          <Price amount={row.amounts.get(d) ?? null} dimension={d} />
                        )}
                      </td>
                    );
                  })}
                  <td class="tiers" data-label="Tiers">
                    {i.tiers.length === 0 ? (
                      <span class="muted">none</span>
                    ) : (
                      <ul>
                        {i.tiers.map((t) => (
                          <li key={t.label}>{tierText(t)}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td class="status" data-label="Status">
                    <span class="status-text">
                      {row.status === 'in-force' ? statusText(row) : <strong>{statusText(row)}</strong>}
                    </span>
                    <br />
                    <span class="muted">
                      observed <time dateTime={i.last_observed_at}>{utcText(i.last_observed_at)}</time>
                    </span>
                  </td>
                  <td class="source" data-label="Source">
                    <a href={i.source_url} rel="noopener noreferrer" target="_blank" title={i.source_url}>
                      {i.source.replace(/_/g, ' ')}
                      <span class="sr-only"> (source of the {name} price, opens a new tab)</span>
                    </a>
                    <br />
                    {i.content_hash === null ? (
                      <span class="muted">hash not recorded</span>
                    ) : (
                      <span class="hash-cell">
                        <code title={`sha256 ${i.content_hash}`} data-hash={i.content_hash}>
                          {i.content_hash.slice(0, 12)}
                        </code>
                        <button
                          type="button"
                          class="small"
                          aria-label={`Copy the content hash of the ${name} price`}
                          onClick={() => copy(name, i.content_hash!)}
                        >
                          Copy
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="sr-only" role="status">
        {copied}
      </p>
    </>
  );
}

function History(props: { intervals: readonly Interval[]; query: URLSearchParams }) {
  const { intervals, query } = props;
  const dims = useMemo(() => chartDimensions(intervals), [intervals]);
  const dim = chosenDimension(intervals, query.get('dim'));
  const allProviders = useMemo(() => chartProviders(intervals), [intervals]);
  const providersParam = query.get('providers') ?? '';
  const chosen = useMemo(() => parseProviders(providersParam), [providersParam]);
  const data = useMemo(
    () => (dim === null ? null : chartData(intervals, dim, chosen, Date.now())),
    [intervals, dim, chosen],
  );
  if (dim === null || data === null)
    return (
      <>
        <h2>Price history</h2>
        <p class="state state-empty">No price of this model has an amount to draw.</p>
      </>
    );
  const words = dimensionWords(dim);
  const unit = words.basis === 'per_1m_tokens' ? 'per 1M tokens' : words.per || words.basis;
  const shown = (p: string) => chosen.size === 0 || chosen.has(p);
  const toggle = (p: string) => {
    const next = new Set(chosen.size === 0 ? allProviders : chosen);
    if (next.has(p)) next.delete(p);
    else next.add(p);
    const every = allProviders.every((x) => next.has(x));
    setQuery({ providers: every ? undefined : allProviders.filter((x) => next.has(x)).join(',') });
  };
  const onlyOne = allProviders.filter(shown).length === 1;
  const first = data.xs[0];
  const last = data.xs[data.xs.length - 1];
  const description =
    `${words.label} ${unit}, ${data.series.length} series` +
    (first !== undefined && last !== undefined
      ? ` from ${dayText(new Date(first).toISOString())} to ${dayText(new Date(last).toISOString())}`
      : '') +
    ': ' +
    data.series
      .map((s) => {
        const moves = s.markers.map((m) => m.label);
        return `${s.name}${moves.length ? ` (changes: ${moves.join(', ')})` : ' (no change)'}`;
      })
      .join('; ') +
    '.';
  return (
    <>
      <h2>Price history</h2>
      <div class="filters chart-controls">
        <label>
          Price
          <select
            value={dim}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value;
              setQuery({ dim: value === chosenDimension(intervals, null) ? undefined : value });
            }}
          >
            {dims.map((d) => {
              const w = dimensionWords(d);
              return (
                <option key={d} value={d}>
                  {w.label}
                  {w.headUnit ? ` ${w.headUnit}` : ''}
                </option>
              );
            })}
          </select>
        </label>
        <fieldset class="providers">
          <legend>Providers</legend>
          {allProviders.map((p) => {
            const index = data.series.findIndex((s) => s.provider === p);
            return (
              <label class="check" key={p}>
                <input
                  type="checkbox"
                  checked={shown(p)}
                  disabled={shown(p) && onlyOne}
                  onChange={() => toggle(p)}
                />
                <span
                  class="swatch"
                  aria-hidden="true"
                  style={index >= 0 ? { background: seriesColour(index) } : undefined}
                />
                {p === 'openrouter' ? 'OpenRouter (routed)' : p}
              </label>
            );
          })}
        </fieldset>
      </div>
      <HistoryChart
        data={data}
        describedBy="chart-description"
        label={`Price history: ${words.label} ${unit}`}
      />
      <p id="chart-description" class="muted chart-description">
        {description}
      </p>
      <h3>The same history as a table</h3>
      <div class="table-wrap" role="region" aria-label="Price history as a table" tabIndex={0}>
        <table data-testid="history-table">
          <thead>
            <tr>
              <th scope="col">Price</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Ended by</th>
              <th scope="col" class="num">
                {words.label}
                {words.headUnit ? <span class="unit"> {words.headUnit}</span> : null}
              </th>
              <th scope="col" class="num">
                Move
              </th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={`${r.series}|${r.from}`} class={r.endedBy === 'removal' ? 'ended-removal' : undefined}>
                <th scope="row">{r.series}</th>
                <td>
                  <time dateTime={r.from}>{utcText(r.from)}</time>
                </td>
                <td>{r.to === null ? 'in force' : <time dateTime={r.to}>{utcText(r.to)}</time>}</td>
                <td>{r.endedBy ?? '—'}</td>
                <td class="num">
                  {r.status !== 'ok' ? (
                    <span class="muted">unavailable</span>
                  ) : (
                    <Price amount={r.amount} dimension={dim} />
                  )}
                </td>
                <td class="num">{r.move ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
