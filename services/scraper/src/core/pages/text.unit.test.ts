import { describe, expect, it } from 'vitest';
import { markdownBlocks } from './grid.ts';
import { sectionCellValues } from './model-sections.ts';
import { cellValues, joinTiers, normalizeModelName } from './text.ts';

describe('cellValues', () => {
  it('reads the figure as published, thousands separators dropped', () => {
    expect(cellValues({ text: '$12.50 / MTok', struck: '' })).toEqual([{ raw: '$12.50', tier: null }]);
    expect(cellValues({ text: '$1,250.00', struck: '' })).toEqual([{ raw: '$1250.00', tier: null }]);
  });
  it('"-", "\\" and "Not available" are no price; "Free" is 0', () => {
    for (const t of ['-', '\\', 'Not available', '']) expect(cellValues({ text: t, struck: '' })).toEqual([]);
    expect(cellValues({ text: 'Free', struck: '' })).toEqual([{ raw: '0', tier: null }]);
    expect(cellValues({ text: 'Limited-time Free', struck: '' })).toEqual([]);
  });
  it('promo next to a struck list price: list is the base, promo a tier', () => {
    expect(cellValues({ text: '$0.435 (75% off) $1.74', struck: '$1.74' })).toEqual([
      { raw: '$1.74', tier: null },
      { raw: '$0.435', tier: 'variant=promo' },
    ]);
  });
});

describe('joinTiers', () => {
  it('joins a section, a column group and a cell promo into one tier in the tiers.ts grammar', () => {
    expect(joinTiers(null, 'prompt_tokens>272000', 'variant=promo')).toBe(
      'prompt_tokens>272000 & variant=promo',
    );
    // The same conditions in another order print the same label: the label is the tier's identity.
    expect(joinTiers('variant=promo', undefined, 'prompt_tokens>272000')).toBe(
      'prompt_tokens>272000 & variant=promo',
    );
    expect(joinTiers('variant=batch', 'variant=promo')).toBe('variant=batch+promo');
    expect(joinTiers(null, '', undefined)).toBeNull();
  });
});

describe('sectionCellValues', () => {
  it('splits Gemini cells into base, long-context tier, audio and image output', () => {
    expect(sectionCellValues('$2.00, prompts <= 200k tokens $4.00, prompts > 200k tokens', 'prompt')).toEqual(
      [
        { dimension: 'prompt', value: { raw: '$2.00', tier: null } },
        { dimension: 'prompt', value: { raw: '$4.00', tier: 'prompt_tokens>200000' } },
      ],
    );
    expect(
      sectionCellValues(
        '$3 (text and thinking) $60.00 (images) Equivalent to $0.045 per 0.5K image*',
        'completion',
      ),
    ).toEqual([
      { dimension: 'completion', value: { raw: '$3', tier: null } },
      { dimension: 'image_output', value: { raw: '$60.00', tier: null } },
    ]);
  });
});

describe('names and markdown', () => {
  it('drops trailing notes and emoji from model names', () => {
    expect(normalizeModelName('Claude Haiku 3.5 (retired, except on Bedrock and Vertex AI)')).toBe(
      'claude haiku 3.5',
    );
    expect(normalizeModelName('Gemini 3 Pro Image Preview 🍌')).toBe('gemini 3 pro image preview');
  });
  it('labels a markdown table with the line above it', () => {
    const blocks = markdownBlocks('## A\n\nBatch\n\n| Model | Input |\n| --- | --- |\n| m | ~~$2~~ $1 |\n');
    expect(blocks[1]).toEqual({
      kind: 'table',
      grid: {
        label: 'Batch',
        rows: [
          [
            { text: 'Model', struck: '' },
            { text: 'Input', struck: '' },
          ],
          [
            { text: 'm', struck: '' },
            { text: '$2 $1', struck: '$2' },
          ],
        ],
      },
    });
  });
});
