// Replays of what Cherry Studio and Claude Code actually send (client-conformance.md §3, §4), as
// raw fetch calls, with raw checks of the SSE framing the clients parse.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { API_KEY, parseSse, startStack } from './harness.mjs';

let stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

const CHERRY_HEADERS = {
  'HTTP-Referer': 'https://cherry-ai.com',
  'X-Title': 'Cherry Studio',
  'User-Agent': 'ai-sdk/openai-compatible/2.0.37',
};

const CLAUDE_CODE_HEADERS = {
  authorization: `Bearer ${API_KEY}`,
  'anthropic-version': '2026-10-21',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,some-future-beta-2030-01-01',
  'x-app': 'cli',
  'user-agent': 'claude-cli/2.1.126 (external, cli)',
  'x-stainless-lang': 'js',
  'x-stainless-retry-count': '0',
  'X-Claude-Code-Session-Id': '5b3c1f0e-0000-4000-8000-000000000000',
  'content-type': 'application/json',
};

/// Asserts the response headers every SSE client needs.
function assertSseHeaders(response) {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(response.headers.get('content-encoding'), null, 'SSE is never compressed');
  assert.match(response.headers.get('cache-control') ?? '', /no-cache/);
}

/// Asserts the Anthropic event framing (§2.3) and returns the parsed events.
function assertAnthropicFraming(body) {
  const events = parseSse(body).map(({ event, data }) => ({ event, data: JSON.parse(data) }));
  for (const { event, data } of events) {
    assert.ok(event, 'every event has an `event:` line');
    assert.equal(event, data.type, 'the event name equals data.type');
  }
  const names = events.map((e) => e.event).filter((name) => name !== 'ping');
  assert.equal(names[0], 'message_start');
  assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
  assert.equal(typeof events[0].data.message.usage.input_tokens, 'number');
  const delta = events.find((e) => e.event === 'message_delta');
  assert.equal(typeof delta.data.usage.output_tokens, 'number');
  const open = new Set();
  let next = 0;
  for (const { event, data } of events) {
    if (event === 'content_block_start') {
      assert.equal(data.index, next++, 'contiguous block indices');
      open.add(data.index);
    } else if (event === 'content_block_delta') {
      assert.ok(open.has(data.index), `delta for a started block (${data.index})`);
    } else if (event === 'content_block_stop') {
      assert.ok(open.delete(data.index));
    }
  }
  assert.equal(open.size, 0, 'every block is stopped');
  return events;
}

