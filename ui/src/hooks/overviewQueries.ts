// The Overview's queries (TanStack Query, like src/hooks/queries.ts): the aggregates, the points
// balance and this month's check-ins. A request-log entry that ends refreshes the aggregates at
// once and the balance when it spent points; a claim refreshes the calendar and the balance.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { checkIn, getAggregates, getCheckInCalendar, getPointsBalance, onRequestLogEntry, onRequestLogResync, type LogEntry } from '../api';
import { useShellEvent } from './useShellEvent';

export const overviewKeys = {
  aggregates: ['overview', 'aggregates'] as const,
  points: ['overview', 'points'] as const,
  checkIn: ['overview', 'check-in'] as const,
};

/** Whether an entry has reached its end (its totals are final). */
function ended(entry: LogEntry): boolean {
  return entry.status === 'done' || entry.status === 'failed' || entry.status === 'cancelled';
}

export function useAggregatesQuery() {
  const client = useQueryClient();
  useShellEvent(onRequestLogEntry, (entry: LogEntry) => {
    if (!ended(entry)) return;
    void client.invalidateQueries({ queryKey: overviewKeys.aggregates });
    if ((entry.points ?? 0) !== 0) void client.invalidateQueries({ queryKey: overviewKeys.points });
  });
  useShellEvent(onRequestLogResync, () => void client.invalidateQueries({ queryKey: overviewKeys.aggregates }));
  return useQuery({ queryKey: overviewKeys.aggregates, queryFn: () => getAggregates() });
}

export function usePointsQuery() {
  return useQuery({ queryKey: overviewKeys.points, queryFn: getPointsBalance });
}

export function useCheckInQuery() {
  return useQuery({ queryKey: overviewKeys.checkIn, queryFn: getCheckInCalendar });
}

/** Claims today's check-in, then reloads the calendar and the balance (also after a refusal: the
 * site may know of a claim made elsewhere). */
export function useCheckInMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: checkIn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: overviewKeys.checkIn });
      void client.invalidateQueries({ queryKey: overviewKeys.points });
    },
  });
}
