// The one doorway to the desktop shell: `invoke` for commands and `listen` for events. Every
// command failure arrives as `{kind, message}` (src-tauri/src/commands/error.rs) and is turned into
// a `CommandError` here, so views can branch on `kind` and show `message`.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { Command, Commands, ErrorKind as ShellErrorKind, EventPayloads } from './generated/shell';

/** `commands::ErrorKind`, plus `unavailable` when the shell itself cannot be reached. */
export type ErrorKind = ShellErrorKind | 'unavailable';

/** What `command` answers (`Ok` type of its Rust function). */
export type CommandResult<C extends Command> = Commands[C]['ok'];

/** The arguments of `command`: none, or an object that may be left out when every field is optional. */
type CommandArgs<C extends Command> = [Commands[C]['args']] extends [Record<string, never>]
  ? []
  : Partial<Commands[C]['args']> extends Commands[C]['args']
    ? [args?: Commands[C]['args']]
    : [args: Commands[C]['args']];

/** An event name the shell emits (`events.rs`). */
export type ShellEvent = keyof EventPayloads;

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

/** Calls a shell command, its name, arguments and answer checked against the generated signatures;
 * rejects with a `CommandError`. */
export async function call<C extends Command>(command: C, ...[args]: CommandArgs<C>): Promise<CommandResult<C>> {
  try {
    return await (args === undefined
      ? invoke<CommandResult<C>>(command)
      : invoke<CommandResult<C>>(command, args as Record<string, unknown>));
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Calls `handler` with every payload of `event`; resolves to a function that stops listening. */
export function subscribe<E extends ShellEvent>(
  event: E,
  handler: (payload: EventPayloads[E]) => void,
): Promise<UnlistenFn> {
  return listen<EventPayloads[E]>(event, (message) => handler(message.payload));
}
