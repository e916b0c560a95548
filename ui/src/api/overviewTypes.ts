// Payloads of the Overview's commands, written by hand (the integrator moves them to the generated
// types): points balance, check-in calendar and claim, and the notifications settings section.

/** `taiji_core::upstream::PointsPlan`: one points plan of the account. */
export interface PointsPlan {
  name: string;
  /** Points still usable. */
  usable: number;
  /** Points the plan started with. */
  total: number;
  /** Points spent from it. */
  use: number;
  /** Points it grants each day (0 for a one-off plan). */
  eachDay: number;
  /** Expiry time as the site wrote it ("YYYY-MM-DD HH:MM:SS", China time). */
  expire: string | null;
  isExpire: boolean;
}

/** `taiji_core::upstream::PointsBalance`: remaining points (non-expired plans) and every plan. */
export interface PointsBalance {
  points: number;
  plans: PointsPlan[];
}

/** `taiji_core::upstream::CheckInDay`. */
export interface CheckInDay {
  /** "YYYY-MM-DD", China time. */
  ymd: string;
  /** Points granted that day. */
  integral: number;
}

/** `taiji_core::runtime::CheckInMonth`: one month's check-ins and the site's today. */
export interface CheckInMonth {
  year: number;
  month: number;
  days: CheckInDay[];
  /** Today on the site's calendar ("YYYY-MM-DD", China time). */
  today: string;
  checked_in_today: boolean;
}

/** `taiji_core::upstream::CheckInReward`: what a claim granted. */
export interface CheckInReward {
  integral: number;
}

/** `taiji_core::settings::NotificationSettings`. */
export interface NotificationSettings {
  sign_in_failure: boolean;
  gateway_error: boolean;
  low_points: boolean;
  low_points_threshold: number;
}
