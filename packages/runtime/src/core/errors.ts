// The one error root lives in @llmpt/core (the bottom of the package graph, shared with schemas).
export * from '@llmpt/core';
