// The live gateway status: the current value from `gateway_state`, then every `gateway-state` event.
import { useEffect, useState } from 'react';

import { getGatewayStatus, onGatewayState, type GatewayStatus } from '../api';

/** `null` while loading; `'unavailable'` when the shell cannot be reached (e.g. a plain browser). */
export type GatewayStatusView = GatewayStatus | 'unavailable' | null;

export function useGatewayStatus(): GatewayStatusView {
  const [status, setStatus] = useState<GatewayStatusView>(null);

  useEffect(() => {
    let active = true;
    // An event is newer than the initial query, so once one has arrived the query result is ignored.
    let sawEvent = false;

    const unlisten = onGatewayState((next) => {
      sawEvent = true;
      if (active) setStatus(next);
    });
    unlisten.catch((error: unknown) => console.warn('listening to gateway-state failed', error));

    getGatewayStatus().then(
      (current) => {
        if (active && !sawEvent) setStatus(current);
      },
      (error: unknown) => {
        console.warn('gateway_state failed', error);
        if (active && !sawEvent) setStatus('unavailable');
      },
    );

    return () => {
      active = false;
      unlisten.then((stop) => stop()).catch(() => undefined);
    };
  }, []);

  return status;
}
