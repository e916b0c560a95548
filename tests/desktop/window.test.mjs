// The desktop app used through its window and tray, as a person would: one app instance (started
// by WebDriver in a throwaway HOME, with no account yet) against one simulator, the cases in the
// order a new user meets them, ending with "Quit". Each case checks what the user sees in the
// window and what really happened (the gateway's port, the simulator's counters, files on disk).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  alive,
  ARTIFACTS,
  brightness,
  chat,
  DEMO_ACCOUNT,
  DEMO_PASSWORD,
  Display,
  freePort,
  health,
  makeHome,
  openApp,
  probePort,
  run,
  Sim,
  stopAll,
  Tray,
  TRAY_FROM_BOTTOM,
  waitFor,
} from './harness.mjs';

describe('the desktop window and tray', () => {
  let display;
  let sim;
  let home;
  let app;
  let tray;
  let key;

  before(async () => {
    display = await Display.start();
    tray = new Tray(display);
    sim = await Sim.start();
    home = await makeHome('window', { display, sim, port: await freePort() });
    app = await openApp(home);
    key = await home.apiKey();
  });

  after(async () => {
    await app?.close();
    await sim?.stop();
    await display?.stop();
    await stopAll();
    await home?.remove();
  });

  test('signing in from the form signs the app in to the account', async (t) => {
    const logins = (await sim.stats()).logins_ok;
    await app.find('input[name="account"]', 'the sign-in form');
    await app.screenshot('views/sign-in-en.png');
    await app.type('input[name="account"]', DEMO_ACCOUNT, 'the account field');
    await app.type('input[name="password"]', DEMO_PASSWORD, 'the password field');
    await app.click('form button[type="submit"]', 'the sign-in button');
    await app.find('.header-status[data-tone="running"]', 'the header saying the gateway is running (signed in)');
    await waitFor('the account to be shown as signed in', () =>
      app.read((account) => [...document.querySelectorAll('main strong')].some((node) => node.textContent === account), DEMO_ACCOUNT),
    );
    const stats = await sim.stats();
    assert.ok(stats.logins_ok > logins, `the simulator saw no successful login (${JSON.stringify(stats)})`);
    const ready = await waitFor('the gateway to report itself ready', async () => (await health(home))?.ready === true && health(home));
    t.diagnostic(`gateway at ${home.gatewayUrl}: ${JSON.stringify(ready).slice(0, 120)}`);
  });

  test('the Models view lists the simulator catalog', async () => {
    // The site lists some models twice (under two tags); the app shows each model id once.
    const ids = [...new Set((await sim.catalog()).map((model) => model.value))].sort();
    assert.ok(ids.length > 3, 'the simulator serves a catalog');
    await app.goTo('models');
    const shown = await waitFor(`the Models view to list ${ids.length} models`, async () => {
      const rows = await app.read(() =>
        [...document.querySelectorAll('[data-testid="model-row"]')].map((row) => row.querySelector('th code')?.textContent ?? ''),
      );
      return rows.length >= ids.length && rows;
    });
    assert.deepEqual([...shown].sort(), ids);
  });

  test('a request from curl appears live in the request log', async () => {
    await app.goTo('log');
    await app.settle();
    const agent = `taiji-desktop-e2e-curl/${process.pid}`;
    const rowFor = () =>
      app.read(
        (ua) =>
          [...document.querySelectorAll('[data-testid="log-row"]')]
            .filter((row) => [...row.querySelectorAll('td')].some((cell) => (cell.getAttribute('title') ?? '').includes(ua)))
            .map((row) => row.dataset.status),
        agent,
      );
    assert.deepEqual(await rowFor(), [], 'the log shows the request before it was sent');
    const curl = await run('curl', [
      '-sS', '--fail-with-body', '-A', agent,
      '-H', `authorization: Bearer ${key}`,
      '-H', 'content-type: application/json',
      '-d', JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello from curl' }] }),
      `${home.gatewayUrl}/v1/chat/completions`,
    ]);
    assert.equal(curl.code, 0, `curl failed: ${curl.stderr} ${curl.stdout}`);
    assert.match(curl.stdout, /"choices"/);
    // The view stays open: the row must arrive through the live events, not a reload.
    const statuses = await waitFor('the curl request to appear in the open log view, done', async () => {
      const found = await rowFor();
      return found.includes('done') && found;
    });
    assert.equal(statuses.length, 1, `one row for the request, got ${statuses}`);
  });

  test('the concurrency set in Settings queues parallel requests', async () => {
    await app.goTo('settings');
    const card = 'form[aria-labelledby="settings-concurrency"]';
    await app.type(`${card} input[type="number"]`, '1', 'the concurrency field');
    await app.click(`${card} button[type="submit"]`, 'the concurrency card\'s Save button');
    await app.find(`${card} [role="status"]`, 'the concurrency card saying it saved');
    assert.equal((await home.settings()).max_concurrent, 1, 'settings.json holds the new limit');

    // Slow replies, so the first request is still streaming while the other two wait.
    await sim.frameDelay(1500);
    const controller = new AbortController();
    const requests = [1, 2, 3].map((n) => chat(home, key, { prompt: `parallel ${n}`, stream: true, signal: controller.signal }));
    try {
      await app.goTo('status');
      await waitFor('the gauges to show 1 in flight and 2 queued', () =>
        app.read(() => {
          const value = (id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.value;
          return value('gauge-in-flight') === '1' && value('gauge-queued') === '2' && value('gauge-limit') === '1';
        }),
      );
      await app.settle();
      await app.screenshot('cases/concurrency-queued.png');
      const stats = await sim.stats();
      assert.equal(stats.concurrent_completions, 1, `one completion streams upstream (${JSON.stringify(stats)})`);
    } finally {
      await sim.frameDelay(0);
    }
    const answers = await Promise.all(requests);
    for (const answer of answers) assert.equal(answer.status, 200, answer.body.slice(0, 300));
    const stats = await sim.stats();
    assert.equal(stats.max_concurrent_completions, 1, `never more than one completion at once (${JSON.stringify(stats)})`);
    await waitFor('the gauges to drain', () =>
      app.read(() => document.querySelector('[data-testid="gauge-queued"]')?.dataset.value === '0' &&
        document.querySelector('[data-testid="gauge-in-flight"]')?.dataset.value === '0'),
    );
  });

  test('"Start at login" in Settings writes the hidden autostart entry and removes it', async () => {
    await app.goTo('settings');
    const toggle = 'section[aria-labelledby="settings-autostart"] label.switch';
    const checked = () => app.read(() => document.querySelector('section[aria-labelledby="settings-autostart"] input[role="switch"]')?.checked);
    await waitFor('the start-at-login switch to be ready (off)', async () => (await checked()) === false);
    assert.equal(existsSync(home.autostartFile), false, 'no autostart entry before');

    await app.click(toggle, 'the start-at-login switch');
    const entry = await waitFor(`the autostart entry ${home.autostartFile}`, async () => existsSync(home.autostartFile) && readFile(home.autostartFile, 'utf8'));
    assert.match(entry, /^Exec=.*taiji-desktop"? --hidden\s*$/m, `the entry starts the app hidden:\n${entry}`);
    await waitFor('the switch to show on', async () => (await checked()) === true);

    await app.click(toggle, 'the start-at-login switch');
    await waitFor('the autostart entry to be removed', () => !existsSync(home.autostartFile));
    await waitFor('the switch to show off', async () => (await checked()) === false);
  });

  test('screenshots of every view, light and dark, in Chinese and English', async (t) => {
    const saved = [];
    for (const language of ['zh-CN', 'en']) {
      for (const theme of ['light', 'dark']) {
        await app.goTo('settings');
        await app.click(`[data-testid="language-select"] option[value="${language}"]`, `the language ${language}`);
        await waitFor(`the UI to switch to ${language}`, () => app.read((lang) => document.documentElement.lang === lang, language));
        await app.click(`[data-testid="theme-select"] option[value="${theme}"]`, `the theme ${theme}`);
        await waitFor(`the ${theme} theme to apply`, () => app.read((name) => document.documentElement.dataset.theme === name, theme));

        const sections = await app.sections();
        assert.ok(sections.length >= 5, `the sidebar lists the views (${sections})`);
        const labels = await app.read(() => [...document.querySelectorAll('[data-testid="nav-item"]')].map((item) => item.textContent));
        if (language === 'zh-CN') {
          for (const label of labels) assert.match(label, /[\u4e00-\u9fff]/, `the sidebar item "${label}" is in Chinese`);
        } else {
          for (const label of labels) assert.doesNotMatch(label, /[\u4e00-\u9fff]/, `the sidebar item "${label}" is in English`);
        }
        for (const [index, section] of sections.entries()) {
          await app.goTo(section);
          await app.settle();
          const file = await app.screenshot(path.join('views', `${language}-${theme}-${index + 1}-${section}.png`));
          const level = await brightness(file);
          if (theme === 'dark') assert.ok(level < 0.35, `${file} is dark (mean brightness ${level.toFixed(2)})`);
          else assert.ok(level > 0.65, `${file} is light (mean brightness ${level.toFixed(2)})`);
          saved.push(file);
        }
      }
    }
    t.diagnostic(`${saved.length} screenshots saved under ${path.join(ARTIFACTS, 'views')}`);
  });

  test('the tray toggle closes the port and opens it again', async (t) => {
    assert.equal(await probePort(home.port), true, 'the gateway listens before');
    await tray.pick(app.pid, TRAY_FROM_BOTTOM.gatewayRunning, { screenshot: 'tray/tray-menu.png' });
    await waitFor('the port to refuse connections', async () => (await probePort(home.port)) === 'ECONNREFUSED');
    await app.goTo('status');
    await app.find('.header-status[data-tone="stopped"]', 'the header saying the gateway is stopped');

    await tray.pick(app.pid, TRAY_FROM_BOTTOM.gatewayRunning);
    await waitFor('the gateway to serve again', async () => (await health(home))?.ready === true);
    const answer = await chat(home, key, { prompt: 'after the toggle' });
    assert.equal(answer.status, 200, answer.body.slice(0, 300));
    t.diagnostic(`tray menu screenshot: ${path.join(ARTIFACTS, 'tray', 'tray-menu.png')}`);
  });

  test('Quit from the tray deletes every upstream session, running ones included', async () => {
    await sim.frameDelay(1500);
    const controller = new AbortController();
    const running = chat(home, key, { prompt: 'still running at quit', stream: true, signal: controller.signal }).catch((error) => error);
    try {
      await waitFor('a completion to be streaming upstream', async () => (await sim.stats()).concurrent_completions === 1);
      assert.ok((await sim.stats()).sessions_open >= 1, 'an upstream session is open');
      await tray.pick(app.pid, TRAY_FROM_BOTTOM.quit);
      await waitFor('the app to exit', () => !alive(app.pid));
    } finally {
      await sim.frameDelay(0);
      controller.abort();
      await running;
    }
    const stats = await waitFor('every upstream session to be deleted', async () => {
      const now = await sim.stats();
      return now.sessions_open === 0 && now;
    });
    assert.equal(stats.sessions_deleted, stats.sessions_created, JSON.stringify(stats));
    assert.ok(stats.completions_aborted >= 1, `the running completion was stopped, not finished (${JSON.stringify(stats)})`);
    assert.notEqual(await probePort(home.port), true, 'the port is closed after quitting');
  });
});
