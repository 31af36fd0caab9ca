// The postgres store COPYs rows as text (docs/design.md §1 "sink"): whatever characters a value
// holds, the row stored is the row the jsonb payload stored before, text, text[] and jsonb alike.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples } from '@llmpt/schemas/samples';
import { freshDatabase, type FreshDatabase } from '@llmpt/testkit';
import { project } from '../core/project.ts';
import { createPostgresStore } from './postgres.ts';

const awkward = [
  'back\\slash',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'quote " and \'',
  '\\N',
  'NULL',
  'comma, {braces}',
  '',
  'unicode é ✓ \uFFFD',
];

describe('postgres store: values with COPY text-format specials land unchanged', () => {
  let db: FreshDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await freshDatabase('store', { namePrefix: 'llmpt_sink' });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('text, text[] and jsonb columns', async () => {
    const raw = { id: 'copy/awkward', every: awkward, nested: { 'key\twith\\': awkward } };
    const event = {
      ...samples.ModelDiscovered,
      model_id: 'copy/awkward',
      name: awkward.join('|'),
      description: awkward.join('\n'),
      supported_parameters: awkward,
      raw_entry: JSON.stringify(raw),
    };
    const store = createPostgresStore({ databaseUrl: db.url });
    try {
      const result = await store.writeBatch(project([{ name: 'ModelDiscovered', event }]));
      expect(result.upserted.models).toBe(1);
      expect(result.inserted.modelVersions).toBe(1);
    } finally {
      await store.close();
    }
    for (const table of ['models_catalog', 'model_versions']) {
      const { rows } = await client.query<{ name: string; description: string; sp: string[]; raw: unknown }>(
        `select name, description, supported_parameters as sp, raw from public.${table} where model_id = $1`,
        ['copy/awkward'],
      );
      expect(rows, table).toEqual([{ name: event.name, description: event.description, sp: awkward, raw }]);
    }
  });
});
