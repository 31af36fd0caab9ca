export * from './generated.ts';
export * from './ids.ts';
export { CHANGE_DIGEST_FIELDS, changeDigest, versionOf } from './change-digest.ts';
export * from './codec.ts';
export { assertSoundEvent, eventProblems, MONEY_FIELDS, type MoneyValues } from './invariants.ts';
export { parsingCanonicalForm, parsingFingerprint64, rabinFingerprint64 } from './fingerprint.ts';
export { defaultSchemaDir, SchemaLoadError } from './registry.ts';
export * from './dimensions.ts';
export * from './tiers.ts';
