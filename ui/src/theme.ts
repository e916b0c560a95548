// The colour theme: system, light or dark. The page's `data-theme` attribute always holds the
// resolved scheme (`light` or `dark`), which styles.css keys its colour variables on; with
// `system` it follows the OS (prefers-color-scheme) live.
import { savePreference, type Theme } from './api';

let chosen: Theme = 'system';
let stopFollowing: (() => void) | null = null;

function systemScheme(): 'light' | 'dark' {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The theme chosen now. */
export function currentTheme(): Theme {
  return chosen;
}

/** Applies `theme` to the page; `save` also remembers it. */
export async function changeTheme(theme: Theme, save = true): Promise<void> {
  chosen = theme;
  stopFollowing?.();
  stopFollowing = null;
  const root = document.documentElement;
  if (theme === 'system') {
    root.dataset['theme'] = systemScheme();
    const query = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (query) {
      const follow = () => {
        root.dataset['theme'] = systemScheme();
      };
      query.addEventListener('change', follow);
      stopFollowing = () => query.removeEventListener('change', follow);
    }
  } else {
    root.dataset['theme'] = theme;
  }
  if (save) await savePreference('theme', theme);
}
