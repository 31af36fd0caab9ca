// vitest globalSetup for int and e2e tests: brings the local stack up once (idempotent; components whose
// address is already in the environment are not started) and leaves it running for the next run; CI
// stops it. STACK_SKIP=1 skips this (a stack managed by hand, or addresses given in the environment).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readStackEnvFile } from './env.ts';
import { repoRoot } from './paths.ts';

function run(cmd: string, args: string[]): Promise<number | string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? String(signal)));
  });
}

export default async function globalSetup(): Promise<void> {
  if (process.env.STACK_SKIP !== '1') {
    const status = await run('bash', [path.join(repoRoot, 'scripts', 'stack.sh'), 'up']);
    if (status !== 0)
      throw new Error(
        `scripts/stack.sh up failed (${status}); see the output above and .stack/*/logs, or set STACK_SKIP=1 ` +
          `with KAFKA_BROKERS, DATABASE_URL and SUPABASE_URL pointing at a running stack`,
      );
  }
  // Test workers start after this and inherit process.env: give them the stack's addresses too.
  for (const [k, v] of Object.entries(readStackEnvFile())) process.env[k] ??= v;
}
