// The account's points balance (the site's `user_plan`) and the plans it comes from.
import { useTranslation } from 'react-i18next';

import type { CommandError, PointsBalance } from '../../api';
import { describeError } from '../../i18n';
import { formatNumber } from '../../lib/format';
import { Card } from '../Card';
import { ErrorNote } from '../ErrorNote';

interface PointsCardProps {
  balance: PointsBalance | null;
  error: CommandError | null;
  loading: boolean;
}

export function PointsCard({ balance, error, loading }: PointsCardProps) {
  const { t } = useTranslation();
  return (
    <Card id="ov-points-heading" title={t('overview.points.heading')}>
      {error?.kind === 'not_signed_in' ? (
        <p className="empty">{t('overview.notSignedIn')}</p>
      ) : (
        <ErrorNote message={error === null ? null : describeError(error)} />
      )}
      {loading && balance === null && error === null && <p className="muted">{t('common.loading')}</p>}
      {balance !== null && (
        <>
          <p className="ov-balance">
            <span className="ov-balance-value">{formatNumber(balance.points)}</span>
            <span className="muted"> {t('overview.points.unit')}</span>
          </p>
          {balance.plans.length === 0 ? (
            <p className="muted small">{t('overview.points.noPlans')}</p>
          ) : (
            <table className="table ov-plans">
              <thead>
                <tr>
                  <th scope="col">{t('overview.points.plan')}</th>
                  <th scope="col" className="num">
                    {t('overview.points.usable')}
                  </th>
                  <th scope="col">{t('overview.points.expires')}</th>
                </tr>
              </thead>
              <tbody>
                {balance.plans.map((plan, index) => (
                  <tr key={`${plan.name}-${index}`} data-expired={plan.isExpire ? 'true' : undefined}>
                    <td>
                      {plan.name}
                      {plan.isExpire && <span className="tag ov-expired">{t('overview.points.expired')}</span>}
                    </td>
                    <td className="num">
                      {formatNumber(plan.usable)}
                      <span className="muted small"> / {formatNumber(plan.total)}</span>
                    </td>
                    <td className="muted small">{plan.expire ?? t('common.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Card>
  );
}
