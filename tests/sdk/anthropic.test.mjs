// The official `@anthropic-ai/sdk` against the gateway: messages (plain, streamed, the stream
// helper), models with pagination, what reaches the upstream (multi-turn, system blocks, images),
// thinking blocks, usage, stop sequences and max_tokens, count_tokens.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TINY_PNG_BASE64, simTokens, startStack } from './harness.mjs';

let stack;
let client;

before(async () => {
  stack = await startStack();
  client = stack.anthropic();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

const textOf = (message) =>
  message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('');

test('anthropic: non-stream message has the standard shape and the upstream answer', async () => {
  const message = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'hello anthropic sdk' }],
  });
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.stop_sequence, null);
  assert.match(message.id, /\S/);
  assert.match(textOf(message), /hello anthropic sdk/);
  assert.equal(typeof message.usage.input_tokens, 'number');
  assert.equal(typeof message.usage.output_tokens, 'number');
  assert.equal((await stack.lastCompletion()).text, 'hello anthropic sdk');
});

test('anthropic: a raw stream has the exact event order and indices', async () => {
  const stream = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    stream: true,
    messages: [{ role: 'user', content: 'stream events' }],
  });
  const events = [];
  for await (const event of stream) events.push(event);
  const types = events.map((e) => e.type).filter((t) => t !== 'ping');
  assert.equal(types[0], 'message_start');
  assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
  assert.equal(typeof events[0].message.usage.input_tokens, 'number');
  const starts = events.filter((e) => e.type === 'content_block_start');
  assert.deepEqual(
    starts.map((e) => e.index),
    starts.map((_, i) => i),
    'blocks are numbered 0, 1, … in start order',
  );
  const stops = events.filter((e) => e.type === 'content_block_stop');
  assert.equal(stops.length, starts.length, 'every block is closed');
  const delta = events.find((e) => e.type === 'message_delta');
  assert.equal(delta.delta.stop_reason, 'end_turn');
  assert.equal(typeof delta.usage.output_tokens, 'number');
  const text = events
    .filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta')
    .map((e) => e.delta.text)
    .join('');
  assert.match(text, /stream events/);
});

test('anthropic: the stream helper accumulates a final message', async () => {
  const stream = client.messages.stream({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'helper message stream' }],
  });
  let deltas = '';
  stream.on('text', (delta) => {
    deltas += delta;
  });
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, 'end_turn');
  assert.equal(textOf(final), deltas);
  assert.match(deltas, /helper message stream/);
});

test('anthropic: models list terminates and holds the catalog', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    ids.push(model.id);
    assert.ok(ids.length < 1000, 'pagination must end');
  }
  assert.ok(ids.includes('gpt-4.1-mini') && ids.includes('claude-opus-4-6'), ids.join(','));
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  const page = await client.models.list({ limit: 5 });
  assert.equal(page.has_more, false, 'everything comes in one page');
  const one = await client.models.retrieve('gpt-4o');
  assert.equal(one.id, 'gpt-4o');
  assert.equal(one.type, 'model');
  assert.equal(typeof one.display_name, 'string');
});

test('anthropic: system blocks and earlier turns reach the upstream text', async () => {
  await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    system: [
      { type: 'text', text: 'You are a careful assistant.' },
      { type: 'text', text: 'Reply briefly.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      { role: 'user', content: 'First question?' },
      { role: 'assistant', content: [{ type: 'text', text: 'First answer.' }] },
      { role: 'user', content: 'Second question?' },
    ],
  });
  const { text } = await stack.lastCompletion();
  for (const piece of ['You are a careful assistant.', 'Reply briefly.', 'First question?', 'First answer.', 'Second question?']) {
    assert.ok(text.includes(piece), `${JSON.stringify(piece)} missing from upstream text: ${text}`);
  }
  assert.ok(text.indexOf('First question?') < text.indexOf('Second question?'));
});

test('anthropic: a base64 image block becomes an upstream file', async () => {
  const message = await client.messages.create({
    model: 'gpt-4o',
    max_tokens: 1024,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
          { type: 'text', text: 'describe the image' },
        ],
      },
    ],
  });
  assert.match(textOf(message), /files=1/);
  const upstream = await stack.lastCompletion();
  assert.equal(upstream.files.length, 1);
  assert.ok(JSON.stringify(upstream.files[0]).includes(TINY_PNG_BASE64));
});

