// Reads a backfill source (docs/design.md "Backfill"): a folder, or a .tar/.tar.gz/.tgz/.tar.xz
// archive unpacked by the system `tar` (GNU tar calls gzip or xz itself) into a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { MANIFEST_NAME, parseManifest, type ArchiveFile, type Manifest } from '../core/backfill.ts';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.xz|txz)$/i;

export interface BackfillSource {
  readonly files: ArchiveFile[];
  readonly manifest: Manifest | null;
}

/**
 * Every file under `source` (a folder or an archive) with its path relative to the root, and the
 * root's `manifest.json` when there is one (a manifest in a sub-folder is not read).
 */
export function readBackfillSource(source: string): BackfillSource {
  const st = statSync(source);
  if (st.isDirectory()) return readFolder(source);
  if (!ARCHIVE.test(source))
    throw new Error(`${source}: expected a folder or a .tar, .tar.gz, .tgz or .tar.xz archive`);
  const dir = mkdtempSync(join(tmpdir(), 'llmpt-backfill-'));
  try {
    // -a is not needed to read: GNU tar detects gzip and xz from the bytes.
    execFileSync('tar', ['-xf', source, '-C', dir, '--no-same-owner', '--no-same-permissions'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return readFolder(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readFolder(root: string): BackfillSource {
  const files: ArchiveFile[] = [];
  let manifest: Manifest | null = null;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        const path = relative(root, full).split(sep).join('/');
        if (e.name === MANIFEST_NAME && dir === root) manifest = parseManifest(readFileSync(full, 'utf8'));
        else files.push({ path, bytes: readFileSync(full) });
      }
    }
  };
  walk(root);
  return { files, manifest };
}
