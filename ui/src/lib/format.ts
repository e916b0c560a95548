// Small display helpers shared by the views; numbers and dates follow the UI's language.
import { i18n } from '../i18n';

/** A key shown masked: its prefix and last four characters. */
export function maskKey(key: string): string {
  if (key.length <= 10) return '•'.repeat(key.length);
  return `${key.slice(0, 3)}${'•'.repeat(12)}${key.slice(-4)}`;
}

/** A timestamp in the user's locale, e.g. "2026-05-01 14:03:12". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(i18n.language, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** A time of day for today's entries, a full date-time otherwise. */
export function formatLogTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }
  return formatDateTime(iso);
}

/** "1.2 s", "340 ms". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A number with thousands separators, or a dash. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(i18n.language).format(value);
}
