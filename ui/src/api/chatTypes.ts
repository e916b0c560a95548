// Payload types of the built-in chat (CHAT_CONTRACT.md), mirroring `taiji_core::conversations`
// (crates/taiji-core/src/conversations/types.rs). Written by hand for now; to be generated with the
// other payload types.

export type MessageRole = 'user' | 'assistant';
export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'failed';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  points: number;
}

/** An image sent with a user message; `data_url` is `data:<mime>;base64,...`. */
export interface ImageAttachment {
  name: string;
  mime: string;
  data_url: string;
}

export interface TurnError {
  kind: string;
  message: string;
}

export interface ConversationSummary {
  id: string;
  title: string;
  /** Catalog model id (`ModelInfo.id`). */
  model: string | null;
  created_at: string;
  updated_at: string;
  message_count: number;
  total_points: number;
  total_tokens: number;
  /** For search results: the matching text excerpt. */
  snippet: string | null;
}

export interface ChatMessage {
  id: string;
  conversation_id: string;
  /** Order in the transcript; all versions of one turn share it. */
  position: number;
  /** 0-based; regenerate adds a version at the same position. */
  version: number;
  version_count: number;
  role: MessageRole;
  /** Answer text (without `<think>`). */
  content: string;
  /** Text inside `<think>`, '' if none. */
  reasoning: string;
  /** User messages only. */
  images: ImageAttachment[];
  model: string | null;
  model_label: string | null;
  status: MessageStatus;
  error: TurnError | null;
  usage: ChatUsage | null;
  created_at: string;
}

export interface Conversation {
  summary: ConversationSummary;
  system_prompt: string;
  /** Only the selected version of each position, ordered by position. */
  messages: ChatMessage[];
  /** Estimated tokens of the transcript the next turn would send. */
  context_tokens: number;
  /** True when the context is long enough to offer "start a new chat with a summary". */
  context_long: boolean;
}

/** What the `on_event` channel of `chat_send` and friends delivers. */
export type ChatStreamEvent =
  | { event: 'started'; data: { user_message: ChatMessage | null; assistant_message: ChatMessage } }
  | { event: 'reasoning'; data: { delta: string } }
  | { event: 'text'; data: { delta: string } }
  | { event: 'usage'; data: ChatUsage }
  | { event: 'finished'; data: { message: ChatMessage } }
  | { event: 'stopped'; data: { message: ChatMessage } }
  | { event: 'failed'; data: { message: ChatMessage } };

/** Payload of the `chat-changed` event. */
export interface ChatChangedEvent {
  conversation_id: string | null;
}
