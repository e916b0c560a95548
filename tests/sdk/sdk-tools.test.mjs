// Tool calling through the official `openai` and `@anthropic-ai/sdk` clients, and replays of
// Cherry Studio's MCP request shapes (client-conformance §3.7): native calls in stream and
// non-stream answers, forced calls, parallel calls, and tool-result round trips. The simulated
// model's answers are scripted (the tool convention's JSON object), so every assertion is exact.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { API_KEY, parseSse, startStack } from './harness.mjs';

let stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

/// The convention's text for calls `[[name, args], …]`, as the scripted model answers.
function callText(...calls) {
  return JSON.stringify({ tool_calls: calls.map(([name, args]) => ({ name, arguments: args })) });
}

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city'],
};
const OPENAI_TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER_SCHEMA } },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Local time of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const ANTHROPIC_TOOLS = OPENAI_TOOLS.map(({ function: f }) => ({
  name: f.name,
  description: f.description,
  input_schema: f.parameters,
}));

describe('openai sdk with tools', () => {
  test('non-stream: a native tool call with finish_reason tool_calls', async () => {
    await stack.script([{ match: 'oa-nonstream', text: callText(['get_weather', { city: 'Paris', unit: 'c' }]) }]);
    const completion = await stack.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather in Paris? oa-nonstream' }],
      tools: OPENAI_TOOLS,
    });
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const [call] = choice.message.tool_calls;
    assert.equal(call.type, 'function');
    assert.match(call.id, /^call_/);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'c' });
    assert.ok(!choice.message.content?.includes('tool_calls'), 'no markup in the content');
  });

  test('stream: a forced named call arrives as tool_calls deltas; parallel calls get indices', async () => {
    await stack.script([
      {
        match: 'oa-stream',
        text: `Checking both. ${callText(['get_weather', { city: 'Rome' }], ['get_time', { city: 'Rome' }])}`,
      },
    ]);
    const stream = await stack.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather and time in Rome? oa-stream' }],
      tools: OPENAI_TOOLS,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    let content = '';
    const calls = [];
    let finish = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      for (const delta of choice.delta.tool_calls ?? []) {
        if (!calls[delta.index]) {
          assert.ok(delta.id && delta.type === 'function' && delta.function.name, 'the first delta names the call');
          calls[delta.index] = { id: delta.id, name: delta.function.name, arguments: '' };
        }
        calls[delta.index].arguments += delta.function.arguments ?? '';
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(content, 'Checking both. ');
    assert.deepEqual(
      calls.map((call) => [call.name, JSON.parse(call.arguments)]),
      [
        ['get_weather', { city: 'Rome' }],
        ['get_time', { city: 'Rome' }],
      ],
    );
    assert.notEqual(calls[0].id, calls[1].id);
    assert.match((await stack.lastCompletion()).text, /get_weather/);
  });

  test('tool results round-trip and the model answers from them', async () => {
    await stack.script([{ match: 'cloudy-91ab', text: 'It is cloudy in Oslo.' }]);
    const completion = await stack.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'cloudy-91ab, 12°C' },
      ],
      tools: OPENAI_TOOLS,
    });
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.choices[0].message.content, 'It is cloudy in Oslo.');
    const upstream = await stack.lastCompletion();
    assert.ok(upstream.text.includes('"city":"Oslo"'), 'the earlier call is in the history');
    assert.ok(upstream.text.includes('cloudy-91ab, 12°C'), 'the result is in the prompt');
  });

  test("tool_choice 'none': the tools are not offered and text is answered", async () => {
    await stack.script([{ match: 'oa-none', text: 'Just text.' }]);
    const completion = await stack.openai().chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Hi oa-none' }],
      tools: OPENAI_TOOLS,
      tool_choice: 'none',
    });
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.choices[0].message.content, 'Just text.');
  });
});

describe('anthropic sdk with tools', () => {
  test('non-stream: a tool_use block with stop_reason tool_use', async () => {
    await stack.script([{ match: 'an-nonstream', text: callText(['get_weather', { city: 'Lima' }]) }]);
    const message = await stack.anthropic().messages.create({
      model: 'gpt-4.1-mini',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Weather in Lima? an-nonstream' }],
      tools: ANTHROPIC_TOOLS,
    });
    assert.equal(message.stop_reason, 'tool_use');
    const uses = message.content.filter((block) => block.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.match(uses[0].id, /^toolu_/);
    assert.equal(uses[0].name, 'get_weather');
    assert.deepEqual(uses[0].input, { city: 'Lima' });
  });

  test('stream helper: tool_choice any gives a tool_use built from input_json_delta', async () => {
    await stack.script([
      { match: 'an-stream', thinking: 'Need the time.', text: callText(['get_time', { city: 'Quito' }]) },
    ]);
    const stream = stack.anthropic().messages.stream({
      model: 'gpt-4.1-mini',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Time in Quito? an-stream' }],
      tools: ANTHROPIC_TOOLS,
      tool_choice: { type: 'any' },
    });
    const deltas = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'tool_use');
    assert.ok(deltas.includes('input_json_delta'), deltas.join(','));
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.equal(use.name, 'get_time');
    assert.deepEqual(use.input, { city: 'Quito' });
  });

  test('tool_result blocks (text, blocks, is_error) round-trip', async () => {
    await stack.script([{ match: 'rainy-5e7d', text: 'Rain in Bogotá; the clock tool failed.' }]);
    const message = await stack.anthropic().messages.create({
      model: 'gpt-4.1-mini',
      max_tokens: 1024,
      tools: ANTHROPIC_TOOLS,
      messages: [
        { role: 'user', content: 'Weather and time in Bogotá?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Bogotá' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { city: 'Bogotá' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'rainy-5e7d' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'clock offline', is_error: true },
          ],
        },
      ],
    });
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.content[0].text, 'Rain in Bogotá; the clock tool failed.');
    const upstream = await stack.lastCompletion();
    assert.ok(upstream.text.includes('rainy-5e7d') && upstream.text.includes('clock offline'), upstream.text);
  });
});

