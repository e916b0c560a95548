// The only place in the UI that talks to the desktop shell (`invoke` / `listen` from @tauri-apps/api).
// Views import from here, never from @tauri-apps/api directly, so tests can mock one boundary.
export { getAppInfo, type AppInfo } from './app';
export {
  GATEWAY_STATE_EVENT,
  getGatewayStatus,
  onGatewayState,
  type GatewayStateEvent,
  type GatewayStatus,
} from './gateway';
