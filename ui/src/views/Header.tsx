// The top bar: mark, product name and version.
import type { AppInfo } from '../api';
import { TaijiMark } from './TaijiMark';

interface HeaderProps {
  info: AppInfo | null;
}

export function Header({ info }: HeaderProps) {
  return (
    <header className="header">
      <TaijiMark />
      <h1 className="header-title">Taiji Gateway</h1>
      {info !== null && <span className="header-version">v{info.version}</span>}
    </header>
  );
}
