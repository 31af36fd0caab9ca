// A small offline stand-in for `kustomize build`, enough for deploy/k8s: resources (files and
// directories), namespace, labels (metadata only), images, and patches given as strategic-merge files
// (named list items merged by `name`, `$patch: delete` removes a resource). There is no kustomize
// binary here; an operator checks the real output with `kubectl kustomize` (README "Deploying").
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
};

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string> }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every YAML document of a file (empty documents skipped). Throws on a YAML error. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function asManifest(doc: unknown, file: string): Manifest {
  if (!isObject(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string')
    throw new Error(`${file}: not a Kubernetes object`);
  const meta = doc.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string') throw new Error(`${file}: metadata.name missing`);
  return doc as Manifest;
}

/** Strategic merge, simplified: maps merge, lists of objects with `name` merge by name, other lists replace. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObject(base) && isObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (k === '$patch') continue;
      if (v === null) delete out[k];
      else out[k] = k in base ? strategicMerge(base[k], v) : v;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const b: unknown[] = base;
    const p: unknown[] = patch;
    const nameOf = (i: unknown): unknown => (isObject(i) ? i.name : undefined);
    if ([...b, ...p].every((i) => isObject(i) && 'name' in i)) {
      const out = b.map((bi) => {
        const pi = p.find((i) => nameOf(i) === nameOf(bi));
        return pi === undefined ? bi : strategicMerge(bi, pi);
      });
      for (const pi of p) if (!b.some((bi) => nameOf(bi) === nameOf(pi))) out.push(pi);
      return out;
    }
  }
  return patch;
}

/** The pod specs of a workload (Deployment, Job, CronJob), for image and env handling. */
export function podSpecs(m: Manifest): Record<string, unknown>[] {
  const spec = m.spec as Record<string, unknown> | undefined;
  if (!spec) return [];
  const tpl =
    m.kind === 'CronJob'
      ? (spec.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template
      : spec.template;
  const podSpec = isObject(tpl) ? tpl.spec : undefined;
  return isObject(podSpec) ? [podSpec] : [];
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  [k: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export function containersOf(m: Manifest): Container[] {
  return podSpecs(m).flatMap((p) => [
    ...((p.initContainers as Container[] | undefined) ?? []),
    ...((p.containers as Container[] | undefined) ?? []),
  ]);
}

function setImage(c: Container, images: NonNullable<Kustomization['images']>): void {
  const at = c.image.lastIndexOf(':');
  const [name, tag] =
    at > c.image.lastIndexOf('/') ? [c.image.slice(0, at), c.image.slice(at + 1)] : [c.image, ''];
  const rule = images.find((i) => i.name === name);
  if (!rule) return;
  const newTag = rule.newTag ?? tag;
  c.image = `${rule.newName ?? name}${newTag ? `:${newTag}` : ''}`;
}

/** Builds a kustomization directory into its list of objects (deep copies; inputs untouched). */
export function kustomizeBuild(dir: string): Manifest[] {
  const kFile = path.join(dir, 'kustomization.yaml');
  const [raw] = readYamlDocuments(kFile);
  if (!isObject(raw)) throw new Error(`${kFile}: empty`);
  const unsupported = Object.keys(raw).filter((k) => !SUPPORTED.has(k));
  if (unsupported.length)
    throw new Error(`${kFile}: unsupported fields for the offline build: ${unsupported.join(', ')}`);
  const k = raw as Kustomization;

  let out: Manifest[] = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (statSync(p).isDirectory()) out.push(...kustomizeBuild(p));
    else out.push(...readYamlDocuments(p).map((d) => asManifest(structuredClone(d), p)));
  }

  for (const { path: pp } of k.patches ?? []) {
    const file = path.resolve(dir, pp);
    for (const doc of readYamlDocuments(file)) {
      const patch = asManifest(doc, file);
      const i = out.findIndex((m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name);
      if (i < 0) throw new Error(`${file}: patch target ${patch.kind}/${patch.metadata.name} not found`);
      if ((patch as Record<string, unknown>).$patch === 'delete') out = out.filter((_, j) => j !== i);
      else out[i] = strategicMerge(out[i], patch) as Manifest;
    }
  }

  for (const m of out) {
    if (k.namespace && !CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = k.namespace;
    if (k.namespace && m.kind === 'Namespace') m.metadata.name = k.namespace;
    for (const { pairs } of k.labels ?? []) m.metadata.labels = { ...m.metadata.labels, ...pairs };
    if (k.images) for (const c of containersOf(m)) setImage(c, k.images);
  }
  return out;
}
