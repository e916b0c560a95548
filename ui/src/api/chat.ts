// The built-in chat: conversations kept by the core, replies streamed through a Tauri `Channel`,
// the `chat-changed` event that keeps every window's list in sync, and links opened in the system
// browser. One function per command of src-tauri/src/commands/chat.rs (arguments snake_case).
import { Channel } from '@tauri-apps/api/core';
import type { UnlistenFn } from '@tauri-apps/api/event';
import { openUrl } from '@tauri-apps/plugin-opener';

import type { ChatChanged, ChatStreamEvent, Conversation, ConversationSummary, ImageAttachment } from './chatTypes';
import { call, subscribe } from './client';
import { CHAT_CHANGED_EVENT } from './events';

/** Receives every event of one streaming reply. */
export type ChatStreamHandler = (event: ChatStreamEvent) => void;

function channel(onEvent: ChatStreamHandler): Channel<ChatStreamEvent> {
  return new Channel<ChatStreamEvent>(onEvent);
}

/** The conversations, newest updated first; `query` searches titles and message text. */
export function chatListConversations(query: string | null): Promise<ConversationSummary[]> {
  return call<ConversationSummary[]>('chat_list_conversations', { query });
}

export function chatCreateConversation(model: string | null, systemPrompt: string | null): Promise<Conversation> {
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

/** Writes the conversation as Markdown to `path` (from the save dialog; the shell writes the file). */
export function chatExportConversation(id: string, path: string): Promise<null> {
  return call<null>('chat_export_conversation', { id, path });
}

/** Sends a user message; resolves once the reply has started, whose events then reach `onEvent`. */
export function chatSend(conversationId: string, content: string, images: ImageAttachment[], onEvent: ChatStreamHandler): Promise<null> {
  return call<null>('chat_send', { conversation_id: conversationId, content, images, on_event: channel(onEvent) });
}

/** Answers again at an assistant message's position, keeping the earlier versions. */
export function chatRegenerate(conversationId: string, messageId: string, onEvent: ChatStreamHandler): Promise<null> {
  return call<null>('chat_regenerate', { conversation_id: conversationId, message_id: messageId, on_event: channel(onEvent) });
}

/** Replaces a user message's content, drops everything after it, and answers again. */
export function chatEditAndResend(
  conversationId: string,
  messageId: string,
  content: string,
  images: ImageAttachment[],
  onEvent: ChatStreamHandler,
): Promise<null> {
  return call<null>('chat_edit_and_resend', {
    conversation_id: conversationId,
    message_id: messageId,
    content,
    images,
    on_event: channel(onEvent),
  });
}

/** Replaces a failed or stopped assistant message by a new answer in place. */
export function chatRetry(conversationId: string, messageId: string, onEvent: ChatStreamHandler): Promise<null> {
  return call<null>('chat_retry', { conversation_id: conversationId, message_id: messageId, on_event: channel(onEvent) });
}

/** Stops the running reply (it ends with a `stopped` event). */
export function chatStop(conversationId: string): Promise<null> {
  return call<null>('chat_stop', { conversation_id: conversationId });
}

export function chatSelectVersion(conversationId: string, messageId: string, version: number): Promise<Conversation> {
  return call<Conversation>('chat_select_version', { conversation_id: conversationId, message_id: messageId, version });
}

/** Deletes that version of a message only. */
export function chatDeleteMessage(conversationId: string, messageId: string): Promise<Conversation> {
  return call<Conversation>('chat_delete_message', { conversation_id: conversationId, message_id: messageId });
}

/** A new conversation whose system prompt summarises this one (same model); resolves to it. */
export function chatSummarizeIntoNew(conversationId: string): Promise<Conversation> {
  return call<Conversation>('chat_summarize_into_new', { conversation_id: conversationId });
}

/** Another window (or this one) changed a conversation or the list. */
export function onChatChanged(handler: (payload: ChatChanged) => void): Promise<UnlistenFn> {
  return subscribe(CHAT_CHANGED_EVENT, handler);
}

/** Opens an http(s) link from an answer in the system browser. */
export function openExternal(url: string): Promise<void> {
  return openUrl(url);
}
