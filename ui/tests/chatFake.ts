// A stand-in for the shell's chat commands (CHAT_CONTRACT.md): conversations in memory with
// versions per position, and streaming commands that wait for the test to play their events
// through the `Channel` the UI passed (`FakeChannel`, installed as @tauri-apps/api/core's Channel).
import type { ChatMessage, ChatStreamEvent, ChatUsage, Conversation, ConversationSummary, ImageAttachment } from '../src/api/chatTypes';
import { answer, catalog } from './fixtures';

/** The mocked `Channel`: the UI sets `onmessage`; tests deliver events with `send`. */
export class FakeChannel<T> {
  onmessage: (message: T) => void;
  constructor(onmessage?: (message: T) => void) {
    this.onmessage = onmessage ?? (() => undefined);
  }
}

type Kind = 'send' | 'regenerate' | 'edit' | 'retry';

export interface Stream {
  kind: Kind;
  conversationId: string;
  args: Record<string, unknown>;
  channel: FakeChannel<ChatStreamEvent>;
  assistant: ChatMessage | null;
}

interface Stored {
  summary: ConversationSummary;
  system_prompt: string;
  /** Per position: its versions, and which is selected. */
  turns: { versions: ChatMessage[]; selected: number }[];
  context_tokens: number;
  context_long: boolean;
}

let ids = 0;
const nextId = (prefix: string) => `${prefix}-${++ids}`;
const NOW = '2026-01-02T03:04:05Z';

export function chatMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: nextId('m'),
    conversation_id: 'c-1',
    position: 0,
    version: 0,
    version_count: 1,
    role: 'user',
    content: '',
    reasoning: '',
    images: [],
    model: null,
    model_label: null,
    status: 'complete',
    error: null,
    usage: null,
    created_at: NOW,
    ...overrides,
  };
}

export const USAGE: ChatUsage = { prompt_tokens: 10, completion_tokens: 1234, total_tokens: 1244, points: 3000 };

export class FakeChatCore {
  readonly conversations = new Map<string, Stored>();
  readonly streams: Stream[] = [];
  /** Every command with its arguments, in order (the channel left out). */
  readonly calls: { command: string; args: Record<string, unknown> }[] = [];
  /** The path the save dialog answers; `null` cancels. */
  savePath: string | null = '/home/me/chat.md';
  opened: string[] = [];

  constructor(extra: Parameters<typeof answer>[0] = {}) {
    answer({ ...this.handlers(), ...extra });
  }

  /** Adds a conversation with `messages` (one version each). */
  add(title: string, messages: Partial<ChatMessage>[] = [], overrides: Partial<Stored> = {}): string {
    const id = nextId('c');
    const turns = messages.map((message, position) => ({
      versions: [chatMessage({ conversation_id: id, position, ...message })],
      selected: 0,
    }));
    this.conversations.set(id, {
      summary: {
        id,
        title,
        model: 'gpt-4.1-mini',
        created_at: NOW,
        updated_at: NOW,
        message_count: messages.length,
        total_points: 0,
        total_tokens: 0,
        snippet: null,
      },
      system_prompt: '',
      turns,
      context_tokens: 0,
      context_long: false,
      ...overrides,
    });
    return id;
  }

  conversation(id: string): Conversation {
    const stored = this.conversations.get(id);
    if (stored === undefined) throw { kind: 'conversation_not_found', message: id };
    return {
      summary: { ...stored.summary, message_count: stored.turns.length },
      system_prompt: stored.system_prompt,
      messages: stored.turns.map((turn) => ({ ...turn.versions[turn.selected]!, version: turn.selected, version_count: turn.versions.length })),
      context_tokens: stored.context_tokens,
      context_long: stored.context_long,
    };
  }

  commands(name: string) {
    return this.calls.filter((call) => call.command === name).map((call) => call.args);
  }

  lastStream(): Stream {
    const stream = this.streams[this.streams.length - 1];
    if (stream === undefined) throw new Error('no stream started');
    return stream;
  }

  private stored(id: string): Stored {
    const stored = this.conversations.get(id);
    if (stored === undefined) throw new Error(`no conversation ${id}`);
    return stored;
  }

  private emit(stream: Stream, event: ChatStreamEvent): void {
    // A copy, as the real channel delivers JSON: the UI must not share objects with the fake.
    stream.channel.onmessage(structuredClone(event));
  }

  /** Plays `started`: stores the turn's messages as the core would. */
  start(stream: Stream = this.lastStream()): void {
    const stored = this.stored(stream.conversationId);
    const messageId = stream.args['message_id'] as string | undefined;
    const at = messageId === undefined ? -1 : stored.turns.findIndex((turn) => turn.versions.some((version) => version.id === messageId));
    const model = stored.summary.model;
    const assistantAt = (position: number, version = 0) =>
      chatMessage({ conversation_id: stream.conversationId, position, version, role: 'assistant', model, status: 'streaming' });
    let user: ChatMessage | null = null;
    let assistant: ChatMessage;
    if (stream.kind === 'send' || stream.kind === 'edit') {
      const position = stream.kind === 'send' ? stored.turns.length : at;
      user = chatMessage({
        conversation_id: stream.conversationId,
        position,
        content: stream.args['content'] as string,
        images: stream.args['images'] as ImageAttachment[],
      });
      stored.turns.splice(position);
      stored.turns.push({ versions: [user], selected: 0 });
      assistant = assistantAt(position + 1);
      stored.turns.push({ versions: [assistant], selected: 0 });
      if (stored.summary.title === '') stored.summary.title = user.content.slice(0, 40);
    } else if (stream.kind === 'regenerate') {
      const turn = stored.turns[at]!;
      assistant = assistantAt(at, turn.versions.length);
      turn.versions.push(assistant);
      turn.selected = turn.versions.length - 1;
    } else {
      assistant = assistantAt(at);
      stored.turns[at] = { versions: [assistant], selected: 0 };
    }
    stream.assistant = assistant;
    this.emit(stream, { event: 'started', data: { user_message: user, assistant_message: assistant } });
  }

