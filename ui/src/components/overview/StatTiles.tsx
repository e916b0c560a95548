// Today at a glance: requests, tokens, points and errors, one tile each.
import { useTranslation } from 'react-i18next';

import { formatNumber } from '../../lib/format';
import type { Totals } from '../../lib/overview';

export function StatTiles({ today }: { today: Totals | null }) {
  const { t } = useTranslation();
  const tiles: { key: keyof Totals; label: string }[] = [
    { key: 'requests', label: t('overview.today.requests') },
    { key: 'tokens', label: t('overview.today.tokens') },
    { key: 'points', label: t('overview.today.points') },
    { key: 'errors', label: t('overview.today.errors') },
  ];
  return (
    <section className="ov-tiles" aria-label={t('overview.today.heading')}>
      {tiles.map((tile) => (
        <div key={tile.key} className="ov-tile" data-metric={tile.key}>
          <span className="ov-tile-label">{tile.label}</span>
          <span className="ov-tile-value" data-alert={tile.key === 'errors' && (today?.errors ?? 0) > 0 ? 'true' : undefined}>
            {today === null ? '—' : formatNumber(today[tile.key])}
          </span>
        </div>
      ))}
    </section>
  );
}
