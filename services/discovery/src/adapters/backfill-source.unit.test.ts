import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackfillSource } from './backfill-source.ts';

// docs/design.md "Backfill", input: a folder or a .tar/.tar.gz/.tgz/.tar.xz archive, every file at any
// depth with its path relative to the root, and the root's manifest.json only.
let dir: string;
let root: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'llmpt-source-'));
  root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'a_2026-03-01.json'), '[]');
  writeFileSync(path.join(root, 'sub', 'b.json'), '{"data":[]}');
  writeFileSync(path.join(root, 'manifest.json'), '{"sub/b.json":"2026-03-02"}');
  writeFileSync(path.join(root, 'sub', 'manifest.json'), '{"a_2026-03-01.json":"2020-01-01"}');
  for (const [name, flag] of [
    ['x.tar', '-cf'],
    ['x.tar.gz', '-czf'],
    ['x.tgz', '-czf'],
    ['x.tar.xz', '-cJf'],
  ] as const)
    execFileSync('tar', [flag, path.join(dir, name), '-C', root, '.']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shape = (source: string) => {
  const s = readBackfillSource(source);
  return {
    files: s.files.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')]).sort(),
    manifest: s.manifest ? Object.fromEntries(s.manifest) : null,
  };
};

describe('readBackfillSource', () => {
  const expected = {
    files: [
      ['a_2026-03-01.json', '[]'],
      ['sub/b.json', '{"data":[]}'],
      ['sub/manifest.json', '{"a_2026-03-01.json":"2020-01-01"}'],
    ],
    manifest: { 'sub/b.json': '2026-03-02' },
  };

  it('reads a folder: relative paths, the root manifest only', () => {
    expect(shape(root)).toEqual(expected);
  });

  it.each(['x.tar', 'x.tar.gz', 'x.tgz', 'x.tar.xz'])('reads the same from %s', (name) => {
    expect(shape(path.join(dir, name))).toEqual(expected);
  });

  it('refuses another kind of file', () => {
    writeFileSync(path.join(dir, 'x.zip'), 'PK');
    expect(() => readBackfillSource(path.join(dir, 'x.zip'))).toThrow(/folder or a \.tar/);
  });
});
