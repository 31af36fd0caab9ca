// Runs schemas/java/ (Interop.java against org.apache.avro:avro from Maven Central) for the interop
// test. Jars and classes are cached in ~/.cache/llmpt/avro-java, so only the first run needs Maven
// Central; later runs launch one JVM. Classes are keyed by a hash of the source and pom, so an edit
// recompiles.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultSchemaDir } from '../src/registry.ts';

const javaDir = join(defaultSchemaDir, 'java');
const pom = join(javaDir, 'pom.xml');
const source = join(javaDir, 'src', 'main', 'java', 'llmpt', 'Interop.java');
export const javaCacheDir = join(homedir(), '.cache', 'llmpt', 'avro-java');

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(cmd: string, args: readonly string[]): RunResult {
  const r = run(cmd, args);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Fetches the Avro jars once (offline first, from the local Maven repository, then online). */
function ensureJars(): string {
  const lib = join(javaCacheDir, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => /^avro-1\.12\.\d+\.jar$/.test(f))) return lib;
  const tmp = `${lib}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const args = [
    '-B',
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
  ];
  if (run('mvn', ['-o', ...args]).status !== 0) must('mvn', args);
  rmSync(lib, { recursive: true, force: true });
  renameSync(tmp, lib);
  return lib;
}

function ensureClasses(lib: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(source))
    .update(readFileSync(pom))
    .digest('hex')
    .slice(0, 12);
  const classes = join(javaCacheDir, `classes-${hash}`);
  if (existsSync(join(classes, 'llmpt', 'Interop.class'))) return classes;
  const tmp = `${classes}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  must('javac', ['-nowarn', '-d', tmp, '-cp', join(lib, '*'), source]);
  rmSync(classes, { recursive: true, force: true });
  renameSync(tmp, classes);
  return classes;
}

/** Builds (if needed) and runs `Interop <schemaDir> <workDir>` in one JVM. */
export function runInterop(workDir: string, schemaDir: string = defaultSchemaDir): RunResult {
  const lib = ensureJars();
  const classes = ensureClasses(lib);
  return run('java', [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-cp',
    `${classes}:${join(lib, '*')}`,
    'llmpt.Interop',
    schemaDir,
    workDir,
  ]);
}
