// Reading a service's GET /metrics in tests: the Prometheus text format parsed into samples, and sums
// over the samples whose labels match. A parser of the format, not of our metrics code.
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of a Prometheus text exposition (comments and blank lines skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The samples of a metric whose labels include `match`. */
export function samplesOf(
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the matching samples (0 when there is none). */
export function sumOf(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  return samplesOf(samples, name, match).reduce((a, s) => a + s.value, 0);
}

/** Sums of the matching samples grouped by the given labels, as `a|b|...` → sum (zero sums left out). */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  by: readonly string[],
  match: Record<string, string> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samplesOf(samples, name, match)) {
    if (s.value === 0) continue;
    const k = by.map((l) => s.labels[l] ?? '').join('|');
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/** GET /metrics of a service on 127.0.0.1:port, parsed. */
export async function scrapeMetrics(port: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics on port ${port}: HTTP ${res.status}`);
  return parseMetrics(await res.text());
}

/** A port free on loopback right now (for a child process's HEALTH_PORT). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}