test('anthropic: reasoning becomes a thinking block before the text', async () => {
  const message = await client.messages.create({
    model: 'deepseek-reasoner',
    max_tokens: 4096,
    thinking: { type: 'enabled', budget_tokens: 2048 },
    messages: [{ role: 'user', content: 'ponder this' }],
  });
  const types = message.content.map((block) => block.type);
  assert.deepEqual(types, ['thinking', 'text']);
  assert.ok(message.content[0].thinking.length > 0);
  assert.equal(typeof message.content[0].signature, 'string');
  assert.doesNotMatch(textOf(message), /<\/?think>/);

  const stream = client.messages.stream({
    model: 'deepseek-reasoner',
    max_tokens: 4096,
    thinking: { type: 'enabled', budget_tokens: 2048 },
    messages: [{ role: 'user', content: 'ponder this' }],
  });
  let thinking = '';
  stream.on('thinking', (delta) => {
    thinking += delta;
  });
  const final = await stream.finalMessage();
  assert.deepEqual(final.content.map((block) => block.type), ['thinking', 'text']);
  assert.equal(thinking, message.content[0].thinking);
});

test('anthropic: usage equals the upstream token counts', async () => {
  const short = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'short' }],
  });
  const shortText = (await stack.lastCompletion()).text;
  const long = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'a considerably longer prompt, 你好世界, with more tokens in it' }],
  });
  const longText = (await stack.lastCompletion()).text;
  for (const message of [short, long]) {
    assert.equal(message.usage.output_tokens, simTokens(textOf(message)));
  }
  assert.equal(
    long.usage.input_tokens - short.usage.input_tokens,
    simTokens(longText) - simTokens(shortText),
  );
  const streamed = await client.messages
    .stream({ model: 'gpt-4.1-mini', max_tokens: 1024, messages: [{ role: 'user', content: 'short' }] })
    .finalMessage();
  assert.equal(streamed.usage.output_tokens, short.usage.output_tokens);
});

test('anthropic: a stop sequence ends with stop_reason stop_sequence', async () => {
  const message = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 4096,
    stop_sequences: ['w7 '],
    messages: [{ role: 'user', content: '[[sim:long=200]] count' }],
  });
  assert.equal(message.stop_reason, 'stop_sequence');
  assert.equal(message.stop_sequence, 'w7 ');
  const text = textOf(message);
  assert.ok(text.includes('w6') && !text.includes('w7'), text);
});

test('anthropic: max_tokens ends with stop_reason max_tokens, streamed or not', async () => {
  const message = await client.messages.create({
    model: 'gpt-4.1-mini',
    max_tokens: 20,
    messages: [{ role: 'user', content: '[[sim:long=2000]] go on' }],
  });
  assert.equal(message.stop_reason, 'max_tokens');
  assert.ok(message.usage.output_tokens <= 20, JSON.stringify(message.usage));

  const final = await client.messages
    .stream({ model: 'gpt-4.1-mini', max_tokens: 20, messages: [{ role: 'user', content: '[[sim:long=2000]] go on' }] })
    .finalMessage();
  assert.equal(final.stop_reason, 'max_tokens');
  await stack.waitForStats((s) => s.sessions_open === 0 && s.concurrent_completions === 0);
});

test('anthropic: count_tokens gives an estimate that grows with system and tools', async () => {
  const base = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'count me' }] };
  const plain = await client.messages.countTokens(base);
  assert.ok(plain.input_tokens > 0);
  const withSystem = await client.messages.countTokens({ ...base, system: 'A long system prompt '.repeat(20) });
  assert.ok(withSystem.input_tokens > plain.input_tokens + 20, JSON.stringify({ plain, withSystem }));
  const withTools = await client.messages.countTokens({
    ...base,
    tools: [
      {
        name: 'get_weather',
        description: 'Get the current weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  });
  assert.ok(withTools.input_tokens > plain.input_tokens, JSON.stringify({ plain, withTools }));
});
