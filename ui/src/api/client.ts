// The one doorway to the desktop shell: `invoke` for commands and `listen` for events. Every
// command failure arrives as `{kind, message}` (src-tauri/src/commands/error.rs) and is turned into
// a `CommandError` here, so views can branch on `kind` and show `message`.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { Command } from './generated/shell';

/** `commands::ErrorKind`, plus `unavailable` when the shell itself cannot be reached. */
export type ErrorKind =
  | 'not_signed_in'
  | 'invalid_credentials'
  | 'network'
  | 'upstream'
  | 'invalid'
  | 'not_found'
  | 'gateway'
  | 'storage'
  | 'unsupported'
  | 'internal'
  | 'unavailable';

export class CommandError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'CommandError';
    this.kind = kind;
  }
}

function isShellError(value: unknown): value is { kind: ErrorKind; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns anything a failed `invoke` rejects with into a `CommandError`. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  if (isShellError(error)) return new CommandError(error.kind, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError('unavailable', message);
}

/** Calls a shell command (its name checked against the generated list); rejects with a `CommandError`. */
export async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await (args === undefined ? invoke<T>(command) : invoke<T>(command, args));
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Calls `handler` with every payload of `event`; resolves to a function that stops listening. */
export function subscribe<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (message) => handler(message.payload));
}
