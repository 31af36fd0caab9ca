import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/testkit/src/../../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Recorded real data, shared by all checkouts: read it by path, never copy it into the project. */
export const sharedDataDir = path.resolve(repoRoot, '..', 'shared', 'data');

/** Where scripts/stack.sh keeps data, logs and the merged env file. */
export function stackDir(): string {
  return process.env.STACK_DIR ?? path.join(repoRoot, '.stack');
}
