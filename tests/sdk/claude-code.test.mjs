// The real Claude Code CLI (the pinned @anthropic-ai/claude-code, its native binary) in print mode
// against the gateway and the simulator: a plain answer with Claude Code's default model, and a
// multi-step task in which the simulated model calls Claude Code's Bash tool, Claude Code runs it
// and sends the result back, and the model answers. Claude Code runs offline: a throwaway HOME,
// nonessential traffic and the auto-updater off, loopback only.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { API_KEY, startStack } from './harness.mjs';

const require = createRequire(import.meta.url);

/// Safety net for one Claude Code run (it starts in well under a second; the limit only stops
/// a hung run from hanging the suite).
const RUN_LIMIT_MS = 120_000;

/// The native Claude Code binary. The wrapper package's postinstall copies it over
/// `bin/claude.exe`; when npm skipped install scripts, the platform package still has it.
function claudeBinary() {
  const wrapper = path.join(path.dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe');
  if (statSync(wrapper).size > 1_000_000) return wrapper;
  const musl = process.report?.getReport?.().header?.glibcVersionRuntime === undefined ? '-musl' : '';
  const platform = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${process.platform === 'linux' ? musl : ''}`;
  return path.join(path.dirname(require.resolve(`${platform}/package.json`)), 'claude');
}

let stack;
let home;

before(async () => {
  stack = await startStack();
  home = await mkdtemp(path.join(tmpdir(), 'taiji-claude-code-'));
});

after(async () => {
  await rm(home, { recursive: true, force: true });
  const code = await stack?.stop();
  assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
});

/// Runs `claude -p <prompt> --output-format json` in `cwd` and returns its parsed result.
async function claude(prompt, { cwd, args = [], env = {} }) {
  const child = spawn(claudeBinary(), ['-p', prompt, '--output-format', 'json', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_BASE_URL: stack.gatewayUrl,
      ANTHROPIC_AUTH_TOKEN: API_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  let result;
  try {
    result = JSON.parse(stdout);
  } catch {
    throw new Error(`claude exited ${code} without a JSON result; stdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return { code, result, stderr };
}

test('claude code: a plain answer with its default model', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'taiji-cc-plain-'));
  const seen = (await stack.completions()).length;
  await stack.script([{ text: 'pong from the simulated model', match: 'ping-7d1e' }]);
  const { code, result } = await claude('Reply to ping-7d1e with pong.', { cwd });
  assert.equal(result.is_error, false, JSON.stringify(result));
  assert.equal(code, 0);
  assert.equal(result.result, 'pong from the simulated model');
  const upstream = (await stack.completions()).slice(seen);
  assert.ok(upstream.length >= 1, 'Claude Code reached the simulator');
  const main = upstream.find((request) => request.text.includes('ping-7d1e'));
  // Its default model (an Opus id the site does not offer) resolves through the `opus` alias to
  // Sonnet, never to the site's 1,000,000-point Opus.
  assert.match(main.model, /(^|::)claude-sonnet-4-6$/);
  // The mid-conversation system message is a labelled turn after the user's; the billing header
  // line is gone.
  assert.ok(main.text.indexOf('系统提示：# Environment') > main.text.indexOf('ping-7d1e'), main.text.slice(0, 400));
  assert.ok(!main.text.includes('x-anthropic-billing-header'));
  await stack.waitForStats((stats) => stats.sessions_open === 0);
  await rm(cwd, { recursive: true, force: true });
});

test('claude code: ANTHROPIC_MODEL picks a site model by its own id', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'taiji-cc-model-'));
  const seen = (await stack.completions()).length;
  await stack.script([{ text: 'answered by the cheap model', match: 'model-5c3a' }]);
  const { result } = await claude('model-5c3a: who answers?', { cwd, env: { ANTHROPIC_MODEL: 'gpt-4.1-mini' } });
  assert.equal(result.is_error, false, JSON.stringify(result));
  assert.equal(result.result, 'answered by the cheap model');
  const main = (await stack.completions()).slice(seen).find((request) => request.text.includes('model-5c3a'));
  assert.match(main.model, /(^|::)gpt-4\.1-mini$/);
  await rm(cwd, { recursive: true, force: true });
});

test('claude code: a multi-step task runs its Bash and Read tools and answers from the results', async () => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'taiji-cc-bash-'));
  const file = path.join(cwd, 'hello.txt');
  const before = await stack.stats();
  const seen = (await stack.completions()).length;
  // The command's output and the file's text appear nowhere in the command itself, so each
  // scripted answer can match exactly the request that carries the previous tool's result.
  const command = "printf '%s-%s' made-by claude-code > hello.txt && echo \"wrote-$((6*7))-0b5a\"";
  await stack.script([
    // Step 1: call Bash (the convention: one JSON object with the calls), after some thinking.
    {
      match: 'task-0b5a',
      thinking: 'I should write the file with Bash.',
      text: JSON.stringify({
        tool_calls: [{ name: 'Bash', arguments: { command, description: 'Write hello.txt' } }],
      }),
    },
    // Step 2, after Bash's output: read the file back.
    {
      match: 'wrote-42-0b5a',
      text: `Written. ${JSON.stringify({ tool_calls: [{ name: 'Read', arguments: { file_path: file } }] })}`,
    },
    // Step 3, after Read's output: the final answer.
    { match: 'made-by-claude-code', text: 'Done: hello.txt says made-by-claude-code.' },
  ]);
  const { code, result } = await claude('task-0b5a: create hello.txt in the current directory and check it.', {
    cwd,
    args: ['--allowedTools', 'Bash', 'Read', '--permission-mode', 'acceptEdits'],
  });
  assert.equal(result.is_error, false, JSON.stringify(result));
  assert.equal(code, 0);
  assert.equal(await readFile(file, 'utf8'), 'made-by-claude-code', 'Claude Code ran the Bash call');
  assert.equal(result.result, 'Done: hello.txt says made-by-claude-code.');
  assert.ok(result.num_turns >= 3, `three model turns: ${result.num_turns}`);
  assert.deepEqual(await stack.scripted(), [], 'every scripted answer was used');

  const upstream = (await stack.completions()).slice(seen);
  const last = upstream.find((request) => request.text.includes('made-by-claude-code'));
  assert.ok(last, "the Read result went back upstream");
  assert.ok(last.text.includes('wrote-42-0b5a'), "and Bash's result is still in the history");
  assert.ok(last.text.includes('"tool_calls"'), 'the earlier calls are in the history in the convention');
  await stack.waitForStats((stats) => stats.sessions_open === 0);
  const stats = await stack.stats();
  assert.equal(stats.sessions_created - before.sessions_created, stats.sessions_deleted - before.sessions_deleted);
  await rm(cwd, { recursive: true, force: true });
});
