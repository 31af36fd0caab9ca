// @llmpt/runtime/ops: operator tools (migrations, dead-letter inspection and redrive); loads pg.
export * from './migrate.ts';
export * from './dead-letters.ts';
export * from './acls/access.ts';
export * from './acls/bindings.ts';
export * from './acls/broker.ts';
