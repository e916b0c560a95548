import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, apiKeys, KEY_DEFAULT, mockClipboard, renderView, statusSnapshot } from './fixtures';
import { preferences } from './storeMock';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { FirstRunGuide } = await import('../src/views/FirstRunGuide');

const signedIn = statusSnapshot({
  gateway: { state: 'running' },
  account: '13800000000',
  login: { state: 'logged_in', user_id: 10001, expires_at: null },
});

describe('FirstRunGuide', () => {
  beforeEach(() => {
    resetTauriMocks();
    answer({ list_api_keys: apiKeys() });
  });
  afterEach(() => {
    cleanup();
  });

  it('opens after the first sign-in with what to paste into Cherry Studio and Claude Code, then remembers it is done', async () => {
    const writeText = mockClipboard();
    renderView(<FirstRunGuide snapshot={signedIn} />);
    expect(await screen.findByRole('heading', { name: 'Connect a client' })).toBeTruthy();
    expect(await screen.findAllByText(KEY_DEFAULT)).toHaveLength(2);
    expect(screen.getAllByText('http://127.0.0.1:8760')).toHaveLength(2);
    expect(screen.getByText('claude-sonnet-4-6')).toBeTruthy();
    expect(
      screen.getByText(
        `ANTHROPIC_BASE_URL=http://127.0.0.1:8760 ANTHROPIC_AUTH_TOKEN=${KEY_DEFAULT} ANTHROPIC_MODEL=claude-sonnet-4-6 claude`,
      ),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy API host' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('http://127.0.0.1:8760'));
    fireEvent.click(screen.getByRole('button', { name: 'Copy ANTHROPIC_AUTH_TOKEN' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith(KEY_DEFAULT));

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Done' }));
    await vi.waitFor(() => expect(preferences().get('firstRunDone')).toBe(true));
    expect(await screen.findByRole('button', { name: 'Set up a client' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Connect a client' })).toBeNull();
  });

  it('stays closed once done, and opens again from "Set up a client"', async () => {
    preferences().set('firstRunDone', true);
    renderView(<FirstRunGuide snapshot={signedIn} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Set up a client' }));
    expect(await screen.findByRole('heading', { name: 'Connect a client' })).toBeTruthy();
    expect(await screen.findAllByText(KEY_DEFAULT)).toHaveLength(2);
  });

  it('waits for a sign-in before opening by itself', async () => {
    renderView(<FirstRunGuide snapshot={statusSnapshot()} />);
    expect(await screen.findByRole('button', { name: 'Set up a client' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Set up a client' }));
    expect(await screen.findByText('Sign in to your Taiji account below first.')).toBeTruthy();
  });
});
