// App info, status, gateway start/stop, sign-in and the live status events.
import type { UnlistenFn } from '@tauri-apps/api/event';

import { call, subscribe } from './client';
import { ACCOUNT_STATE_EVENT, GATEWAY_STATE_EVENT, GAUGES_EVENT } from './events';
import type { AccountState, AppInfo, GatewayStateEvent, Gauges, StatusSnapshot } from './types';

export function getAppInfo(): Promise<AppInfo> {
  return call('app_info');
}

export function getStatus(): Promise<StatusSnapshot> {
  return call('status');
}

export function startGateway(): Promise<StatusSnapshot> {
  return call('start_gateway');
}

export function stopGateway(): Promise<StatusSnapshot> {
  return call('stop_gateway');
}

export function login(account: string, password: string): Promise<AccountState> {
  return call('login', { account, password });
}

export async function logout(): Promise<void> {
  await call('logout');
}

export function onGatewayState(handler: (event: GatewayStateEvent) => void): Promise<UnlistenFn> {
  return subscribe(GATEWAY_STATE_EVENT, handler);
}

export function onAccountState(handler: (event: AccountState) => void): Promise<UnlistenFn> {
  return subscribe(ACCOUNT_STATE_EVENT, handler);
}

export function onGauges(handler: (gauges: Gauges) => void): Promise<UnlistenFn> {
  return subscribe(GAUGES_EVENT, handler);
}
