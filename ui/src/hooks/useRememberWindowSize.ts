// Remembers the window's size in the UI preferences (main.tsx restores it at the next start), once a
// drag settles rather than on every step of it.
import { useEffect } from 'react';

import { onWindowResized, savePreference } from '../api';

const SETTLE_MS = 500;

export function useRememberWindowSize(): void {
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stop: (() => void) | null = null;
    void onWindowResized((size) => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void savePreference('windowSize', size), SETTLE_MS);
    }).then((unlisten) => {
      if (active) stop = unlisten;
      else unlisten();
    });
    return () => {
      active = false;
      if (timer !== null) clearTimeout(timer);
      stop?.();
    };
  }, []);
}
