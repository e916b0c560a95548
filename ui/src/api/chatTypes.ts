// Payloads of the built-in chat (`taiji_core::conversations`, src-tauri/src/commands/chat.rs), as
// agreed in the chat contract: snake_case fields, RFC 3339 timestamps.

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

export interface ConversationSummary {
  id: string;
  title: string;
  /** The catalog model id (`ModelInfo.id`). */
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
  /** 0, 1, 2, … the order in the transcript; all versions of one turn share it. */
  position: number;
  /** 0-based; regenerating adds a version at the same position. */
  version: number;
  /** How many versions this position has. */
  version_count: number;
  role: MessageRole;
  /** The answer text (without `<think>`). */
  content: string;
  /** The text inside `<think>`, '' if none. */
  reasoning: string;
  /** User messages only. */
  images: ImageAttachment[];
  /** Assistant: the catalog model id used; user: null. */
  model: string | null;
  /** Assistant: the label reported by the final record. */
  model_label: string | null;
  status: MessageStatus;
  /** Set when `status` is `failed`. */
  error: { kind: string; message: string } | null;
  /** Assistant, when known. */
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
  /** True when the context is long enough that a summary is worth offering. */
  context_long: boolean;
}

/** One event of a streaming reply (a Tauri `Channel`). */
export type ChatStreamEvent =
  | { event: 'started'; data: { user_message: ChatMessage | null; assistant_message: ChatMessage } }
  | { event: 'reasoning'; data: { delta: string } }
  | { event: 'text'; data: { delta: string } }
  | { event: 'usage'; data: ChatUsage }
  | { event: 'finished'; data: { message: ChatMessage } }
  | { event: 'stopped'; data: { message: ChatMessage } }
  | { event: 'failed'; data: { message: ChatMessage } };

/** The `chat-changed` event's payload: which conversation changed (`null`: the list as a whole). */
export interface ChatChanged {
  conversation_id: string | null;
}
