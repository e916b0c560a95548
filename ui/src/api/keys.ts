// The local endpoint's API keys.
import { call } from './client';
import type { ApiKey, ApiKeys } from './types';

export function listApiKeys(): Promise<ApiKeys> {
  return call('list_api_keys');
}

export function addApiKey(name: string): Promise<ApiKey> {
  return call('add_api_key', { name });
}

export function regenerateApiKey(name: string): Promise<ApiKey> {
  return call('regenerate_api_key', { name });
}

export function removeApiKey(name: string): Promise<ApiKeys> {
  return call('remove_api_key', { name });
}

export function setKeysRequired(required: boolean): Promise<ApiKeys> {
  return call('set_keys_required', { required });
}
