// Failures in the chat's words: a failed command, or the error stored on a failed turn.
import { CommandError, toCommandError, type ErrorKind } from '../../api';
import { describeError, i18n } from '../../i18n';

/** A failed command for the user (the kind's sentence, then the shell's detail). */
export function describeFailure(error: unknown): string {
  return describeError(toCommandError(error));
}

/** The error of a failed turn; a kind the catalogs do not know shows the core's message alone. */
export function describeTurnError(error: { kind: string; message: string }): string {
  if (!i18n.exists(`errors.${error.kind}`)) return error.message;
  return describeError(new CommandError(error.kind as ErrorKind, error.message));
}
