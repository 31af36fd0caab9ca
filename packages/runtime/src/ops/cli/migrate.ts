// Applies migrations/ to DATABASE_URL. Used by scripts/stack/migrate.sh, `npm run migrate` and the
// k8s migration Job. MIGRATIONS_DIR overrides the folder (the image may put it elsewhere).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../core/logger.ts';
import { migrate, MigrationError } from '../migrate.ts';

const logger = createLogger({ service: 'migrate' });
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');

async function main(): Promise<number> {
  const databaseUrl = process.env['DATABASE_URL'];
  if (!databaseUrl) {
    logger.error('DATABASE_URL is not set: give the connection string of the schema owner');
    return 2;
  }
  const dir = process.env['MIGRATIONS_DIR'] ?? path.join(repoRoot, 'migrations');
  try {
    const { applied, skipped } = await migrate({ databaseUrl, dir, logger });
    logger.info({ applied, skipped: skipped.length, dir }, 'schema up to date');
    return 0;
  } catch (err) {
    const code = err instanceof MigrationError ? err.code : 'MIGRATION_RUNNER_FAILED';
    logger.error({ err, code }, 'migration failed');
    return 1;
  }
}

process.exitCode = await main();
