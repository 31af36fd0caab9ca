// One entry per model as two short lines (docs.venice.ai): a name line ("GLM 5`zai-org-glm-5`") and,
// below it, "Label$price" pairs ("Input Price$1.00 Output Price$3.20 Cache Read$0.20 Context 198K").
// Only the lines of one section are read (after `startAfter`, before `stopAt`).
import type { LabelledLinesParserConfig } from '../providers-config.ts';
import { NamedPrices, toComponents } from './components.ts';
import { collapse, moneyToken } from './text.ts';
import type { LayoutResult } from './types.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseLabelledLinesLayout(cfg: LabelledLinesParserConfig, body: string): LayoutResult {
  const lines = body.split(/\r?\n/).map(collapse);
  const start = lines.indexOf(collapse(cfg.startAfter));
  if (start < 0)
    return { named: [], problems: [`page layout changed: no line "${cfg.startAfter}" on the page`] };
  const stopAt = lines.indexOf(collapse(cfg.stopAt), start + 1);
  const section = lines.slice(start + 1, stopAt < 0 ? lines.length : stopAt);
  const namePattern = new RegExp(cfg.namePattern, 'u');
  // Longest label first, so "Cache Read" is never taken for a shorter label it contains.
  const labels = Object.keys(cfg.labels).sort((a, b) => b.length - a.length);
  const out = new NamedPrices();
  let entries = 0;
  let current: string | null = null;
  for (const line of section) {
    const name = namePattern.exec(line)?.[1];
    if (name !== undefined) {
      current = collapse(name);
      entries++;
      continue;
    }
    if (current === null) continue;
    let read = false;
    let rest = line;
    for (const label of labels) {
      const m = new RegExp(`(?:^|\\s)${escapeRegExp(label)}\\s*(\\$\\s?\\d[\\d,]*(?:\\.\\d+)?)`, 'iu').exec(
        rest,
      );
      if (!m) continue;
      const raw = moneyToken(m[1] ?? '');
      const spec = cfg.labels[label];
      if (raw !== null && spec !== undefined) {
        out.add(current, toComponents(spec, [{ raw, tier: null }]));
        read = true;
      }
      rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
    }
    // The first priced line is the entry's; later lines (tier notes such as ">256K context: ...") are not read.
    if (read) current = null;
  }
  const problems =
    entries === 0
      ? [`page layout changed: no model line matching /${cfg.namePattern}/ after "${cfg.startAfter}"`]
      : [];
  return { named: out.list(), problems };
}
