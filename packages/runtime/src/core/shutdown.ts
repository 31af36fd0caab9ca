import type { Logger } from './logger.ts';

/**
 * Graceful shutdown: the first SIGTERM/SIGINT runs the cleanup (stop consuming, finish the batch,
 * commit, close pools) within `timeoutMs`; a second signal or the timeout forces exit.
 * Returns a function that triggers the same shutdown from code (e.g. when a job is done).
 */
export function onShutdown(
  cleanup: (reason: string) => Promise<void>,
  opts: { logger: Logger; timeoutMs?: number; exit?: (code: number) => void },
): (reason: string) => Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    opts.logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      opts.logger.error({ reason }, 'shutdown timed out, forcing exit');
      exit(1);
    }, opts.timeoutMs ?? 25_000);
    timer.unref();
    running = cleanup(reason).then(
      () => {
        clearTimeout(timer);
        opts.logger.info('shutdown complete');
      },
      (err: unknown) => {
        clearTimeout(timer);
        opts.logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
    return running;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (running) {
        opts.logger.warn({ signal }, 'second signal, forcing exit');
        exit(130);
        return;
      }
      void shutdown(signal).then(() => exit(0));
    });
  }
  return shutdown;
}
