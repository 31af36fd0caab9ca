export { repoRoot, sharedData, sharedDataDir, stackDir } from './paths.ts';
export { readStackEnvFile, stackEnv, type StackEnv } from './env.ts';
export { uniquePrefix, waitFor, type WaitForOptions } from './wait.ts';
export {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  type ConsumeAllOptions,
  type ConsumedEvent,
  type TopicKey,
} from './kafka.ts';
export { freshDatabase, withClient, withDatabase, type FreshDatabase } from './db.ts';
export {
  portInUse,
  PrivateStackError,
  startPrivateStack,
  type PrivateStack,
  type PrivateKafkaSecurity,
  type PrivateStackOptions,
} from './private-stack.ts';
export * from './pipeline.ts';
export * from './spec.ts';
// The independent change-detection oracle (docs/price-model.md §3), for any test that needs the
// documented answer over recorded captures; all of it is `@llmpt/testkit/oracle`. The harness running
// the real stages is tests/unit/oracle/stages.ts: testkit depends on no service.
export {
  expectedRoutedChanges,
  PriceRules,
  slotLines,
  type Capture,
  type EventKind,
  type ExpectedEvent,
  type ExpectedSlotChange,
  type RuleOptions,
  type SlotChangeKind,
} from './oracle/price-rules.ts';
export {
  observationOf,
  routedObservation,
  slotId,
  slotOf,
  type PublishedObservation,
} from './oracle/published.ts';
export {
  allModalitiesCapture,
  captureOf,
  recordedSnapshotCaptures,
  seriesCaptures,
  type RecordedCapture,
} from './oracle/captures.ts';
export { compareWithV1, v1RoutedChanges, type V2VersusV1 } from './oracle/v1-rules.ts';
