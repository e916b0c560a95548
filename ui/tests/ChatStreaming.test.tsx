// Smooth streaming: deltas are published once per animation frame, and the finished messages of
// the transcript do not render again while an answer streams.
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { chatMessage, FakeChannel, FakeChatCore, USAGE } from './chatFake';
import { renderView } from './fixtures';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke, Channel: FakeChannel }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

/** How often each text went through the Markdown renderer. */
const renders = new Map<string, number>();

vi.mock('../src/views/chat/Markdown', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/views/chat/Markdown')>();
  // Not memoized: it counts every time a message asks for its Markdown.
  function CountingMarkdown({ text }: { text: string }) {
    renders.set(text, (renders.get(text) ?? 0) + 1);
    return <real.Markdown text={text} />;
  }
  return { Markdown: CountingMarkdown };
});

const { ChatView } = await import('../src/views/chat/ChatView');
const { LiveTurns } = await import('../src/views/chat/liveTurns');
const { splitBlocks } = await import('../src/views/chat/blocks');
const { normalizeMath } = await import('../src/views/chat/mathDelimiters');

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

describe('live turns', () => {
  it('publishes the deltas of one frame together', async () => {
    const ended = vi.fn();
    const turns = new LiveTurns(ended);
    const published = vi.fn();
    turns.subscribe(published);
    turns.begin('c', 2, { content: 'q', images: [] });
    const handle = turns.handler('c');
    handle({ event: 'started', data: { user_message: null, assistant_message: chatMessage({ role: 'assistant', position: 1 }) } });
    expect(turns.get('c')?.cutoff).toBe(1);
    published.mockClear();

    for (const word of ['one ', 'two ', 'three']) handle({ event: 'text', data: { delta: word } });
    handle({ event: 'reasoning', data: { delta: 'hmm' } });
    expect(published).not.toHaveBeenCalled();
    await nextFrame();
    expect(published).toHaveBeenCalledTimes(1);
    expect(turns.get('c')?.assistant?.content).toBe('one two three');
    expect(turns.get('c')?.assistant?.reasoning).toBe('hmm');

    const final = chatMessage({ role: 'assistant', position: 1, content: 'one two three', usage: USAGE });
    handle({ event: 'finished', data: { message: final } });
    expect(turns.get('c')).toBeUndefined();
    expect(ended).toHaveBeenCalledWith({ conversationId: 'c', cutoff: 1, replace: false, user: null, assistant: final });
  });

  it('refuses a second turn in the same conversation', () => {
    const turns = new LiveTurns(() => undefined);
    expect(turns.begin('c', 0, null)).toBe(true);
    expect(turns.begin('c', 0, null)).toBe(false);
    turns.abandon('c');
    expect(turns.begin('c', 0, null)).toBe(true);
  });
});

describe('streaming text', () => {
  it('cuts blocks at blank lines outside code fences and math', () => {
    expect(splitBlocks('a\n\nb\n```\nx\n\ny\n```\n\n$$\n1\n\n2\n$$\nc')).toEqual(['a', 'b\n```\nx\n\ny\n```', '$$\n1\n\n2\n$$\nc']);
  });

  it('rewrites \\( \\) and \\[ \\] math outside code only', () => {
    expect(normalizeMath('x \\(a\\) y \\[b\\] `\\(c\\)`')).toBe('x $a$ y \n$$\nb\n$$\n `\\(c\\)`');
  });

  it('makes display math a block: remark-math reads one-line $$…$$ as inline math', () => {
    expect(normalizeMath('so\n$$ x^2 $$\nand $$y$$ here')).toBe('so\n\n$$\nx^2\n$$\n\nand $$y$$ here');
    expect(normalizeMath('```\n$$ kept $$\n```')).toBe('```\n$$ kept $$\n```');
  });
});

describe('ChatView while streaming', () => {
  beforeEach(() => {
    resetTauriMocks();
    renders.clear();
  });
  afterEach(() => {
    cleanup();
  });

  it('does not render the finished messages again per token', async () => {
    const core = new FakeChatCore();
    core.add('Long', [
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'An earlier answer.', model: 'gpt-4.1-mini', usage: USAGE },
    ]);
    renderView(<ChatView />);
    const log = await screen.findByRole('log', { name: 'Messages' });
    await within(log).findByText('An earlier answer.');

    fireEvent.change(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Next' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Message' }), { key: 'Enter' });
    await waitFor(() => expect(core.streams).toHaveLength(1));
    act(() => core.start());
    act(() => core.text('Token0'));
    await within(log).findByText('Token0');
    const before = renders.get('An earlier answer.');

    for (let index = 1; index <= 20; index += 1) {
      act(() => core.text(` Token${index}`));
      await act(nextFrame);
    }
    expect(log.textContent).toContain('Token20');
    expect(renders.get('An earlier answer.')).toBe(before);
  });
});
