// Request and response schemas, defined once (zod 4). Fastify validates requests and serializes
// responses with their JSON Schema (z.toJSONSchema), and @fastify/swagger puts the same JSON Schemas
// into GET /openapi.json (OpenAPI 3.1, whose schema dialect is JSON Schema 2020-12).
import { z } from 'zod';

/** A model id segment: OpenRouter's `author/slug` halves (`~openai`, `gpt-5.6-sol`, `llama-3:free`). */
const segment = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9~._:+-]+$/, 'letters, digits and ~._:+- only');

export const modelParams = z.strictObject({ author: segment, slug: segment });

const at = z
  .string()
  .max(40)
  .describe('ISO 8601 instant with a time zone, or a date (its UTC midnight); default now');

export const catalogQuery = z.strictObject({ at: at.optional() });

const override = z.record(z.string(), z.union([z.string(), z.number()]));
export const pricing = z
  .record(z.string(), z.union([z.string(), z.number(), z.array(override)]))
  .describe(
    'OpenRouter pricing: USD per token (or per unit) as decimal strings; `discount` a number; `overrides` the tiers',
  );

const architecture = z.object({
  modality: z.string().nullable(),
  input_modalities: z.array(z.string()),
  output_modalities: z.array(z.string()),
  tokenizer: z.string().nullable(),
  instruct_type: z.string().nullable(),
});

export const model = z.object({
  id: z.string(),
  canonical_slug: z.string().nullable(),
  name: z.string(),
  created: z.number().int().nullable(),
  description: z.string().nullable(),
  context_length: z.number().int().nullable(),
  architecture,
  pricing,
  top_provider: z.record(z.string(), z.unknown()).nullable(),
  per_request_limits: z.record(z.string(), z.unknown()).nullable(),
  supported_parameters: z.array(z.string()),
});

export const modelsResponse = z.object({ data: z.array(model) });

export const endpoint = z.object({
  name: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  context_length: z.number().int().nullable(),
  pricing,
  provider_name: z.string(),
  tag: z.string().nullable(),
  quantization: z.string().nullable(),
  max_completion_tokens: z.number().int().nullable(),
  status: z.number().int().nullable(),
});

export const endpointsResponse = z.object({
  data: z.object({
    id: z.string(),
    name: z.string(),
    created: z.number().int().nullable(),
    description: z.string().nullable(),
    architecture,
    endpoints: z.array(endpoint),
  }),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const healthResponse = z.object({ status: z.string() });

export type Model = z.infer<typeof model>;
export type Endpoint = z.infer<typeof endpoint>;
export type Architecture = z.infer<typeof architecture>;

/** JSON Schema of a zod schema, as Fastify and OpenAPI 3.1 read it. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return rest;
}
