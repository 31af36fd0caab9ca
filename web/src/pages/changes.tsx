// The Changes page (web/README.md "Changes"): the newest changes first, paged back with "Load
// older", filtered by the URL, and kept up to date while open by polling /v1/changes?since=.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api.ts';
import { Link } from '../components/link.tsx';
import { ModelOptions } from '../components/model-options.tsx';
import { Empty, Failure, Loading, Page, type PageStatus } from '../components/page.tsx';
import {
  atomHref,
  CHANGE_KINDS,
  filtersOf,
  matchesKind,
  mergeChanges,
  moveText,
  newChangesText,
  newestAt,
  pagePath,
  POLL_MAX_PAGES,
  pollPath,
  pollSeconds,
  providerLabel,
  utcText,
  type ChangeItem,
  type ChangesFilters,
  type ChangesPage as ChangesAnswer,
} from '../core/changes.ts';
import { hrefOf } from '../core/routes.ts';
import { BASE, setQuery } from '../router.ts';
import './changes.css';

type Load =
  | { readonly status: 'loading' }
  | { readonly status: 'ok' }
  | { readonly status: 'error'; readonly error: ApiError };

function apiErrorOf(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError('server', 0, 'CLIENT', err instanceof Error ? err.message : String(err));
}

const aborted = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

