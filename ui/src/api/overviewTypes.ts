// The Overview's payload types (points balance, check-in calendar and claim, the notifications
// settings section), generated from the Rust types like every other payload.
export type {
  CheckInDay,
  CheckInMonth,
  CheckInReward,
  NotificationSettings,
  PointsBalance,
  PointsPlan,
} from './generated/shell';
