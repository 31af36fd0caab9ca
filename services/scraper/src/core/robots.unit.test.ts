import { describe, expect, it } from 'vitest';
import { parseRobots, robotsAllows } from './robots.ts';

const robots = parseRobots(`
# comment
User-agent: *
Disallow: /private
Allow: /private/pricing$
Disallow: /*.pdf$

User-agent: llm-price-tracker
User-agent: other-bot
Disallow: /docs/
Allow: /docs/pricing
`);

describe('robots.txt', () => {
  it('uses the group naming our product token, longest match wins, Allow wins ties', () => {
    const ua = 'llm-price-tracker/0.1 (+https://x)';
    expect(robotsAllows(robots, ua, '/docs/pricing')).toBe(true);
    expect(robotsAllows(robots, ua, '/docs/models')).toBe(false);
    // Our group replaces "*": /private is allowed for us.
    expect(robotsAllows(robots, ua, '/private')).toBe(true);
  });
  it('falls back to "*" with wildcards and $ anchors', () => {
    const ua = 'somebot/1.0';
    expect(robotsAllows(robots, ua, '/private/x')).toBe(false);
    expect(robotsAllows(robots, ua, '/private/pricing')).toBe(true);
    expect(robotsAllows(robots, ua, '/private/pricing/more')).toBe(false);
    expect(robotsAllows(robots, ua, '/a/b.pdf')).toBe(false);
    expect(robotsAllows(robots, ua, '/a/b.pdf?x')).toBe(true);
    expect(robotsAllows(robots, ua, '/pricing')).toBe(true);
  });
  it('an empty Disallow allows all', () => {
    expect(robotsAllows(parseRobots('User-agent: *\nDisallow:\n'), 'x', '/anything')).toBe(true);
  });
});
