// The location as state: pages read the route and their query from it and change it with navigate()
// (history.pushState; replace for typing in a field), so the URL always holds the page's state.
import { useEffect, useState } from 'preact/hooks';
import { routeOf, type Route } from './core/routes.ts';

export const BASE = import.meta.env.BASE_URL;
const CHANGE = 'llmpt:navigate';

export interface Location {
  readonly route: Route;
  readonly query: URLSearchParams;
}

function current(): Location {
  return {
    route: routeOf(window.location.pathname, BASE),
    query: new URLSearchParams(window.location.search),
  };
}

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (href === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return loc;
}

/**
 * A page's query as state: `set({k: v})` merges into the current query (empty or undefined removes a
 * key) and replaces the history entry (filters typed one key at a time should not flood Back).
 */
export function setQuery(updates: Record<string, string | undefined>, opts: { push?: boolean } = {}): void {
  const params = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(updates)) {
    if (v === undefined || v === '') params.delete(k);
    else params.set(k, v);
  }
  params.sort();
  const search = params.toString();
  navigate(`${window.location.pathname}${search ? `?${search}` : ''}`, { replace: !opts.push });
}
