import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, generateSchemaFiles, generatedPath, schemaFilesPath } from '../scripts/gen-types.ts';
import { loadSchemas } from './registry.ts';
import { codecSchemas } from './codec.ts';

describe('generated sources (run `npm run gen:types` when these fail)', () => {
  it('schemas/src/generated.ts is what gen-types produces from schemas/*.avsc', () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(generate());
  });

  it('schemas/src/schema-files.ts embeds exactly the .avsc files on disk', () => {
    expect(readFileSync(schemaFilesPath, 'utf8')).toBe(generateSchemaFiles());
  });

  it('the embedded schema set the codec uses has the fingerprints of the files on disk', () => {
    const fromDisk = loadSchemas();
    const embedded = codecSchemas();
    expect(embedded.versions.map((v) => [v.name, v.version, v.fingerprint])).toEqual(
      fromDisk.versions.map((v) => [v.name, v.version, v.fingerprint]),
    );
  });
});