describe("cherry studio's MCP request shapes", () => {
  // Cherry Studio turns MCP tools into AI SDK tools: JSON Schemas with $schema and
  // additionalProperties, assistant history with content "" + tool_calls, tool results as strings.
  const MCP_TOOL = {
    type: 'function',
    function: {
      name: 'fetch_url',
      description: 'Fetch a URL and return its text (MCP server "fetch")',
      parameters: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { url: { type: 'string', format: 'uri' }, max_length: { type: 'number' } },
        required: ['url'],
        additionalProperties: false,
      },
    },
  };
  const HEADERS = {
    Authorization: `Bearer ${API_KEY}`,
    'Content-Type': 'application/json',
    'HTTP-Referer': 'https://cherry-ai.com',
    'X-Title': 'Cherry Studio',
  };

  test('openai type: the streamed call has the framing the AI SDK schema requires', async () => {
    await stack.script([{ match: 'cherry-mcp-1', text: callText(['fetch_url', { url: 'https://example.com' }]) }]);
    const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'system', content: 'You are Cherry.' },
          { role: 'user', content: 'Summarise example.com cherry-mcp-1' },
        ],
        tools: [MCP_TOOL],
        tool_choice: 'auto',
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    assert.equal(events.at(-1).data, '[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    assert.ok(deltas.length >= 1);
    for (const delta of deltas) {
      assert.equal(typeof delta.index, 'number');
      assert.equal(typeof delta.function, 'object', 'every tool-call delta has a function object');
    }
    assert.equal(deltas[0].type, 'function');
    assert.equal(deltas[0].function.name, 'fetch_url');
    assert.equal(typeof deltas[0].id, 'string');
    const args = deltas.map((delta) => delta.function.arguments ?? '').join('');
    assert.deepEqual(JSON.parse(args), { url: 'https://example.com' });
    const finishes = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean);
    assert.deepEqual(finishes, ['tool_calls']);
    assert.equal(chunks.at(-1).choices.length, 0, 'the usage chunk comes last');
  });

  test('openai type: the second step (content "" + tool_calls, tool message) answers', async () => {
    await stack.script([{ match: 'Example Domain 3f9c', text: 'example.com is a placeholder page.' }]);
    const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'user', content: 'Summarise example.com' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'call_x1', type: 'function', function: { name: 'fetch_url', arguments: '{"url":"https://example.com"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_x1', content: 'Example Domain 3f9c' },
        ],
        tools: [MCP_TOOL],
        stream: false,
      }),
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.choices[0].message.content, 'example.com is a placeholder page.');
    assert.equal(body.choices[0].finish_reason, 'stop');
  });

  test('anthropic type: a streamed tool_use block has id, name and input {} at its start', async () => {
    await stack.script([{ match: 'cherry-mcp-2', text: callText(['fetch_url', { url: 'https://example.org' }]) }]);
    const response = await fetch(`${stack.gatewayUrl}/v1/messages`, {
      method: 'POST',
      headers: { ...HEADERS, 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'gpt-4.1-mini',
        max_tokens: 4096,
        system: [{ type: 'text', text: 'You are Cherry.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise example.org cherry-mcp-2' }] }],
        tools: [{ name: 'fetch_url', description: MCP_TOOL.function.description, input_schema: MCP_TOOL.function.parameters }],
        stream: true,
      }),
    });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text()).map(({ event, data }) => ({ event, data: JSON.parse(data) }));
    const start = events.find((e) => e.event === 'content_block_start' && e.data.content_block.type === 'tool_use');
    assert.ok(start, 'a tool_use block starts');
    assert.equal(start.data.content_block.name, 'fetch_url');
    assert.match(start.data.content_block.id, /^toolu_/);
    assert.deepEqual(start.data.content_block.input, {});
    const json = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === start.data.index)
      .map((e) => e.data.delta.partial_json)
      .join('');
    assert.deepEqual(JSON.parse(json), { url: 'https://example.org' });
    const delta = events.find((e) => e.event === 'message_delta');
    assert.equal(delta.data.delta.stop_reason, 'tool_use');
    assert.equal(events.at(-1).event, 'message_stop');
  });
});

test('every upstream session of the tool tests was deleted', async () => {
  const stats = await stack.waitForStats((s) => s.sessions_open === 0);
  assert.equal(stats.sessions_created, stats.sessions_deleted);
  assert.deepEqual(await stack.scripted(), [], 'every scripted answer was used');
});
