// configs/providers.yml: which official pricing pages to read, how to read each one, and how politely.
// Validated once at start with zod; a bad file fails fast with every problem named by its path. Pure:
// the document comes in already read (adapters/providers-file.ts reads the file).
import { ConfigError } from '@llmpt/runtime';
import { parseTierLabel, tierLabel } from '@llmpt/schemas';
import { z } from 'zod';

const UNITS = [
  'per_token',
  'per_1k_tokens',
  'per_1m_tokens',
  'per_request',
  'per_image',
  'per_web_search',
  'per_second',
  'per_minute',
  'per_unit',
] as const;

/** A column/row/label → the RawPriceObserved dimension it prices (per 1M tokens unless a unit is given). */
const Dimension = z.union([
  z.string().min(1),
  z.object({ dimension: z.string().min(1), unit: z.enum(UNITS) }).strict(),
]);
const DimensionMap = z
  .record(z.string().min(1), Dimension)
  .refine((m) => Object.keys(m).length > 0, 'must map at least one label');
/** A tier label written as tiers.ts prints it, so the page's tiers need no translation later. */
const TierLabel = z
  .string()
  .min(1)
  .superRefine((label, ctx) => {
    const canonical = canonicalTier(label);
    if (canonical !== label)
      ctx.addIssue({
        code: 'custom',
        message:
          canonical === null
            ? `not a tier label (docs/price-model.md §2): ${label}`
            : `write the tier as ${JSON.stringify(canonical)} (the tiers.ts grammar)`,
      });
  });
