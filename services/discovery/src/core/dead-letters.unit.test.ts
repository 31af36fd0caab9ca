import { describe, expect, it } from 'vitest';
import { encodeEvent } from '@llmpt/schemas';
import { deadLetterOf } from './dead-letters.ts';

const URL = 'https://openrouter.ai/api/v1/models';

describe('deadLetterOf', () => {
  const rejected = {
    entry: { id: 'a/b', name: 1 },
    index: 7,
    reason: 'name: expected string',
    code: 'INVALID_ENTRY' as const,
  };

  it('carries the entry as published, its reason and code, and is final', () => {
    const dl = deadLetterOf(rejected, 'run-1', URL, 1234);
    expect(dl.payload.toString('utf8')).toBe('{"id":"a/b","name":1}');
    expect(dl).toMatchObject({
      run_id: 'run-1',
      occurred_at: 1234,
      stage: 'discovery',
      source_url: URL,
      error_code: 'INVALID_ENTRY',
      error_message: 'name: expected string',
      retriable: false,
    });
    expect(() => encodeEvent('DeadLetter', dl)).not.toThrow();
  });

  it('has the same id on a re-run (the clock is not part of it) and another for another entry', () => {
    const id = deadLetterOf(rejected, 'run-1', URL, 1).event_id;
    expect(deadLetterOf(rejected, 'run-2', URL, 2).event_id).toBe(id);
    expect(deadLetterOf({ ...rejected, index: 8 }, 'run-1', URL, 1).event_id).not.toBe(id);
  });
});
