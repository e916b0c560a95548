// A stand-in for @tauri-apps/plugin-store: one in-memory store per file name, so tests can read
// what the UI saved as preferences and seed what it loads.
export const stores = new Map<string, Map<string, unknown>>();

export function preferences(): Map<string, unknown> {
  const store = stores.get('ui-preferences.json') ?? new Map<string, unknown>();
  stores.set('ui-preferences.json', store);
  return store;
}

export async function load(path: string) {
  const store = stores.get(path) ?? new Map<string, unknown>();
  stores.set(path, store);
  return {
    get: async <T,>(key: string): Promise<T | undefined> => store.get(key) as T | undefined,
    set: async (key: string, value: unknown): Promise<void> => {
      store.set(key, value);
    },
  };
}
