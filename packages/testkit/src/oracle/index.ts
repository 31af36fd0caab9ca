// The independent change-detection oracle (docs/price-model.md §3), whole: the rules, the published
// values read from recorded captures, the captures themselves and the v1 comparison. The e2e figures
// (tests/e2e/expected.ts) and the oracle-versus-real-stages test (tests/unit/oracle) build on it.
export * from './price-rules.ts';
export * from './published.ts';
export * from './captures.ts';
export * from './v1-rules.ts';
