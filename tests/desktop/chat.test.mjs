// The built-in chat used as a person would: sign in, open Chat, pick a model, send, watch the answer
// stream (the simulator's scripted replies, its frames slowed down), stop one with the Stop button and
// another with Esc, regenerate and switch versions, attach an image for a vision model (and be refused
// for a text-only one), open the chat window from the tray, then quit and launch the app again and
// find the conversation. Each case checks what the window shows and what really happened upstream
// (the simulator's counters and its record of completions).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { By, Key } from 'selenium-webdriver';

import {
  alive,
  ARTIFACTS,
  brightness,
  Display,
  freePort,
  makeHome,
  openApp,
  run,
  Sim,
  stopAll,
  Tray,
  TRAY_FROM_BOTTOM,
  waitFor,
} from './harness.mjs';

/// The answer of the first message: Markdown with a table, a code block and math, CJK included.
const MARKDOWN_REPLY = [
  '## 季度小结 · Quarterly summary',
  '',
  '| Model | Points | 说明 |',
  '|---|---:|---|',
  '| GT-4o | 2 | 能看图 (vision) |',
  '| GT-4.1-mini | 1 | text only |',
  '',
  '```python',
  'def fib(n: int) -> int:',
  '    """The n-th Fibonacci number."""',
  '    return n if n < 2 else fib(n - 1) + fib(n - 2)',
  '```',
  '',
  'Euler: \\(e^{i\\pi} + 1 = 0\\), and',
  '\\[\\int_0^1 x^2\\,dx = \\frac{1}{3}\\]',
  'or, as $\\sum$ goes:',
  '',
  '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$',
  '',
  '完成。Done.',
].join('\n');

/// A long answer, so a stop lands while it streams.
const LONG_REPLY = Array.from({ length: 120 }, (_, index) => `Sentence ${index + 1} of a long answer.`).join(' ');

