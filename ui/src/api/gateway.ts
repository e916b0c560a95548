// Typed wrappers for the gateway status: the `gateway_state` command and the `gateway-state` event
// (src-tauri/src/commands.rs and src-tauri/src/events.rs). Keep the names in step with the Rust side.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

/** Mirrors `state::GatewayStatus` (serialised in snake_case). */
export type GatewayStatus = 'running' | 'stopped' | 'needs_login' | 'error';

/** Mirrors `events::GatewayStateEvent`. */
export interface GatewayStateEvent {
  status: GatewayStatus;
}

/** The event the shell emits whenever the gateway status changes. */
export const GATEWAY_STATE_EVENT = 'gateway-state';

/** The gateway status right now. */
export function getGatewayStatus(): Promise<GatewayStatus> {
  return invoke<GatewayStatus>('gateway_state');
}

/** Calls `onChange` with every new gateway status; resolves to a function that stops listening. */
export function onGatewayState(onChange: (status: GatewayStatus) => void): Promise<UnlistenFn> {
  return listen<GatewayStateEvent>(GATEWAY_STATE_EVENT, (event) => onChange(event.payload.status));
}