/** A regular expression written as a string; checked to compile at load. */
const Pattern = z
  .string()
  .min(1)
  .refine((src) => {
    try {
      new RegExp(src, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');
const TierMap = z.record(z.string().min(1), TierLabel.nullable());

function canonicalTier(label: string): string | null {
  try {
    return tierLabel(parseTierLabel(label));
  } catch {
    return null;
  }
}

/** Rows are models, columns are dimensions (OpenAI, Anthropic docs, xAI, Z.AI). */
const TableParser = z
  .object({
    kind: z.literal('table'),
    /** mdx: the JSX `<DocTable columns={[...]} rows={[...]} />` components of an MDX docs source (Kimi). */
    format: z.enum(['html', 'markdown', 'mdx']),
    tableSelector: z.string().min(1).default('table'),
    /** A table is a price table when one of its rows holds all these headers. */
    headers: z.array(z.string().min(1)).min(1),
    /** Header of the column holding model names; the first column when absent. */
    modelColumn: z.string().min(1).optional(),
    columns: DimensionMap,
    /**
     * A second price inside a cell, introduced by its label ("$0.269 /Mt· Cache Read $0.1345 /Mt"):
     * label → dimension. The cell's own column reads only the text before the first such label.
     */
    cellLabels: DimensionMap.optional(),
    /** Group header row above the column headers ("Short context" / "Long context") → tier; unlisted groups are skipped. */
    groups: TierMap.optional(),
    /** Tab panes / sections the tables sit in ("standard", "batch") → tier; tables in unlisted sections are skipped. */
    sections: z
      .object({
        /** HTML: closest ancestor selector and attribute holding the section name; markdown uses the line above the table. */
        closest: z.string().min(1).optional(),
        attr: z.string().min(1).optional(),
        /** HTML, instead of `attr`: the text of the first element matching this selector inside the closest ancestor (a pane's own <h3>). */
        labelSelector: z.string().min(1).optional(),
        include: TierMap,
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (
      p.format === 'html' &&
      p.sections &&
      (!p.sections.closest || !(p.sections.attr ?? p.sections.labelSelector))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'html sections need `closest` and one of `attr` / `labelSelector`',
      });
    }
    if (p.format === 'mdx' && (p.sections || p.groups)) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'mdx tables have no sections or groups' });
    }
  });

/**
 * Rows are (model, row label) pairs, columns are tiers (Google Cloud Vertex): the model cell spans its
 * rows (rowspan), a "Type" column names the dimension ("Input (text, image, video, audio)", "Text
 * output"), each price column is a tier, and a column may move the row's dimension elsewhere
 * ("cached input tokens": prompt → input_cache_read).
 */
const RowLabelTableParser = z
  .object({
    kind: z.literal('row-label-table'),
    format: z.literal('html'),
    tableSelector: z.string().min(1).default('table'),
    headers: z.array(z.string().min(1)).min(1),
    modelColumn: z.string().min(1),
    labelColumn: z.string().min(1),
    /** Row label → dimension; a label matches its key or the key followed by a qualifier, longest key first. */
    rows: DimensionMap,
    /** Column header → its tier, and optionally `as`: row dimension → the dimension this column prices (others skipped). */
    columns: z
      .record(
        z.string().min(1),
        z
          .object({
            tier: TierLabel.nullable(),
            as: z.record(z.string().min(1), z.string().min(1)).optional(),
          })
          .strict(),
      )
      .refine((m) => Object.keys(m).length > 0, 'must map at least one column'),
    sections: z
      .object({
        closest: z.string().min(1),
        labelSelector: z.string().min(1),
        include: TierMap,
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * A table flattened into one line per cell (a Jina rendering of a CSS-grid "table", SiliconFlow): the
 * header cells as consecutive lines, then per row the model name, other cells, prices as "$" + number
 * lines, and a closing line (`rowEnd`). Empty cells leave no line, so a row with fewer prices than price
 * columns is read only at its ends: the first price is the first column's, the last the last column's.
 */
const FlatTableParser = z
  .object({
    kind: z.literal('flat-table'),
    format: z.literal('markdown'),
    /** The header cells, in order, as consecutive non-empty lines. */
    headers: z.array(z.string().min(1)).min(2),
    /** Price columns (a subset of `headers`, read in header order) → dimension. */
    columns: DimensionMap,
    /** A line matching this regular expression closes a row ("[Details](...)"). */
    rowEnd: Pattern,
    /** A line matching this regular expression ends the table ("Load More", "Prices shown are ..."). */
    tableEnd: Pattern,
  })
  .strict();

/**
 * One entry per model: a name line, then a line of "Label$price" pairs (docs.venice.ai):
 * "GLM 5`zai-org-glm-5`" / "Input Price$1.00 Output Price$3.20 Cache Read$0.20 Context 198K".
 */
const LabelledLinesParser = z
  .object({
    kind: z.literal('labelled-lines'),
    format: z.literal('markdown'),
    /** Regular expression over a line; its first capture group is the model name. */
    namePattern: Pattern,
    /** Only the lines after the first line equal to `startAfter`, up to the first line equal to `stopAt`. */
    startAfter: z.string().min(1),
    stopAt: z.string().min(1),
    labels: DimensionMap,
  })
  .strict();

/** A CMS table inside the Next.js flight payload ({rows: [{cells: [...]}]}, cerebras.ai's Sanity blocks). */
const NextFlightTableParser = z
  .object({
    kind: z.literal('next-flight-table'),
    format: z.literal('html'),
    rowsField: z.string().min(1).default('rows'),
    cellsField: z.string().min(1).default('cells'),
    headers: z.array(z.string().min(1)).min(1),
    modelColumn: z.string().min(1).optional(),
    columns: DimensionMap,
  })
  .strict();

/** Columns are models, rows are dimensions, with rowspan/colspan (DeepSeek). */
const TransposedTableParser = z
  .object({
    kind: z.literal('transposed-table'),
    format: z.literal('html'),
    tableSelector: z.string().min(1).default('table'),
    /** First-column label of the row holding the model names. */
    modelRow: z.string().min(1),
    rows: DimensionMap,
  })
  .strict();

/** One heading per model, the first table under it holds label → price rows (Gemini API). */
const ModelSectionsParser = z
  .object({
    kind: z.literal('model-sections'),
    format: z.enum(['html', 'markdown']),
    headingLevel: z.number().int().min(1).max(6),
    /** Header of the column holding the paid price. */
    valueColumn: z.string().min(1),
    rows: DimensionMap,
  })
  .strict();

/** One card per model with labelled price items (claude.com). */
const CardsParser = z
  .object({
    kind: z.literal('cards'),
    format: z.literal('html'),
    cardSelector: z.string().min(1),
    titleSelector: z.string().min(1),
    itemSelector: z.string().min(1),
    labelSelector: z.string().min(1),
    valueSelector: z.string().min(1),
    labels: DimensionMap,
  })
  .strict();

/** Prices only inside the escaped Next.js flight payload (`self.__next_f.push`) (mistral.ai). */
const NextFlightParser = z
  .object({
    kind: z.literal('next-flight'),
    format: z.literal('html'),
    nameField: z.string().min(1),
    pricesField: z.string().min(1),
    labelField: z.string().min(1),
    valueField: z.string().min(1),
    labels: DimensionMap,
  })
  .strict();

const Parser = z.discriminatedUnion('kind', [
  TableParser,
  TransposedTableParser,
  ModelSectionsParser,
  CardsParser,
  NextFlightParser,
  RowLabelTableParser,
  FlatTableParser,
  LabelledLinesParser,
  NextFlightTableParser,
]);

const Politeness = z
  .object({
    perHostConcurrency: z.number().int().min(1).max(8),
    minIntervalMs: z.number().int().min(0),
    timeoutMs: z.number().int().min(100),
    maxBytes: z.number().int().min(1024),
    retries: z.number().int().min(0).max(10),
    robots: z.boolean(),
  })
  .strict();

const HOST = /^[a-z0-9.-]+$/;
const MODEL_ID = /^[a-z0-9][a-z0-9._-]*\/[^\s]+$/;

const Provider = z
  .object({
    /** Unique entry id; defaults to the slug (an alternate page of the same provider needs its own id). */
    id: z.string().min(1).optional(),
    /**
     * author (default): `slug` is an OpenRouter author slug and the page prices that author's models
     * (plus any other id the mapping names). host: the page is a hosting provider's own price list for
     * other authors' models; `slug` is the host's OpenRouter provider slug (the endpoints' tag before
     * "/", e.g. "novita", "google-vertex") and only the mapped models are priced, each only when
     * OpenRouter lists that provider for it (when the endpoints were read in the same run).
     */
    role: z.enum(['author', 'host']).default('author'),
    /** OpenRouter author/provider slug: the models of this author are priced from this page. */
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase OpenRouter slug, e.g. "openai" or "x-ai"'),
    name: z.string().min(1),
    enabled: z.boolean().default(true),
    url: z.url({ protocol: /^https?$/ }),
    render: z.enum(['static', 'browser']),
    /** Browser pages: the selector whose presence means the prices have been rendered. */
    waitForSelector: z.string().min(1).optional(),
    /** The recorded capture (in shared/data/pricing_pages) this parser was written against, and its format. */
    capture: z.string().min(1).optional(),
    /** Hosts the fetcher may contact for this page, redirects included; defaults to the URL's host. */
    allowHosts: z.array(z.string().regex(HOST, 'a bare lowercase host name')).optional(),
    parser: Parser,
    /** Model name as the page prints it → OpenRouter model id. */
    models: z.record(z.string().min(1), z.string().regex(MODEL_ID, 'an OpenRouter model id "author/slug"')),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.render === 'browser' && !p.waitForSelector) {
      ctx.addIssue({
        code: 'custom',
        path: ['waitForSelector'],
        message: 'required when render is "browser"',
      });
    }
    const host = new URL(p.url).hostname;
    if (p.allowHosts && !p.allowHosts.includes(host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowHosts'],
        message: `must include the page's own host ${host}`,
      });
    }
  });

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/**
 * source_type = web_fallback for one provider (README "Web fallback"): the search is limited to these
 * hosts, every result on another host is dropped unfetched, and a fetched page is read with the layout
 * rules (and model names) of the `providers` entries named in `pages`.
 */
const WebFallbackEntry = z
  .object({
    name: z.string().min(1),
    enabled: z.boolean().default(true),
    /** The allow-list: exact host names (a subdomain must be listed itself). */
    domains: z.array(z.string().regex(HOST, 'a bare lowercase host name')).min(1),
    /** Ids of `providers` entries whose parser and model names are tried on each fetched result, in order. */
    pages: z.array(z.string().min(1)).min(1),
    /** Endpoint provider slugs (openrouter_endpoints) that are this provider too, e.g. "xai" for "x-ai". */
    endpointSlugs: z.array(z.string().regex(SLUG)).default([]),
    /** The search query; {provider} and {model} are replaced by the provider's and the model's names. */
    query: z.string().min(1).default('{provider} {model} API pricing per million tokens'),
    /** Results asked of the search API (and the most pages fetched for one model). */
    maxResults: z.number().int().min(1).max(20).default(5),
  })
  .strict();

const ProvidersFile = z
  .object({
    version: z.literal(1),
    userAgent: z.string().min(1),
    politeness: Politeness,
    providers: z.array(Provider).min(1),
    /** Keyed by OpenRouter provider slug. Absent: no provider has a web fallback. */
    webFallback: z
      .record(z.string().regex(SLUG, 'lowercase OpenRouter slug, e.g. "x-ai"'), WebFallbackEntry)
      .default({}),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.providers.forEach((p, i) => {
      const id = p.id ?? p.slug;
      if (seen.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'id'],
          message: `duplicate provider id "${id}"`,
        });
      seen.add(id);
    });
    for (const [slug, entry] of Object.entries(f.webFallback))
      entry.pages.forEach((id, i) => {
        if (!seen.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['webFallback', slug, 'pages', i],
            message: `no providers entry has id "${id}"`,
          });
      });
  });

