import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import type { PageName } from '../core/routes.ts';

export type PageStatus = 'loading' | 'ready' | 'empty' | 'error';

/**
 * Every page's frame: its title (also the document's), and `data-page` / `data-state` so tests and
 * scripts can wait for a page to be usable (`[data-page=catalog][data-state=ready]`).
 */
export function Page(props: {
  name: PageName;
  title: string;
  status: PageStatus;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · LLM Price Tracker`;
  }, [props.title]);
  return (
    <section
      class="page"
      data-page={props.name}
      data-state={props.status}
      aria-busy={props.status === 'loading'}
    >
      <header class="page-head">
        <h1>{props.title}</h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      Loading {props.what}…
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return (
    <p class="state state-empty" role="status">
      {props.children}
    </p>
  );
}

/** An error the reader can act on: what went wrong, in the API's words, and a way to try again. */
export function Failure(props: { error: ApiError; onRetry?: () => void; children?: ComponentChildren }) {
  const { error } = props;
  const title =
    error.kind === 'down'
      ? 'The price API is not reachable'
      : error.kind === 'not-found'
        ? 'Not found'
        : error.kind === 'bad-request'
          ? 'The request was refused'
          : 'The API failed';
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">{title}</p>
      <p>{error.message}</p>
      {props.children}
      {props.onRetry && error.kind !== 'not-found' && error.kind !== 'bad-request' ? (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
