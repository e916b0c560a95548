// How the app starts, as the login session and the user start it: hidden at login (`--hidden`, the
// start-at-login entry's flag), then launched again hidden (nothing to show) and from the menu
// (which brings the first instance's window forward), and "Start at login" from the tray. One app
// instance, launched directly (no WebDriver: a hidden app has no window to drive) in a throwaway
// HOME where the account was already signed in.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import {
  alive,
  chat,
  Display,
  exitOf,
  freePort,
  health,
  launchApp,
  makeHome,
  Sim,
  stopAll,
  stop,
  Tray,
  TRAY_FROM_BOTTOM,
  waitFor,
} from './harness.mjs';

describe('launching the desktop app', () => {
  let display;
  let sim;
  let home;
  let first;
  let tray;

  before(async () => {
    display = await Display.start();
    tray = new Tray(display);
    sim = await Sim.start();
    home = await makeHome('launch', { display, sim, port: await freePort(), signedIn: true });
  });

  after(async () => {
    if (first && alive(first.pid)) {
      await tray.pick(first.pid, TRAY_FROM_BOTTOM.quit).catch(() => undefined);
      await waitFor('the app to quit', () => !alive(first.pid), { timeoutMs: 15_000 }).catch(() => undefined);
    }
    await stop(first);
    await sim?.stop();
    await display?.stop();
    await stopAll();
    await home?.remove();
  });

  test('a launch with --hidden shows no window and serves the gateway', async () => {
    first = launchApp(home, ['--hidden'], 'launch-app.log');
    await waitFor('the hidden app to sign in and serve', async () => (await health(home))?.ready === true);
    // The tray icon is built after the gateway: once it is there, start-up is over.
    await tray.icon(first.pid);
    assert.deepEqual(await display.appWindows(first.pid), [], 'a hidden launch maps no window');
    const answer = await chat(home, await home.apiKey(), { prompt: 'hidden but serving' });
    assert.equal(answer.status, 200, answer.body.slice(0, 300));
    assert.deepEqual(await display.appWindows(first.pid), [], 'still no window after serving a request');
    await display.screenshot('cases/hidden-launch.png');
  });

  test('a second launch with --hidden exits and leaves the app hidden', async () => {
    assert.ok(first && alive(first.pid), 'the first instance runs');
    const second = launchApp(home, ['--hidden'], 'launch-second-hidden.log');
    const { code } = await exitOf(second, 'the second launch');
    assert.equal(code, 0, 'the second launch exits cleanly');
    assert.ok(alive(first.pid), 'the first instance still runs');
    assert.deepEqual(await display.appWindows(first.pid), [], 'still no window');
  });

  test('a second launch opens and focuses the running app\'s window', async () => {
    assert.ok(first && alive(first.pid), 'the first instance runs');
    const second = launchApp(home, [], 'launch-second.log');
    const { code } = await exitOf(second, 'the second launch');
    assert.equal(code, 0, 'the second launch exits cleanly instead of starting a second app');
    const [window] = await waitFor('the first instance to map its window', async () => {
      const windows = await display.appWindows(first.pid);
      return windows.length > 0 && windows;
    });
    await waitFor(`the window ${window} to have the keyboard focus`, async () => {
      const [focused] = await display.xdotool('getwindowfocus');
      return focused === window;
    });
    await display.drawnScreenshot(window, 'cases/second-launch-window.png', { crop: true });
    assert.ok((await health(home))?.ready, 'the gateway kept serving');
  });

  test('"Start at login" in the tray writes the hidden autostart entry and removes it', async () => {
    assert.ok(first && alive(first.pid), 'the first instance runs');
    assert.equal(existsSync(home.autostartFile), false, 'no autostart entry before');
    await tray.pick(first.pid, TRAY_FROM_BOTTOM.startAtLogin);
    const entry = await waitFor(`the autostart entry ${home.autostartFile}`, async () => existsSync(home.autostartFile) && readFile(home.autostartFile, 'utf8'));
    assert.match(entry, /^Exec=.*taiji-desktop"? --hidden\s*$/m, `the entry starts the app hidden:\n${entry}`);
    await tray.pick(first.pid, TRAY_FROM_BOTTOM.startAtLogin);
    await waitFor('the autostart entry to be removed', () => !existsSync(home.autostartFile));
  });
});
