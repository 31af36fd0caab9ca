// The web explorer's static files (services/api/README.md "The web explorer"): which path is which
// kind of answer and the headers each kind carries. Pure; adapters/explorer.ts serves the files.

/** Where the explorer is served; the build's hashed files are under `<prefix>assets/`. */
export const EXPLORER_PREFIX = '/explorer/';
const ASSETS_PREFIX = `${EXPLORER_PREFIX}assets/`;

/** The policy of every HTML answer (README): the build's own scripts, this origin only, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Chart libraries insert <style> elements and style attributes; a style cannot run code, and what
  // it could load is held to this origin by img-src and font-src.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** The request path without its query string. */
const pathOf = (url: string): string => url.split('?')[0] ?? '';

/** A path under /explorer/assets/: a missing file there is a 404, never index.html. */
export function isAssetPath(url: string): boolean {
  return pathOf(url).startsWith(ASSETS_PREFIX);
}

/**
 * The headers of a file served from the build, by its path relative to the build's root (`/` as the
 * separator): the hashed assets are immutable, anything else is revalidated; HTML gets the policy.
 */
export function fileHeaders(relativePath: string): Record<string, string> {
  const rel = relativePath.replace(/^\/+/, '');
  const headers: Record<string, string> = {
    'cache-control': rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    'x-content-type-options': 'nosniff',
  };
  if (/\.html?$/i.test(rel)) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}
