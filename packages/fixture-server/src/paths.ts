import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';

// The monorepo root and the recorded third-party data (read in place, never copied into the project)
// are defined once, in @llmpt/core/paths.
export { repoRoot, sharedDataDir } from '@llmpt/core/paths';

/** The project's own compact sample catalog (fixtures/sample-catalog). */
export const sampleCatalogDir: string = path.join(repoRoot, 'fixtures', 'sample-catalog');
