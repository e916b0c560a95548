// Entry point: applies the saved UI preferences (language, theme, last view), then mounts the app
// into index.html's #root.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { loadPreferences, setWindowSize } from './api';
import { App, isChatWindow } from './App';
import { changeLanguage, initialLanguage } from './i18n';
import './styles.css';
import { changeTheme } from './theme';

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (root === null) {
    throw new Error('index.html has no #root element');
  }
  const preferences = await loadPreferences();
  // The first start has no saved language: the system's is used and remembered, so the tray agrees.
  await changeLanguage(initialLanguage(preferences.language), preferences.language === undefined);
  await changeTheme(preferences.theme ?? 'system', false);
  // The saved size is the main window's; the chat window keeps the size the shell gives it.
  if (preferences.windowSize !== undefined && !isChatWindow()) {
    setWindowSize(preferences.windowSize).catch((error: unknown) => console.warn('could not restore the window size', error));
  }
  createRoot(root).render(
    <StrictMode>
      <App initialSection={preferences.lastView} />
    </StrictMode>,
  );
}

void start();
