// The built-in chat's payload types, generated from the Rust types (`taiji_core::conversations`
// and the shell's `chat-changed` event) like every other payload.
export type {
  ChatChangedEvent,
  ChatMessage,
  ChatStreamEvent,
  ChatUsage,
  Conversation,
  ConversationSummary,
  ImageAttachment,
  MessageRole,
  MessageStatus,
  TurnError,
} from './generated/shell';
