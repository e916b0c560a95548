// The top bar: mark, product name, version, and a small gateway status pill.
import type { AppInfo, GatewayStatus } from '../api';
import { t } from '../i18n';
import { TaijiMark } from './TaijiMark';

interface HeaderProps {
  info: AppInfo | null;
  gateway: GatewayStatus | null;
}

export function Header({ info, gateway }: HeaderProps) {
  return (
    <header className="header">
      <TaijiMark />
      <h1 className="header-title">{t.app.title}</h1>
      {info !== null && <span className="header-version">{t.app.version(info.version)}</span>}
      {gateway !== null && (
        <span className="header-status status" data-tone={gateway.state}>
          <span className="status-dot" aria-hidden="true" />
          {t.status.states[gateway.state].title}
        </span>
      )}
    </header>
  );
}
