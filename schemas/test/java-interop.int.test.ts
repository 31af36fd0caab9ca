// Interop with the reference implementation: the Java Avro library (org.apache.avro:avro 1.12) must
// compute the same fingerprints, read the bytes our codec writes, and write bytes our codec reads.
// One JVM launch does all three (see schemas/java/src/main/java/llmpt/Interop.java).
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codecSchemas,
  decodeEvent,
  decodeEventAs,
  encodeEvent,
  singleObjectHeader,
  schemaFingerprint,
} from '../src/codec.ts';
import { eventNames, type EventName } from '../src/generated.ts';
import { fixtureDir, listFixtures, plain, readFixture } from './fixtures.ts';
import { runInterop, type RunResult } from './java.ts';
import { modelDiscoveredV1, samples } from './samples.ts';

const schemas = codecSchemas();
let work: string;
let java: RunResult;
let javaFingerprints: Map<string, bigint>;

function nameOf(file: string): EventName {
  return file.slice(0, file.indexOf('.')) as EventName;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'llmpt-avro-interop-'));
  mkdirSync(join(work, 'ts-bin'));
  mkdirSync(join(work, 'ts-json'));
  for (const name of eventNames) {
    writeFileSync(join(work, 'ts-bin', `${name}.sample.bin`), encodeEvent(name, samples[name] as never));
    writeFileSync(
      join(work, 'ts-json', `${name}.json`),
      schemas.current.get(name)?.type.toString(samples[name]) ?? '',
    );
  }
  for (const base of listFixtures())
    copyFileSync(join(fixtureDir, `${base}.bin`), join(work, 'ts-bin', `${base}.bin`));
  java = runInterop(work);
  javaFingerprints = new Map(
    java.stdout
      .split('\n')
      .filter((l) => l.startsWith('fingerprint '))
      .map((l) => l.split(' '))
      .map(([, file, fp]) => [file ?? '', BigInt(fp ?? '-1')]),
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Java Avro interop', () => {
  it('the Java program ran without errors', () => {
    expect(
      java.stdout.split('\n').filter((l) => l.startsWith('error')),
      java.stderr,
    ).toEqual([]);
    expect(java.status, java.stderr).toBe(0);
  });

  it('Java SchemaNormalization.parsingFingerprint64 equals our fingerprint for every schema file', () => {
    expect([...javaFingerprints.keys()].sort()).toEqual(schemas.versions.map((v) => v.file).sort());
    for (const v of schemas.versions) {
      expect(javaFingerprints.get(v.file), v.file).toBe(v.fingerprint);
    }
  });

  it('Java reads the single-object bytes we write, for every event type', () => {
    for (const name of eventNames) {
      const json = readFileSync(join(work, 'java-json', `${name}.sample.json`), 'utf8');
      const reader = schemas.current.get(name)?.type;
      expect(plain(reader?.fromString(json)), name).toEqual(samples[name]);
    }
  });

  it('Java reads every saved fixture, old versions resolved to the current schema as we do', () => {
    for (const base of listFixtures()) {
      const fixture = readFixture(schemas, base);
      const json = readFileSync(join(work, 'java-json', `${base}.json`), 'utf8');
      const fromJava = plain(schemas.current.get(fixture.version.name)?.type.fromString(json));
      expect(fromJava, base).toEqual(decodeEvent(fixture.bytes).event);
    }
    const v1 = readFileSync(join(work, 'java-json', 'ModelDiscovered.v1.json'), 'utf8');
    expect(JSON.parse(v1)).toMatchObject({ model_id: modelDiscoveredV1.model_id, description: null });
  });

  it('we read the single-object bytes Java writes, for every event type', () => {
    const files = readdirSync(join(work, 'java-bin')).sort();
    expect(files).toEqual(eventNames.map((n) => `${n}.bin`).sort());
    for (const file of files) {
      const name = nameOf(file);
      const bytes = readFileSync(join(work, 'java-bin', file));
      expect(bytes.subarray(0, 10).equals(singleObjectHeader(schemaFingerprint(name))), file).toBe(true);
      expect(decodeEventAs(name, bytes), file).toEqual(samples[name]);
    }
  });
});
