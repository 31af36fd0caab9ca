// A small robots.txt reader (RFC 9309): user-agent groups, Allow/Disallow with * and $, longest match
// wins, Allow wins a tie. Pure: the fetcher gets the text, this decides.

export interface RobotsRule {
  readonly allow: boolean;
  readonly path: string;
}

export interface RobotsGroup {
  readonly agents: readonly string[];
  readonly rules: readonly RobotsRule[];
}

export interface Robots {
  readonly groups: readonly RobotsGroup[];
}

export const ALLOW_ALL: Robots = { groups: [] };
export const DISALLOW_ALL: Robots = { groups: [{ agents: ['*'], rules: [{ allow: false, path: '/' }] }] };

export function parseRobots(text: string): Robots {
  const groups: { agents: string[]; rules: RobotsRule[] }[] = [];
  let current: { agents: string[]; rules: RobotsRule[] } | null = null;
  let lastWasAgent = false;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    if (key === 'user-agent') {
      // Consecutive user-agent lines share one group.
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything: it adds no rule.
      if (value !== '') current.rules.push({ allow: key === 'allow', path: value });
    }
  }
  return { groups };
}

function patternLength(path: string): number {
  return path.replace(/\*/g, '').replace(/\$$/, '').length;
}

function matches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const re = body
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}${anchored ? '$' : ''}`).test(path);
}

/** The group for this crawler: the most specific agent token contained in its product name, else "*". */
function groupFor(robots: Robots, userAgent: string): RobotsRule[] {
  const product = (userAgent.split('/')[0] ?? userAgent).trim().toLowerCase();
  let best: { len: number; rules: RobotsRule[] } | null = null;
  for (const g of robots.groups) {
    for (const agent of g.agents) {
      if (agent !== '*' && product.includes(agent) && (!best || agent.length > best.len)) {
        best = { len: agent.length, rules: [...g.rules] };
      }
    }
  }
  if (best) return best.rules;
  return robots.groups.filter((g) => g.agents.includes('*')).flatMap((g) => g.rules);
}

/** Whether `userAgent` may fetch `pathAndQuery` ("/docs/pricing?x=1"). */
export function robotsAllows(robots: Robots, userAgent: string, pathAndQuery: string): boolean {
  if (pathAndQuery === '/robots.txt') return true;
  let decision: { len: number; allow: boolean } | null = null;
  for (const rule of groupFor(robots, userAgent)) {
    if (!matches(rule.path, pathAndQuery)) continue;
    const len = patternLength(rule.path);
    if (!decision || len > decision.len || (len === decision.len && rule.allow))
      decision = { len, allow: rule.allow };
  }
  return decision?.allow ?? true;
}
