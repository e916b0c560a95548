// One user action that runs a shell command: `busy` while it runs (for the button), and `failure`,
// the command's error in the UI's language (for an ErrorNote), until the next run.
import { useCallback, useState } from 'react';

import { toCommandError, type CommandError } from '../api';
import { describeError } from '../i18n';

export interface Action {
  busy: boolean;
  failure: string | null;
  setFailure: (failure: string | null) => void;
  /** Runs `command`; `onDone` gets its answer, `describe` words a failure (default: `describeError`). */
  run: <T>(command: () => Promise<T>, onDone?: (value: T) => void, describe?: (error: CommandError) => string) => Promise<void>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = useCallback(
    async <T,>(command: () => Promise<T>, onDone?: (value: T) => void, describe = describeError) => {
      setBusy(true);
      setFailure(null);
      try {
        const value = await command();
        onDone?.(value);
      } catch (error) {
        setFailure(describe(toCommandError(error)));
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  return { busy, failure, setFailure, run };
}
