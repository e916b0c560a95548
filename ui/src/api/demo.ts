// Demo mode: the gateway answers from the built-in simulator instead of the real account.
import { call } from './client';
import type { StatusSnapshot } from './types';

export function enterDemo(): Promise<StatusSnapshot> {
  return call('enter_demo');
}

export function leaveDemo(): Promise<StatusSnapshot> {
  return call('leave_demo');
}