test('cherry studio: GET /v1/models with both Authorization and X-Api-Key passes its schema', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/models`, {
    headers: { ...CHERRY_HEADERS, Authorization: `Bearer ${API_KEY}`, 'X-Api-Key': API_KEY },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /application\/json/);
  const body = await response.json();
  assert.equal(body.object, 'list');
  assert.equal(body.has_more, false);
  assert.ok(Array.isArray(body.data) && body.data.length > 5);
  for (const model of body.data) {
    assert.equal(typeof model.id, 'string');
    assert.equal(model.object, 'model');
    assert.equal(typeof model.created, 'number');
    assert.equal(typeof model.owned_by, 'string', 'owned_by is a string, never null');
    assert.equal(model.type, 'model');
    assert.equal(typeof model.display_name, 'string');
    assert.ok(!Number.isNaN(Date.parse(model.created_at)), 'created_at is RFC 3339');
  }
  assert.equal(body.first_id, body.data[0].id);
  assert.equal(body.last_id, body.data[body.data.length - 1].id);
});

test('cherry studio: streamed chat with stream_options.include_usage has the exact OpenAI framing', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...CHERRY_HEADERS, Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'You are Cherry.' },
        { role: 'user', content: 'hi from cherry' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      enable_thinking: false,
      thinking: { type: 'disabled' },
      reasoning_effort: 'low',
    }),
  });
  assertSseHeaders(response);
  const events = parseSse(await response.text());
  assert.equal(events.at(-1).data, '[DONE]', 'the stream ends with [DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
  assert.ok(events.slice(0, -1).every((e) => e.event === null), 'OpenAI streams have no event names');
  const [first] = chunks;
  assert.deepEqual(first.choices[0].delta, { role: 'assistant', content: '' });
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.id, first.id);
    assert.equal(chunk.created, first.created);
    assert.ok('usage' in chunk);
  }
  const usageChunk = chunks.at(-1);
  assert.deepEqual(usageChunk.choices, []);
  assert.equal(typeof usageChunk.usage.prompt_tokens, 'number');
  assert.equal(usageChunk.usage.total_tokens, usageChunk.usage.prompt_tokens + usageChunk.usage.completion_tokens);
  const choiceChunks = chunks.slice(0, -1);
  assert.ok(choiceChunks.every((c) => c.usage === null && c.choices.length === 1));
  const reasons = choiceChunks.map((c) => c.choices[0].finish_reason);
  assert.ok(reasons.slice(0, -1).every((r) => r === null), 'finish_reason is null until the end');
  assert.equal(reasons.at(-1), 'stop');
  assert.deepEqual(choiceChunks.at(-1).choices[0].delta, {}, 'the finish chunk has an empty delta');
  assert.ok(choiceChunks.slice(1).every((c) => !('role' in c.choices[0].delta)));
  const upstream = await stack.lastCompletion();
  assert.ok(upstream.text.includes('You are Cherry.') && upstream.text.includes('hi from cherry'), upstream.text);
});

test('cherry studio: the v2 connection check (non-stream, system "test", user "hi") succeeds', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...CHERRY_HEADERS, Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'test' },
        { role: 'user', content: 'hi' },
      ],
    }),
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.equal(typeof body.choices[0].message.content, 'string');
});

test('cherry studio: an Anthropic-type provider (x-api-key, 2023-06-01, system blocks) streams', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/messages`, {
    method: 'POST',
    headers: {
      ...CHERRY_HEADERS,
      'x-api-key': API_KEY,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'gpt-4.1-mini',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'You are Cherry.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi via anthropic type' }] }],
      stream: true,
    }),
  });
  assertSseHeaders(response);
  const events = assertAnthropicFraming(await response.text());
  const text = events
    .filter((e) => e.event === 'content_block_delta')
    .map((e) => e.data.delta.text ?? '')
    .join('');
  assert.match(text, /hi via anthropic type/);
});

test('claude code: POST /v1/messages?beta=true with unknown betas, a new version, tools and metadata', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/messages?beta=true`, {
    method: 'POST',
    headers: CLAUDE_CODE_HEADERS,
    body: JSON.stringify({
      // A dated Claude Code Sonnet id: the site's model of that name, undated.
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 32000,
      temperature: 1,
      stream: true,
      metadata: { user_id: 'user_abc123_account__session_5b3c1f0e' },
      system: [
        {
          type: 'text',
          text: "You are Claude Code, Anthropic's official CLI for Claude.",
          cache_control: { type: 'ephemeral' },
        },
        { type: 'text', text: 'Working directory: /home/user/project', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      tools: [
        {
          name: 'Bash',
          description: 'Executes a given bash command',
          input_schema: {
            type: 'object',
            properties: { command: { type: 'string' }, timeout: { type: 'number' } },
            required: ['command'],
            additionalProperties: false,
            $schema: 'http://json-schema.org/draft-07/schema#',
          },
        },
        {
          name: 'Read',
          description: 'Reads a file',
          input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] },
        },
      ],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 31999 },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>context</system-reminder>' },
            { type: 'text', text: 'list the files', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    }),
  });
  assertSseHeaders(response);
  const events = assertAnthropicFraming(await response.text());
  const stop = events.find((e) => e.event === 'message_delta').data.delta.stop_reason;
  assert.equal(stop, 'end_turn');
  const upstream = await stack.lastCompletion();
  assert.match(upstream.model, /(^|::)claude-sonnet-4-5$/);
  assert.ok(upstream.text.includes("You are Claude Code, Anthropic's official CLI for Claude."));
  assert.ok(upstream.text.includes('list the files'));
});

test('claude code: the background Haiku model resolves through the default alias', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/messages?beta=true`, {
    method: 'POST',
    headers: CLAUDE_CODE_HEADERS,
    body: JSON.stringify({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Summarise this conversation in five words.' }],
    }),
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.type, 'message');
  assert.match((await stack.lastCompletion()).model, /(^|::)gpt-4\.1-mini$/);
});

