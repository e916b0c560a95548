// The window's frame: header, sidebar navigation and the selected screen.
import { useState } from 'react';

import { useAppInfo } from './hooks/useAppInfo';
import { Header } from './views/Header';
import { PlaceholderView } from './views/PlaceholderView';
import { Sidebar, type Section } from './views/Sidebar';
import { StatusView } from './views/StatusView';

export function App() {
  const [section, setSection] = useState<Section>('status');
  const info = useAppInfo();

  return (
    <div className="app">
      <Header info={info} />
      <div className="app-body">
        <Sidebar current={section} onSelect={setSection} />
        <main className="content">
          {section === 'status' ? <StatusView /> : <PlaceholderView section={section} />}
        </main>
      </div>
    </div>
  );
}
