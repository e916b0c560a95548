import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { FakeChannel, FakeChatCore, USAGE } from './chatFake';
import { mockClipboard, renderView } from './fixtures';
import { preferences } from './storeMock';
import { emit, invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke, Channel: FakeChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { ChatView } = await import('../src/views/chat/ChatView');

function box(): HTMLTextAreaElement {
  return screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
}

function type(text: string): void {
  fireEvent.change(box(), { target: { value: text } });
}

function pressEnter(init: Partial<KeyboardEventInit> = {}): void {
  fireEvent.keyDown(box(), { key: 'Enter', code: 'Enter', ...init });
}

function transcript(): HTMLElement {
  return screen.getByRole('log', { name: 'Messages' });
}

function answers(): HTMLElement[] {
  return within(transcript()).queryAllByRole('article', { name: /Assistant|GT-/ });
}

/** A conversation with one question answered; opened as the newest. */
async function openAnswered(core: FakeChatCore, extra: Partial<Parameters<FakeChatCore['add']>[2]> = {}) {
  const id = core.add(
    'Greetings',
    [
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'Hi there!', model: 'gpt-4.1-mini', model_label: 'GT-4.1 mini', usage: USAGE },
    ],
    extra,
  );
  renderView(<ChatView />);
  await within(transcript()).findByText('Hi there!');
  return id;
}

function imageFile(name: string, bytes = 10, type = 'image/png'): File {
  return new File([new Uint8Array(bytes)], name, { type });
}

function attach(files: File[]): void {
  fireEvent.change(screen.getByTestId('chat-file-input'), { target: { files } });
}

