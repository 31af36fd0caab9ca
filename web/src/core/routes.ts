// The explorer's pages and their URLs (pure). The URL holds all of a page's state: the path names the
// page (and the model), the query holds its filters, so any view can be linked and restored.

export type Route =
  | { readonly page: 'catalog' }
  | { readonly page: 'model'; readonly id: string }
  | { readonly page: 'changes' }
  | { readonly page: 'cost' }
  | { readonly page: 'compare' }
  | { readonly page: 'not-found'; readonly path: string };

export type PageName = Route['page'];

/** A model id as the API writes it: `author/slug`, each half of OpenRouter's id characters. */
const MODEL_ID = /^[A-Za-z0-9~._:+-]+\/[A-Za-z0-9~._:+-]+$/;

export function isModelId(s: string): boolean {
  return s.length <= 201 && MODEL_ID.test(s);
}

/** The route of a pathname under the explorer's base (`/explorer/`). */
export function routeOf(pathname: string, base: string): Route {
  const root = base.replace(/\/$/, '');
  const rest = pathname.startsWith(base)
    ? pathname.slice(base.length)
    : pathname === root
      ? ''
      : pathname.replace(/^\//, '');
  const parts = rest.split('/').filter((p) => p !== '');
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, ...tail] = decoded;
  if (head === undefined) return { page: 'catalog' };
  if (head === 'models' && tail.length === 2) return { page: 'model', id: tail.join('/') };
  if (tail.length === 0 && (head === 'changes' || head === 'cost' || head === 'compare'))
    return { page: head };
  return { page: 'not-found', path: pathname };
}

/** The path of a route under `base`, with an optional query (empty values left out). */
export function hrefOf(
  route: Exclude<Route, { page: 'not-found' }>,
  base: string,
  query: Record<string, string | undefined> = {},
): string {
  const path =
    route.page === 'catalog'
      ? base
      : route.page === 'model'
        ? `${base}models/${route.id.split('/').map(encodeURIComponent).join('/')}`
        : `${base}${route.page}`;
  const search = queryString(query);
  return search === '' ? path : `${path}?${search}`;
}

/** `a=1&b=x` from a record, keys sorted so equal states give equal URLs; empty values left out. */
export function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  return params.toString();
}
