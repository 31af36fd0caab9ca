import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@llmpt/core/paths';
import { MigrationError, planMigrations, readMigrations, sha256, type MigrationFile } from './migrate.ts';

const file = (name: string, sql: string): MigrationFile => ({ name, sql, checksum: sha256(sql) });

describe('planMigrations', () => {
  const files = [file('0001-a.sql', 'select 1;'), file('0002-b.sql', 'select 2;')];

  it('applies what is not recorded and skips what is', () => {
    const plan = planMigrations(files, new Map([['0001-a.sql', sha256('select 1;')]]));
    expect(plan.toApply.map((f) => f.name)).toEqual(['0002-b.sql']);
    expect(plan.skipped).toEqual(['0001-a.sql']);
  });

  it('refuses an applied file whose content changed', () => {
    const run = () => planMigrations(files, new Map([['0001-a.sql', sha256('select 42;')]]));
    expect(run).toThrow(MigrationError);
    expect(run).toThrow(/0001-a\.sql/);
    try {
      run();
    } catch (err) {
      expect((err as MigrationError).code).toBe('MIGRATION_CHECKSUM_MISMATCH');
      expect((err as MigrationError).retriable).toBe(false);
    }
  });
});

describe('readMigrations', () => {
  it('reads the project migrations in name order with their sha256', async () => {
    const files = await readMigrations(path.join(repoRoot, 'migrations'));
    const names = files.map((f) => f.name);
    expect(names[0]).toBe('0001-roles.sql');
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => /^\d{4}-[a-z0-9-]+\.sql$/.test(n))).toBe(true);
    for (const f of files) expect(f.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sha256 is the usual hex digest', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
