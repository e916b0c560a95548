// The live status: the `status` snapshot once, then the gateway, account and gauge events.
import { useCallback, useEffect, useState } from 'react';

import {
  getStatus,
  onAccountState,
  onGatewayState,
  onGauges,
  toCommandError,
  type CommandError,
  type StatusSnapshot,
} from '../api';
import { useShellEvent } from './useShellEvent';

export interface StatusModel {
  /** `null` until the first answer. */
  snapshot: StatusSnapshot | null;
  /** Set when the shell could not be asked. */
  error: CommandError | null;
  /** Replaces the snapshot (e.g. with a command's answer). */
  apply: (snapshot: StatusSnapshot) => void;
  /** Asks the shell again. */
  reload: () => void;
}

export function useStatus(): StatusModel {
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  const reload = useCallback(() => {
    getStatus().then(
      (next) => {
        setSnapshot(next);
        setError(null);
      },
      (failure: unknown) => setError(toCommandError(failure)),
    );
  }, []);

  useEffect(reload, [reload]);

  useShellEvent(onGatewayState, (event) =>
    setSnapshot((current) => (current === null ? current : { ...current, gateway: event.status, url: event.url, demo: event.demo })),
  );
  useShellEvent(onAccountState, (event) =>
    setSnapshot((current) => (current === null ? current : { ...current, account: event.account, login: event.login, sign_in: event.sign_in })),
  );
  useShellEvent(onGauges, (gauges) => setSnapshot((current) => (current === null ? current : { ...current, gauges })));

  return { snapshot, error, apply: setSnapshot, reload };
}
