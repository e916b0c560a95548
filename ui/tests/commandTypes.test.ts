// The invoke wrapper is typed per command from the generated signatures (src/api/generated/shell.ts):
// `tsc -b` (npm run typecheck) fails if any `@ts-expect-error` below stops being an error, so a
// wrong name, a missing or misspelt argument, or a wrongly typed answer cannot reach the shell.
import { describe, expect, it } from 'vitest';

import { call, subscribe } from '../src/api/client';
import { COMMANDS } from '../src/api/generated/shell';

// Never called: only compiled.
async function typeChecks(): Promise<void> {
  const page = await call('query_request_log', { filter: {}, page: 0, page_size: 50 });
  const total: number = page.total;
  const settings = await call('update_settings', { patch: { port: 9000 } });
  const port: number = settings.port;
  await call('aggregates', { utc_offset_minutes: 60 });
  await call('status');
  void [total, port];

  // @ts-expect-error: not a command.
  await call('no_such_command');
  // @ts-expect-error: a required argument is missing.
  await call('query_request_log', { filter: {}, page: 0 });
  // @ts-expect-error: arguments are snake_case.
  await call('query_request_log', { filter: {}, page: 0, pageSize: 50 });
  // @ts-expect-error: a patch field of the wrong type.
  await call('update_settings', { patch: { port: '9000' } });
  // @ts-expect-error: `list_models` answers a catalog, not a string.
  const wrong: string = await call('list_models', { refresh: false });
  void wrong;
  // @ts-expect-error: the `settings-changed` payload has no `total`.
  await subscribe('settings-changed', (settings) => settings.total);
}

describe('command signatures', () => {
  it('are generated for every command the shell offers', () => {
    expect(typeof typeChecks).toBe('function');
    expect(COMMANDS).toContain('query_request_log');
  });
});
