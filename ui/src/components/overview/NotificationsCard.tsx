// Settings → Notifications: the three desktop notifications (sign-in failure at start, the gateway
// stopping on an error, low points), each switchable, and the low-points threshold. Switches apply
// on change; the threshold has its own Save. The core validates and stores the section.
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { toCommandError, updateNotificationSettings, type NotificationSettings, type Settings } from '../../api';
import { queryKeys } from '../../hooks/queries';
import { describeError } from '../../i18n';
import { ErrorNote } from '../ErrorNote';
import { NumberField, wholeNumberIn } from '../NumberField';
import { Switch } from '../Switch';

/** The largest threshold the core accepts. */
const MAX_THRESHOLD = 1_000_000_000_000;

type Switchable = 'sign_in_failure' | 'gateway_error' | 'low_points';

export function NotificationsCard({ settings }: { settings: Settings }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const current = settings.notifications;
  const [threshold, setThreshold] = useState(String(current.low_points_threshold));
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const valid = wholeNumberIn(threshold, 0, MAX_THRESHOLD);

  const save = (next: NotificationSettings) => {
    setFailure(null);
    setSaved(false);
    return updateNotificationSettings(next).then(
      (view) => {
        client.setQueryData(queryKeys.settings, view);
        return true;
      },
      (error: unknown) => {
        setFailure(describeError(toCommandError(error)));
        return false;
      },
    );
  };
  const toggle = (key: Switchable) => (checked: boolean) => void save({ ...current, [key]: checked });
  const toggleSignIn = toggle('sign_in_failure');
  const toggleGateway = toggle('gateway_error');
  const toggleLowPoints = toggle('low_points');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    void save({ ...current, low_points_threshold: Number(threshold) }).then(setSaved);
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="settings-notifications">
      <h3 id="settings-notifications" className="card-heading">
        {t('overview.notifications.heading')}
      </h3>
      <Switch checked={current.sign_in_failure} label={t('overview.notifications.signInFailure')} onChange={toggleSignIn} />
      <Switch checked={current.gateway_error} label={t('overview.notifications.gatewayError')} onChange={toggleGateway} />
      <Switch checked={current.low_points} label={t('overview.notifications.lowPoints')} onChange={toggleLowPoints} />
      <NumberField
        label={t('overview.notifications.threshold')}
        value={threshold}
        onChange={(value) => {
          setThreshold(value);
          setSaved(false);
        }}
        min={0}
        max={MAX_THRESHOLD}
      />
      <ErrorNote message={failure} />
      <div className="row">
        <button type="submit" className="button" disabled={!valid}>
          {t('common.save')}
        </button>
        {saved && (
          <span className="muted small" role="status">
            {t('common.saved')}
          </span>
        )}
      </div>
    </form>
  );
}
