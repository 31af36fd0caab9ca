// The real stages (discovery → scraper's routed observation → normalizer) over recorded `/models`
// captures publish exactly the PriceChanged set the independent oracle computes from
// docs/price-model.md §3, per (price key, tier, dimension): kinds, values, relative changes, alerts.
// The dedicated cases below state their arithmetic, and every one is checked on both sides.
import { beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from '@llmpt/core';
import {
  allModalitiesCapture,
  captureOf,
  entriesOf,
  recordedSnapshotCaptures,
  seriesCaptures,
  type RecordedCapture,
  expectedRoutedChanges,
  slotLines,
  D,
  money,
  priceOf,
  compareWithV1,
  v1RoutedChanges,
} from '@llmpt/testkit/oracle';
import { asExpected, runStages } from './stages.ts';

interface Side {
  readonly name: 'oracle' | 'pipeline';
  lines: string[];
}

/** The oracle's and the real stages' slot lines for the same captures (the stages' error kept). */
function bothSides(captures: readonly RecordedCapture[]): {
  oracle: Side;
  pipeline: Side;
  error: Error | null;
} {
  const oracle: Side = { name: 'oracle', lines: slotLines(expectedRoutedChanges(captures)) };
  const pipeline: Side = { name: 'pipeline', lines: [] };
  let error: Error | null = null;
  try {
    pipeline.lines = slotLines(runStages(captures).map((p) => asExpected(p.capture, p.event)));
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }
  return { oracle, pipeline, error };
}

function expectSame(sides: ReturnType<typeof bothSides>): void {
  if (sides.error) throw sides.error;
  const want = new Set(sides.oracle.lines);
  const got = new Set(sides.pipeline.lines);
  const missing = sides.oracle.lines.filter((l) => !got.has(l));
  const extra = sides.pipeline.lines.filter((l) => !want.has(l));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  expect(sides.pipeline.lines).toEqual(sides.oracle.lines); // same multiplicity too
}

/** Lines of one capture and model, without the capture index. */
const linesAt = (side: Side, capture: number, model: string): string[] =>
  side.lines
    .filter((l) => l.startsWith(`${capture} ${model}||openrouter_api `))
    .map((l) => l.slice(l.indexOf(' ') + 1));

/** Runs a dedicated assertion on the oracle and on the pipeline (which fails while the stages do). */
function onBothSides(sides: () => ReturnType<typeof bothSides>, check: (side: Side) => void): void {
  it('oracle', () => check(sides().oracle));
  it('pipeline', () => {
    const { error } = sides();
    if (error) throw error;
    check(sides().pipeline);
  });
}

const R = 'openrouter_api';
// Reading 63 captures and running every stage over them takes seconds on a loaded 2-core machine.
const SLOW = 120_000;

describe('the 63 daily captures of the skissue series (2026-02-27 → 2026-05-01)', () => {
  let captures: RecordedCapture[] = [];
  let sides: ReturnType<typeof bothSides>;
  const get = () => sides;
  const idx = (stamp: string): number => captures.findIndex((c) => c.label.startsWith(stamp));

  beforeAll(() => {
    captures = seriesCaptures();
    sides = bothSides(captures);
  }, SLOW);

  it('has 63 captures, all whole catalogs', () => {
    expect(captures).toHaveLength(63);
    expect(captures.every((c) => c.complete)).toBe(true);
  });

  it('the pipeline publishes exactly the oracle set, per slot', () => expectSame(sides));

  describe("issue 11's named blinks (qwen3.5-397b-a17b 03-04, glm-5 03-11): nothing on the first absence, removed on the second, a return compared with the last known value", () => {
    onBothSides(get, (s) => {
      const q = 'qwen/qwen3.5-397b-a17b';
      // 03-04 drops input_cache_read (0.00000055 → $0.55/1M): only the real prompt/completion moves.
      // prompt 0.55 → 0.39: (0.39 − 0.55)/0.55 = −0.29090909 (below 0.30); completion 3.5 → 2.34: −0.33142857.
      expect(linesAt(s, idx('20260304'), q)).toEqual([
        `${q}||${R} changed [base] completion changed 3.50000000 -> 2.34000000 rel=-0.33142857 alert=true`,
        `${q}||${R} changed [base] prompt changed 0.55000000 -> 0.39000000 rel=-0.29090909 alert=true`,
      ]);
      expect(linesAt(s, idx('20260305'), q)).toEqual([
        `${q}||${R} changed [base] input_cache_read removed 0.55000000 -> null rel=null alert=false`,
      ]);
      // Back on 04-17 at 0.000000195: (0.195 − 0.55)/0.55 = −0.64545455, an alert; v1 said "null → 0.195".
      expect(linesAt(s, idx('20260417'), q)).toEqual([
        `${q}||${R} changed [base] input_cache_read returned 0.55000000 -> 0.19500000 rel=-0.64545455 alert=true`,
      ]);
      const g = 'z-ai/glm-5';
      expect(linesAt(s, idx('20260311'), g).filter((l) => l.includes('input_cache_read'))).toEqual([]);
      expect(linesAt(s, idx('20260312'), g)).toEqual([
        `${g}||${R} changed [base] input_cache_read removed 0.16000000 -> null rel=null alert=false`,
      ]);
      // 04-22: 0.13 vs the last known 0.16: −0.1875, no alert.
      expect(linesAt(s, idx('20260422'), g).filter((l) => l.includes('input_cache_read'))).toEqual([
        `${g}||${R} changed [base] input_cache_read returned 0.16000000 -> 0.13000000 rel=-0.18750000 alert=false`,
      ]);
    });
  });

  describe('one-capture blinks publish nothing, and a value back at another price compares with the last known one', () => {
    onBothSides(get, (s) => {
      // deepseek-v3.2 lacks input_cache_read on 03-18 only, back on 03-19 at the same 0.13.
      for (const stamp of ['20260318', '20260319'])
        expect(linesAt(s, idx(stamp), 'deepseek/deepseek-v3.2').filter((l) => l.includes('cache'))).toEqual(
          [],
        );
      // glm-5.1 lacks it on 04-10, back on 04-11 at 0.000000475 vs the last known 0.26: +0.82692308.
      expect(linesAt(s, idx('20260410'), 'z-ai/glm-5.1').filter((l) => l.includes('cache'))).toEqual([]);
      expect(linesAt(s, idx('20260411'), 'z-ai/glm-5.1').filter((l) => l.includes('cache'))).toEqual([
        `z-ai/glm-5.1||${R} changed [base] input_cache_read changed 0.26000000 -> 0.47500000 rel=0.82692308 alert=true`,
      ]);
      // Whole models missing from one snapshot: nothing, then nothing (same prices) on their return.
      expect(linesAt(s, idx('20260303'), 'arcee-ai/trinity-mini')).toEqual([]);
      expect(linesAt(s, idx('20260302'), 'arcee-ai/trinity-mini')).toEqual([]);
      expect(linesAt(s, idx('20260331'), 'arcee-ai/trinity-large-preview:free')).toEqual([]);
    });
  });

  describe('a model gone from 2 snapshots is removed; its return is `returned`, never `new`', () => {
    onBothSides(get, (s) => {
      const m = 'allenai/olmo-3.1-32b-think';
      // Listed on 02-27 18:40 and 18:49, absent at 23:54 and on 03-02, back on 03-03.
      expect(linesAt(s, 2, m)).toEqual([]);
      expect(linesAt(s, 3, m)).toEqual([
        `${m}||${R} removed [base] completion removed 0.50000000 -> null rel=null alert=false`,
        `${m}||${R} removed [base] prompt removed 0.15000000 -> null rel=null alert=false`,
      ]);
      expect(linesAt(s, 4, m)).toEqual([
        `${m}||${R} returned [base] completion returned 0.50000000 -> 0.50000000 rel=0.00000000 alert=false`,
        `${m}||${R} returned [base] prompt returned 0.15000000 -> 0.15000000 rel=0.00000000 alert=false`,
      ]);
      expect(s.lines.filter((l) => !l.startsWith('0 ') && l.includes(`${m}||${R} new`))).toEqual([]);
    });
  });

  describe('alerts only as documented: a move to zero and back, an expiration date', () => {
    onBothSides(get, (s) => {
      const k = 'moonshotai/kimi-k2.5';
      // 04-18: every price "0" (a transient zero): a move to zero alerts, rel −1; back the next day
      // from zero: relative change null, still an alert.
      expect(linesAt(s, idx('20260418'), k)).toContain(
        `${k}||${R} changed [base] prompt changed 0.38270000 -> 0.00000000 rel=-1.00000000 alert=true`,
      );
      expect(linesAt(s, idx('20260419'), k)).toContain(
        `${k}||${R} changed [base] prompt changed 0.00000000 -> 0.38270000 rel=null alert=true`,
      );
      expect(linesAt(s, idx('20260311'), 'inception/mercury')).toEqual([
        `inception/mercury||${R} expiring 2026-04-15 alert=true`,
      ]);
    });
  });

  describe('float artifacts are no change', () => {
    let artifacts: { capture: number; model: string; key: string }[] = [];
    beforeAll(() => {
      artifacts = floatArtifacts(captures);
    });
    onBothSides(get, (s) => {
      expect(artifacts.length).toBeGreaterThan(0);
      for (const a of artifacts)
        expect(
          linesAt(s, a.capture, a.model).filter((l) => l.includes(` ${a.key} changed `)),
          `${a.capture} ${a.model} ${a.key}`,
        ).toEqual([]);
    });
  });

  it(
    'prints the closing-note figures (v2 rules against v1 rules)',
    () => {
      const v2 = expectedRoutedChanges(captures);
      const figures = compareWithV1(captures, v2, v1RoutedChanges(captures));
      console.info('[oracle] series figures', JSON.stringify(figures));
      expect(figures.v2.events).toBeGreaterThan(0);
    },
    SLOW,
  );
});

interface EditableEntry {
  pricing: Record<string, string> & { overrides: Record<string, string>[] };
}

/** Consecutive observations of a key whose published text differs but not its value at scale 8. */
function floatArtifacts(
  captures: readonly RecordedCapture[],
): { capture: number; model: string; key: string }[] {
  const out: { capture: number; model: string; key: string }[] = [];
  const last = new Map<string, string>();
  captures.forEach((c, capture) => {
    for (const e of c.models) {
      if (!isRecord(e) || !isRecord(e.pricing) || typeof e.id !== 'string') continue;
      for (const [key, raw] of Object.entries(e.pricing)) {
        if (typeof raw !== 'string' || key === 'image') continue;
        const id = `${e.id} ${key}`;
        const before = last.get(id);
        last.set(id, raw);
        const a = before === undefined ? null : priceOf(before);
        const b = priceOf(raw);
        if (a === null || b === null || before === raw) continue;
        if (money(a.times(1e6)) === money(b.times(1e6)) && !a.eq(b))
          out.push({ capture, model: e.id, key: key === 'audio' ? 'input_audio' : key });
      }
    }
  });
  return out;
}

describe('the recorded mid-2026 snapshots (2026-05-18, 06-16, 08-01, 08-19): tiers, 1 h cache writes, audio', () => {
  let sides: ReturnType<typeof bothSides>;
  const get = () => sides;
  let captures: RecordedCapture[] = [];
  beforeAll(() => {
    captures = recordedSnapshotCaptures();
    sides = bothSides(captures);
  }, SLOW);

  it('the pipeline publishes exactly the oracle set, per slot', () => expectSame(sides));

  describe('tier moves and a base move under new time-of-day tiers', () => {
    onBothSides(get, (s) => {
      const sol = linesAt(s, 3, 'openai/gpt-5.6-sol');
      // The 272k tier halves: prompt 0.00001 → 0.000005 per token = 10 → 5 per 1M, rel −0.5.
      expect(sol).toContain(
        `openai/gpt-5.6-sol||${R} changed [prompt_tokens>=272000] prompt changed 10.00000000 -> 5.00000000 rel=-0.50000000 alert=true`,
      );
      const grok = linesAt(s, 3, '~x-ai/grok-latest');
      // Tier cache read 0.6 → 1.0 (+0.66666667) while the tier's prompt and completion stay.
      expect(grok).toEqual([
        `~x-ai/grok-latest||${R} changed [base] input_cache_read changed 0.30000000 -> 0.50000000 rel=0.66666667 alert=true`,
        `~x-ai/grok-latest||${R} changed [prompt_tokens>=200000] input_cache_read changed 0.60000000 -> 1.00000000 rel=0.66666667 alert=true`,
      ]);
      // deepseek-v4-pro: the off-peak base 0.435 → 0.66 is +51.7 % (0.225/0.435 = 0.51724138), and
      // its four UTC windows are new tiers, the one wrapping midnight printed 10:00-01:00.
      const ds = linesAt(s, 3, 'deepseek/deepseek-v4-pro');
      expect(ds).toContain(
        `deepseek/deepseek-v4-pro||${R} changed [base] prompt changed 0.43500000 -> 0.66000000 rel=0.51724138 alert=true`,
      );
      expect(ds).toContain(
        `deepseek/deepseek-v4-pro||${R} changed [utc 10:00-01:00] prompt new null -> 0.66000000 rel=null alert=true`,
      );
    });
  });

  describe('input_audio (OpenRouter `audio`) moves and input_cache_write_1h appears', () => {
    onBothSides(get, (s) => {
      expect(linesAt(s, 2, '~google/gemini-flash-latest')).toContain(
        `~google/gemini-flash-latest||${R} changed [base] input_audio changed 3.00000000 -> 1.50000000 rel=-0.50000000 alert=true`,
      );
      // A dimension published for the first time on a known key: `new`, and it does not alert.
      expect(linesAt(s, 2, 'anthropic/claude-sonnet-4.6')).toEqual([
        `anthropic/claude-sonnet-4.6||${R} changed [base] input_cache_write_1h new null -> 6.00000000 rel=null alert=false`,
      ]);
    });
  });

  it(
    'prints the closing-note figures (v2 rules against v1 rules)',
    () => {
      const figures = compareWithV1(captures, expectedRoutedChanges(captures), v1RoutedChanges(captures));
      console.info('[oracle] recorded snapshots figures', JSON.stringify(figures));
      // input_audio and input_audio_cache moves had no v1 column.
      expect(figures.invisibleToV1.newDimension).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe('derived days (real 2026-08-19 entries, one price edited): a base-only move under an unchanged tier, 1 h cache-write and audio moves', () => {
  let sides: ReturnType<typeof bothSides>;
  const get = () => sides;
  let captures: RecordedCapture[] = [];
  beforeAll(() => {
    const [, , , real] = recordedSnapshotCaptures();
    const pick = (id: string) =>
      structuredClone(entriesOf(real!.body).find((e) => isRecord(e) && e.id === id));
    const day1 = [pick('google/gemini-2.5-pro'), pick('anthropic/claude-sonnet-4.6')] as EditableEntry[];
    const day2 = structuredClone(day1);
    // gemini-2.5-pro: base prompt and audio 0.00000125 → 0.000001, its 200k tier untouched.
    day2[0]!.pricing.prompt = '0.000001';
    day2[0]!.pricing.audio = '0.000001';
    // claude-sonnet-4.6: the 1 h cache write 0.000006 → 0.0000045.
    day2[1]!.pricing.input_cache_write_1h = '0.0000045';
    const day3 = structuredClone(day2);
    // gemini-2.5-pro: the tier's prompt 0.0000025 → 0.0000035, the base untouched.
    day3[0]!.pricing.overrides[0]!.prompt = '0.0000035';
    captures = [day1, day2, day3].map((d, i) =>
      captureOf(`derived-${i + 1}`, Date.parse(`2026-08-${20 + i}T12:00:00Z`), { data: d }),
    );
    sides = bothSides(captures);
  }, SLOW);

  it('the pipeline publishes exactly the oracle set, per slot', () => expectSame(sides));

  onBothSides(get, (s) => {
    // (1.00 − 1.25)/1.25 = −0.2: no alert; the highest prompt (the tier's 2.50) does not move, so
    // v1's column never saw it.
    expect(linesAt(s, 1, 'google/gemini-2.5-pro')).toEqual([
      `google/gemini-2.5-pro||${R} changed [base] input_audio changed 1.25000000 -> 1.00000000 rel=-0.20000000 alert=false`,
      `google/gemini-2.5-pro||${R} changed [base] prompt changed 1.25000000 -> 1.00000000 rel=-0.20000000 alert=false`,
    ]);
    // (4.5 − 6)/6 = −0.25.
    expect(linesAt(s, 1, 'anthropic/claude-sonnet-4.6')).toEqual([
      `anthropic/claude-sonnet-4.6||${R} changed [base] input_cache_write_1h changed 6.00000000 -> 4.50000000 rel=-0.25000000 alert=false`,
    ]);
    // (3.5 − 2.5)/2.5 = +0.4 ≥ 0.30: an alert.
    expect(linesAt(s, 2, 'google/gemini-2.5-pro')).toEqual([
      `google/gemini-2.5-pro||${R} changed [prompt_tokens>=200000] prompt changed 2.50000000 -> 3.50000000 rel=0.40000000 alert=true`,
    ]);
    expect(new D('3.5').minus('2.5').div('2.5').toFixed(8)).toBe('0.40000000');
  });

  it('v1 saw neither the base-only move nor the 1 h cache-write move', () => {
    const figures = compareWithV1(captures, expectedRoutedChanges(captures), v1RoutedChanges(captures));
    console.info('[oracle] derived days figures', JSON.stringify(figures));
    expect(figures.invisibleToV1).toEqual({ baseOnly: 1, tier: 0, newDimension: 2, other: 0 });
  });
});

describe('speech-to-text models (2026-08-19, all modalities): the per-duration prompt is kept raw, not priced', () => {
  let sides: ReturnType<typeof bothSides>;
  const get = () => sides;
  beforeAll(() => {
    sides = bothSides([allModalitiesCapture()]);
  }, SLOW);

  it('the pipeline publishes exactly the oracle set, per slot', () => expectSame(sides));

  onBothSides(get, (s) => {
    // whisper-1 publishes prompt "0.006" (per minute) and completion "0": only completion is a price.
    expect(linesAt(s, 0, 'openai/whisper-1')).toEqual([
      `openai/whisper-1||${R} new [base] completion new null -> 0.00000000 rel=null alert=false`,
    ]);
  });
});
