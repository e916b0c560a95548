// Section navigation.
import { useTranslation } from 'react-i18next';

export type Section = 'status' | 'overview' | 'chat' | 'keys' | 'log' | 'models' | 'settings';

export const SECTIONS: readonly Section[] = ['status', 'overview', 'chat', 'keys', 'log', 'models', 'settings'];

interface SidebarProps {
  current: Section;
  onSelect: (section: Section) => void;
}

export function Sidebar({ current, onSelect }: SidebarProps) {
  const { t } = useTranslation();
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <ul>
        {SECTIONS.map((section) => (
          <li key={section}>
            <button
              type="button"
              className="sidebar-item"
              data-testid="nav-item"
              data-section={section}
              aria-current={section === current ? 'page' : undefined}
              onClick={() => onSelect(section)}
            >
              {t(`nav.${section}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
