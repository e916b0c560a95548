// Pure summaries of the per-day, per-model aggregates for the Overview: today's totals, a series
// per day (days without requests count as zero), and totals per model.
import type { DailyModelStats } from '../api';

export interface Totals {
  requests: number;
  errors: number;
  tokens: number;
  points: number;
}

export interface DayPoint extends Totals {
  /** "YYYY-MM-DD" in this computer's time zone. */
  day: string;
}

export interface ModelPoint extends Totals {
  model: string;
}

const ZERO: Totals = { requests: 0, errors: 0, tokens: 0, points: 0 };

function add(into: Totals, row: DailyModelStats): Totals {
  return {
    requests: into.requests + row.requests,
    errors: into.errors + row.errors,
    tokens: into.tokens + row.total_tokens,
    points: into.points + row.points,
  };
}

/** "YYYY-MM-DD" of a date in this computer's time zone (the zone the aggregates were asked in). */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The totals of one day. */
export function totalsOn(rows: readonly DailyModelStats[], day: string): Totals {
  return rows.filter((row) => row.day === day).reduce(add, ZERO);
}

/** The last `days` days up to `today`, oldest first, each with its totals. */
export function perDay(rows: readonly DailyModelStats[], today: Date, days = 14): DayPoint[] {
  const points: DayPoint[] = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back);
    const day = localDay(date);
    points.push({ day, ...totalsOn(rows, day) });
  }
  return points;
}

/** Totals per model over the rows from `since` ("YYYY-MM-DD") on, most requests first. */
export function perModel(rows: readonly DailyModelStats[], since: string): ModelPoint[] {
  const byModel = new Map<string, Totals>();
  for (const row of rows) {
    if (row.day < since) continue;
    byModel.set(row.model, add(byModel.get(row.model) ?? ZERO, row));
  }
  return [...byModel.entries()]
    .map(([model, totals]) => ({ model, ...totals }))
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

/** The days of a month as a calendar grid: leading blanks (`null`) so the 1st falls on its weekday
 * (weeks start on Monday), then "YYYY-MM-DD" for every day. */
export function monthGrid(year: number, month: number): (string | null)[] {
  const first = new Date(year, month - 1, 1);
  const blanks = (first.getDay() + 6) % 7;
  const count = new Date(year, month, 0).getDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  const cells: (string | null)[] = Array.from({ length: blanks }, () => null);
  for (let day = 1; day <= count; day += 1) cells.push(`${year}-${pad(month)}-${pad(day)}`);
  return cells;
}
