// The Supabase URL layout in front of a bare PostgREST: supabase-js calls `${SUPABASE_URL}/rest/v1/...`,
// PostgREST serves at its root. This proxy strips `/rest/v1` and streams both ways; nothing else is
// routed (no auth, storage or realtime in the local stack). No dependencies, loopback only.
//   node scripts/stack/rest-proxy.mjs   (env: PROXY_PORT=54321, POSTGREST_URL=http://127.0.0.1:54330)
import http from 'node:http';

const port = Number(process.env.PROXY_PORT ?? 54321);
const upstream = new URL(process.env.POSTGREST_URL ?? 'http://127.0.0.1:54330');
const PREFIX = '/rest/v1';
// Hop-by-hop headers belong to one connection and must not be forwarded.
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function forwardHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k.toLowerCase()) && v !== undefined) out[k] = v;
  return out;
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/health') return reply(res, 200, { ok: true });
  if (url !== PREFIX && !url.startsWith(`${PREFIX}/`) && !url.startsWith(`${PREFIX}?`)) {
    return reply(res, 404, { message: `no route for ${url}: only ${PREFIX}/* is served` });
  }
  const rest = url.slice(PREFIX.length);
  const headers = forwardHeaders(req.headers);
  headers.host = upstream.host;
  const upstreamReq = http.request(
    {
      agent,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: rest.startsWith('/') ? rest : `/${rest}`,
      headers,
    },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, forwardHeaders(upstreamRes.headers));
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', (err) => {
    if (res.headersSent) res.destroy(err);
    else reply(res, 502, { message: `PostgREST unreachable: ${err.message}` });
  });
  req.pipe(upstreamReq);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`rest-proxy: 127.0.0.1:${port}${PREFIX} -> ${upstream.origin}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
