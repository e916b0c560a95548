// The test stack: one `taiji-sim` and one `taiji-gateway serve` in front of it, both the real
// binaries (paths in TAIJI_SIM_BIN and TAIJI_GATEWAY_BIN; this harness builds nothing), with a
// temporary HOME and data directory, on loopback ports chosen by the OS. Plus the official SDK
// clients pointed at the gateway, and helpers for the simulator's control API.
//
// Each test file starts one stack in `before` and stops it in `after`; tests read the simulator's
// counters as deltas or wait for them, so they do not depend on each other's order.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

export const DEMO_ACCOUNT = '13800000000';
export const DEMO_PASSWORD = 'taiji-demo-pass';
/// The key the gateway requires (at least 16 characters, as the settings demand).
export const API_KEY = 'tj-sdk-e2e-key-0123456789abcdef';

/// Safety net for waits on events; tests never sleep to synchronise.
const STARTUP_LIMIT_MS = 60_000;

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run this suite through scripts/test.sh, or set TAIJI_GATEWAY_BIN and ` +
        'TAIJI_SIM_BIN to the built binaries (cargo build -p taiji-gateway -p taiji-sim)',
    );
  }
  return value;
}

/// Resolves with the first stdout line of `child` matching `pattern` (its first capture group),
/// rejects if the process exits first or the limit passes. Stderr is collected for the message.
function waitForLine(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${STARTUP_LIMIT_MS} ms; stderr:\n${stderr}`));
    }, STARTUP_LIMIT_MS);
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ value: match[1], stderr: () => stderr });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (code ${code}, signal ${signal}) before starting; stderr:\n${stderr}`));
    });
  });
}

/// Sends `signal` and resolves with the exit code (null when killed by a signal).
function stopProcess(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/// Makes sure `child` does not outlive this test process, even if a test crashes before `after`
/// runs (a normal `stop()` has ended it by then, and the kill is a no-op).
function killOnExit(child) {
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/// Starts the simulator and the gateway. `gatewayArgs` are added to `serve`. The simulator speaks the
/// 2.x dialect here: these tests assert the 2.x catalog's model ids (`gpt-4.1-mini`) as clients list
/// them; the 3.4.0 dialect (`openai::gpt-4.1-mini`) is covered by crates/taiji-core/tests/dialects.rs.
export async function startStack({ gatewayArgs = [], simArgs = ['--dialect', '2.x'] } = {}) {
  const gatewayBin = requireEnv('TAIJI_GATEWAY_BIN');
  const simBin = requireEnv('TAIJI_SIM_BIN');
  const home = await mkdtemp(path.join(tmpdir(), 'taiji-sdk-e2e-'));

  const sim = spawn(simBin, ['--port', '0', ...simArgs], {
    env: { PATH: process.env.PATH, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(sim);
  const simUrl = (await waitForLine(sim, /^taiji-sim listening on (\S+)/, 'taiji-sim')).value;

  const gateway = spawn(
    gatewayBin,
    [
      'serve',
      '--port', '0',
      '--data-dir', path.join(home, 'data'),
      '--api-base', simUrl,
      '--api-key', API_KEY,
      ...gatewayArgs,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        TAIJI_ACCOUNT: DEMO_ACCOUNT,
        TAIJI_PASSWORD: DEMO_PASSWORD,
        TAIJI_CREDENTIAL_STORE: 'file',
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  killOnExit(gateway);
  let started;
  try {
    started = await waitForLine(gateway, /^listening on (\S+)$/, 'taiji-gateway');
  } catch (error) {
    await stopProcess(sim, 'SIGINT');
    throw error;
  }
  const gatewayUrl = started.value;

  return new Stack({ home, sim, simUrl, gateway, gatewayUrl, gatewayStderr: started.stderr });
}

export class Stack {
  constructor({ home, sim, simUrl, gateway, gatewayUrl, gatewayStderr }) {
    this.home = home;
    this.sim = sim;
    this.simUrl = simUrl;
    this.gateway = gateway;
    this.gatewayUrl = gatewayUrl;
    this.gatewayStderr = gatewayStderr;
  }

  /// The official OpenAI client; no retries unless asked, so error tests see the first answer.
  openai(options = {}) {
    return new OpenAI({ apiKey: API_KEY, baseURL: `${this.gatewayUrl}/v1`, maxRetries: 0, ...options });
  }

  /// The official Anthropic client (base URL without /v1, as the SDK expects).
  anthropic(options = {}) {
    return new Anthropic({ apiKey: API_KEY, baseURL: this.gatewayUrl, maxRetries: 0, ...options });
  }

  async simGet(route) {
    const response = await fetch(`${this.simUrl}${route}`);
    if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status}`);
    return response.json();
  }

  async simPost(route, body) {
    const response = await fetch(`${this.simUrl}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${route}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  /// The simulator's counters (`SimStats`, snake_case).
  stats() {
    return this.simGet('/__sim/stats');
  }

  /// Every completions request the simulator received, oldest first.
  completions() {
    return this.simGet('/__sim/completions');
  }

  /// The newest completions request the simulator received.
  async lastCompletion() {
    const all = await this.completions();
    return all[all.length - 1];
  }

  /// Injects a fault for the next `count` calls of `target` (see the simulator's control API).
  fault(target, kind, count = 1) {
    return this.simPost('/__sim/faults', { target, kind, count });
  }

  async clearFaults() {
    const response = await fetch(`${this.simUrl}/__sim/faults`, { method: 'DELETE' });
    if (!response.ok) throw new Error(`DELETE /__sim/faults: HTTP ${response.status}`);
  }

  /// Queues scripted answers of the simulated model: `[{text, thinking?, match?}]` (see the
  /// simulator's control API: an entry with `match` answers the next completion whose upstream
  /// text contains it; the others answer in order).
  script(replies) {
    return this.simPost('/__sim/script', { replies });
  }

  /// Empties the scripted-answer queue.
  async clearScript() {
    const response = await fetch(`${this.simUrl}/__sim/script`, { method: 'DELETE' });
    if (!response.ok) throw new Error(`DELETE /__sim/script: HTTP ${response.status}`);
  }

  /// What is still queued.
  async scripted() {
    return (await this.simGet('/__sim/script')).replies;
  }

  setFrameDelay(ms) {
    return this.simPost('/__sim/frame-delay', { ms });
  }

  /// Polls the simulator's counters until `predicate(stats)` holds. The simulator's control API
  /// has no long-poll, so this is the event wait over HTTP; it gives up after `limitMs`.
  async waitForStats(predicate, limitMs = 30_000) {
    const deadline = Date.now() + limitMs;
    let stats = await this.stats();
    while (!predicate(stats)) {
      if (Date.now() > deadline) {
        throw new Error(`simulator never reached the expected state; last stats: ${JSON.stringify(stats)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
      stats = await this.stats();
    }
    return stats;
  }

  /// Stops the gateway with SIGTERM (it must exit 0), then the simulator, and removes the
  /// temporary home. Returns the gateway's exit code.
  async stop() {
    const code = await stopProcess(this.gateway, 'SIGTERM');
    await stopProcess(this.sim, 'SIGINT');
    await rm(this.home, { recursive: true, force: true });
    return code;
  }
}

/// The simulator's token rule (crates/taiji-sim/src/tokens.rs): one token per non-ASCII
/// character, one per started group of four ASCII characters.
export function simTokens(text) {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.codePointAt(0) < 128) ascii += 1;
    else other += 1;
  }
  return other + Math.ceil(ascii / 4);
}

/// Parses an SSE body into `{event, data}` records (comments skipped), as §7.1 of the client
/// conformance notes describes.
export function parseSse(body) {
  const events = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    let event = null;
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}

/// A 1×1 transparent PNG.
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
