// A client that gives up mid-stream (AbortController, the stream helpers' abort()): the gateway
// must stop the upstream generation at once and delete its chat session.

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { startStack } from './harness.mjs';

let stack;

before(async () => {
  stack = await startStack();
  // Slow frames keep the upstream generating while the client aborts.
  await stack.setFrameDelay(20);
});

afterEach(async () => {
  await stack.waitForStats((s) => s.concurrent_completions === 0);
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

const LONG = '[[sim:long=5000]] keep talking';

test('abort: an OpenAI stream aborted after its first content is cancelled upstream', async () => {
  const before = await stack.stats();
  const controller = new AbortController();
  const stream = await stack.openai().chat.completions.create(
    { model: 'gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: LONG }] },
    { signal: controller.signal },
  );
  let received = '';
  let finished = false;
  const error = await (async () => {
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta?.content ?? '';
        finished ||= Boolean(chunk.choices[0]?.finish_reason);
        if (received.length > 0) controller.abort();
      }
    } catch (caught) {
      return caught;
    }
    return null;
  })();
  // openai-node ends the iteration quietly on an abort (or raises APIUserAbortError, depending on
  // where the abort lands); either way the stream must not have finished.
  assert.ok(error === null || error instanceof OpenAI.APIUserAbortError, `unexpected ${error}`);
  assert.equal(finished, false, 'the stream was cut, not finished');
  assert.ok(received.length > 0);
  const after = await stack.waitForStats(
    (s) => s.completions_aborted === before.completions_aborted + 1 && s.sessions_open === 0,
  );
  assert.equal(after.completions_finished, before.completions_finished, 'the generation did not run to the end');
  assert.equal(after.sessions_deleted, after.sessions_created, 'every session was deleted');
});

test('abort: an Anthropic stream helper aborted mid-stream is cancelled upstream', async () => {
  const before = await stack.stats();
  const stream = stack.anthropic().messages.stream({
    model: 'gpt-4.1-mini',
    max_tokens: 64_000,
    messages: [{ role: 'user', content: LONG }],
  });
  stream.on('text', () => stream.abort());
  const error = await stream.finalMessage().then(
    () => null,
    (caught) => caught,
  );
  assert.ok(error instanceof Anthropic.APIUserAbortError, `expected an abort, got ${error}`);
  const after = await stack.waitForStats(
    (s) => s.completions_aborted === before.completions_aborted + 1 && s.sessions_open === 0,
  );
  assert.equal(after.completions_finished, before.completions_finished);
});

test('abort: a raw fetch dropped right after the first chunk (Cherry Studio\'s check) is cancelled upstream', async () => {
  const before = await stack.stats();
  const controller = new AbortController();
  const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    signal: controller.signal,
    headers: { authorization: `Bearer ${stack.openai().apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-mini',
      stream: true,
      messages: [
        { role: 'system', content: 'test' },
        { role: 'user', content: LONG },
      ],
    }),
  });
  assert.equal(response.status, 200);
  const reader = response.body.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  controller.abort();
  await stack.waitForStats(
    (s) => s.completions_aborted === before.completions_aborted + 1 && s.sessions_open === 0,
  );
});