describe('ChatView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('creates the conversation with the last used model and streams the answer as it arrives', async () => {
    preferences().set('chat_last_model', 'gpt-4o');
    const core = new FakeChatCore();
    renderView(<ChatView />);
    expect(await screen.findByText('No conversations yet.')).toBeTruthy();
    await screen.findByRole('button', { name: 'Choose the model' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Choose the model' }).textContent).toContain('GT-4o'));

    type('Hello');
    pressEnter();
    // The message shows at once, before the shell confirms it.
    expect(await within(transcript()).findByText('Hello')).toBeTruthy();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    expect(core.commands('chat_create_conversation')).toEqual([{ model: 'gpt-4o', system_prompt: null }]);
    const id = core.lastStream().conversationId;
    expect(core.commands('chat_send')).toEqual([{ conversation_id: id, content: 'Hello', images: [] }]);
    expect(box().value).toBe('');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();

    act(() => core.start());
    act(() => core.reasoning('Let me think.'));
    expect(await within(transcript()).findByText('Let me think.')).toBeTruthy();
    expect(within(transcript()).getByText('Thinking…')).toBeTruthy();
    act(() => {
      core.text('Hi ');
      core.text('**there**');
    });
    await waitFor(() => expect(answers()[0]?.textContent).toContain('Hi there'));
    expect(within(answers()[0]!).getByText('there').tagName).toBe('STRONG');

    act(() => core.finish());
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull());
    const answer = answers()[0]!;
    expect(within(answer).getByText('1,244 tokens · 3,000 points')).toBeTruthy();
    expect(within(answer).getByText('Reasoning')).toBeTruthy();
    expect(within(transcript()).getAllByText('Hello')).toHaveLength(1);
    // The conversation total and the list follow the finished turn.
    expect(await screen.findByText('This chat: 1,244 tokens · 3,000 points')).toBeTruthy();
    expect(await within(screen.getByRole('complementary', { name: 'Conversations' })).findByText('Hello')).toBeTruthy();
  });

  it('keeps a system prompt per conversation, also for a new chat before its first message', async () => {
    const core = new FakeChatCore();
    const id = await openAnswered(core);
    fireEvent.click(screen.getByRole('button', { name: 'System prompt' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'System prompt for this conversation' }), { target: { value: 'Be brief.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(core.commands('chat_set_system_prompt')).toEqual([{ id, system_prompt: 'Be brief.' }]));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'System prompt for this conversation' })).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'New chat' }));
    fireEvent.click(screen.getByRole('button', { name: 'System prompt' }));
    const draft = screen.getByRole('textbox', { name: 'System prompt for this conversation' }) as HTMLTextAreaElement;
    expect(draft.value).toBe('');
    fireEvent.change(draft, { target: { value: 'Answer in French.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    type('Bonjour');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    expect(core.commands('chat_create_conversation')).toEqual([{ model: 'gpt-4.1-mini', system_prompt: 'Answer in French.' }]);
  });

  it('stops the answer with the Stop button and marks it stopped', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    type('Tell me a long story');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    act(() => core.start());
    act(() => core.text('Once upon a time'));
    await within(transcript()).findByText('Once upon a time');

    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(core.commands('chat_stop')).toEqual([{ conversation_id: core.lastStream().conversationId }]));
    expect(screen.getByRole('button', { name: 'Stopping…' })).toBeTruthy();

    act(() => core.stopped());
    const stopped = await within(transcript()).findByText('Stopped');
    expect(stopped.closest('article')?.textContent).toContain('Once upon a time');
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('stops the answer with Esc', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    type('Another');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    act(() => core.start());
    fireEvent.keyDown(document, { key: 'Escape' });
    await waitFor(() => expect(core.commands('chat_stop')).toHaveLength(1));
  });

  it('regenerates an answer and switches between its versions', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    const first = answers()[0]!;
    fireEvent.click(within(first).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(core.streams).toHaveLength(1));
    const [regenerate] = core.commands('chat_regenerate');
    expect(regenerate?.['message_id']).toBe(core.conversation(core.lastStream().conversationId).messages[1]?.id);

    // The old answer gives way to the new one while it streams.
    await waitFor(() => expect(within(transcript()).queryByText('Hi there!')).toBeNull());
    act(() => core.start());
    act(() => core.text('Hello again!'));
    act(() => core.finish());
    expect(await screen.findByText('2/2')).toBeTruthy();
    expect(within(transcript()).getByText('Hello again!')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
    expect(await screen.findByText('1/2')).toBeTruthy();
    expect(within(transcript()).getByText('Hi there!')).toBeTruthy();
    expect(core.commands('chat_select_version')).toEqual([
      { conversation_id: core.lastStream().conversationId, message_id: expect.any(String), version: 0 },
    ]);
    expect((screen.getByRole('button', { name: 'Previous version' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next version' }));
    expect(await screen.findByText('2/2')).toBeTruthy();
    expect(within(transcript()).getByText('Hello again!')).toBeTruthy();
  });

  it('regenerates an earlier answer in place, keeping the turns after it', async () => {
    const core = new FakeChatCore();
    const id = core.add('Two turns', [
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer', model: 'gpt-4.1-mini' },
      { role: 'user', content: 'Second question' },
      { role: 'assistant', content: 'Second answer', model: 'gpt-4.1-mini' },
    ]);
    renderView(<ChatView />);
    await within(transcript()).findByText('Second answer');
    const first = within(transcript()).getByText('First answer').closest('article') as HTMLElement;
    fireEvent.click(within(first).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(core.streams).toHaveLength(1));
    act(() => core.start());
    act(() => core.text('Better first answer'));
    await within(transcript()).findByText('Better first answer');
    const order = () => within(transcript()).getAllByRole('article').map((article) => article.textContent ?? '');
    expect(order().some((text) => text.includes('First answer') && !text.includes('Better'))).toBe(false);
    expect(order()[2]).toContain('Second question');
    act(() => core.finish());
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull());
    expect(order()).toHaveLength(4);
    expect(order()[1]).toContain('Better first answer');
    expect(order()[1]).toContain('2/2');
    expect(order()[3]).toContain('Second answer');
    expect(core.conversation(id).messages).toHaveLength(4);
  });

  it('gives a conversation without a model the one shown before sending', async () => {
    const core = new FakeChatCore();
    const id = core.add('No model', [{ role: 'user', content: 'Old' }]);
    core.conversations.get(id)!.summary.model = null;
    renderView(<ChatView />);
    await within(transcript()).findByText('Old');
    type('New');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    expect(core.commands('chat_set_conversation_model')).toEqual([{ id, model: 'gpt-4.1-mini' }]);
  });

  it('edits a user message and sends it again, dropping the old answer', async () => {
    const core = new FakeChatCore();
    const id = await openAnswered(core);
    const question = within(transcript()).getByRole('article', { name: 'You' });
    const userId = core.conversation(id).messages[0]!.id;
    fireEvent.click(within(question).getByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('textbox', { name: 'Edit the message' });
    fireEvent.change(editor, { target: { value: 'Say hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and send' }));

    await waitFor(() => expect(core.streams).toHaveLength(1));
    expect(core.commands('chat_edit_and_resend')).toEqual([{ conversation_id: id, message_id: userId, content: 'Say hello', images: [] }]);
    await waitFor(() => expect(within(transcript()).queryByText('Hi there!')).toBeNull());
    expect(within(transcript()).getByText('Say hello')).toBeTruthy();
    expect(within(transcript()).queryByText('Say hi')).toBeNull();
    act(() => core.start());
    act(() => core.text('Hello!'));
    act(() => core.finish());
    await within(transcript()).findByText('Hello!');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull());
    expect(within(transcript()).getAllByRole('article')).toHaveLength(2);
  });

  it('refuses images for a text-only model, with the reason', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    expect(screen.getByText('This model cannot see images')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Attach image' }) as HTMLButtonElement).disabled).toBe(true);
    // A paste goes around the disabled button: it is refused as well.
    fireEvent.paste(box(), { clipboardData: { files: [imageFile('cat.png')] } });
    expect(await screen.findByText('GT-4.1 mini cannot see images. Choose a model marked Vision to send images.')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Attached images' })).toBeNull();
    expect(core.streams).toHaveLength(0);
  });

  it('keeps to five images of at most 5 MB each, and sends them', async () => {
    preferences().set('chat_last_model', 'gpt-4o');
    const core = new FakeChatCore();
    renderView(<ChatView />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Choose the model' }).textContent).toContain('GT-4o'));
    expect(screen.getByText('Images 0/5 · up to 5 MB each')).toBeTruthy();

    attach([imageFile('big.png', 5 * 1024 * 1024 + 1), imageFile('notes.txt', 10, 'text/plain')]);
    expect(await screen.findByText('big.png is larger than 5 MB.')).toBeTruthy();
    expect(screen.getByText('notes.txt is not an image.')).toBeTruthy();

    attach(['1', '2', '3', '4', '5', '6'].map((n) => imageFile(`${n}.png`)));
    expect(await screen.findByText('At most 5 images per message.')).toBeTruthy();
    const attached = await screen.findByRole('list', { name: 'Attached images' });
    await waitFor(() => expect(within(attached).getAllByRole('img')).toHaveLength(5));
    expect(screen.getByText('Images 5/5 · up to 5 MB each')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Attach image' }) as HTMLButtonElement).disabled).toBe(true);

    // A drop beyond the limit is refused too.
    const composer = box().closest('.chat-composer') as HTMLElement;
    fireEvent.drop(composer, { dataTransfer: { files: [imageFile('dropped.png')], types: ['Files'] } });
    expect(await screen.findByText('At most 5 images per message.')).toBeTruthy();
    expect(within(attached).getAllByRole('img')).toHaveLength(5);
    fireEvent.click(within(attached).getByRole('button', { name: 'Remove 5.png' }));
    fireEvent.drop(composer, { dataTransfer: { files: [imageFile('dropped.png')], types: ['Files'] } });
    await waitFor(() => expect(within(attached).getByRole('img', { name: 'dropped.png' })).toBeTruthy());
    fireEvent.click(within(attached).getByRole('button', { name: 'Remove dropped.png' }));
    await waitFor(() => expect(within(attached).getAllByRole('img')).toHaveLength(4));

    type('What is in these?');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    const [sent] = core.commands('chat_send');
    const images = sent?.['images'] as { name: string; mime: string; data_url: string }[];
    expect(images.map((image) => image.name)).toEqual(['1.png', '2.png', '3.png', '4.png']);
    expect(images[0]?.mime).toBe('image/png');
    expect(images[0]?.data_url.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('will not send attached images after switching to a text-only model', async () => {
    preferences().set('chat_last_model', 'gpt-4o');
    const core = new FakeChatCore();
    renderView(<ChatView />);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Choose the model' }).textContent).toContain('GT-4o'));
    attach([imageFile('a.png')]);
    await screen.findByRole('list', { name: 'Attached images' });

    fireEvent.click(screen.getByRole('button', { name: 'Choose the model' }));
    fireEvent.click(screen.getByRole('option', { name: /GT-4.1 mini/ }));
    type('Look');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    pressEnter();
    expect(await screen.findByText('GT-4.1 mini cannot see images. Choose a model marked Vision to send images.')).toBeTruthy();
    expect(core.calls.filter((call) => call.command === 'chat_send')).toHaveLength(0);
    expect(preferences().get('chat_last_model')).toBe('gpt-4.1-mini');
  });

  it('sends on Enter, but not on Shift+Enter or while an input method composes', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    type('你好');
    pressEnter({ shiftKey: true });
    pressEnter({ isComposing: true });
    pressEnter({ keyCode: 229 });
    fireEvent.compositionStart(box());
    pressEnter();
    fireEvent.compositionEnd(box());
    pressEnter();
    // The Enter that ends a composition (WebKit sends it after compositionend) still does not send.
    expect(core.calls.filter((call) => call.command === 'chat_send')).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    pressEnter();
    await waitFor(() => expect(core.commands('chat_send')).toHaveLength(1));
    expect(core.commands('chat_send')[0]?.['content']).toBe('你好');
  });

  it('shows a failed turn inline with its reason and retries it', async () => {
    const core = new FakeChatCore();
    const id = await openAnswered(core);
    type('Are you there?');
    pressEnter();
    await waitFor(() => expect(core.streams).toHaveLength(1));
    act(() => core.start());
    act(() => core.fail({ kind: 'quota', message: '' }));
    const alert = await within(transcript()).findByRole('alert');
    expect(alert.textContent).toContain('Your Taiji points are used up.');
    const failedId = core.conversation(id).messages[3]!.id;

    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(core.streams).toHaveLength(2));
    expect(core.commands('chat_retry')).toEqual([{ conversation_id: id, message_id: failedId }]);
    act(() => core.start());
    act(() => core.text('Yes, here.'));
    act(() => core.finish());
    await within(transcript()).findByText('Yes, here.');
    await waitFor(() => expect(within(transcript()).queryByRole('alert')).toBeNull());
  });

  it('puts the text back and says why when the shell refuses to send', async () => {
    const core = new FakeChatCore({
      chat_send: () => {
        throw { kind: 'busy', message: '' };
      },
    });
    await openAnswered(core);
    type('Second question');
    pressEnter();
    expect(await screen.findByText('This conversation is still answering; stop it or wait.')).toBeTruthy();
    expect(box().value).toBe('Second question');
    expect(within(transcript()).queryByText('Second question')).toBeNull();
  });

  it('renders Markdown: tables, math, highlighted code with a copy button, links in the browser', async () => {
    const writeText = mockClipboard();
    const core = new FakeChatCore();
    core.add('Rich', [
      { role: 'user', content: 'Show me' },
      {
        role: 'assistant',
        content: [
          '| a | b |',
          '|---|---|',
          '| 1 | 2 |',
          '',
          'Euler: \\(e^{i\\pi} + 1 = 0\\)',
          '',
          '```rust',
          'fn main() {}',
          '```',
          '',
          'See [the docs](https://example.com/docs).',
        ].join('\n'),
        model: 'gpt-4.1-mini',
      },
    ]);
    renderView(<ChatView />);
    const cell = await within(transcript()).findByRole('cell', { name: '2' });
    expect(cell.closest('table')).toBeTruthy();
    expect(transcript().querySelector('.katex')).toBeTruthy();
    const code = transcript().querySelector('pre code');
    expect(code?.textContent).toBe('fn main() {}\n');
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('fn');
    expect(within(transcript()).getByText('rust')).toBeTruthy();

    fireEvent.click(within(transcript()).getByRole('button', { name: 'Copy code' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('fn main() {}'));

    fireEvent.click(within(transcript()).getByRole('link', { name: 'the docs' }));
    await waitFor(() => expect(core.opened).toEqual(['https://example.com/docs']));
  });

  it('searches, renames, exports and deletes conversations, and follows chat-changed', async () => {
    const core = new FakeChatCore();
    core.add('Recipes', [{ role: 'user', content: 'Soup?' }]);
    await openAnswered(core);
    const list = screen.getByRole('complementary', { name: 'Conversations' });
    expect(within(list).getByText('Recipes')).toBeTruthy();

    fireEvent.change(within(list).getByRole('searchbox', { name: 'Search conversations' }), { target: { value: 'Reci' } });
    await waitFor(() => expect(within(list).queryByText('Greetings')).toBeNull());
    expect(core.commands('chat_list_conversations')).toContainEqual({ query: 'Reci' });
    fireEvent.change(within(list).getByRole('searchbox', { name: 'Search conversations' }), { target: { value: '' } });
    await within(list).findByText('Greetings');

    fireEvent.click(within(list).getByRole('button', { name: 'Rename Greetings' }));
    fireEvent.change(within(list).getByRole('textbox', { name: 'New title' }), { target: { value: 'Hellos' } });
    fireEvent.click(within(list).getByRole('button', { name: 'Save' }));
    expect(await within(list).findByText('Hellos')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Hellos');

    fireEvent.click(within(list).getByRole('button', { name: 'Export Hellos' }));
    await waitFor(() => expect(core.commands('chat_export_conversation')).toHaveLength(1));
    expect(core.commands('chat_export_conversation')[0]?.['path']).toBe('/home/me/chat.md');
    expect(await screen.findByText('Saved to /home/me/chat.md')).toBeTruthy();

    // Another window adds a conversation.
    core.add('From the other window');
    act(() => emit('chat-changed', { conversation_id: null }));
    expect(await within(list).findByText('From the other window')).toBeTruthy();

    const selected = within(list).getByText('Hellos').closest('.chat-item') as HTMLElement;
    fireEvent.click(within(selected).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(selected).getByRole('button', { name: 'Yes' }));
    await waitFor(() => expect(within(list).queryByText('Hellos')).toBeNull());
    expect(core.commands('chat_delete_conversation')).toHaveLength(1);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('New chat');
  });

  it('shows a sent image large on click, and closes it with Esc', async () => {
    const core = new FakeChatCore();
    core.add('Picture', [{ role: 'user', content: 'What is this?', images: [{ name: 'cat.png', mime: 'image/png', data_url: 'data:image/png;base64,AAAA' }] }]);
    renderView(<ChatView />);
    fireEvent.click(await screen.findByRole('button', { name: 'View cat.png' }));
    const dialog = screen.getByRole('dialog', { name: 'cat.png' });
    expect(within(dialog).getByRole('img', { name: 'cat.png' }).getAttribute('src')).toBe('data:image/png;base64,AAAA');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('gives way to a new chat when another window deletes the open conversation', async () => {
    const core = new FakeChatCore();
    const id = await openAnswered(core);
    core.conversations.delete(id);
    act(() => emit('chat-changed', { conversation_id: id }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('New chat'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the context length and offers a new chat from a summary when it is long', async () => {
    const core = new FakeChatCore();
    await openAnswered(core, { context_tokens: 48000, context_long: true });
    expect(screen.getByText(/Context ≈ 48,000 tokens · long/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start a new chat with a summary' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Summary'));
    expect(core.commands('chat_summarize_into_new')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'System prompt' }));
    expect((screen.getByRole('textbox', { name: 'System prompt for this conversation' }) as HTMLTextAreaElement).value).toBe(
      'Summary of the earlier chat.',
    );
  });

  it('shows model prices and badges in the picker', async () => {
    const core = new FakeChatCore();
    await openAnswered(core);
    // A short conversation offers no summary.
    expect(screen.queryByRole('button', { name: 'Start a new chat with a summary' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Choose the model' }));
    const options = screen.getAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual([
      'GT-4.1 minigpt-4.1-mini300 points / message',
      'GT-4ogpt-4oVision300 points / message',
      'DS-R1deepseek-reasonerThinking免费',
    ]);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search models' }), { target: { value: 'ds' } });
    expect(screen.getAllByRole('option')).toHaveLength(1);
    fireEvent.keyDown(screen.getByRole('searchbox', { name: 'Search models' }), { key: 'Enter' });
    await waitFor(() => expect(core.commands('chat_set_conversation_model')).toEqual([{ id: expect.any(String), model: 'deepseek-reasoner' }]));
  });
});
