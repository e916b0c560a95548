// The data layer: TanStack Query over the shell's commands. Every read a view shows is a query
// under one of these keys; shell events write into the cache (status, settings, live log entries)
// or invalidate it, so no view keeps its own copy of shell data.
import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

import {
  getAppInfo,
  getAutostart,
  getSettings,
  getStatus,
  listApiKeys,
  listModels,
  onAccountState,
  onGatewayState,
  onGauges,
  onSettingsChanged,
  toCommandError,
  type CommandError,
  type LogFilter,
  type Settings,
  type StatusSnapshot,
} from '../api';
import { chatGetConversation, chatListConversations } from '../api/chat';
import { onChatChanged } from '../api/chatEvents';
import { useShellEvent } from './useShellEvent';

export const queryKeys = {
  appInfo: ['app-info'] as const,
  status: ['status'] as const,
  settings: ['settings'] as const,
  apiKeys: ['api-keys'] as const,
  models: ['models'] as const,
  autostart: ['autostart'] as const,
  /** Every cached request-log page. */
  log: ['log'] as const,
  /** One page of the request log: the filter is part of the key, so a page never shows under another filter. */
  logPage: (filter: LogFilter, page: number) => ['log', 'page', filter, page] as const,
  /** Everything of the built-in chat. */
  chat: ['chat'] as const,
  /** Every cached conversation list (one per search text). */
  chatLists: ['chat', 'list'] as const,
  chatList: (search: string) => ['chat', 'list', search] as const,
  chatConversation: (id: string) => ['chat', 'conversation', id] as const,
};

/** The app's query client: no retries (a failed command says why at once) and no refetch on focus
 * (shell events keep the cache current). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

/** The query's error as a `CommandError`, or `null`. */
export function commandError(error: unknown): CommandError | null {
  return error === null || error === undefined ? null : toCommandError(error);
}

export function useAppInfoQuery() {
  return useQuery({ queryKey: queryKeys.appInfo, queryFn: getAppInfo, staleTime: Infinity });
}

export interface StatusModel {
  /** `null` until the first answer. */
  snapshot: StatusSnapshot | null;
  /** Set when the shell could not be asked. */
  error: CommandError | null;
  /** Replaces the snapshot (e.g. with a command's answer). */
  apply: (snapshot: StatusSnapshot) => void;
}

/** The live status: the `status` snapshot, then the gateway, account and gauge events patch it. */
export function useStatus(): StatusModel {
  const client = useQueryClient();
  const query = useQuery({ queryKey: queryKeys.status, queryFn: getStatus, staleTime: Infinity });
  const patch = useCallback(
    (change: Partial<StatusSnapshot>) =>
      client.setQueryData<StatusSnapshot>(queryKeys.status, (current) => (current === undefined ? current : { ...current, ...change })),
    [client],
  );
  useShellEvent(onGatewayState, (event) => patch({ gateway: event.status, url: event.url, demo: event.demo }));
  useShellEvent(onAccountState, (event) => patch({ account: event.account, login: event.login, sign_in: event.sign_in }));
  useShellEvent(onGauges, (gauges) => patch({ gauges }));
  const apply = useCallback((snapshot: StatusSnapshot) => client.setQueryData(queryKeys.status, snapshot), [client]);
  return { snapshot: query.data ?? null, error: commandError(query.error), apply };
}

/** The product settings; `settings-changed` events replace them (and refresh the key list). */
export function useSettingsQuery() {
  const client = useQueryClient();
  useShellEvent(onSettingsChanged, (settings: Settings) => {
    client.setQueryData(queryKeys.settings, settings);
    void client.invalidateQueries({ queryKey: queryKeys.apiKeys });
  });
  return useQuery({ queryKey: queryKeys.settings, queryFn: getSettings, staleTime: Infinity });
}

/** The API keys; a settings change (keys live in the settings file) refetches them. */
export function useApiKeysQuery() {
  const client = useQueryClient();
  useShellEvent(onSettingsChanged, () => void client.invalidateQueries({ queryKey: queryKeys.apiKeys }));
  return useQuery({ queryKey: queryKeys.apiKeys, queryFn: listApiKeys });
}

export function useModelsQuery() {
  return useQuery({ queryKey: queryKeys.models, queryFn: () => listModels(false) });
}

export function useAutostartQuery() {
  return useQuery({ queryKey: queryKeys.autostart, queryFn: getAutostart, staleTime: Infinity });
}

/** The chat's conversations, newest first; a non-empty `search` searches titles and message text. A
 * `chat-changed` event (this window or another one changed something) refetches the lists and the
 * conversation it names. */
export function useChatConversationsQuery(search: string) {
  const client = useQueryClient();
  useShellEvent(onChatChanged, (change) => {
    void client.invalidateQueries({ queryKey: queryKeys.chatLists });
    void client.invalidateQueries({
      queryKey: change.conversation_id === null ? queryKeys.chat : queryKeys.chatConversation(change.conversation_id),
    });
  });
  const needle = search.trim();
  return useQuery({
    queryKey: queryKeys.chatList(needle),
    queryFn: () => chatListConversations(needle === '' ? null : needle),
    placeholderData: (previous) => previous,
  });
}

/** One conversation with its selected messages; nothing is fetched for `null` (a new chat not yet sent). */
export function useChatConversationQuery(id: string | null) {
  return useQuery({
    queryKey: queryKeys.chatConversation(id ?? ''),
    queryFn: () => chatGetConversation(id ?? ''),
    enabled: id !== null,
  });
}
