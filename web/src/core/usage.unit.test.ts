// Oracle: web/README.md "Cost" (the usage, its checks, the time, the monthly estimate), case by case.
import { describe, expect, it } from 'vitest';
import {
  atOfLocalInput,
  atOfQuery,
  callsOf,
  draftOf,
  stateOfDraft,
  localInputOfAt,
  monthlyEstimate,
  usageBodyOf,
  usageOfCounts,
  usageOfText,
  usageQueryOf,
  usageStateOf,
} from './usage.ts';

describe('token counts → an OpenRouter usage object', () => {
  it('prompt_tokens = in + cr + cw, completion_tokens = out + rs, the parts in the details', () => {
    expect(usageOfCounts({ in: '1000', cr: '300', cw: '100', out: '200', rs: '50' })).toEqual({
      ok: true,
      value: {
        prompt_tokens: 1400,
        completion_tokens: 250,
        prompt_tokens_details: { cached_tokens: 300, cache_write_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 50 },
      },
    });
  });
  it('empty is 0', () => {
    const u = usageOfCounts({ in: '7', cr: '', cw: ' ', out: '', rs: '' });
    expect(u.ok && u.value.prompt_tokens).toBe(7);
    expect(u.ok && u.value.completion_tokens).toBe(0);
  });
  it.each(['-1', '1.5', '1e3', 'ten', '1000000000'])('%s is refused, the field named', (bad) => {
    const u = usageOfCounts({ in: '1', cr: bad, cw: '', out: '', rs: '' });
    expect(u.ok).toBe(false);
    expect(!u.ok && u.message).toMatch(/^Cache read tokens: /);
  });
  it('sent as format openrouter', () => {
    const b = usageBodyOf({ mode: 'counts', counts: { in: '1', cr: '', cw: '', out: '2', rs: '' } });
    expect(b.ok && b.value.format).toBe('openrouter');
  });
});

describe('pasted usage', () => {
  it('an object is the usage; format auto is left out', () => {
    expect(
      usageBodyOf({ mode: 'json', text: '{"input_tokens": 3, "output_tokens": 4}', format: '' }),
    ).toEqual({
      ok: true,
      value: { usage: { input_tokens: 3, output_tokens: 4 } },
    });
    expect(usageBodyOf({ mode: 'json', text: '{"input_tokens": 3}', format: 'anthropic' })).toEqual({
      ok: true,
      value: { usage: { input_tokens: 3 }, format: 'anthropic' },
    });
  });
  it('a whole response body is reduced to its usage member', () => {
    expect(usageOfText('{"id": "x", "choices": [], "usage": {"prompt_tokens": 5}}')).toEqual({
      ok: true,
      value: { prompt_tokens: 5 },
    });
  });
  it('malformed JSON is named before any request', () => {
    const u = usageOfText('{"prompt_tokens": 12,}');
    expect(u.ok).toBe(false);
    expect(!u.ok && u.message).toMatch(/^The usage is not valid JSON: ./);
  });
  it.each([
    ['[1, 2]', 'an array'],
    ['42', 'a number'],
    ['"x"', 'a string'],
    ['null', 'null'],
  ])('%s is not an object', (text, what) => {
    const u = usageOfText(text);
    expect(!u.ok && u.message).toBe(`The usage must be a JSON object ({…}), not ${what}.`);
  });
  it('nothing pasted', () => expect(usageOfText('  ').ok).toBe(false));
});

describe('the URL', () => {
  it('no usage key and no count: in 1000, out 500', () => {
    expect(usageStateOf(new URLSearchParams(''))).toEqual({
      mode: 'counts',
      counts: { in: '1000', cr: '', cw: '', out: '500', rs: '' },
    });
  });
  it('usage wins over counts; an unknown format is auto', () => {
    expect(usageStateOf(new URLSearchParams('usage=%7B%7D&format=nope&in=3'))).toEqual({
      mode: 'json',
      text: '{}',
      format: '',
    });
  });
  it('writing one mode removes the other’s keys', () => {
    expect(usageQueryOf({ mode: 'json', text: '{}', format: 'gemini' })).toEqual({
      in: undefined,
      cr: undefined,
      cw: undefined,
      out: undefined,
      rs: undefined,
      usage: '{}',
      format: 'gemini',
    });
    expect(usageQueryOf({ mode: 'counts', counts: { in: '5', cr: '', cw: '', out: '6', rs: '' } })).toEqual({
      usage: undefined,
      format: undefined,
      in: '5',
      cr: '0',
      cw: '0',
      out: '6',
      rs: '0',
    });
  });
});

describe('the time of the call, in UTC', () => {
  it('datetime-local ↔ at', () => {
    expect(atOfLocalInput('2026-08-19T12:00')).toBe('2026-08-19T12:00:00Z');
    expect(atOfLocalInput('2026-08-19T12:00:30')).toBe('2026-08-19T12:00:30Z');
    expect(atOfLocalInput('')).toBe('');
    expect(localInputOfAt('2026-08-19T12:00:00Z')).toBe('2026-08-19T12:00');
  });
  it('a malformed at in the URL is now', () => {
    expect(atOfQuery(new URLSearchParams('at=2026-08-19T12:00:00Z'))).toBe('2026-08-19T12:00:00Z');
    expect(atOfQuery(new URLSearchParams('at=yesterday'))).toBe('');
    expect(atOfQuery(new URLSearchParams('at=2026-13-45T12:00:00Z'))).toBe('');
  });
});

describe('monthly estimate', () => {
  it('calls a month: a whole number from 1 to 1,000,000,000', () => {
    expect(callsOf('10000')).toEqual({ ok: true, value: '10000' });
    expect(callsOf('0').ok).toBe(false);
    expect(callsOf('2.5').ok).toBe(false);
    expect(callsOf('1000000001').ok).toBe(false);
  });
  it('catalog_total × n, exact', () => {
    expect(monthlyEstimate('0.005265', '10000')).toBe('52.65');
    expect(monthlyEstimate('0.00000003', '1000000')).toBe('0.03');
    expect(monthlyEstimate('0.1', '3')).toBe('0.3');
  });
});

describe('a form’s draft keeps both modes', () => {
  it('switching mode keeps what was typed; the state is the mode’s part', () => {
    const d = draftOf({ mode: 'counts', counts: { in: '5', cr: '', cw: '', out: '6', rs: '' } });
    const json = { ...d, mode: 'json' as const, text: '{}' };
    expect(stateOfDraft(json)).toEqual({ mode: 'json', text: '{}', format: '' });
    expect(stateOfDraft({ ...json, mode: 'counts' })).toEqual({
      mode: 'counts',
      counts: { in: '5', cr: '', cw: '', out: '6', rs: '' },
    });
  });
});
