// Writes schemas/fixtures/<Name>.v<N>.bin (+ .json, the value in the Avro JSON encoding of the writer
// schema) for every schema version that has none yet. Existing fixtures are history and are never
// rewritten (pass --force only to repair a fixture that was never committed).
// Run after adding a schema version: `npx tsx schemas/scripts/write-fixtures.ts`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWithSchema, loadSchemas } from '../src/codec.ts';
import { fixtureBase, fixtureDir } from '../test/fixtures.ts';
import { modelDiscoveredV1, samples } from '../test/samples.ts';

/** Values for old versions, written with that version's schema. Add one when you add a history file. */
const historical: Record<string, unknown> = {
  'ModelDiscovered.v1': modelDiscoveredV1,
};

export function writeFixtures(force = false): string[] {
  const schemas = loadSchemas();
  mkdirSync(fixtureDir, { recursive: true });
  const written: string[] = [];
  for (const version of schemas.versions) {
    const base = fixtureBase(version);
    const bin = join(fixtureDir, `${base}.bin`);
    if (existsSync(bin) && !force) continue;
    const value = version.current ? samples[version.name] : historical[base];
    if (value === undefined)
      throw new Error(`no sample value for ${base}: add one to scripts/write-fixtures.ts`);
    writeFileSync(bin, encodeWithSchema(version, value));
    const json = JSON.parse(version.type.toString(value)) as unknown;
    writeFileSync(join(fixtureDir, `${base}.json`), JSON.stringify(json, null, 2) + '\n');
    written.push(base);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = writeFixtures(process.argv.includes('--force'));
  console.log(written.length ? `wrote ${written.join(', ')} in ${fixtureDir}` : 'all fixtures exist');
}
