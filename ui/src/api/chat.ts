// The built-in chat (CHAT_CONTRACT.md): conversations kept by the core, answers streamed through a
// Tauri `Channel`, the chat window's global shortcut.
import { Channel } from '@tauri-apps/api/core';

import type {
  ChatStreamEvent,
  Conversation,
  ConversationSummary,
  ImageAttachment,
} from './chatTypes';
import { call } from './client';

/** Conversations, newest updated first; `query` searches titles and message text. */
export function chatListConversations(query: string | null = null): Promise<ConversationSummary[]> {
  return call<ConversationSummary[]>('chat_list_conversations', { query });
}

export function chatCreateConversation(
  model: string | null,
  systemPrompt: string | null = null,
): Promise<Conversation> {
  return call<Conversation>('chat_create_conversation', { model, system_prompt: systemPrompt });
}

export function chatGetConversation(id: string): Promise<Conversation> {
  return call<Conversation>('chat_get_conversation', { id });
}

export function chatRenameConversation(id: string, title: string): Promise<ConversationSummary> {
  return call<ConversationSummary>('chat_rename_conversation', { id, title });
}

export function chatSetConversationModel(id: string, model: string): Promise<ConversationSummary> {
  return call<ConversationSummary>('chat_set_conversation_model', { id, model });
}

export function chatSetSystemPrompt(id: string, systemPrompt: string): Promise<Conversation> {
  return call<Conversation>('chat_set_system_prompt', { id, system_prompt: systemPrompt });
}

export function chatDeleteConversation(id: string): Promise<null> {
  return call<null>('chat_delete_conversation', { id });
}

/** Writes the conversation as Markdown to `path` (from the save dialog). */
export function chatExportConversation(id: string, path: string): Promise<null> {
  return call<null>('chat_export_conversation', { id, path });
}

function channel(onEvent: (event: ChatStreamEvent) => void): Channel<ChatStreamEvent> {
  const events = new Channel<ChatStreamEvent>();
  events.onmessage = onEvent;
  return events;
}

/** Sends a user message; resolves once the turn started, `onEvent` receives the answer. */
export function chatSend(
  conversationId: string,
  content: string,
  images: ImageAttachment[],
  onEvent: (event: ChatStreamEvent) => void,
): Promise<null> {
  return call<null>('chat_send', {
    conversation_id: conversationId,
    content,
    images,
    on_event: channel(onEvent),
  });
}

/** A new version of the answer `messageId` (earlier versions kept). */
export function chatRegenerate(
  conversationId: string,
  messageId: string,
  onEvent: (event: ChatStreamEvent) => void,
): Promise<null> {
  return call<null>('chat_regenerate', {
    conversation_id: conversationId,
    message_id: messageId,
    on_event: channel(onEvent),
  });
}

/** Replaces the user message `messageId`, deletes everything after it, and answers again. */
export function chatEditAndResend(
  conversationId: string,
  messageId: string,
  content: string,
  images: ImageAttachment[],
  onEvent: (event: ChatStreamEvent) => void,
): Promise<null> {
  return call<null>('chat_edit_and_resend', {
    conversation_id: conversationId,
    message_id: messageId,
    content,
    images,
    on_event: channel(onEvent),
  });
}

/** Answers again in place of the failed or stopped answer `messageId`. */
export function chatRetry(
  conversationId: string,
  messageId: string,
  onEvent: (event: ChatStreamEvent) => void,
): Promise<null> {
  return call<null>('chat_retry', {
    conversation_id: conversationId,
    message_id: messageId,
    on_event: channel(onEvent),
  });
}

/** Stops the running answer (it ends with a `stopped` event). */
export function chatStop(conversationId: string): Promise<null> {
  return call<null>('chat_stop', { conversation_id: conversationId });
}

export function chatSelectVersion(
  conversationId: string,
  messageId: string,
  version: number,
): Promise<Conversation> {
  return call<Conversation>('chat_select_version', {
    conversation_id: conversationId,
    message_id: messageId,
    version,
  });
}

export function chatDeleteMessage(conversationId: string, messageId: string): Promise<Conversation> {
  return call<Conversation>('chat_delete_message', {
    conversation_id: conversationId,
    message_id: messageId,
  });
}

/** Summarises the conversation into a new one (its system prompt); resolves to the new one. */
export function chatSummarizeIntoNew(conversationId: string): Promise<Conversation> {
  return call<Conversation>('chat_summarize_into_new', { conversation_id: conversationId });
}

/** The global shortcut that opens the chat window, e.g. `CommandOrControl+Shift+Space`. */
export function getChatShortcut(): Promise<string | null> {
  return call<string | null>('get_chat_shortcut');
}

/** Sets (or with `null` clears) the chat window's global shortcut; refused with kind `invalid`. */
export function setChatShortcut(shortcut: string | null): Promise<null> {
  return call<null>('set_chat_shortcut', { shortcut });
}