describe('the built-in chat', () => {
  let display;
  let sim;
  let home;
  let app;
  let tray;
  let scratch;
  let imageFile;

  before(async () => {
    display = await Display.start();
    tray = new Tray(display);
    sim = await Sim.start();
    home = await makeHome('chat', { display, sim, port: await freePort() });
    scratch = await mkdtemp(path.join(tmpdir(), 'taiji-desktop-e2e-chat-files-'));
    // A small picture (64×64, four coloured quarters) made by ImageMagick, which the harness needs anyway.
    imageFile = path.join(scratch, 'pixels.png');
    const made = await run('convert', ['-size', '32x32', 'xc:#d33', 'xc:#3a3', '+append', '(', '-size', '32x32', 'xc:#36d', 'xc:#eee', '+append', ')', '-append', imageFile]);
    assert.equal(made.code, 0, `convert could not make the test image: ${made.stderr}`);
    app = await openApp(home, { log: 'chat-app.log' });
  });

  after(async () => {
    await sim?.frameDelay(0).catch(() => undefined);
    await app?.close();
    await sim?.stop();
    await display?.stop();
    await stopAll();
    await home?.remove();
    if (scratch) await rm(scratch, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  // -------------------------------------------------------------------------------------------
  // What the chat shows, read from the page

  /// The stored (not live) assistant messages: status, text, and version "n/m" if any.
  const assistants = () =>
    app.read(() =>
      [...document.querySelectorAll('.chat-transcript article.chat-message.assistant:not([aria-busy])')].map((article) => ({
        status: [...article.classList].find((name) => ['complete', 'stopped', 'failed', 'streaming'].includes(name)) ?? '',
        stopped: article.querySelector('.chat-tag.stopped') !== null,
        text: article.querySelector('.chat-markdown, .markdown, .chat-message-body')?.innerText ?? article.innerText,
        version: article.querySelector('.chat-version-number')?.textContent ?? null,
      })),
    );
  /// The answer streaming now: its text, or null when none streams.
  const live = () =>
    app.read(() => {
      const article = document.querySelector('.chat-transcript article.chat-message.assistant[aria-busy="true"]');
      return article === null ? null : article.innerText;
    });
  const modelShown = () => app.read(() => document.querySelector('.chat-model-button')?.getAttribute('title') ?? null);

  /// Whether the model id `full` (the site's, e.g. `openai::gpt-4o` in the 3.4.0 dialect) is `bare`.
  const sameModel = (full, bare) => full === bare || (full ?? '').endsWith(`::${bare}`);

  /// Picks a model in the picker by its bare id (typed into the picker's search, as a user would).
  async function pickModel(id) {
    await app.click('.chat-model-button', 'the model picker');
    const search = await app.find('.chat-model-search', 'the model search');
    await search.sendKeys(id);
    const ids = () => app.read(() => [...document.querySelectorAll('.chat-model-option .chat-model-id')].map((node) => node.textContent));
    const index = await waitFor(`the picker to list ${id}`, async () => {
      const at = (await ids()).findIndex((shown) => sameModel(shown, id));
      return at >= 0 ? at + 1 : null;
    }).catch(async (error) => {
      throw new Error(`${error.message}; listed: ${JSON.stringify(await ids())}`);
    });
    const options = await app.driver.findElements(By.css('.chat-model-option'));
    await options[index - 1].click();
    await waitFor(`the model ${id} to be chosen`, async () => sameModel(await modelShown(), id));
  }

  /// Types `text` into the message box and sends it with Enter.
  async function send(text) {
    const box = await app.find('textarea.chat-input', 'the message box');
    await waitFor('the message box to be free to send', () => app.read(() => document.querySelector('.chat-send') !== null));
    await box.sendKeys(text);
    await box.sendKeys(Key.ENTER);
  }

  /// Sends `text` and waits until its answer streams, with some of it shown; returns the stats before.
  async function sendAndWatchStream(text) {
    const before = await sim.stats();
    await send(text);
    await waitFor('the answer to stream, partly shown', async () => {
      const shown = await live();
      return shown !== null && /Sentence 1 /.test(shown) && !/Sentence 120 /.test(shown);
    });
    const streaming = await sim.stats();
    assert.equal(streaming.concurrent_completions, 1, `the completion streams upstream (${JSON.stringify(streaming)})`);
    return before;
  }

  /// Waits for the last answer to be stored as stopped, and the upstream side to be cleaned up.
  async function expectStopped(before, how) {
    const last = await waitFor(`the answer stopped with ${how} to be marked stopped`, async () => {
      const list = await assistants();
      const found = list.at(-1);
      return (await live()) === null && found?.stopped && found;
    });
    assert.equal(last.status, 'stopped');
    assert.doesNotMatch(last.text, /Sentence 120 /, 'the answer was cut off, not finished');
    const stats = await waitFor('the upstream session to be deleted and the completion aborted', async () => {
      const now = await sim.stats();
      return now.sessions_open === 0 && now.completions_aborted > before.completions_aborted && now;
    });
    assert.equal(stats.completions_finished, before.completions_finished, `nothing finished (${JSON.stringify(stats)})`);
    assert.equal(stats.sessions_deleted, stats.sessions_created, JSON.stringify(stats));
  }

  // -------------------------------------------------------------------------------------------

  test('signing in and opening Chat shows an empty chat with a model to pick', async () => {
    await app.find('input[name="account"]', 'the sign-in form');
    await app.signIn(home);
    await app.goTo('chat');
    await app.find('.chat textarea.chat-input', 'the message box');
    await app.find('.chat-welcome', 'the empty chat\'s welcome');
    await pickModel('gpt-4.1-mini');
  });

  test('a message streams its answer, rendered as Markdown, logged with source "chat"', async () => {
    await sim.script([{ text: MARKDOWN_REPLY, match: 'quarterly' }]);
    await sim.frameDelay(120);
    try {
      await send('Give me the quarterly summary');
      // The user's message shows at once, then the answer grows while it streams.
      await app.find('.chat-transcript article.chat-message.user', 'the sent message');
      // Some of it rendered (the table and the start of the code), not all of it yet.
      const partial = await waitFor('a part of the answer to show while it streams', async () => {
        const shown = await live();
        return shown !== null && shown.includes('text only') && shown.includes('def fib') && !shown.includes('Done.') && shown;
      });
      assert.ok(!partial.includes('完成'), 'the answer was shown before it was complete');
      await app.screenshot('chat/streaming-en-light.png');
    } finally {
      await sim.frameDelay(0);
    }
    const [answer] = await waitFor('the answer to be stored, done', async () => {
      const list = await assistants();
      return (await live()) === null && list.length === 1 && list[0].status === 'complete' && list;
    });
    assert.match(answer.text, /完成。Done\./);
    const rendered = await app.read(() => {
      const article = document.querySelector('.chat-transcript article.chat-message.assistant');
      return {
        table: article.querySelectorAll('table td').length,
        code: article.querySelector('pre code')?.className ?? '',
        highlighted: article.querySelectorAll('pre code span[class^="hljs-"]').length,
        katex: article.querySelectorAll('.katex').length,
        display: article.querySelectorAll('.katex-display').length,
        heading: article.querySelector('h2')?.textContent ?? '',
      };
    });
    assert.equal(rendered.table, 6, `the table has 2 rows of 3 cells (${JSON.stringify(rendered)})`);
    assert.match(rendered.code, /hljs/, `the code block is highlighted (${JSON.stringify(rendered)})`);
    assert.ok(rendered.highlighted > 0, `the code has highlighted tokens (${JSON.stringify(rendered)})`);
    assert.ok(rendered.katex >= 4 && rendered.display === 2, `inline and display math render with KaTeX (${JSON.stringify(rendered)})`);
    assert.match(rendered.heading, /季度小结/);

    const [record] = (await sim.completions()).filter((completion) => completion.text.includes('quarterly'));
    assert.ok(record, 'the simulator received the message');
    assert.match(record.model, /gpt-4\.1-mini$/);

    // The request log holds the send, with the chat as its source.
    await app.goTo('log');
    const sources = await waitFor('the chat\'s request in the request log', async () => {
      const rows = await app.read(() =>
        [...document.querySelectorAll('[data-testid="log-row"]')].map((row) => ({
          source: row.querySelectorAll('td')[1]?.textContent ?? '',
          status: row.dataset.status,
        })),
      );
      return rows.length > 0 && rows;
    });
    assert.deepEqual(sources, [{ source: 'chat', status: 'done' }], 'one request-log row, source chat');
    await app.goTo('chat');
  });

  test('Stop, then Esc, stop a streaming answer: marked stopped, upstream aborted and deleted', async () => {
    await sim.script([{ text: LONG_REPLY }, { text: LONG_REPLY }]);
    await sim.frameDelay(250);
    try {
      let before = await sendAndWatchStream('Tell me a long story');
      await app.click('.chat-stop', 'the Stop button');
      await expectStopped(before, 'the Stop button');

      before = await sendAndWatchStream('And another long one');
      await app.driver.actions().sendKeys(Key.ESCAPE).perform();
      await expectStopped(before, 'Esc');
    } finally {
      await sim.frameDelay(0);
      await sim.post('/__sim/script', { replies: [] });
    }
    const list = await assistants();
    assert.deepEqual(list.map((message) => message.status), ['complete', 'stopped', 'stopped']);
    // The request log says the two were cancelled.
    await app.goTo('log');
    const rows = await waitFor('three chat requests in the request log, two cancelled', async () => {
      const found = await app.read(() =>
        [...document.querySelectorAll('[data-testid="log-row"]')].map((row) => `${row.querySelectorAll('td')[1]?.textContent} ${row.dataset.status}`),
      );
      return found.filter((row) => row === 'chat cancelled').length === 2 && found;
    });
    assert.deepEqual([...rows].sort(), ['chat cancelled', 'chat cancelled', 'chat done']);
    await app.goTo('chat');
  });

  test('Regenerate makes a second version, and both versions can be shown', async () => {
    /// Clicks the button of the last answer whose text or label is `label`.
    const inLastAnswer = async (label) => {
      const buttons = await app.driver.findElements(
        By.xpath(`(//article[contains(@class,'chat-message') and contains(@class,'assistant')])[last()]//button[normalize-space()='${label}' or @aria-label='${label}']`),
      );
      assert.equal(buttons.length, 1, `the last answer has one "${label}" button`);
      await buttons[0].click();
    };
    const regenerate = () => inLastAnswer('Regenerate');
    await sim.script([{ text: 'The second version of the answer.' }]);
    await regenerate();
    const last = await waitFor('the regenerated answer, version 2 of 2', async () => {
      const found = (await assistants()).at(-1);
      return (await live()) === null && found?.status === 'complete' && found.version === '2/2' && found;
    });
    assert.match(last.text, /The second version of the answer\./);

    const lastText = async () => (await assistants()).at(-1);
    await inLastAnswer('Previous version');
    const first = await waitFor('version 1 of 2 to show', async () => {
      const found = await lastText();
      return found?.version === '1/2' && found;
    });
    assert.equal(first.status, 'stopped', 'version 1 is the stopped answer');
    assert.doesNotMatch(first.text, /second version/);
    await inLastAnswer('Next version');
    const second = await waitFor('version 2 of 2 to show again', async () => {
      const found = await lastText();
      return found?.version === '2/2' && found;
    });
    assert.match(second.text, /The second version of the answer\./);
  });

  test('an image goes to a vision model, and a text-only model refuses it', async () => {
    const fileInput = () => app.driver.findElement(By.css('[data-testid="chat-file-input"]'));
    // Text-only: the picked file is refused with the reason, nothing attached, nothing sent.
    assert.ok(sameModel(await modelShown(), 'gpt-4.1-mini'), 'the text-only model is the one in use');
    await (await fileInput()).sendKeys(imageFile);
    const refusal = await app.find('.chat-problems', 'the refusal of the image');
    assert.match(await refusal.getText(), /GT-4\.1-mini/);
    assert.equal(await app.read(() => document.querySelectorAll('.chat-attachment').length), 0, 'nothing attached');

    // Vision: a new chat with GT-4o, the image attached and sent.
    await app.click('.chat-new', 'the New chat button');
    await app.find('.chat-welcome', 'the new chat');
    await pickModel('gpt-4o');
    await (await fileInput()).sendKeys(imageFile);
    await app.find('.chat-attachment img', 'the attached image\'s preview');
    await sim.script([{ text: 'A tiny picture of four coloured pixels.', match: 'pixels' }]);
    await send('What do these pixels show?');
    await waitFor('the answer about the image', async () => {
      const found = (await assistants()).at(-1);
      return (await live()) === null && found?.status === 'complete' && /four coloured pixels/.test(found.text);
    });
    await app.find('.chat-transcript article.chat-message.user img.chat-image', 'the image in the sent message');
    const record = (await sim.completions()).find((completion) => completion.text.includes('pixels'));
    assert.ok(record, 'the simulator received the message');
    assert.match(record.model, /gpt-4o$/);
    assert.equal(record.files.length, 1, `one file went with it (${JSON.stringify(record.files).slice(0, 300)})`);
    const withFiles = (await sim.completions()).filter((completion) => completion.files.length > 0);
    assert.ok(withFiles.every((completion) => /gpt-4o$/.test(completion.model)), 'no image went to a text-only model');
  });

  test('the tray\'s "Open chat" opens the chat window', async () => {
    const main = await app.driver.getWindowHandle();
    const before = await display.appWindows(app.pid);
    await tray.pick(app.pid, TRAY_FROM_BOTTOM.openChat, { screenshot: 'chat/tray-menu.png' });
    const handles = await waitFor('a second window under WebDriver', async () => {
      const all = await app.driver.getAllWindowHandles();
      return all.length === 2 && all;
    });
    const mapped = await waitFor('the chat window to be mapped on the display', async () => {
      const windows = await display.appWindows(app.pid);
      return windows.length > before.length && windows;
    });
    assert.equal(mapped.length, before.length + 1);
    const chatHandle = handles.find((handle) => handle !== main);
    await app.driver.switchTo().window(chatHandle);
    try {
      assert.equal(await app.read(() => window.location.hash), '#chat');
      await app.find('.chat.chat-standalone textarea.chat-input', 'the chat window\'s message box');
      // The same conversations as the main window's.
      await waitFor('the chat window to list both conversations', async () =>
        (await app.read(() => document.querySelectorAll('.chat-list .chat-item').length)) === 2,
      );
      await app.screenshot('chat/chat-window.png');
      // A message sent here is answered here…
      await sim.script([{ text: 'Answered in the chat window.', match: 'own window' }]);
      await send('Hello from its own window');
      await waitFor('the answer in the chat window', async () => {
        const found = (await assistants()).at(-1);
        return (await live()) === null && found?.status === 'complete' && /Answered in the chat window/.test(found.text);
      });
    } finally {
      await app.driver.close();
      await app.driver.switchTo().window(main);
    }
    // …and shows in the main window's open conversation too, with nothing done there.
    await waitFor('the main window to show the chat window\'s answer', async () =>
      (await assistants()).some((message) => message.status === 'complete' && /Answered in the chat window/.test(message.text)),
    );
  });

  test('screenshots of the chat, light and dark, in Chinese and English', async (t) => {
    const saved = [];
    for (const language of ['zh-CN', 'en']) {
      for (const theme of ['light', 'dark']) {
        await app.goTo('settings');
        await app.click(`[data-testid="language-select"] option[value="${language}"]`, `the language ${language}`);
        await waitFor(`the UI to switch to ${language}`, () => app.read((lang) => document.documentElement.lang === lang, language));
        await app.click(`[data-testid="theme-select"] option[value="${theme}"]`, `the theme ${theme}`);
        await waitFor(`the ${theme} theme to apply`, () => app.read((name) => document.documentElement.dataset.theme === name, theme));
        await app.goTo('chat');
        // The Markdown conversation is the older one: open it from the list.
        const items = await waitFor('the two conversations in the list', async () => {
          const found = await app.driver.findElements(By.css('.chat-list .chat-item-main'));
          return found.length === 2 && found;
        });
        await items[1].click();
        await app.find('.chat-transcript .katex', 'the rendered math');
        await app.settle();
        // The picture is of the Markdown answer: its question at the top of the transcript.
        await app.read(() => document.querySelector('.chat-transcript article.chat-message.user')?.scrollIntoView({ block: 'start' }));
        const file = await app.screenshot(path.join('chat', `${language}-${theme}.png`));
        const level = await brightness(file);
        if (theme === 'dark') assert.ok(level < 0.35, `${file} is dark (mean brightness ${level.toFixed(2)})`);
        else assert.ok(level > 0.6, `${file} is light (mean brightness ${level.toFixed(2)})`);
        const chinese = await app.read(() => document.querySelector('.chat-composer textarea')?.getAttribute('placeholder') ?? '');
        if (language === 'zh-CN') assert.match(chinese, /[\u4e00-\u9fff]/, 'the message box speaks Chinese');
        else assert.doesNotMatch(chinese, /[\u4e00-\u9fff]/, 'the message box speaks English');
        saved.push(file);
      }
    }
    // Back to English and light, which the next case reads.
    await app.goTo('settings');
    await app.click('[data-testid="theme-select"] option[value="light"]', 'the theme light');
    t.diagnostic(`${saved.length} screenshots saved under ${path.join(ARTIFACTS, 'chat')}`);
  });

  test('after quitting mid-answer and launching again, the conversations are there, the cut answer stopped', async () => {
    // A third conversation, its answer still streaming when the app quits.
    await app.goTo('chat');
    await app.click('.chat-new', 'the New chat button');
    await app.find('.chat-welcome', 'the new chat');
    await sim.script([{ text: LONG_REPLY }]);
    await sim.frameDelay(250);
    let before;
    try {
      before = await sendAndWatchStream('A story cut short by quitting');
      await tray.pick(app.pid, TRAY_FROM_BOTTOM.quit);
      await waitFor('the app to exit', () => !alive(app.pid));
    } finally {
      await sim.frameDelay(0);
    }
    const stats = await waitFor('the upstream session to be deleted and the completion aborted', async () => {
      const now = await sim.stats();
      return now.sessions_open === 0 && now.completions_aborted > before.completions_aborted && now;
    });
    assert.equal(stats.completions_finished, before.completions_finished, `the answer did not finish (${JSON.stringify(stats)})`);
    await app.close();

    app = await openApp(home, { log: 'chat-app-again.log' });
    // The account was stored by the first sign-in: the app signs in by itself.
    await app.find('.header-status[data-tone="running"]', 'the header saying the gateway is running');
    await app.goTo('chat');
    const titles = await waitFor('the three conversations in the list', async () => {
      const found = await app.read(() => [...document.querySelectorAll('.chat-list .chat-item-title')].map((node) => node.textContent));
      return found.length === 3 && found;
    });
    // The newest opens: the one cut short, its partial answer kept and marked stopped.
    const cut = await waitFor('the cut answer, marked stopped', async () => {
      const found = await assistants();
      return found.length === 1 && found[0].stopped && found;
    });
    assert.equal(cut[0].status, 'stopped');
    assert.match(cut[0].text, /Sentence 1 /);
    assert.doesNotMatch(cut[0].text, /Sentence 120 /);

    const index = titles.findIndex((title) => /quarterly summary/.test(title));
    assert.ok(index >= 0, `the first conversation is listed (${titles.join(', ')})`);
    const items = await app.driver.findElements(By.css('.chat-list .chat-item-main'));
    await items[index].click();
    const list = await waitFor(`the first conversation's answers (${titles.join(', ')})`, async () => {
      const found = await assistants();
      return found.length === 3 && found;
    });
    assert.deepEqual(list.map((message) => message.status), ['complete', 'stopped', 'complete']);
    assert.match(list[0].text, /完成。Done\./);
    assert.equal(list[2].version, '2/2', 'the regenerated answer kept both versions');
    const users = await app.read(() => [...document.querySelectorAll('.chat-transcript article.chat-message.user')].map((node) => node.innerText));
    assert.equal(users.length, 3);
    assert.match(users[0], /quarterly summary/);
  });
});
