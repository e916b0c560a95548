import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { CheckInMonth, DailyModelStats, PointsBalance } from '../src/api';
import { localDay, monthGrid, perDay, perModel } from '../src/lib/overview';
import { answer, logEntry, renderView } from './fixtures';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { OverviewView } = await import('../src/views/OverviewView');

const TODAY = localDay(new Date());

/** The big balance figure of the points card. */
function shownBalance(): string | null | undefined {
  return document.querySelector('.ov-balance-value')?.textContent;
}

function row(overrides: Partial<DailyModelStats>): DailyModelStats {
  return {
    day: TODAY,
    model: 'gpt-4.1-mini',
    requests: 1,
    errors: 0,
    prompt_tokens: 10,
    completion_tokens: 20,
    total_tokens: 30,
    points: 2,
    ...overrides,
  };
}

function balance(points = 1234): PointsBalance {
  return {
    points,
    plans: [
      { name: '积分套餐', usable: points, total: 5000, use: 5000 - points, eachDay: 0, expire: '2099-12-31 23:59:59', isExpire: false },
      { name: '旧套餐', usable: 700, total: 700, use: 0, eachDay: 0, expire: '2020-01-01 00:00:00', isExpire: true },
    ],
  };
}

function month(checkedToday: boolean): CheckInMonth {
  const [year, monthNumber] = TODAY.split('-').map(Number) as [number, number];
  return {
    year,
    month: monthNumber,
    days: checkedToday ? [{ ymd: TODAY, integral: 10 }] : [],
    today: TODAY,
    checked_in_today: checkedToday,
  };
}

describe('OverviewView', () => {
  beforeAll(() => {
    // recharts' ResponsiveContainer measures its box; jsdom has no layout.
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
  });
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it("shows today's totals, the balance with its plans and the month's check-ins", async () => {
    answer({
      aggregates: [row({ requests: 3, errors: 1, total_tokens: 900, points: 6 }), row({ model: 'gpt-4o', requests: 2, total_tokens: 100, points: 4 }), row({ day: '2000-01-01', requests: 50 })],
      points_balance: balance(),
      check_in_calendar: month(false),
    });
    renderView(<OverviewView />);
    const tiles = await screen.findByRole('region', { name: 'Today' });
    await vi.waitFor(() => expect(within(tiles).getByText('5')).toBeTruthy());
    expect(within(tiles).getByText('1,000')).toBeTruthy();
    expect(within(tiles).getByText('10')).toBeTruthy();
    expect(within(tiles).getByText('1')).toBeTruthy();

    const points = screen.getByRole('region', { name: 'Points balance' });
    await vi.waitFor(() => expect(shownBalance()).toBe('1,234'));
    expect(within(points).getByText('积分套餐')).toBeTruthy();
    expect(within(points).getByText('Expired')).toBeTruthy();

    const checkIn = screen.getByRole('region', { name: 'Daily check-in' });
    await vi.waitFor(() => expect(within(checkIn).getByRole('button', { name: 'Check in' })).toBeTruthy());
    expect(within(checkIn).getByText('0 days this month')).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('aggregates', expect.objectContaining({ filter: {} }));
  });

  it('claims the check-in, shows the reward and reloads the calendar and the balance', async () => {
    let claimed = false;
    answer({
      aggregates: [],
      points_balance: () => balance(claimed ? 1244 : 1234),
      check_in_calendar: () => month(claimed),
      check_in: () => {
        claimed = true;
        return { integral: 10 };
      },
    });
    renderView(<OverviewView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Check in' }));
    expect(await screen.findByText('Checked in: +10 points.')).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Checked in today' })).toHaveProperty('disabled', true);
    await vi.waitFor(() => expect(shownBalance()).toBe('1,244'));
    expect(screen.getByLabelText(`Day ${Number(TODAY.slice(8))}, checked in`)).toBeTruthy();
  });

  it("shows the site's refusal of a second claim as it is", async () => {
    answer({
      aggregates: [],
      points_balance: balance(),
      check_in_calendar: month(false),
      check_in: () => {
        throw { kind: 'upstream', message: '今日已签到' };
      },
    });
    renderView(<OverviewView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Check in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('今日已签到');
  });

  it('refreshes the totals live when a request ends, and the balance when it spent points', async () => {
    let requests = 1;
    let points = 1234;
    answer({
      aggregates: () => [row({ requests })],
      points_balance: () => balance(points),
      check_in_calendar: month(true),
    });
    renderView(<OverviewView />);
    const tiles = await screen.findByRole('region', { name: 'Today' });
    await vi.waitFor(() => expect(within(tiles).getAllByText('1').length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(shownBalance()).toBe('1,234'));
    requests = 2;
    points = 1000;
    act(() => emit('request-log-entry', logEntry({ status: 'streaming', points: null })));
    act(() => emit('request-log-entry', logEntry({ status: 'done', points: 234 })));
    await vi.waitFor(() => expect(within(tiles).getByText('2')).toBeTruthy());
    await vi.waitFor(() => expect(shownBalance()).toBe('1,000'));
  });

  it('asks to sign in when there is no account', async () => {
    const notSignedIn = () => {
      throw { kind: 'not_signed_in', message: 'not signed in' };
    };
    answer({ aggregates: [], points_balance: notSignedIn, check_in_calendar: notSignedIn });
    renderView(<OverviewView />);
    expect(await screen.findAllByText('Sign in to your Taiji account (Status) to see this.')).toHaveLength(2);
  });
});

describe('overview summaries', () => {
  it('fills the days without requests and sorts models by requests', () => {
    const today = new Date(2026, 10, 29);
    const rows = [row({ day: '2026-11-29', requests: 2 }), row({ day: '2026-11-27', model: 'gpt-4o', requests: 5 }), row({ day: '2026-10-01', requests: 9 })];
    const days = perDay(rows, today, 3);
    expect(days.map((point) => [point.day, point.requests])).toEqual([
      ['2026-11-27', 5],
      ['2026-11-28', 0],
      ['2026-11-29', 2],
    ]);
    expect(perModel(rows, '2026-11-27').map((point) => point.model)).toEqual(['gpt-4o', 'gpt-4.1-mini']);
  });

  it('lays a month out from Monday', () => {
    // 1 November 2026 is a Sunday: six blanks first.
    const grid = monthGrid(2026, 11);
    expect(grid.slice(0, 7)).toEqual([null, null, null, null, null, null, '2026-11-01']);
    expect(grid.filter((cell) => cell !== null)).toHaveLength(30);
  });
});
