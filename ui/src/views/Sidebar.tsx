// Section navigation. Only "Status" exists so far; the others show what is coming.
export type Section = 'status' | 'models' | 'log' | 'chat' | 'settings';

interface SectionEntry {
  id: Section;
  label: string;
  ready: boolean;
}

export const SECTIONS: readonly SectionEntry[] = [
  { id: 'status', label: 'Status', ready: true },
  { id: 'models', label: 'Models', ready: false },
  { id: 'log', label: 'Request log', ready: false },
  { id: 'chat', label: 'Chat', ready: false },
  { id: 'settings', label: 'Settings', ready: false },
];

interface SidebarProps {
  current: Section;
  onSelect: (section: Section) => void;
}

export function Sidebar({ current, onSelect }: SidebarProps) {
  return (
    <nav className="sidebar" aria-label="Sections">
      <ul>
        {SECTIONS.map((entry) => (
          <li key={entry.id}>
            <button
              type="button"
              className="sidebar-item"
              aria-current={entry.id === current ? 'page' : undefined}
              onClick={() => onSelect(entry.id)}
            >
              <span>{entry.label}</span>
              {!entry.ready && <span className="badge">Soon</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
