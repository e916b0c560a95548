// The Vercel AI SDK (`ai` with `@ai-sdk/openai-compatible` and `@ai-sdk/anthropic`, the provider
// layer Cherry Studio's AI core is built on) against the gateway: generateText and streamText,
// with and without tools, a forced call (`toolChoice: 'required'`), and a multi-step tool loop
// (`stopWhen: stepCountIs(…)`) in which the SDK runs the tool and sends its result back. The
// simulated model's answers are scripted, so every assertion is exact.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';

import { API_KEY, startStack } from './harness.mjs';

// The SDK's compatibility notes (e.g. an unknown model's output limit) are not test output.
globalThis.AI_SDK_LOG_WARNINGS = false;

let stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

/// The two providers, as Cherry Studio configures them for a custom OpenAI-type and
/// Anthropic-type provider (base URL with /v1, the key, usage in streams).
const PROVIDERS = {
  'openai-compatible': () =>
    createOpenAICompatible({
      name: 'taiji',
      baseURL: `${stack.gatewayUrl}/v1`,
      apiKey: API_KEY,
      includeUsage: true,
    }).chatModel('gpt-4.1-mini'),
  anthropic: () => createAnthropic({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: API_KEY })('gpt-4.1-mini'),
};

/// The tool of these tests, with the arguments it was called with recorded.
function weatherTool(calls) {
  return tool({
    description: 'Get the current weather of a city',
    inputSchema: jsonSchema({
      type: 'object',
      properties: { city: { type: 'string', description: 'The city name' } },
      required: ['city'],
      additionalProperties: false,
    }),
    execute: async ({ city }) => {
      calls.push(city);
      return `sunny-4c2f in ${city}`;
    },
  });
}

/// The convention's text for one call, as the scripted model answers.
function callText(name, args) {
  return JSON.stringify({ tool_calls: [{ name, arguments: args }] });
}

async function drain(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

for (const [label, model] of Object.entries(PROVIDERS)) {
  describe(`ai sdk (${label})`, () => {
    test('generateText answers in plain text', async () => {
      const marker = `plain-${label}`;
      await stack.script([{ match: marker, text: `hello from ${marker}` }]);
      const result = await generateText({ model: model(), system: 'Be brief.', prompt: `Say hi (${marker})` });
      assert.equal(result.text, `hello from ${marker}`);
      assert.equal(result.finishReason, 'stop');
      assert.ok(result.usage.inputTokens > 0 && result.usage.outputTokens > 0, JSON.stringify(result.usage));
    });

    test('streamText streams the text and finishes', async () => {
      const marker = `stream-${label}`;
      const answer = `streamed answer for ${marker}, in several frames`;
      await stack.script([{ match: marker, text: answer, thinking: 'a short thought' }]);
      const result = streamText({ model: model(), prompt: `Tell me something (${marker})` });
      assert.equal(await drain(result.textStream), answer);
      assert.equal(await result.finishReason, 'stop');
      assert.match((await result.reasoningText) ?? '', /a short thought/);
    });

    test('tools declared but not needed: a plain answer, no call', async () => {
      const marker = `notool-${label}`;
      const calls = [];
      await stack.script([{ match: marker, text: 'No tool needed.' }]);
      const result = await generateText({
        model: model(),
        tools: { get_weather: weatherTool(calls) },
        prompt: `What is 2+2? (${marker})`,
      });
      assert.equal(result.text, 'No tool needed.');
      assert.deepEqual(result.toolCalls, []);
      assert.deepEqual(calls, []);
      const upstream = await stack.lastCompletion();
      assert.ok(upstream.text.includes('get_weather'), 'the tool is described in the prompt');
    });

    test("toolChoice 'required' returns a native tool call", async () => {
      const marker = `required-${label}`;
      await stack.script([{ match: marker, text: callText('get_weather', { city: 'Paris' }) }]);
      const result = await generateText({
        model: model(),
        tools: {
          get_weather: tool({
            description: 'Get the current weather of a city',
            inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          }),
        },
        toolChoice: 'required',
        prompt: `Weather in Paris? (${marker})`,
      });
      assert.equal(result.finishReason, 'tool-calls');
      assert.equal(result.toolCalls.length, 1);
      assert.equal(result.toolCalls[0].toolName, 'get_weather');
      assert.deepEqual(result.toolCalls[0].input, { city: 'Paris' });
      assert.equal(result.text, '', 'no call markup leaks into the text');
    });

    test('generateText runs a multi-step tool loop (stopWhen stepCountIs)', async () => {
      const marker = `loop-${label}`;
      const calls = [];
      await stack.script([
        { match: marker, text: callText('get_weather', { city: 'Berlin' }) },
        // Only the second request carries the tool's result.
        { match: 'sunny-4c2f in Berlin', text: 'Berlin is sunny today.' },
      ]);
      const result = await generateText({
        model: model(),
        tools: { get_weather: weatherTool(calls) },
        stopWhen: stepCountIs(4),
        prompt: `Weather in Berlin? (${marker})`,
      });
      assert.deepEqual(calls, ['Berlin']);
      assert.equal(result.steps.length, 2);
      assert.equal(result.steps[0].finishReason, 'tool-calls');
      assert.equal(result.text, 'Berlin is sunny today.');
      assert.equal(result.finishReason, 'stop');
      const upstream = await stack.lastCompletion();
      assert.ok(upstream.text.includes('sunny-4c2f in Berlin'), 'the tool result went upstream');
    });

    test('streamText runs a multi-step tool loop with streamed tool input', async () => {
      const marker = `streamloop-${label}`;
      const calls = [];
      await stack.script([
        { match: marker, text: `Let me check. ${callText('get_weather', { city: 'Oslo' })}` },
        { match: 'sunny-4c2f in Oslo', text: 'Oslo is sunny.' },
      ]);
      const result = streamText({
        model: model(),
        tools: { get_weather: weatherTool(calls) },
        stopWhen: stepCountIs(4),
        prompt: `Weather in Oslo? (${marker})`,
      });
      const kinds = new Set();
      let text = '';
      for await (const part of result.fullStream) {
        kinds.add(part.type);
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') throw part.error;
      }
      assert.deepEqual(calls, ['Oslo']);
      assert.ok(kinds.has('tool-call') && kinds.has('tool-result'), [...kinds].join(','));
      assert.equal(text, 'Let me check. Oslo is sunny.');
      assert.equal((await result.steps).length, 2);
      assert.ok(!text.includes('tool_calls'), 'no call markup leaks into the text');
    });
  });
}

test('every upstream session of the AI SDK tests was deleted', async () => {
  const stats = await stack.waitForStats((s) => s.sessions_open === 0);
  assert.equal(stats.sessions_created, stats.sessions_deleted);
  assert.deepEqual(await stack.scripted(), [], 'every scripted answer was used');
});
