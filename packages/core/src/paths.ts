// Where the repository and the recorded third-party data are, found from this file (never from the
// working directory, which differs between vitest, tsx, a worktree and a CI checkout). Node-only: the
// package's main export stays free of node: imports, so this is its own subpath, `@llmpt/core/paths`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/core/src/../../..). */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The recorded third-party data (OpenRouter snapshots, provider pricing pages, price maps), shared by
 * every checkout beside it as `../shared/data`: read it in place, never copy it into the repository.
 */
export const sharedDataDir: string = path.resolve(repoRoot, '..', 'shared', 'data');

/** A path inside the recorded data: `sharedData('openrouter', 'models')`. */
export function sharedData(...parts: string[]): string {
  return path.join(sharedDataDir, ...parts);
}
