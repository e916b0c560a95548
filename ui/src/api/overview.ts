// The Overview's account data from the site (points balance, check-in) and the notifications
// section of the settings.
import { call } from './client';
import type { CheckInMonth, CheckInReward, NotificationSettings, PointsBalance } from './overviewTypes';
import type { Settings } from './types';

export function getPointsBalance(): Promise<PointsBalance> {
  return call<PointsBalance>('points_balance');
}

/** This month's check-ins on the site's calendar. */
export function getCheckInCalendar(): Promise<CheckInMonth> {
  return call<CheckInMonth>('check_in_calendar');
}

/** Claims today's check-in; "already checked in" rejects with the site's own message. */
export function checkIn(): Promise<CheckInReward> {
  return call<CheckInReward>('check_in');
}

/** The settings with their notifications section (the shell sends it with every settings view). */
export type SettingsWithNotifications = Settings & { notifications?: NotificationSettings };

/** Saves the whole notifications section. */
export function updateNotificationSettings(notifications: NotificationSettings): Promise<SettingsWithNotifications> {
  return call<SettingsWithNotifications>('update_settings', { patch: { notifications } });
}