  text(delta: string, stream: Stream = this.lastStream()): void {
    stream.assistant!.content += delta;
    this.emit(stream, { event: 'text', data: { delta } });
  }

  reasoning(delta: string, stream: Stream = this.lastStream()): void {
    stream.assistant!.reasoning += delta;
    this.emit(stream, { event: 'reasoning', data: { delta } });
  }

  private end(stream: Stream, status: ChatMessage['status'], extra: Partial<ChatMessage>): ChatMessage {
    const message = stream.assistant!;
    Object.assign(message, { status, model_label: 'GT-4.1 mini', ...extra });
    const stored = this.stored(stream.conversationId);
    if (message.usage !== null) {
      stored.summary.total_points += message.usage.points;
      stored.summary.total_tokens += message.usage.total_tokens;
    }
    return { ...message, version_count: stored.turns[message.position]!.versions.length };
  }

  finish(stream: Stream = this.lastStream(), usage: ChatUsage = USAGE): void {
    this.emit(stream, { event: 'usage', data: usage });
    this.emit(stream, { event: 'finished', data: { message: this.end(stream, 'complete', { usage }) } });
  }

  stopped(stream: Stream = this.lastStream()): void {
    this.emit(stream, { event: 'stopped', data: { message: this.end(stream, 'stopped', {}) } });
  }

  fail(error: { kind: string; message: string }, stream: Stream = this.lastStream()): void {
    this.emit(stream, { event: 'failed', data: { message: this.end(stream, 'failed', { error }) } });
  }

  private handlers(): Record<string, (args: Record<string, unknown> | undefined) => unknown> {
    const record = (command: string, handler: (args: Record<string, unknown>) => unknown) => (args: Record<string, unknown> | undefined) => {
      const rest = { ...args };
      delete rest['on_event'];
      this.calls.push({ command, args: rest });
      return handler(args ?? {});
    };
    const streaming = (kind: Kind) => (args: Record<string, unknown>) => {
      this.streams.push({
        kind,
        conversationId: args['conversation_id'] as string,
        args,
        channel: args['on_event'] as FakeChannel<ChatStreamEvent>,
        assistant: null,
      });
      return null;
    };
    return {
      list_models: () => catalog(),
      'plugin:dialog|save': () => this.savePath,
      'plugin:opener|open_url': (args) => {
        this.opened.push(String(args?.['url']));
        return null;
      },
      chat_list_conversations: record('chat_list_conversations', ({ query }) =>
        [...this.conversations.values()]
          .filter((stored) => query === null || stored.summary.title.includes(query as string))
          .map((stored) => this.conversation(stored.summary.id).summary)
          .reverse(),
      ),
      chat_create_conversation: record('chat_create_conversation', ({ model, system_prompt }) => {
        const id = this.add('', [], { system_prompt: (system_prompt as string | null) ?? '' });
        this.stored(id).summary.model = model as string | null;
        return this.conversation(id);
      }),
      chat_get_conversation: record('chat_get_conversation', ({ id }) => this.conversation(id as string)),
      chat_rename_conversation: record('chat_rename_conversation', ({ id, title }) => {
        this.stored(id as string).summary.title = title as string;
        return this.conversation(id as string).summary;
      }),
      chat_set_conversation_model: record('chat_set_conversation_model', ({ id, model }) => {
        this.stored(id as string).summary.model = model as string;
        return this.conversation(id as string).summary;
      }),
      chat_set_system_prompt: record('chat_set_system_prompt', ({ id, system_prompt }) => {
        this.stored(id as string).system_prompt = system_prompt as string;
        return this.conversation(id as string);
      }),
      chat_delete_conversation: record('chat_delete_conversation', ({ id }) => {
        this.conversations.delete(id as string);
        return null;
      }),
      chat_export_conversation: record('chat_export_conversation', () => null),
      chat_send: record('chat_send', streaming('send')),
      chat_regenerate: record('chat_regenerate', streaming('regenerate')),
      chat_edit_and_resend: record('chat_edit_and_resend', streaming('edit')),
      chat_retry: record('chat_retry', streaming('retry')),
      chat_stop: record('chat_stop', () => null),
      chat_select_version: record('chat_select_version', ({ conversation_id, message_id, version }) => {
        const stored = this.stored(conversation_id as string);
        const turn = stored.turns.find((candidate) => candidate.versions.some((message) => message.id === message_id));
        if (turn === undefined) throw { kind: 'not_found', message: 'no such message' };
        turn.selected = version as number;
        return this.conversation(conversation_id as string);
      }),
      chat_delete_message: record('chat_delete_message', ({ conversation_id, message_id }) => {
        const stored = this.stored(conversation_id as string);
        stored.turns = stored.turns
          .map((turn) => {
            const versions = turn.versions.filter((message) => message.id !== message_id);
            return { versions, selected: Math.min(turn.selected, versions.length - 1) };
          })
          .filter((turn) => turn.versions.length > 0);
        stored.turns.forEach((turn, position) => turn.versions.forEach((message) => (message.position = position)));
        return this.conversation(conversation_id as string);
      }),
      chat_summarize_into_new: record('chat_summarize_into_new', ({ conversation_id }) => {
        const source = this.stored(conversation_id as string);
        const id = this.add('Summary', [], { system_prompt: 'Summary of the earlier chat.' });
        this.stored(id).summary.model = source.summary.model;
        return this.conversation(id);
      }),
    };
  }
}
