// Deterministic JSON: object keys sorted (code-point order), two-space indentation, a final newline.
// Numbers are printed as JavaScript prints them (shortest round-trip form), so the same value always
// gives the same bytes.

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  return v;
}

export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
