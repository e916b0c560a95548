// The official `openai` SDK against the gateway: chat completions (plain, streamed, the stream
// helper), models, what reaches the upstream (multi-turn, system prompts, images), reasoning,
// usage, stop sequences and max_tokens.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TINY_PNG_BASE64, simTokens, startStack } from './harness.mjs';

let stack;
let client;

before(async () => {
  stack = await startStack();
  client = stack.openai();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

test('openai: non-stream completion has the standard shape and the upstream answer', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'hello openai sdk' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.id, /\S/);
  assert.equal(typeof completion.created, 'number');
  assert.equal(completion.choices.length, 1);
  const [choice] = completion.choices;
  assert.equal(choice.index, 0);
  assert.equal(choice.finish_reason, 'stop');
  assert.equal(choice.message.role, 'assistant');
  assert.match(choice.message.content, /hello openai sdk/);
  const upstream = await stack.lastCompletion();
  assert.equal(upstream.text, 'hello openai sdk', 'a single user message is sent as typed');
  assert.equal(upstream.model, 'gpt-4.1-mini');
});

test('openai: streamed chunks carry the role first, one finish reason, and join to the answer', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    stream: true,
    messages: [{ role: 'user', content: 'stream me please' }],
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3, `got ${chunks.length} chunks`);
  const ids = new Set(chunks.map((c) => c.id));
  assert.equal(ids.size, 1, 'one id for the whole stream');
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.ok(Array.isArray(chunk.choices) && chunk.choices.length === 1, 'no empty choices without include_usage');
  }
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(chunks.slice(1).every((c) => c.choices[0].delta.role === undefined), 'role only once');
  const finishes = chunks.filter((c) => c.choices[0].finish_reason !== null);
  assert.equal(finishes.length, 1);
  assert.equal(finishes[0], chunks[chunks.length - 1]);
  assert.equal(finishes[0].choices[0].finish_reason, 'stop');
  const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
  assert.match(text, /stream me please/);
});

test('openai: the stream helper accumulates a final completion', async () => {
  const runner = client.chat.completions.stream({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'helper stream' }],
  });
  let deltas = '';
  runner.on('content', (delta) => {
    deltas += delta;
  });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.equal(final.choices[0].message.content, deltas);
  assert.match(deltas, /helper stream/);
});

test('openai: models list through the SDK holds the catalog, one page', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes('gpt-4.1-mini') && ids.includes('deepseek-reasoner'), ids.join(','));
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  const one = await client.models.retrieve('gpt-4o');
  assert.equal(one.id, 'gpt-4o');
  assert.equal(one.object, 'model');
  assert.equal(typeof one.created, 'number');
  assert.equal(typeof one.owned_by, 'string');
});

test('openai: system prompts and earlier turns reach the upstream text', async () => {
  await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: 'Answer in English.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '4' },
      { role: 'user', content: [{ type: 'text', text: 'And times 3?' }] },
    ],
  });
  const { text } = await stack.lastCompletion();
  for (const piece of ['You are terse.', 'Answer in English.', 'What is 2+2?', '4', 'And times 3?']) {
    assert.ok(text.includes(piece), `${JSON.stringify(piece)} missing from upstream text: ${text}`);
  }
  assert.ok(text.indexOf('What is 2+2?') < text.indexOf('And times 3?'), 'turns keep their order');
});

test('openai: an image data URL becomes an upstream file', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is in this picture?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
        ],
      },
    ],
  });
  assert.match(completion.choices[0].message.content, /files=1/);
  const upstream = await stack.lastCompletion();
  assert.equal(upstream.files.length, 1);
  assert.ok(JSON.stringify(upstream.files[0]).includes(TINY_PNG_BASE64), 'the image bytes are passed on');
  assert.match(upstream.text, /what is in this picture\?/);
});

test('openai: reasoning arrives as reasoning_content, separate from the answer', async () => {
  const completion = await client.chat.completions.create({
    model: 'deepseek-reasoner',
    messages: [{ role: 'user', content: 'think first' }],
  });
  const message = completion.choices[0].message;
  assert.ok(message.reasoning_content?.length > 0, 'non-stream reasoning_content');
  assert.doesNotMatch(message.content, /<\/?think>/);
  assert.doesNotMatch(message.reasoning_content, /<\/?think>/);

  const stream = await client.chat.completions.create({
    model: 'deepseek-reasoner',
    stream: true,
    messages: [{ role: 'user', content: 'think first' }],
  });
  let reasoning = '';
  let content = '';
  let reasoningDoneBeforeContent = true;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta ?? {};
    if (delta.reasoning_content) {
      if (content.length > 0) reasoningDoneBeforeContent = false;
      reasoning += delta.reasoning_content;
    }
    content += delta.content ?? '';
  }
  assert.equal(reasoning, message.reasoning_content, 'stream and non-stream reasoning agree');
  assert.ok(reasoningDoneBeforeContent, 'reasoning precedes the answer');
  assert.match(content, /think first/);
});

test('openai: usage equals the upstream token counts', async () => {
  const short = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'short' }],
  });
  const shortText = (await stack.lastCompletion()).text;
  const long = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'a considerably longer prompt, 你好世界, with more tokens in it' }],
  });
  const longText = (await stack.lastCompletion()).text;
  for (const c of [short, long]) {
    assert.equal(c.usage.completion_tokens, simTokens(c.choices[0].message.content));
    assert.equal(c.usage.total_tokens, c.usage.prompt_tokens + c.usage.completion_tokens);
  }
  assert.equal(
    long.usage.prompt_tokens - short.usage.prompt_tokens,
    simTokens(longText) - simTokens(shortText),
    'prompt tokens grow exactly by the upstream count of the extra text',
  );

  const stream = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'short' }],
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
  assert.ok(chunks.slice(0, -1).every((c) => c.usage == null), 'other chunks have usage null');
  assert.equal(last.usage.prompt_tokens, short.usage.prompt_tokens);
  assert.equal(last.usage.completion_tokens, short.usage.completion_tokens);
});

test('openai: a stop sequence cuts the answer and finishes with stop', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: '[[sim:long=200]] count' }],
    stop: ['w7 '],
  });
  const { content } = completion.choices[0].message;
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(content.includes('w6'), content);
  assert.ok(!content.includes('w7'), `cut before the stop sequence: ${content}`);
});

test('openai: max_tokens cuts the answer with finish_reason length, streamed or not', async () => {
  const completion = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    max_tokens: 20,
    messages: [{ role: 'user', content: '[[sim:long=2000]] go on' }],
  });
  assert.equal(completion.choices[0].finish_reason, 'length');
  assert.ok(completion.usage.completion_tokens <= 20, JSON.stringify(completion.usage));
  assert.ok(!completion.choices[0].message.content.includes('w1000'));

  const stream = await client.chat.completions.create({
    model: 'gpt-4.1-mini',
    max_completion_tokens: 20,
    stream: true,
    messages: [{ role: 'user', content: '[[sim:long=2000]] go on' }],
  });
  const finishes = [];
  for await (const chunk of stream) {
    const reason = chunk.choices[0]?.finish_reason;
    if (reason) finishes.push(reason);
  }
  assert.deepEqual(finishes, ['length']);
  // Cutting stops the upstream stream at once and deletes its session.
  await stack.waitForStats((s) => s.sessions_open === 0 && s.concurrent_completions === 0);
});
