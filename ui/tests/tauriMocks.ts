// Stand-ins for the desktop shell: a programmable `invoke` and an `emit` that drives `listen` handlers.
import { vi } from 'vitest';

type Handler = (event: { event: string; id: number; payload: unknown }) => void;

/** Listeners registered through the mocked `listen`, by event name. */
export const listeners = new Map<string, Set<Handler>>();

/** How many listeners were removed through the function `listen` resolved to. */
export const unlistened = { count: 0 };

/** Delivers an event to the mocked listeners, as the shell's `emit` would. */
export function emit(event: string, payload: unknown): void {
  for (const handler of listeners.get(event) ?? []) {
    handler({ event, id: 1, payload });
  }
}

export const listen = vi.fn(async (event: string, handler: Handler) => {
  const handlers = listeners.get(event) ?? new Set<Handler>();
  handlers.add(handler);
  listeners.set(event, handlers);
  return () => {
    unlistened.count += 1;
    handlers.delete(handler);
  };
});

export const invoke = vi.fn<(cmd: string, args?: unknown) => Promise<unknown>>();

export function resetTauriMocks(): void {
  listeners.clear();
  unlistened.count = 0;
  listen.mockClear();
  invoke.mockReset();
}
