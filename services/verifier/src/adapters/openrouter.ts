// The one HTTP call a probe makes: POST /api/v1/chat/completions, bounded by a timeout, never retried
// (a retry could be a second charge). The answer's bytes go to the pure core as they came.
import { probeRequest, type Exchange, type VerificationTarget } from '../core/verify.ts';

export interface ProbeClientOptions {
  /** e.g. https://openrouter.ai (the path /api/v1/chat/completions is appended). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Sent as HTTP-Referer and X-Title: OpenRouter's documented app attribution. */
  readonly appUrl?: string;
}

export interface ProbeClient {
  /** One request; resolves with how it ended (never rejects for an HTTP or network failure). */
  send(t: VerificationTarget): Promise<{ sentAt: number; exchange: Exchange }>;
}

export function createProbeClient(opts: ProbeClientOptions): ProbeClient {
  if (opts.apiKey.trim() === '')
    // The caller checks for a key first (the service is off without one): reaching here is a bug.
    throw new TypeError('createProbeClient: an OpenRouter API key is required');
  const url = new URL('/api/v1/chat/completions', opts.baseUrl).toString();
  return {
    async send(t) {
      const sentAt = Date.now();
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), opts.timeoutMs);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${opts.apiKey}`,
            'content-type': 'application/json',
            ...(opts.appUrl ? { 'http-referer': opts.appUrl, 'x-title': 'llm-price-tracker verifier' } : {}),
          },
          body: JSON.stringify(probeRequest(t)),
          signal: ctl.signal,
        });
        const body = await res.text();
        return { sentAt, exchange: { kind: 'answer', status: res.status, body, latencyMs: latency() } };
      } catch (err) {
        if (ctl.signal.aborted) return { sentAt, exchange: { kind: 'timeout', latencyMs: latency() } };
        const e = err as Error & { cause?: { message?: string } };
        const message = e.cause?.message ? `${e.message}: ${e.cause.message}` : e.message;
        return { sentAt, exchange: { kind: 'network_error', message, latencyMs: latency() } };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
