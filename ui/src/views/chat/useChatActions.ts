// The chat's streaming commands, wired to the live turns and the query cache: each starts a live
// turn before asking the shell, and when the turn ends its final messages are written into the
// cached conversation (so the transcript shows them at once) before the conversation and the lists
// are fetched again for what the core computed (title, totals, context length).
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';

import { chatEditAndResend, chatRegenerate, chatRetry, chatSend, chatStop } from '../../api/chat';
import type { ChatMessage, Conversation, ImageAttachment } from '../../api/chatTypes';
import { queryKeys } from '../../hooks/queries';
import { LiveTurns, type TurnEnd } from './liveTurns';

// One set of live turns per query client (per window): a reply keeps streaming into it while the
// Chat view is not shown, and shows again when the view comes back.
const perClient = new WeakMap<QueryClient, LiveTurns>();

function settle(client: QueryClient, end: TurnEnd): void {
  client.setQueryData<Conversation>(queryKeys.chatConversation(end.conversationId), (current) =>
    current === undefined
      ? current
      : {
          ...current,
          messages: end.replace
            ? current.messages.map((message) => (message.position === end.cutoff ? end.assistant : message))
            : [
                ...current.messages.filter((message) => message.position < end.cutoff),
                ...(end.user === null ? [] : [end.user]),
                end.assistant,
              ],
        },
  );
  void client.invalidateQueries({ queryKey: queryKeys.chatConversation(end.conversationId) });
  void client.invalidateQueries({ queryKey: queryKeys.chatLists });
}

export function useLiveTurns(): LiveTurns {
  const client = useQueryClient();
  let turns = perClient.get(client);
  if (turns === undefined) {
    turns = new LiveTurns((end) => settle(client, end));
    perClient.set(client, turns);
  }
  return turns;
}

export interface ChatActions {
  send: (conversationId: string, content: string, images: ImageAttachment[]) => Promise<void>;
  regenerate: (message: ChatMessage) => Promise<void>;
  editAndResend: (message: ChatMessage, content: string, images: ImageAttachment[]) => Promise<void>;
  retry: (message: ChatMessage) => Promise<void>;
  stop: (conversationId: string) => Promise<void>;
}

/** Runs `command` for a turn begun on `conversationId`; a refusal drops the turn and rejects. */
async function run(turns: LiveTurns, conversationId: string, command: () => Promise<unknown>): Promise<void> {
  try {
    await command();
  } catch (error) {
    turns.abandon(conversationId);
    throw error;
  }
}

export function useChatActions(turns: LiveTurns): ChatActions {
  return useMemo<ChatActions>(
    () => ({
      send: async (conversationId, content, images) => {
        if (!turns.begin(conversationId, Number.POSITIVE_INFINITY, { content, images })) return;
        await run(turns, conversationId, () => chatSend(conversationId, content, images, turns.handler(conversationId)));
      },
      regenerate: async (message) => {
        const id = message.conversation_id;
        if (!turns.begin(id, message.position, null, true)) return;
        await run(turns, id, () => chatRegenerate(id, message.id, turns.handler(id)));
      },
      editAndResend: async (message, content, images) => {
        const id = message.conversation_id;
        if (!turns.begin(id, message.position, { content, images })) return;
        await run(turns, id, () => chatEditAndResend(id, message.id, content, images, turns.handler(id)));
      },
      retry: async (message) => {
        const id = message.conversation_id;
        if (!turns.begin(id, message.position, null, true)) return;
        await run(turns, id, () => chatRetry(id, message.id, turns.handler(id)));
      },
      stop: async (conversationId) => {
        if (turns.get(conversationId) === undefined) return;
        turns.markStopping(conversationId, true);
        try {
          await chatStop(conversationId);
        } catch (error) {
          turns.markStopping(conversationId, false);
          throw error;
        }
      },
    }),
    [turns],
  );
}
