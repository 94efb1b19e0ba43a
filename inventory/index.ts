// The inventory: the one validated model of the province everything else is derived from.
export * from './schema.ts';
export * from './problems.ts';
export * from './load.ts';
export * from './checklist.ts';
export * from './model.ts';
export * from './net.ts';
export * from './slug.ts';
export * from './status.ts';
export * from './generated.ts';
export * from './slice.ts';
export * from './bcrypt-gate.ts';
export * from './names.ts';
export * from './national.ts';
export * from './remedies.ts';
export * from './url-list.ts';
export * from './remote-write.ts';
export * from './push-token.ts';
