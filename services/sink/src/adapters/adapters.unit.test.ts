import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import { ConfigError, FAILURES } from '@llmpt/core';
import { CHANGE_DIGEST_FIELDS, DIMENSION_NAMES } from '@llmpt/schemas';
import { topics } from '@llmpt/runtime';
import { project, rowCount } from '../core/project.ts';
import { classifyDbError } from './store.ts';
import { T0, normalizedPrice } from '@llmpt/schemas/samples';
import { createPostgresStore, sinkStatements } from './postgres.ts';
import { chunkRows, createSupabaseStore } from './supabase.ts';
import { sinkTopics } from './replay.ts';

const migrationsDir = path.join(repoRoot, 'migrations');
const squash = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

describe('sink_write_batch (the Supabase path)', () => {
  it('runs the same statements as the postgres adapter, reading payload -> <table>', () => {
    // The latest migration defining the function is the one in force.
    const file = readdirSync(migrationsDir)
      .filter((n) => n.endsWith('.sql'))
      .sort()
      .reverse()
      .find((n) =>
        readFileSync(path.join(migrationsDir, n), 'utf8').includes('function public.sink_write_batch'),
      );
    expect(file).toBeDefined();
    const sql = squash(readFileSync(path.join(migrationsDir, file!), 'utf8'));
    for (const [table, statement] of Object.entries(
      sinkStatements((k) => `coalesce(payload -> '${k}', '[]'::jsonb)`),
    ))
      expect(sql.includes(squash(statement)), `${file}: the ${table} statement differs`).toBe(true);
  });
});

describe('the observations statement', () => {
  it('writes one numeric(18,8) column per registered dimension, and the structure as jsonb', () => {
    const sql = sinkStatements(() => '$1::jsonb').observations;
    const defs = /as x\((.*)\) on conflict/.exec(sql)?.[1]?.split(/, (?![^(]*\))/) ?? [];
    expect(defs.filter((d) => d.endsWith('numeric(18, 8)')).map((d) => d.split(' ')[0])).toEqual(
      DIMENSION_NAMES,
    );
    expect(defs).toEqual(expect.arrayContaining(['base jsonb', 'tiers jsonb', 'unregistered jsonb']));
  });
});

describe('the changes statement (migrations/0016)', () => {
  const sql = sinkStatements(() => '$1::jsonb').changes;
  it('writes every digest field, the digest and backfilled, on the version key', () => {
    const columns = /^insert into public\.price_changes \(([^)]*)\)/.exec(sql)?.[1]?.split(', ') ?? [];
    expect(columns).toEqual(expect.arrayContaining([...CHANGE_DIGEST_FIELDS, 'digest', 'backfilled']));
    expect(sql).toMatch(/on conflict \(event_id, digest\) do nothing$/);
  });
  it("skips a redelivered pre-0016 row's version: same id, no digest, every other digest field equal", () => {
    const compared = /and \(([^)]*)\) is not distinct from/.exec(sql)?.[1]?.split(', ') ?? [];
    expect(compared.map((c) => c.replace(/^p\./, ''))).toEqual(
      CHANGE_DIGEST_FIELDS.filter((f) => f !== 'event_id' && f !== 'occurred_at'),
    );
    expect(sql).toContain('p.event_id = x.event_id and p.digest is null');
    expect(sql).toContain('(p.occurred_at is null or p.occurred_at = x.occurred_at)');
  });
});

describe('the sink input topics', () => {
  it('include the retraction topic (docs/price-model.md §4.4)', () => {
    expect(sinkTopics('p.')).toContain(`p.${topics.priceChangeRetracted.name}`);
    expect(sinkTopics('p.')).toContain(`p.${topics.priceChanged.name}`);
  });
});

describe('chunkRows', () => {
  it('splits a batch into payloads of at most n rows in all, keeping every row once', () => {
    const rows = project(Array.from({ length: 5 }, (_, i) => normalizedPrice({ observed_at: T0 + i })));
    // 1 provider + 1 model_provider + 5 observations = 7 rows
    const chunks = chunkRows(rows, 3);
    expect(chunks.map((c) => rowCount(c))).toEqual([3, 3, 1]);
    expect(chunks[0]?.providers).toEqual(rows.providers);
    expect(chunks[0]?.modelProviders).toEqual(rows.modelProviders);
    expect(chunks.flatMap((c) => c.observations)).toEqual(rows.observations);
    expect(chunkRows(project([]), 3)).toEqual([]);
  });
});

describe('classifyDbError', () => {
  it.each([
    ['ECONNREFUSED', undefined, 'SINK_DB_UNAVAILABLE', true],
    ['08006', undefined, 'SINK_DB_UNAVAILABLE', true],
    ['57P01', undefined, 'SINK_DB_UNAVAILABLE', true],
    ['PGRST001', 503, 'SINK_DB_UNAVAILABLE', true],
    [undefined, 503, 'SINK_DB_UNAVAILABLE', true],
    ['40001', undefined, 'SINK_DB_CONFLICT', true],
    ['40P01', undefined, 'SINK_DB_CONFLICT', true],
    ['23502', 400, 'SINK_CONSTRAINT_VIOLATION', false],
    ['23505', 409, 'SINK_CONSTRAINT_VIOLATION', false],
    ['22003', 400, 'SINK_INVALID_DATA', false],
    ['42501', 403, 'SINK_PERMISSION_DENIED', true],
    ['28P01', undefined, 'SINK_DB_AUTH', true],
    ['28000', undefined, 'SINK_DB_AUTH', true],
    ['PGRST301', 401, 'SINK_DB_AUTH', true],
    ['PGRST202', 404, 'SINK_SCHEMA_MISMATCH', true],
    ['42P01', undefined, 'SINK_SCHEMA_MISMATCH', true],
    ['P0001', 400, 'SINK_DB_ERROR', false],
    ['P0001', 500, 'SINK_DB_ERROR', false],
    [undefined, 0, 'SINK_DB_UNAVAILABLE', true],
    ['PGRST116', 502, 'SINK_DB_UNAVAILABLE', true],
    [undefined, 404, 'SINK_DB_ERROR', false],
  ] as const)('%s (HTTP %s) is %s, retriable %s', (state, status, code, retriable) => {
    expect(classifyDbError(state, status)).toEqual({ code, retriable });
  });

  it('takes retriable from the one table in @llmpt/core for every code it lists', () => {
    for (const row of FAILURES)
      for (const code of row.codes) {
        const state = row.sqlClass ? `${code}000` : code;
        expect(classifyDbError(state).retriable, state).toBe(row.retriable);
      }
  });
});

describe('store options', () => {
  it('a bad option is a ConfigError naming the variable', () => {
    expect(() => createPostgresStore({ databaseUrl: 'mysql://x' })).toThrow(ConfigError);
    expect(() => createPostgresStore({ databaseUrl: 'postgres://x', chunkSize: 0 })).toThrow(ConfigError);
    expect(() => createSupabaseStore({ url: 'ftp://x', serviceRoleKey: 'k' })).toThrow(/SUPABASE_URL/);
    expect(() => createSupabaseStore({ url: 'http://x', serviceRoleKey: '' })).toThrow(ConfigError);
  });
});
