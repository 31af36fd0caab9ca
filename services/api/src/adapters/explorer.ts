// Serves the web explorer's build (WEB_DIST) at /explorer/ (services/api/README.md "The web explorer"):
// files through @fastify/static (the Fastify team's file server: streaming, ETag and Last-Modified,
// conditional GETs and ranges, path traversal and dotfile handling we would otherwise rewrite),
// index.html for any other path (client-side routing with deep links), a 404 for a missing asset.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ConfigError } from '@llmpt/core';
import { EXPLORER_PREFIX, fileHeaders, isAssetPath } from '../core/explorer.ts';

export interface ExplorerOptions {
  /** The build's directory (WEB_DIST): must hold index.html. */
  readonly root: string;
}

/** Throws a ConfigError naming WEB_DIST unless `root` is a directory holding index.html. */
export function checkExplorerRoot(root: string): string {
  const dir = path.resolve(root);
  const index = path.join(dir, 'index.html');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ConfigError(`WEB_DIST: ${dir} is not a directory (build the explorer: npm run web:build)`);
  if (!existsSync(index) || !statSync(index).isFile())
    throw new ConfigError(
      `WEB_DIST: ${dir} holds no index.html (build the explorer: npm run web:build, or unset WEB_DIST)`,
    );
  return dir;
}

type NotFound = (req: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Registers the explorer's routes: `/` and `/explorer` redirect to `/explorer/`, files under it, and
 * (in its own context) the not-found handler that answers index.html. `notFound` is the app's JSON 404.
 */
export async function registerExplorer(
  app: FastifyInstance,
  opts: ExplorerOptions,
  notFound: NotFound,
): Promise<void> {
  const root = checkExplorerRoot(opts.root);
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect(EXPLORER_PREFIX, 302));
  app.get(EXPLORER_PREFIX.slice(0, -1), { schema: { hide: true } }, (_req, reply) =>
    reply.redirect(EXPLORER_PREFIX, 302),
  );
  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        // `/explorer/` is index.html; any other directory path looks for an index.html that is not
        // there, which ends in the fallback below (without it, send answers 403 to a path ending in /).
        index: ['index.html'],
        list: false,
        dotfiles: 'ignore',
        // Our headers instead of send's default `public, max-age=0`.
        cacheControl: false,
        setHeaders: (reply, file) => {
          const rel = path.relative(root, file).split(path.sep).join('/');
          reply.headers(fileHeaders(rel));
        },
      });
      // Not a file: the explorer's router takes the path (GET and HEAD outside assets/ only).
      scope.setNotFoundHandler((req, reply) => {
        if ((req.method !== 'GET' && req.method !== 'HEAD') || isAssetPath(req.url))
          return notFound(req, reply);
        return reply.code(200).sendFile('index.html');
      });
    },
    { prefix: EXPLORER_PREFIX.slice(0, -1) },
  );
}
