// The top bar: mark, product name, version, a small gateway status pill, and a DEMO badge while
// demo mode is on.
import type { AppInfo, GatewayStatus } from '../api';
import { useTranslation } from 'react-i18next';
import { TaijiMark } from './TaijiMark';

interface HeaderProps {
  info: AppInfo | null;
  gateway: GatewayStatus | null;
  demo: boolean;
}

export function Header({ info, gateway, demo }: HeaderProps) {
  const { t } = useTranslation();
  return (
    <header className="header">
      <TaijiMark />
      <h1 className="header-title">{t('app.title')}</h1>
      {info !== null && <span className="header-version">{t('app.version', { version: info.version })}</span>}
      {gateway !== null && (
        <span className="header-status status" data-tone={gateway.state}>
          <span className="status-dot" aria-hidden="true" />
          {t(`status.states.${gateway.state}.title`)}
        </span>
      )}
      {demo && (
        <span className="header-demo" title={t('demo.badgeTitle')}>
          {t('demo.badge')}
        </span>
      )}
    </header>
  );
}
