import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const redactPaths = [
  'password',
  '*.password',
  'serviceRoleKey',
  '*.serviceRoleKey',
  'supabaseServiceRoleKey',
  '*.supabaseServiceRoleKey',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.apikey',
  'databaseUrl',
  '*.databaseUrl',
  'key',
  '*.key',
  'token',
  '*.token',
  'secret',
  '*.secret',
  // Config objects keep the environment's names.
  'DATABASE_URL',
  '*.DATABASE_URL',
  'SUPABASE_SERVICE_ROLE_KEY',
  '*.SUPABASE_SERVICE_ROLE_KEY',
  'OPENROUTER_API_KEY',
  '*.OPENROUTER_API_KEY',
  'TAVILY_API_KEY',
  '*.TAVILY_API_KEY',
  'BRAVE_API_KEY',
  '*.BRAVE_API_KEY',
  'SCHEMA_REGISTRY_PASSWORD',
  '*.SCHEMA_REGISTRY_PASSWORD',
  '*.headers["x-subscription-token"]',
  'connectionString',
  '*.connectionString',
  'apikey',
  '*.apikey',
];

// Path redaction cannot see a secret inside a string (an error message quoting a URL, a stack, a
// driver's message): these patterns are scrubbed from every line as it is written.
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // scheme://user:password@host — the password part.
  [/(\/\/[^\s:/@"'\\]*:)[^\s@"'\\/]+@/g, '$1***@'],
  // Bearer tokens (Authorization headers copied into a message).
  [/(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]'],
  // JWTs (Supabase anon and service role keys).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}/g, '[redacted-jwt]'],
  // OpenRouter API keys.
  [/\bsk-or-[A-Za-z0-9-]{16,}/g, '[redacted-key]'],
  // Tavily API keys (the scraper's web fallback).
  [/\btvly-[A-Za-z0-9_-]{8,}/g, '[redacted-key]'],
];

/** Removes credentials that sit inside free text (messages, stacks): URL passwords, bearer tokens, JWTs, API keys. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [re, by]) => out.replace(re, by), text);
}

/** Removes the password from a connection string so it can be shown in a message. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

export function createLogger(opts: {
  service: string;
  level?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  const options: LoggerOptions = {
    name: opts.service,
    level: opts.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    hooks: { streamWrite: scrubSecrets },
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}