export type PriceUnit = (typeof UNITS)[number];
export type DimensionSpec = z.infer<typeof Dimension>;
export type ParserConfig = z.infer<typeof Parser>;
export type TableParserConfig = z.infer<typeof TableParser>;
export type TransposedTableParserConfig = z.infer<typeof TransposedTableParser>;
export type ModelSectionsParserConfig = z.infer<typeof ModelSectionsParser>;
export type CardsParserConfig = z.infer<typeof CardsParser>;
export type NextFlightParserConfig = z.infer<typeof NextFlightParser>;
export type RowLabelTableParserConfig = z.infer<typeof RowLabelTableParser>;
export type FlatTableParserConfig = z.infer<typeof FlatTableParser>;
export type LabelledLinesParserConfig = z.infer<typeof LabelledLinesParser>;
export type NextFlightTableParserConfig = z.infer<typeof NextFlightTableParser>;
export type PolitenessConfig = z.infer<typeof Politeness>;

/** One provider pricing page, with defaults filled in. */
export type ProviderPage = Omit<z.infer<typeof Provider>, 'id' | 'allowHosts'> & {
  readonly id: string;
  readonly allowHosts: readonly string[];
};

/** One provider's web fallback, with defaults filled in and its page rules resolved. */
export interface WebFallbackSite {
  readonly slug: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly domains: readonly string[];
  /** The `providers` entries named in `pages`, in that order (enabled or not: only their rules are used). */
  readonly pages: readonly ProviderPage[];
  readonly endpointSlugs: readonly string[];
  readonly query: string;
  readonly maxResults: number;
}

