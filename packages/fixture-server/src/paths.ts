import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (/work/main in the dev box), found from this file, not from the cwd. */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/** The recorded third-party data, read in place and never copied into the project (docs/data-sources.md). */
export const sharedDataDir: string = path.resolve(repoRoot, '..', 'shared', 'data');

/** The project's own compact sample catalog (fixtures/sample-catalog). */
export const sampleCatalogDir: string = path.join(repoRoot, 'fixtures', 'sample-catalog');
