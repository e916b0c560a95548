// The account's model catalog.
import { call } from './client';
import type { ModelCatalog } from './types';

/** The catalog; `refresh` fetches it from the site now instead of using the few-minute cache. */
export function listModels(refresh = false): Promise<ModelCatalog> {
  return call('list_models', { refresh });
}