/** One live-update round: what took effect since the newest shown (or the first page, if none). */
async function fetchNew(f: ChangesFilters, since: string | null, signal: AbortSignal): Promise<ChangeItem[]> {
  const init: RequestInit = { signal, cache: 'no-cache' };
  if (since === null) return (await request<ChangesAnswer>(pagePath(f), init)).data.slice();
  const out: ChangeItem[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < POLL_MAX_PAGES; i++) {
    const page = await request<ChangesAnswer>(pollPath(f, since, cursor), init);
    out.push(...page.data);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return out;
}

export function ChangesPage(props: { query: URLSearchParams }) {
  const { filters, problems } = filtersOf(props.query);
  const seconds = pollSeconds(props.query);
  // The API filters' identity: a new one starts over from the newest page.
  const firstPath = pagePath(filters);
  const [attempt, setAttempt] = useState(0);
  const [items, setItems] = useState<ChangeItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [older, setOlder] = useState<{ busy: boolean; error: ApiError | null }>({ busy: false, error: null });
  const [live, setLive] = useState<{ text: string; error: string | null }>({ text: '', error: null });
  const itemsRef = useRef<ChangeItem[]>(items);
  itemsRef.current = items;

  useEffect(() => {
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    setItems([]);
    setCursor(null);
    setOlder({ busy: false, error: null });
    setLive({ text: '', error: null });
    request<ChangesAnswer>(firstPath, { signal: controller.signal }).then(
      (page) => {
        setItems(mergeChanges([], page.data).items);
        setCursor(page.next_cursor);
        setLoad({ status: 'ok' });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setLoad({ status: 'error', error: apiErrorOf(err) });
      },
    );
    return () => controller.abort();
  }, [firstPath, attempt]);

  // Live updates: every `seconds` while the tab is visible, at once when it is shown again.
  const kind = filters.kind;
  useEffect(() => {
    if (load.status !== 'ok') return;
    let stopped = false;
    let busy = false;
    let timer: number | undefined;
    let controller: AbortController | null = null;
    const schedule = () => {
      if (!stopped) timer = window.setTimeout(() => void round(), seconds * 1000);
    };
    const round = async () => {
      if (stopped || busy || document.visibilityState === 'hidden') return;
      busy = true;
      controller = new AbortController();
      try {
        const incoming = await fetchNew(filters, newestAt(itemsRef.current), controller.signal);
        if (stopped) return;
        const { added } = mergeChanges(itemsRef.current, incoming);
        const shown = added.filter((c) => matchesKind(c, kind)).length;
        // Merged into the state as it is then (an older page may have arrived meanwhile).
        if (added.length > 0) setItems((current) => mergeChanges(current, incoming).items);
        setLive((l) => (shown > 0 ? { text: newChangesText(shown), error: null } : { ...l, error: null }));
      } catch (err) {
        if (stopped || aborted(err)) return;
        setLive((l) => ({
          ...l,
          error: `Live updates could not reach the API (${apiErrorOf(err).message}); trying again in ${seconds} s.`,
        }));
      } finally {
        busy = false;
      }
      schedule();
    };
    const onVisibility = () => {
      if (document.visibilityState !== 'visible') return;
      window.clearTimeout(timer);
      void round();
    };
    document.addEventListener('visibilitychange', onVisibility);
    schedule();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
    // `filters` is the same while firstPath and kind are.
  }, [load.status, firstPath, kind, seconds]);

  const loadOlder = () => {
    if (cursor === null || older.busy) return;
    setOlder({ busy: true, error: null });
    request<ChangesAnswer>(pagePath(filters, cursor)).then(
      (page) => {
        setItems((shown) => mergeChanges(shown, page.data).items);
        setCursor(page.next_cursor);
        setOlder({ busy: false, error: null });
      },
      (err: unknown) => setOlder({ busy: false, error: apiErrorOf(err) }),
    );
  };

  const visible = items.filter((c) => matchesKind(c, kind));
  const status: PageStatus =
    load.status === 'loading'
      ? 'loading'
      : load.status === 'error'
        ? 'error'
        : visible.length === 0
          ? 'empty'
          : 'ready';
  const providers = [...new Set(items.map((c) => c.provider).filter((p): p is string => p !== null))].sort();

  return (
    <Page
      name="changes"
      title="Changes"
      status={status}
      actions={
        <p class="feeds">
          <a href={atomHref(filters)}>
            Atom feed{filters.model || filters.provider || filters.alerts ? ' (these filters)' : ''}
          </a>
          {' · '}
          <a href="/openapi.json" title="The API's OpenAPI document: see the /v1/subscriptions paths">
            Webhook subscriptions (API reference)
          </a>
        </p>
      }
    >
      <Filters filters={filters} providers={providers} />
      {problems.length > 0 ? (
        <div class="state state-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      <p class="live muted" role="status" aria-live="polite">
        {live.text}
      </p>
      {live.error ? <p class="live-error">{live.error}</p> : null}
      {load.status === 'loading' ? (
        <Loading what="the latest changes" />
      ) : load.status === 'error' ? (
        <Failure error={load.error} onRetry={() => setAttempt((a) => a + 1)} />
      ) : (
        <>
          {visible.length === 0 ? (
            <Empty>
              No change matches these filters{cursor !== null ? ' on the pages loaded so far' : ''}.
            </Empty>
          ) : (
            <ChangesTable items={visible} />
          )}
          <div class="more">
            {cursor !== null ? (
              <button type="button" onClick={loadOlder} disabled={older.busy}>
                {older.busy ? 'Loading older changes…' : 'Load older'}
              </button>
            ) : (
              <p class="muted">{items.length > 0 ? 'These are all the changes.' : ''}</p>
            )}
            {older.error ? <Failure error={older.error} /> : null}
          </div>
          <p class="muted webhooks">
            Webhooks: <code>POST /v1/subscriptions</code> with an API key sends each change (signed per
            Standard Webhooks) to your URL, with the same filters; the fields and answers are in the API’s{' '}
            <a href="/openapi.json">OpenAPI document</a> under <code>/v1/subscriptions</code>.
          </p>
        </>
      )}
    </Page>
  );
}

function Filters(props: { filters: ChangesFilters; providers: readonly string[] }) {
  const f = props.filters;
  const text = (key: 'model' | 'provider') => (e: Event) =>
    setQuery({ [key]: (e.currentTarget as HTMLInputElement).value.trim() || undefined });
  return (
    <form
      class="filters"
      // Remounted with the URL's values when the URL changes (Back, a link).
      key={`${f.model ?? ''}|${f.provider ?? ''}|${String(f.alerts)}|${f.kind ?? ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const value = (k: string) => {
          const v = form.get(k);
          return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
        };
        setQuery({
          model: value('model'),
          provider: value('provider'),
          alerts: form.get('alerts') ? 'true' : undefined,
          kind: value('kind'),
        });
      }}
    >
      <label>
        Model
        <input
          name="model"
          list="changes-models"
          defaultValue={f.model ?? ''}
          placeholder="author/slug"
          autoComplete="off"
          spellcheck={false}
          onChange={text('model')}
        />
      </label>
      <ModelOptions id="changes-models" />
      <label>
        Provider (openrouter: the routed price)
        <input
          name="provider"
          list="changes-providers"
          defaultValue={f.provider ?? ''}
          placeholder="any"
          autoComplete="off"
          spellcheck={false}
          onChange={text('provider')}
        />
      </label>
      <datalist id="changes-providers">
        <option value="openrouter" label="OpenRouter (routed price)" />
        {props.providers.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <label>
        Kind
        <select
          name="kind"
          value={f.kind ?? ''}
          onChange={(e) => setQuery({ kind: e.currentTarget.value || undefined })}
        >
          <option value="">any</option>
          {CHANGE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="alerts"
          defaultChecked={f.alerts}
          onChange={(e) => setQuery({ alerts: e.currentTarget.checked ? 'true' : undefined })}
        />
        Alerts only
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

function ChangesTable(props: { items: readonly ChangeItem[] }) {
  return (
    <div class="table-wrap changes-wrap" role="region" aria-label="Price changes" tabIndex={0}>
      <table class="changes">
        <caption class="sr-only">Price changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Model</th>
            <th scope="col">Provider</th>
            <th scope="col">Source</th>
            <th scope="col">Kind</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((c) => (
            <tr key={c.event_id} data-event-id={c.event_id} class={c.alert ? 'alert' : undefined}>
              <td class="when">
                <time dateTime={c.at}>{utcText(c.at)}</time>
              </td>
              <td class="model">
                <Link href={hrefOf({ page: 'model', id: c.model_id }, BASE)}>{c.model_id}</Link>
              </td>
              <td data-label="Provider">{providerLabel(c.provider)}</td>
              <td data-label="Source">{c.source}</td>
              <td class="kind">
                {c.kind}
                {c.alert ? (
                  <>
                    {' '}
                    <span class="badge alert">Alert</span>
                  </>
                ) : null}
              </td>
              <td>
                <ul class="moves">
                  {c.changes.map((m, i) => (
                    <li key={i}>{moveText(m)}</li>
                  ))}
                  {c.kind === 'expiring' && c.expiration_date ? <li>expires {c.expiration_date}</li> : null}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
