// The local endpoint's API keys.
import { call } from './client';
import type { ApiKey, ApiKeys } from './types';

export function listApiKeys(): Promise<ApiKeys> {
  return call<ApiKeys>('list_api_keys');
}

export function addApiKey(name: string): Promise<ApiKey> {
  return call<ApiKey>('add_api_key', { name });
}

export function regenerateApiKey(name: string): Promise<ApiKey> {
  return call<ApiKey>('regenerate_api_key', { name });
}

export function removeApiKey(name: string): Promise<ApiKeys> {
  return call<ApiKeys>('remove_api_key', { name });
}

export function setKeysRequired(required: boolean): Promise<ApiKeys> {
  return call<ApiKeys>('set_keys_required', { required });
}
