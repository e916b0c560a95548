// The window's frame: header, sidebar navigation and the selected view, inside the query client.
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';

import { savePreference } from './api';
import { createQueryClient, useAppInfoQuery, useStatus } from './hooks/queries';
import { useRememberWindowSize } from './hooks/useRememberWindowSize';
import { Header } from './views/Header';
import { KeysView } from './views/KeysView';
import { LogView } from './views/LogView';
import { ModelsView } from './views/ModelsView';
import { OverviewView } from './views/OverviewView';
import { SettingsView } from './views/SettingsView';
import { SECTIONS, Sidebar, type Section } from './views/Sidebar';
import { StatusView } from './views/StatusView';

// The chat (Markdown, KaTeX, highlighting) loads when first shown, not with the main window.
const ChatView = lazy(() => import('./views/chat/ChatView'));

/** The shell's chat window loads `index.html#chat`: only the Chat view, full height. */
export function isChatWindow(): boolean {
  return window.location.hash === '#chat';
}

interface AppProps {
  /** The view shown first (the last one the user had open). */
  initialSection?: string | undefined;
  /** A query client to share (tests); the app makes its own otherwise. */
  client?: QueryClient;
}

export function App({ initialSection, client }: AppProps) {
  const [queryClient] = useState(() => client ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      {isChatWindow() ? (
        <Suspense>
          <ChatView standalone />
        </Suspense>
      ) : (
        <Frame initialSection={initialSection} />
      )}
    </QueryClientProvider>
  );
}

function Frame({ initialSection }: { initialSection: string | undefined }) {
  const [section, setSection] = useState<Section>(() =>
    SECTIONS.find((candidate) => candidate === initialSection) ?? 'status',
  );
  const info = useAppInfoQuery();
  const status = useStatus();
  useRememberWindowSize();

  const select = (next: Section) => {
    setSection(next);
    void savePreference('lastView', next);
  };

  return (
    <div className="app">
      <Header info={info.data ?? null} gateway={status.snapshot?.gateway ?? null} demo={status.snapshot?.demo === true} />
      <div className="app-body">
        <Sidebar current={section} onSelect={select} />
        <main className={section === 'chat' ? 'content content-chat' : 'content'}>
          {section === 'status' && <StatusView status={status} />}
          {section === 'overview' && <OverviewView />}
          {section === 'chat' && (
            <Suspense>
              <ChatView />
            </Suspense>
          )}
          {section === 'keys' && <KeysView />}
          {section === 'log' && <LogView />}
          {section === 'models' && <ModelsView />}
          {section === 'settings' && <SettingsView />}
        </main>
      </div>
    </div>
  );
}
