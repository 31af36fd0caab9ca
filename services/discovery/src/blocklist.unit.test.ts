import path from 'node:path';
import { repoRoot } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import { createBlocklist, loadBlocklist, parseBlocklist } from './blocklist.ts';
import type { DiscoveryError } from './errors.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as DiscoveryError).code;
  }
  return undefined;
}

describe('blocklist', () => {
  it('matches exact ids, globs and regexes', () => {
    const list = createBlocklist({
      ids: ['a/exact'],
      globs: ['test/*', '*:canary'],
      regexes: ['^fake-'],
    });
    expect(list.isBlocked('a/exact')).toBe(true);
    expect(list.isBlocked('a/exact2')).toBe(false);
    expect(list.isBlocked('test/model')).toBe(true);
    expect(list.isBlocked('x/test/model')).toBe(false);
    expect(list.isBlocked('vendor/model:canary')).toBe(true);
    expect(list.isBlocked('fake-provider/m')).toBe(true);
  });

  it('escapes regex characters in globs', () => {
    const list = createBlocklist({ globs: ['a/model.v1'] });
    expect(list.isBlocked('a/model.v1')).toBe(true);
    expect(list.isBlocked('a/modelXv1')).toBe(false);
  });

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

  it('rejects a malformed config with BAD_BLOCKLIST', () => {
    expect(codeOf(() => parseBlocklist('ids: nope'))).toBe('BAD_BLOCKLIST');
    expect(codeOf(() => parseBlocklist('unknown_key: []'))).toBe('BAD_BLOCKLIST');
    expect(codeOf(() => parseBlocklist('regexes: ["("]'))).toBe('BAD_BLOCKLIST');
    expect(codeOf(() => parseBlocklist('ids: [a\n  - b'))).toBe('BAD_BLOCKLIST');
    expect(parseBlocklist('').isBlocked('x')).toBe(false);
  });
});
