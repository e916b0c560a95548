// Listens to one shell event for as long as the component is mounted.
import type { UnlistenFn } from '@tauri-apps/api/event';
import { useEffect, useLayoutEffect, useRef } from 'react';

export function useShellEvent<T>(
  subscribe: (handler: (payload: T) => void) => Promise<UnlistenFn>,
  handler: (payload: T) => void,
): void {
  // The latest handler is called without re-subscribing on every render.
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });

  useEffect(() => {
    let active = true;
    let stop: UnlistenFn | null = null;
    subscribe((payload) => {
      if (active) latest.current(payload);
    }).then(
      (unlisten) => {
        if (active) stop = unlisten;
        else unlisten();
      },
      (error: unknown) => console.warn('could not listen to a shell event', error),
    );
    return () => {
      active = false;
      stop?.();
    };
  }, [subscribe]);
}
