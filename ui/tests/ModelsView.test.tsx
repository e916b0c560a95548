import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { answer, catalog, mockClipboard, renderView } from './fixtures';
import { invoke, listen, resetTauriMocks } from './tauriMocks';

vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen }));

const { ModelsView } = await import('../src/views/ModelsView');

describe('ModelsView', () => {
  beforeEach(() => {
    resetTauriMocks();
  });
  afterEach(() => {
    cleanup();
  });

  it('lists the catalog with label, group, price, vision and thinking', async () => {
    answer({ list_models: catalog() });
    renderView(<ModelsView />);
    const row = (await screen.findByText('gpt-4o')).closest('tr') as HTMLElement;
    expect(within(row).getByText('GT-4o')).toBeTruthy();
    expect(within(row).getByText('ChatGPT')).toBeTruthy();
    expect(within(row).getByText('300')).toBeTruthy();
    expect(within(row).getAllByText('Yes')).toHaveLength(1);
    const reasoner = screen.getByText('deepseek-reasoner').closest('tr') as HTMLElement;
    expect(within(reasoner).getByText('免费')).toBeTruthy();
    expect(within(screen.getByText('gpt-4.1-mini').closest('tr') as HTMLElement).getByText('default')).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith('list_models', { refresh: false });
  });

  it('searches by id, label or group', async () => {
    answer({ list_models: catalog() });
    renderView(<ModelsView />);
    await screen.findByText('gpt-4o');
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'deepseek' } });
    expect(screen.queryByText('gpt-4o')).toBeNull();
    expect(screen.getByText('deepseek-reasoner')).toBeTruthy();
    expect(screen.getByText('1 of 3 models')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Search models'), { target: { value: 'nothing-like-this' } });
    expect(screen.getByText('No model matches your search.')).toBeTruthy();
  });

  it('refreshes from the site and copies an id', async () => {
    const writeText = mockClipboard();
    answer({ list_models: catalog() });
    renderView(<ModelsView />);
    await screen.findByText('gpt-4o');
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith('list_models', { refresh: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy id gpt-4o' }));
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('gpt-4o'));
  });

  it('asks to sign in first when there is no account', async () => {
    answer({
      list_models: () => {
        throw { kind: 'not_signed_in', message: 'not signed in' };
      },
    });
    renderView(<ModelsView />);
    expect(await screen.findByText(/Sign in to your Taiji account/)).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows other errors as they are', async () => {
    answer({
      list_models: () => {
        throw { kind: 'network', message: 'connection to the upstream failed' };
      },
    });
    renderView(<ModelsView />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not reach the Taiji site. connection to the upstream failed',
    );
  });
});
