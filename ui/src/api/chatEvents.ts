// The chat's shell event: `chat-changed` says a conversation (or the list) changed in some window,
// so every window showing the chat refetches it.
import type { UnlistenFn } from '@tauri-apps/api/event';

import type { ChatChangedEvent } from './chatTypes';
import { subscribe } from './client';
import { EVENTS } from './generated/shell';

export function onChatChanged(handler: (payload: ChatChangedEvent) => void): Promise<UnlistenFn> {
  return subscribe(EVENTS.CHAT_CHANGED, handler);
}
