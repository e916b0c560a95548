// The daily check-in (the site's `gift_sign`): this month's calendar with the days checked in, and
// "Check in", whose result (points granted, or the site's refusal in its own words) is shown below.
import { useTranslation } from 'react-i18next';

import type { CheckInMonth, CheckInReward, CommandError } from '../../api';
import { describeError } from '../../i18n';
import { formatNumber } from '../../lib/format';
import { monthGrid } from '../../lib/overview';
import { Card } from '../Card';
import { ErrorNote } from '../ErrorNote';

interface CheckInCardProps {
  month: CheckInMonth | null;
  error: CommandError | null;
  claiming: boolean;
  reward: CheckInReward | null;
  claimError: CommandError | null;
  onCheckIn: () => void;
}

export function CheckInCard({ month, error, claiming, reward, claimError, onCheckIn }: CheckInCardProps) {
  const { t } = useTranslation();
  const weekdays = t('overview.checkIn.weekdays').split(',');
  const claimed = new Map(month?.days.map((day) => [day.ymd, day.integral]) ?? []);
  const done = month?.checked_in_today === true;
  return (
    <Card
      id="ov-checkin-heading"
      title={t('overview.checkIn.heading')}
      aside={
        month !== null && (
          <span className="muted small">{t('overview.checkIn.month', { year: month.year, month: month.month })}</span>
        )
      }
    >
      {error?.kind === 'not_signed_in' ? (
        <p className="empty">{t('overview.notSignedIn')}</p>
      ) : (
        <ErrorNote message={error === null ? null : describeError(error)} />
      )}
      {month !== null && (
        <>
          <div className="ov-calendar" role="grid" aria-label={t('overview.checkIn.calendar')}>
            {weekdays.map((day) => (
              <span key={day} className="ov-weekday" role="columnheader">
                {day}
              </span>
            ))}
            {monthGrid(month.year, month.month).map((ymd, index) =>
              ymd === null ? (
                <span key={`blank-${index}`} className="ov-day ov-day-blank" />
              ) : (
                <span
                  key={ymd}
                  role="gridcell"
                  className="ov-day"
                  data-claimed={claimed.has(ymd) ? 'true' : undefined}
                  data-today={ymd === month.today ? 'true' : undefined}
                  title={claimed.has(ymd) ? t('overview.checkIn.claimedOn', { points: formatNumber(claimed.get(ymd) ?? 0) }) : undefined}
                  aria-label={claimed.has(ymd) ? t('overview.checkIn.dayClaimed', { day: Number(ymd.slice(8)) }) : undefined}
                >
                  {Number(ymd.slice(8))}
                </span>
              ),
            )}
          </div>
          <div className="row">
            <button type="button" className="button small" disabled={claiming || done} onClick={onCheckIn}>
              {claiming ? t('overview.checkIn.claiming') : done ? t('overview.checkIn.done') : t('overview.checkIn.action')}
            </button>
            <span className="muted small">{t('overview.checkIn.count', { count: month.days.length })}</span>
          </div>
        </>
      )}
      {reward !== null && (
        <p className="notice" role="status">
          {t('overview.checkIn.rewarded', { points: formatNumber(reward.integral) })}
        </p>
      )}
      <ErrorNote message={claimError === null ? null : describeError(claimError)} />
    </Card>
  );
}
