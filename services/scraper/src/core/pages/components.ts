import type { DimensionSpec } from '../providers-config.ts';
import type { NamedPrice, PageComponent } from './types.ts';
import type { CellValue } from './text.ts';
import { joinTiers } from './text.ts';

export function dimensionOf(spec: DimensionSpec): { dimension: string; unit: string } {
  return typeof spec === 'string' ? { dimension: spec, unit: 'per_1m_tokens' } : spec;
}

export function toComponents(
  spec: DimensionSpec,
  values: readonly CellValue[],
  ...tiers: (string | null)[]
): PageComponent[] {
  const { dimension, unit } = dimensionOf(spec);
  return values.map((v) => ({
    dimension,
    raw_value: v.raw,
    unit,
    currency: 'USD',
    tier: joinTiers(...tiers, v.tier),
  }));
}

/** Collects components per page name in page order; the same name seen twice (two tables) is merged. */
export class NamedPrices {
  private readonly byName = new Map<string, PageComponent[]>();

  add(pageName: string, components: readonly PageComponent[]): void {
    if (components.length === 0) return;
    const list = this.byName.get(pageName) ?? [];
    for (const c of components) {
      if (!list.some((x) => x.dimension === c.dimension && x.tier === c.tier)) list.push(c);
    }
    this.byName.set(pageName, list);
  }

  list(): NamedPrice[] {
    return [...this.byName].map(([pageName, components]) => ({ pageName, components }));
  }
}
