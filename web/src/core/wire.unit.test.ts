// The explorer declares the API's answers as small interfaces of its own (what it reads, readonly),
// so the browser bundle carries no zod. The API's zod schemas (services/api/src/schemas.ts) stay the
// one definition: this file fails the web typecheck (tsc -p web) when an answer the API sends no
// longer fits what a page reads (a field renamed, removed or retyped).
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { catalogResponse, changesResponse, costResponse, historyResponse } from '@llmpt/api/schemas';
import type { CatalogResponse } from './catalog.ts';
import type { ChangesPage } from './changes.ts';
import type { CostAnswer } from './cost.ts';
import type { HistoryResponse } from './history.ts';

describe('the pages read what the API sends (checked by tsc -p web)', () => {
  it('GET /v1/catalog', () => expectTypeOf<z.infer<typeof catalogResponse>>().toExtend<CatalogResponse>());
  it('GET /v1/changes', () => expectTypeOf<z.infer<typeof changesResponse>>().toExtend<ChangesPage>());
  it('GET /v1/models/{id}/history', () =>
    expectTypeOf<z.infer<typeof historyResponse>>().toExtend<HistoryResponse>());
  it('POST /v1/cost', () => expectTypeOf<z.infer<typeof costResponse>>().toExtend<CostAnswer>());
});