export interface ProvidersConfig {
  readonly userAgent: string;
  readonly politeness: PolitenessConfig;
  readonly providers: readonly ProviderPage[];
  /** OpenRouter provider slug → its web fallback (README "Web fallback"); empty when the file has none. */
  readonly webFallback: ReadonlyMap<string, WebFallbackSite>;
}

function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return `${source} is invalid:\n${lines.join('\n')}`;
}

/** Validates an already-parsed document; `source` names it in errors. Throws ConfigError (code CONFIG_INVALID). */
export function parseProvidersConfig(doc: unknown, source = 'providers config'): ProvidersConfig {
  const parsed = ProvidersFile.safeParse(doc);
  if (!parsed.success) throw new ConfigError(formatIssues(source, parsed.error));
  const f = parsed.data;
  const providers: readonly ProviderPage[] = Object.freeze(
    f.providers.map((p) =>
      Object.freeze({ ...p, id: p.id ?? p.slug, allowHosts: p.allowHosts ?? [new URL(p.url).hostname] }),
    ),
  );
  const byId = new Map(providers.map((p) => [p.id, p]));
  const webFallback = new Map<string, WebFallbackSite>();
  for (const [slug, e] of Object.entries(f.webFallback))
    webFallback.set(
      slug,
      Object.freeze({
        ...e,
        slug,
        domains: Object.freeze([...e.domains]),
        endpointSlugs: Object.freeze([...e.endpointSlugs]),
        pages: Object.freeze(e.pages.map((id) => byId.get(id)!)),
      }),
    );
  return Object.freeze({
    userAgent: f.userAgent,
    politeness: Object.freeze(f.politeness),
    providers,
    webFallback,
  });
}

