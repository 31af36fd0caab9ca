import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';

export { repoRoot, sharedData, sharedDataDir } from '@llmpt/core/paths';

/** Where scripts/stack.sh keeps data, logs and the merged env file. */
export function stackDir(): string {
  return process.env.STACK_DIR ?? path.join(repoRoot, '.stack');
}
