// The Overview: today at a glance, usage charts per day and per model (from the request log's
// aggregates, refreshed live as requests end), the account's points balance and the daily check-in.
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { CheckInCard } from '../components/overview/CheckInCard';
import { PointsCard } from '../components/overview/PointsCard';
import { StatTiles } from '../components/overview/StatTiles';
import { ErrorNote } from '../components/ErrorNote';
import { commandError } from '../hooks/queries';
import { useAggregatesQuery, useCheckInMutation, useCheckInQuery, usePointsQuery } from '../hooks/overviewQueries';
import { describeError } from '../i18n';
import { localDay, perDay, perModel, totalsOn } from '../lib/overview';
import '../components/overview/overview.css';

// recharts is loaded with the Overview only, so the other views do not pay for it.
const UsageCharts = lazy(() => import('../components/overview/UsageCharts'));

/** How many days the charts show. */
const DAYS = 14;

export function OverviewView() {
  const { t } = useTranslation();
  const aggregates = useAggregatesQuery();
  const points = usePointsQuery();
  const checkIn = useCheckInQuery();
  const claim = useCheckInMutation();

  const summary = useMemo(() => {
    if (aggregates.data === undefined) return null;
    const now = new Date();
    const days = perDay(aggregates.data, now, DAYS);
    return {
      today: totalsOn(aggregates.data, localDay(now)),
      days,
      models: perModel(aggregates.data, days[0]?.day ?? localDay(now)),
    };
  }, [aggregates.data]);
  const aggregatesError = commandError(aggregates.error);

  return (
    <section className="page page-wide" aria-labelledby="overview-heading">
      <h2 id="overview-heading" className="page-title">
        {t('overview.heading')}
      </h2>
      <ErrorNote message={aggregatesError === null ? null : describeError(aggregatesError)} />
      <StatTiles today={summary?.today ?? null} />
      <div className="ov-account">
        <PointsCard balance={points.data ?? null} error={commandError(points.error)} loading={points.isPending} />
        <CheckInCard
          month={checkIn.data ?? null}
          error={commandError(checkIn.error)}
          claiming={claim.isPending}
          reward={claim.data ?? null}
          claimError={commandError(claim.error)}
          onCheckIn={() => claim.mutate()}
        />
      </div>
      {summary !== null && (
        <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
          <UsageCharts days={summary.days} models={summary.models} />
        </Suspense>
      )}
    </section>
  );
}
