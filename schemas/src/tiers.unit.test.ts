import { describe, expect, it } from 'vitest';
import { PoisonInputError } from '@llmpt/core';
import {
  NO_CONDITIONS,
  TierLabelError,
  conditionsOfOverride,
  inUtcWindow,
  isSelectable,
  parseTierLabel,
  tierApplies,
  tierLabel,
} from './tiers.ts';

const at = (hhmm: string) => Date.parse(`2026-08-19T${hhmm}:00Z`);

describe('the tier grammar', () => {
  it('reads OpenRouter overrides: min_prompt_tokens is inclusive, utc_start/utc_end HHMM wrap midnight', () => {
    const ctx = conditionsOfOverride({ min_prompt_tokens: '272000' });
    expect(ctx).toEqual({ ...NO_CONDITIONS, prompt_tokens_gte: 272000 });
    expect(tierLabel(ctx)).toBe('prompt_tokens>=272000');
    const night = conditionsOfOverride({ utc_start: '1000', utc_end: '100' });
    expect(night).toEqual({ ...NO_CONDITIONS, utc_start: 600, utc_end: 60 });
    expect(tierLabel(night)).toBe('utc 10:00-01:00');
    // A condition this grammar has no type for is kept as published, and makes the tier unselectable.
    const days = conditionsOfOverride({ utc_days: 'weekend', utc_start: '0', utc_end: '1600' });
    expect(days).toEqual({ ...NO_CONDITIONS, utc_start: 0, utc_end: 960, other: ['utc_days=weekend'] });
    expect(tierLabel(days)).toBe('utc 00:00-16:00 & utc_days=weekend');
    expect(isSelectable(days)).toBe(false);
  });

  it('round-trips every canonical label, and reads the labels written before v2', () => {
    const labels = [
      'prompt_tokens>=272000',
      'prompt_tokens>200000',
      'utc 10:00-01:00',
      'prompt_tokens>=128000 & utc 16:00-00:00',
      'variant=fp8',
      'prompt_tokens>200000 & variant=batch',
      'utc 00:00-16:00 & utc_days=weekend',
    ];
    for (const label of labels) expect(tierLabel(parseTierLabel(label)), label).toBe(label);
    expect(tierLabel(parseTierLabel('min_prompt_tokens>=272000'))).toBe('prompt_tokens>=272000');
    // Pages labelled "> 200k" as min_prompt_tokens=200000: the boundary they state is strict.
    expect(tierLabel(parseTierLabel('min_prompt_tokens=200000'))).toBe('prompt_tokens>200000');
    expect(tierLabel(parseTierLabel('fp8'))).toBe('variant=fp8');
    expect(tierLabel(parseTierLabel('batch;min_prompt_tokens=272000'))).toBe(
      'prompt_tokens>272000 & variant=batch',
    );
  });

  it('refuses what is not a tier', () => {
    expect(() => parseTierLabel('')).toThrow(TierLabelError);
    expect(() => parseTierLabel('')).toThrow(
      expect.objectContaining({ code: 'INVALID_TIER', name: 'TierLabelError' }),
    );
    expect(() => parseTierLabel('')).toThrow(PoisonInputError);
    expect(() => parseTierLabel('prompt_tokens>lots')).toThrow(/not a token count/);
    expect(() => parseTierLabel('utc 25:00-01:00')).toThrow(/not a time of day/);
  });
});

describe('whether a tier applies to a call', () => {
  it('a strict boundary excludes the threshold, an inclusive one includes it', () => {
    const strict = parseTierLabel('prompt_tokens>200000');
    const inclusive = parseTierLabel('prompt_tokens>=200000');
    expect(tierApplies(strict, { promptTokens: 200000, at: 0 })).toBe(false);
    expect(tierApplies(strict, { promptTokens: 200001, at: 0 })).toBe(true);
    expect(tierApplies(inclusive, { promptTokens: 199999, at: 0 })).toBe(false);
    expect(tierApplies(inclusive, { promptTokens: 200000, at: 0 })).toBe(true);
  });

  it('a window that wraps midnight: start inclusive, end exclusive', () => {
    const night = parseTierLabel('utc 10:00-01:00');
    expect(tierApplies(night, { promptTokens: 1, at: at('09:59') })).toBe(false);
    expect(tierApplies(night, { promptTokens: 1, at: at('10:00') })).toBe(true);
    expect(tierApplies(night, { promptTokens: 1, at: at('20:30') })).toBe(true);
    expect(tierApplies(night, { promptTokens: 1, at: at('00:59') })).toBe(true);
    expect(tierApplies(night, { promptTokens: 1, at: at('01:00') })).toBe(false);
    expect(inUtcWindow(0, 600, 600)).toBe(true);
  });

  it('combined conditions all hold; a variant is never selected by usage', () => {
    const both = parseTierLabel('prompt_tokens>=128000 & utc 16:00-00:00');
    expect(tierApplies(both, { promptTokens: 128000, at: at('17:00') })).toBe(true);
    expect(tierApplies(both, { promptTokens: 127999, at: at('17:00') })).toBe(false);
    expect(tierApplies(both, { promptTokens: 128000, at: at('15:59') })).toBe(false);
    expect(tierApplies(parseTierLabel('variant=fp8'), { promptTokens: 1, at: 0 })).toBe(false);
  });
});
