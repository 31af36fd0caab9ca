// The ACL data (docs/kafka-acls.md, @llmpt/runtime/ops principalAccess) names the consumer groups and the
// transactional id the services use: their own config schemas' defaults, read here, must be those names
// (a renamed default would otherwise leave a service without access, found only on a secured broker).
import { describe, expect, it } from 'vitest';
import { expandName, principalAccess } from '@llmpt/runtime/ops';
import { normalizerEnvSchema } from '@llmpt/normalizer';
import { notifierEnvSchema } from '@llmpt/notifier';
import { scraperEnvSchema } from '@llmpt/scraper';
import { sinkEnvSchema } from '@llmpt/sink';

/** A config variable's default: its schema parsed with the variable unset. */
const defaultOf = (schema: { readonly shape: object }, name: string): unknown =>
  (schema.shape as Record<string, { parse(v: undefined): unknown } | undefined>)[name]?.parse(undefined);

const access = (name: string) => {
  const p = principalAccess.find((a) => a.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p;
};
/** The principal's own (Read) literal groups, with an empty prefix. */
const ownGroups = (name: string) =>
  access(name)
    .groups.filter((g) => g.operation === 'Read' && g.pattern === 'literal')
    .map((g) => expandName(g.name, ''));

describe('the ACLs name the groups and transactional id the services use', () => {
  const services = [
    ['llmpt-scraper', scraperEnvSchema],
    ['llmpt-normalizer', normalizerEnvSchema],
    ['llmpt-sink', sinkEnvSchema],
    ['llmpt-notifier', notifierEnvSchema],
  ] as const;

  it.each(services)('%s: its GROUP_ID default', (principal, schema) => {
    expect(ownGroups(principal)).toEqual([defaultOf(schema, 'GROUP_ID')]);
  });

  it('ops may describe (lag), not join, each of those groups', () => {
    const described = access('llmpt-ops')
      .groups.filter((g) => g.operation === 'Describe')
      .map((g) => expandName(g.name, ''))
      .sort();
    expect(described).toEqual(services.map(([, schema]) => defaultOf(schema, 'GROUP_ID')).sort());
  });

  it("the normalizer's TRANSACTIONAL_ID default, without a prefix", () => {
    expect(access('llmpt-normalizer').transactionalIds.map((t) => expandName(t.name, ''))).toEqual([
      defaultOf(normalizerEnvSchema, 'TRANSACTIONAL_ID'),
    ]);
  });
});
