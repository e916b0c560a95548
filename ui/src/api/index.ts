// The only place in the UI that talks to the desktop shell (`invoke` / `listen` from @tauri-apps/api,
// and the store, clipboard and dialog plugins). Views import from here, never from @tauri-apps/*
// directly, so tests can mock one boundary.
export { CommandError, toCommandError, type ErrorKind } from './client';
export * from './demo';
export * from './desktop';
export * from './events';
export * from './keys';
export * from './log';
export * from './models';
export * from './preferences';
export * from './settings';
export * from './status';
export type * from './types';
export { ENTRY_STATUSES } from './types';
