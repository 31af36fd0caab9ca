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
];

/** Removes the password from a connection string so it can be shown in a message. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
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
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}