/** The enabled author pages, keyed by OpenRouter author slug: what the scraper shell iterates on. */
export function enabledProviders(config: ProvidersConfig): ReadonlyMap<string, ProviderPage> {
  const map = new Map<string, ProviderPage>();
  for (const p of config.providers)
    if (p.enabled && p.role === 'author' && !map.has(p.slug)) map.set(p.slug, p);
  return map;
}

/** The enabled host pages (role: host): each prices the models its mapping names, of any author. */
export function enabledHostPages(config: ProvidersConfig): readonly ProviderPage[] {
  return config.providers.filter((p) => p.enabled && p.role === 'host');
}

/**
 * The same config with every page moved under `localBase` as `<localBase>/<original host><path>?<query>`
 * (the host is kept in the path because two providers may share a path, e.g. /pricing), and each
 * page's allow-list replaced by the local host: tests serve the captures locally while the allow-list
 * still decides (a redirect to any other host, "localhost" included, is refused).
 */
export function withBaseUrl(config: ProvidersConfig, localBase: string): ProvidersConfig {
  const base = new URL(localBase);
  return Object.freeze({
    ...config,
    providers: Object.freeze(
      config.providers.map((p) => {
        const u = new URL(p.url);
        const prefix = base.pathname.replace(/\/$/, '');
        const moved = new URL(`${prefix}/${u.hostname}${u.pathname}${u.search}`, base);
        return Object.freeze({ ...p, url: moved.toString(), allowHosts: [base.hostname] });
      }),
    ),
  });
}

/** Options for createPageFetcher from the config: the allow-list is every page's hosts. */
export function fetcherOptionsFrom(config: ProvidersConfig): {
  allowHosts: string[];
  perHostConcurrency: number;
  minIntervalMs: number;
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  robots: boolean;
  userAgent: string;
} {
  const hosts = new Set<string>();
  for (const p of config.providers) if (p.enabled) for (const h of p.allowHosts) hosts.add(h);
  const { perHostConcurrency, minIntervalMs, timeoutMs, maxBytes, retries, robots } = config.politeness;
  return {
    allowHosts: [...hosts].sort(),
    perHostConcurrency,
    minIntervalMs,
    timeoutMs,
    maxBytes,
    retries,
    robots,
    userAgent: config.userAgent,
  };
}

/** Fetcher options for the web fallback: every enabled fallback's domains are the allow-list. */
export function fallbackFetcherOptionsFrom(config: ProvidersConfig): ReturnType<typeof fetcherOptionsFrom> {
  const hosts = new Set<string>();
  for (const site of config.webFallback.values())
    if (site.enabled) for (const h of site.domains) hosts.add(h);
  return { ...fetcherOptionsFrom(config), allowHosts: [...hosts].sort() };
}
