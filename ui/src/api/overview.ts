// The Overview's account data from the site (points balance, check-in) and the notifications
// section of the settings.
import { call } from './client';
import type { CheckInMonth, CheckInReward, NotificationSettings, PointsBalance } from './overviewTypes';
import type { Settings } from './types';

export function getPointsBalance(): Promise<PointsBalance> {
  return call('points_balance');
}

/** This month's check-ins on the site's calendar. */
export function getCheckInCalendar(): Promise<CheckInMonth> {
  return call('check_in_calendar', {});
}

/** Claims today's check-in; "already checked in" rejects with the site's own message. */
export function checkIn(): Promise<CheckInReward> {
  return call('check_in');
}

/** Saves the whole notifications section. */
export function updateNotificationSettings(notifications: NotificationSettings): Promise<Settings> {
  return call('update_settings', { patch: { notifications } });
}
