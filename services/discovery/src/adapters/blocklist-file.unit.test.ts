import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import { loadBlocklist } from './blocklist-file.ts';

describe('blocklist file', () => {
  it('the committed config blocks test rows and no real model of any snapshot day', () => {
    const list = loadBlocklist(path.join(repoRoot, 'configs', 'models_blocklist.yml'));
    expect(list.isBlocked('fake-provider/anything')).toBe(true);
    expect(list.isBlocked('test/model')).toBe(true);
    for (const real of [
      'openai/gpt-4o',
      'openrouter/auto',
      'openrouter/owl-alpha',
      'meta-llama/llama-3.3-70b-instruct:free',
      '~openai/gpt-latest',
      'anthropic/claude-opus-4.7:batch',
    ]) {
      expect(list.isBlocked(real)).toBe(false);
    }
  });
});
