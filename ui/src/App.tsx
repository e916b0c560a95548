// The window's frame: header, sidebar navigation and the selected view.
import { useState } from 'react';

import { useAppInfo } from './hooks/useAppInfo';
import { useStatus } from './hooks/useStatus';
import { Header } from './views/Header';
import { KeysView } from './views/KeysView';
import { LogView } from './views/LogView';
import { ModelsView } from './views/ModelsView';
import { SettingsView } from './views/SettingsView';
import { Sidebar, type Section } from './views/Sidebar';
import { StatusView } from './views/StatusView';

export function App() {
  const [section, setSection] = useState<Section>('status');
  const info = useAppInfo();
  const status = useStatus();

  return (
    <div className="app">
      <Header info={info} gateway={status.snapshot?.gateway ?? null} demo={status.snapshot?.demo === true} />
      <div className="app-body">
        <Sidebar current={section} onSelect={setSection} />
        <main className="content">
          {section === 'status' && <StatusView status={status} />}
          {section === 'keys' && <KeysView />}
          {section === 'log' && <LogView />}
          {section === 'models' && <ModelsView />}
          {section === 'settings' && <SettingsView />}
        </main>
      </div>
    </div>
  );
}
