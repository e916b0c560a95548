// Every error class a client can meet, seen through both official SDKs: each must raise the
// SDK's own exception class for the status (never an APIConnectionError, which would mean a
// malformed or missing HTTP answer), before streaming began as a real HTTP status, after it as
// the API's in-stream error.

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { startStack } from './harness.mjs';

let stack;

before(async () => {
  stack = await startStack();
});

afterEach(async () => {
  await stack.clearFaults();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

/// Runs `call` and returns what it threw, failing if it did not throw.
async function thrown(call) {
  try {
    await call();
  } catch (error) {
    assert.ok(
      !(error instanceof OpenAI.APIConnectionError) && !(error instanceof Anthropic.APIConnectionError),
      `a connection error means no proper HTTP answer: ${error}`,
    );
    return error;
  }
  assert.fail('expected an error');
}

const userMessage = (content) => [{ role: 'user', content }];

test('errors: an unknown model is NotFoundError in both SDKs, streamed or not', async () => {
  const before = await stack.stats();
  const openai = stack.openai();
  for (const stream of [false, true]) {
    const error = await thrown(async () => {
      const result = await openai.chat.completions.create({ model: 'no-such-model', stream, messages: userMessage('hi') });
      if (stream) for await (const _ of result);
    });
    assert.ok(error instanceof OpenAI.NotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.equal(error.param, 'model');
  }
  const anthropic = stack.anthropic();
  for (const stream of [false, true]) {
    const error = await thrown(async () => {
      const result = await anthropic.messages.create({
        model: 'no-such-model',
        max_tokens: 64,
        stream,
        messages: userMessage('hi'),
      });
      if (stream) for await (const _ of result);
    });
    assert.ok(error instanceof Anthropic.NotFoundError, String(error));
    assert.equal(error.error?.error?.type, 'not_found_error');
  }
  assert.equal((await stack.stats()).completions_started, before.completions_started, 'nothing sent upstream');
});

test('errors: a wrong API key is AuthenticationError in both SDKs and both header forms', async () => {
  const openai = stack.openai({ apiKey: 'tj-definitely-not-the-key-000' });
  const openaiError = await thrown(() => openai.models.list());
  assert.ok(openaiError instanceof OpenAI.AuthenticationError, String(openaiError));
  assert.equal(openaiError.status, 401);

  const viaApiKey = stack.anthropic({ apiKey: 'tj-definitely-not-the-key-000' });
  const apiKeyError = await thrown(() =>
    viaApiKey.messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: userMessage('hi') }),
  );
  assert.ok(apiKeyError instanceof Anthropic.AuthenticationError, String(apiKeyError));
  assert.equal(apiKeyError.error?.error?.type, 'authentication_error');

  const viaBearer = stack.anthropic({ apiKey: null, authToken: 'tj-definitely-not-the-key-000' });
  const bearerError = await thrown(() =>
    viaBearer.messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: userMessage('hi') }),
  );
  assert.ok(bearerError instanceof Anthropic.AuthenticationError, String(bearerError));
});

test('errors: n=2 is BadRequestError naming the parameter', async () => {
  const error = await thrown(() =>
    stack.openai().chat.completions.create({ model: 'gpt-4.1-mini', n: 2, messages: userMessage('hi') }),
  );
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.equal(error.param, 'n');
});

test('errors: text longer than the upstream accepts is BadRequestError in both SDKs', async () => {
  const tooLong = 'x'.repeat(60_000);
  const openaiError = await thrown(() =>
    stack.openai().chat.completions.create({ model: 'gpt-4.1-mini', messages: userMessage(tooLong) }),
  );
  assert.ok(openaiError instanceof OpenAI.BadRequestError, String(openaiError));
  assert.equal(openaiError.code, 'context_length_exceeded');

  const anthropicError = await thrown(() =>
    stack.anthropic().messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: userMessage(tooLong) }),
  );
  assert.ok(anthropicError instanceof Anthropic.BadRequestError, String(anthropicError));
  assert.match(anthropicError.message, /prompt is too long/);
  await stack.waitForStats((s) => s.sessions_open === 0);
});

test('errors: an exhausted quota is RateLimitError (OpenAI) and PaymentRequiredError (Anthropic)', async () => {
  const quota = { json_error: { code: 1, msg: '套餐余量不足' } };
  await stack.fault('completions', quota, 1);
  const openaiError = await thrown(() =>
    stack.openai().chat.completions.create({ model: 'gpt-4.1-mini', messages: userMessage('hi') }),
  );
  assert.ok(openaiError instanceof OpenAI.RateLimitError, String(openaiError));
  assert.equal(openaiError.code, 'insufficient_quota');

  await stack.fault('completions', quota, 1);
  const anthropicError = await thrown(() =>
    stack.anthropic().messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: userMessage('hi') }),
  );
  assert.ok(anthropicError instanceof Anthropic.PaymentRequiredError, String(anthropicError));
  assert.equal(anthropicError.status, 402);
});

test('errors: an upstream rate limit is RateLimitError with Retry-After in both SDKs', async () => {
  await stack.fault('completions', 'rate_limited429', 20);
  const openaiError = await thrown(() =>
    stack.openai().chat.completions.create({ model: 'gpt-4.1-mini', messages: userMessage('hi') }),
  );
  assert.ok(openaiError instanceof OpenAI.RateLimitError, String(openaiError));
  assert.ok(Number(openaiError.headers.get('retry-after')) > 0, 'Retry-After is set');

  const anthropicError = await thrown(() =>
    stack.anthropic().messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: userMessage('hi') }),
  );
  assert.ok(anthropicError instanceof Anthropic.RateLimitError, String(anthropicError));
  assert.equal(anthropicError.error?.error?.type, 'rate_limit_error');
});

test('errors: an upstream failure mid-stream is the API\'s in-stream error', async () => {
  await stack.fault('completions', 'stream_error_frame', 1);
  const openaiError = await thrown(async () => {
    const stream = await stack.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      stream: true,
      messages: userMessage('[[sim:long=50]] hi'),
    });
    for await (const _ of stream);
  });
  assert.ok(openaiError instanceof OpenAI.APIError, String(openaiError));

  await stack.fault('completions', 'stream_error_frame', 1);
  const anthropicError = await thrown(async () => {
    const stream = await stack.anthropic().messages.create({
      model: 'gpt-4.1-mini',
      max_tokens: 1024,
      stream: true,
      messages: userMessage('[[sim:long=50]] hi'),
    });
    for await (const _ of stream);
  });
  assert.ok(anthropicError instanceof Anthropic.APIError, String(anthropicError));
  await stack.waitForStats((s) => s.sessions_open === 0);
});

test('errors: malformed JSON is a 400 in the API\'s own error format, never 422', async () => {
  const openai = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.openai().apiKey}`, 'content-type': 'application/json' },
    body: '{"model": "gpt-4.1-mini", "messages": [',
  });
  assert.equal(openai.status, 400);
  const openaiBody = await openai.json();
  assert.equal(openaiBody.error.type, 'invalid_request_error');

  const anthropic = await fetch(`${stack.gatewayUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': stack.anthropic().apiKey, 'content-type': 'application/json' },
    body: '{"model": 42}',
  });
  assert.equal(anthropic.status, 400);
  const anthropicBody = await anthropic.json();
  assert.equal(anthropicBody.type, 'error');
  assert.equal(anthropicBody.error.type, 'invalid_request_error');
});
