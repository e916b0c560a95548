// The replies streaming right now, one per conversation, outside React state: the stream's events
// arrive here, text and reasoning deltas are gathered and published at most once per animation
// frame, and only the components that show a live turn subscribe to it. The finished transcript
// (from the query cache) therefore never re-renders per token.
import { useCallback, useSyncExternalStore } from 'react';

import type { ChatMessage, ChatStreamEvent, ChatUsage, ImageAttachment } from '../../api/chatTypes';

/** What the user sent, shown at once while the shell has not confirmed it yet. */
export interface PendingUser {
  content: string;
  images: ImageAttachment[];
}

export interface LiveTurn {
  conversationId: string;
  /** Stored messages at this position and after are hidden: the live turn replaces them. */
  cutoff: number;
  /** Regenerate and retry: only the answer at `cutoff` is replaced; later positions stay. */
  replace: boolean;
  /** Until `started`: the message being sent (send, edit and resend); `null` for regenerate and retry. */
  pendingUser: PendingUser | null;
  /** From `started` on: the stored user message (`null` on regenerate and retry). */
  user: ChatMessage | null;
  /** From `started` on: the answer so far. */
  assistant: ChatMessage | null;
  usage: ChatUsage | null;
  /** Stop was asked; the `stopped` event is on its way. */
  stopping: boolean;
}

/** How a live turn ended: the final stored messages of the turn. */
export interface TurnEnd {
  conversationId: string;
  cutoff: number;
  replace: boolean;
  user: ChatMessage | null;
  assistant: ChatMessage;
}

type Listener = () => void;

interface Deltas {
  text: string;
  reasoning: string;
}

const schedule: (callback: () => void) => unknown =
  typeof requestAnimationFrame === 'function' ? (callback) => requestAnimationFrame(callback) : (callback) => setTimeout(callback, 16);

export class LiveTurns {
  private readonly turns = new Map<string, LiveTurn>();
  private readonly deltas = new Map<string, Deltas>();
  private readonly listeners = new Set<Listener>();
  private frameScheduled = false;

  constructor(private readonly onEnd: (end: TurnEnd) => void) {}

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(conversationId: string): LiveTurn | undefined {
    return this.turns.get(conversationId);
  }

  /** Starts a turn; `false` when this conversation already has one. */
  begin(conversationId: string, cutoff: number, pendingUser: PendingUser | null, replace = false): boolean {
    if (this.turns.has(conversationId)) return false;
    this.set({ conversationId, cutoff, replace, pendingUser, user: null, assistant: null, usage: null, stopping: false });
    return true;
  }

  /** The command failed before anything streamed: the turn is dropped. */
  abandon(conversationId: string): void {
    this.deltas.delete(conversationId);
    if (this.turns.delete(conversationId)) this.notify();
  }

  markStopping(conversationId: string, stopping: boolean): void {
    const turn = this.turns.get(conversationId);
    if (turn !== undefined) this.set({ ...turn, stopping });
  }

  /** The handler for one turn's stream events. */
  handler(conversationId: string): (event: ChatStreamEvent) => void {
    return (event) => this.handle(conversationId, event);
  }

  private handle(conversationId: string, event: ChatStreamEvent): void {
    const turn = this.turns.get(conversationId);
    if (turn === undefined) return;
    switch (event.event) {
      case 'started': {
        const { user_message: user, assistant_message: assistant } = event.data;
        this.set({ ...turn, cutoff: user?.position ?? assistant.position, pendingUser: null, user, assistant });
        return;
      }
      case 'text':
      case 'reasoning': {
        const pending = this.deltas.get(conversationId) ?? { text: '', reasoning: '' };
        if (event.event === 'text') pending.text += event.data.delta;
        else pending.reasoning += event.data.delta;
        this.deltas.set(conversationId, pending);
        this.scheduleFlush();
        return;
      }
      case 'usage':
        this.set({ ...turn, usage: event.data });
        return;
      case 'finished':
      case 'stopped':
      case 'failed': {
        this.deltas.delete(conversationId);
        this.turns.delete(conversationId);
        this.onEnd({ conversationId, cutoff: turn.cutoff, replace: turn.replace, user: turn.user, assistant: event.data.message });
        this.notify();
        return;
      }
    }
  }

  private scheduleFlush(): void {
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    schedule(() => {
      this.frameScheduled = false;
      this.flush();
    });
  }

  /** Publishes the gathered deltas (once per frame). */
  flush(): void {
    if (this.deltas.size === 0) return;
    for (const [conversationId, pending] of this.deltas) {
      const turn = this.turns.get(conversationId);
      if (turn?.assistant == null) continue;
      const assistant = {
        ...turn.assistant,
        content: turn.assistant.content + pending.text,
        reasoning: turn.assistant.reasoning + pending.reasoning,
      };
      this.turns.set(conversationId, { ...turn, assistant });
    }
    this.deltas.clear();
    this.notify();
  }

  private set(turn: LiveTurn): void {
    this.turns.set(turn.conversationId, turn);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The live turn of a conversation (re-renders on every published frame). */
export function useLiveTurn(turns: LiveTurns, conversationId: string | null): LiveTurn | undefined {
  const snapshot = useCallback(() => (conversationId === null ? undefined : turns.get(conversationId)), [turns, conversationId]);
  return useSyncExternalStore(turns.subscribe, snapshot);
}

/** Only the cutoff of a conversation's live turn, `null` without one: re-renders when a turn starts,
 * is confirmed or ends, never per token. */
export function useLiveCutoff(turns: LiveTurns, conversationId: string | null): number | null {
  const snapshot = useCallback(
    () => (conversationId === null ? null : (turns.get(conversationId)?.cutoff ?? null)),
    [turns, conversationId],
  );
  return useSyncExternalStore(turns.subscribe, snapshot);
}

/** Whether the live turn replaces only the answer at its cutoff (regenerate, retry). */
export function useLiveReplaces(turns: LiveTurns, conversationId: string | null): boolean {
  const snapshot = useCallback(() => (conversationId === null ? false : (turns.get(conversationId)?.replace ?? false)), [turns, conversationId]);
  return useSyncExternalStore(turns.subscribe, snapshot);
}

/** Whether the conversation has a live turn, and whether Stop was asked. */
export function useLiveState(turns: LiveTurns, conversationId: string | null): 'idle' | 'streaming' | 'stopping' {
  const snapshot = useCallback(() => {
    const turn = conversationId === null ? undefined : turns.get(conversationId);
    if (turn === undefined) return 'idle';
    return turn.stopping ? 'stopping' : 'streaming';
  }, [turns, conversationId]);
  return useSyncExternalStore(turns.subscribe, snapshot);
}
