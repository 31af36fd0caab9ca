import { createServer, type Server } from 'node:http';

export interface HealthState {
  /** The process is alive (its loop is not wedged). */
  live: () => boolean;
  /** The process can do its work (connected to its broker/database). */
  ready: () => boolean;
  /** Extra figures for /healthz, e.g. counts processed. */
  details?: () => Record<string, unknown>;
  /** GET /metrics: the process's Prometheus registry in the text format (docs/metrics.md). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/**
 * GET /livez and /readyz answer 200 or 503 for Kubernetes probes; /healthz returns both with details;
 * /metrics the Prometheus figures when the state has them.
 * Port 0 picks a free port (tests); the bound port is returned.
 */
export async function startHealthServer(
  port: number,
  state: HealthState,
  host = '0.0.0.0',
): Promise<{
  port: number;
  close: () => Promise<void>;
}> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && state.metrics) {
      state.metrics().then(
        (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const live = state.live();
    const ready = state.ready();
    const send = (ok: boolean, body: unknown) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/livez') return send(live, { live });
    if (path === '/readyz') return send(ready, { ready });
    if (path === '/healthz' || path === '/')
      return send(live && ready, { live, ready, ...state.details?.() });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