test('claude code: POST /v1/messages/count_tokens?beta=true counts system, tools and messages', async () => {
  const count = async (extra) => {
    const response = await fetch(`${stack.gatewayUrl}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      headers: CLAUDE_CODE_HEADERS,
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'list the files' }],
        ...extra,
      }),
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(typeof body.input_tokens, 'number');
    return body.input_tokens;
  };
  const bare = await count({});
  const withSystem = await count({
    system: [{ type: 'text', text: 'You are Claude Code. '.repeat(30), cache_control: { type: 'ephemeral' } }],
  });
  const withTools = await count({
    tools: [
      {
        name: 'Bash',
        description: 'Executes a given bash command in a persistent shell session',
        input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
      },
    ],
  });
  assert.ok(bare > 0);
  assert.ok(withSystem > bare + 30, `system counted: ${bare} → ${withSystem}`);
  assert.ok(withTools > bare, `tools counted: ${bare} → ${withTools}`);
});

test('claude code: GET /v1/models answers the Anthropic shape with the inference credentials', async () => {
  const response = await fetch(`${stack.gatewayUrl}/v1/models`, {
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'anthropic-version': '2023-06-01',
      'x-app': 'cli',
    },
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.has_more, false);
  assert.ok(body.data.every((m) => m.type === 'model' && typeof m.display_name === 'string'));
});

test('claude code 2.1.332: its captured first request (system message between turns) streams an answer', async () => {
  // Captured from the real CLI on loopback and sanitised (fixtures/): 12 tools, adaptive
  // thinking, context_management, output_config, a billing-header system block, and
  // messages[1] with role "system".
  const capture = JSON.parse(await readFile(new URL('./fixtures/claude-code-2.1.332-messages.json', import.meta.url), 'utf8'));
  assert.equal(capture.body.messages[1].role, 'system');
  const response = await fetch(`${stack.gatewayUrl}${capture.url}`, {
    method: capture.method,
    headers: { ...capture.headers, authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(capture.body),
  });
  assertSseHeaders(response);
  const events = assertAnthropicFraming(await response.text());
  assert.equal(events.find((e) => e.event === 'message_delta').data.delta.stop_reason, 'end_turn');
  const upstream = await stack.lastCompletion();
  // Its default model, claude-opus-5-5, is not on the site: the `opus` alias sends it to Sonnet.
  assert.match(upstream.model, /(^|::)claude-sonnet-4-6$/);
  assert.ok(!upstream.text.includes('x-anthropic-billing-header'));
  assert.ok(upstream.text.indexOf('系统提示：# Environment') > upstream.text.indexOf('say pong'));
  // The whole prompt (system, turns and the 12 tool descriptions) stays within the site's limit.
  assert.ok(upstream.text.length < 48_000, `upstream text of ${upstream.text.length} chars`);
});

test("claude code 2.1.332: its start-up probe and gateway model discovery are answered", async () => {
  // HEAD {ANTHROPIC_BASE_URL}/api/hello without credentials, then (with
  // CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1) GET /v1/models?limit=1000 with these headers;
  // Claude Code keeps the ids matching /(claude|anthropic)/i and shows display_name.
  const probe = await fetch(`${stack.gatewayUrl}/api/hello`, { method: 'HEAD', headers: { 'user-agent': 'Bun/1.4.6' } });
  assert.equal(probe.status, 200);
  const response = await fetch(`${stack.gatewayUrl}/v1/models?limit=1000`, {
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'anthropic-version': '2023-06-01',
      'user-agent': 'claude-code/2.1.332',
    },
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  const usable = body.data.filter((model) => /(claude|anthropic)/i.test(model.id));
  assert.ok(usable.length >= 3, usable.map((model) => model.id).join(','));
  assert.ok(usable.every((model) => typeof model.display_name === 'string' && model.display_name.length > 0));
  // The cheap model is offered under a Claude name so the picker can choose it.
  assert.ok(usable.some((model) => model.id === 'claude-haiku-4-5' && /→/.test(model.display_name)));
});
