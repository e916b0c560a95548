// The desktop test bench: a private X display (Xvfb) with a tray host (trayer), the real
// `taiji-sim` binary as the Taiji site, throwaway HOME/XDG directories, the real `taiji-desktop`
// binary launched directly or through WebDriver (`tauri-driver` in front of Debian's
// `WebKitWebDriver`), and the tray driven with `xdotool` as a user's mouse and keyboard would.
//
// The suite runs inside one private D-Bus session (`npm test` wraps it in `dbus-run-session`), so
// the app's single-instance check sees only the instances this suite starts. Every process is
// started in its own process group and killed (group and all) when its test file ends, also when
// a test crashes. Waits poll a condition with a generous limit; no test sleeps to synchronise and
// none asserts a duration.

import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Builder, By, Key } from 'selenium-webdriver';

const execFileAsync = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/// Where screenshots and the processes' logs go (kept after the run; `target/` is not committed).
export const ARTIFACTS = path.resolve(process.env.TAIJI_E2E_ARTIFACTS ?? path.join(ROOT, 'target', 'e2e-artifacts'));

export const DEMO_ACCOUNT = '13800000000';
export const DEMO_PASSWORD = 'taiji-demo-pass';
/// The app's identifier (`tauri.conf.json`): its data directory is `$XDG_DATA_HOME/<identifier>`.
const APP_IDENTIFIER = 'cn.taiji.gateway';
/// The product name, which names the start-at-login entry (`~/.config/autostart/<name>.desktop`).
export const AUTOSTART_FILE = 'Taiji Gateway.desktop';

/// The tray menu's items, counted from the bottom (Up from an unselected menu starts at the last
/// item). Counting from the bottom keeps them right when items are added at the top of the menu.
export const TRAY_FROM_BOTTOM = { quit: 1, startAtLogin: 2, gatewayRunning: 3, openChat: 6 };

/// The limit of every wait: generous, since a debug WebKit app on two busy cores is slow to start.
export const WAIT_MS = Number(process.env.TAIJI_E2E_WAIT_MS ?? 60_000);

function binary(variable, fallback, hint) {
  const file = process.env[variable] || fallback;
  if (!existsSync(file)) {
    throw new Error(`${variable}: ${file} does not exist; ${hint} (or run scripts/test.sh, which does both)`);
  }
  return realpathSync(file);
}

export const bins = {
  desktop: () =>
    binary(
      'TAIJI_DESKTOP_BIN',
      path.join(ROOT, 'target/debug/taiji-desktop'),
      'build it with `npm run build -w ui && cargo build -p taiji-desktop`',
    ),
  sim: () => binary('TAIJI_SIM_BIN', path.join(ROOT, 'target/debug/taiji-sim'), 'build it with `cargo build -p taiji-sim`'),
  tauriDriver: () =>
    binary(
      'TAURI_DRIVER_BIN',
      path.join(ROOT, 'target/tools/bin/tauri-driver'),
      'install it with `cargo install --locked tauri-driver --version 2.1.0 --root target/tools`',
    ),
};

// ---------------------------------------------------------------------------------------------
// Waiting

/// Polls `probe` until it returns a truthy value, which it resolves with. `probe` may throw; the
/// last error or falsy value is quoted in the timeout's message, after `what`.
export async function waitFor(what, probe, { timeoutMs = WAIT_MS, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = `last result: ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error: ${error?.message ?? error}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

const started = new Set();

/// Kills every process group this file started, whatever happened.
function killAll(signal) {
  for (const child of started) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}
process.once('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll('SIGKILL');
    process.exit(1);
  });
}

/// Starts `command` in its own process group, stdout and stderr appended to `artifacts/<log>`
/// unless `stdout: 'pipe'`.
export function launch(command, args, { env, log, stdout = 'log' } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const fd = openSync(path.join(ARTIFACTS, log ?? `${path.basename(command)}.log`), 'a');
  const child = spawn(command, args, {
    env: env ?? { PATH: process.env.PATH },
    stdio: ['ignore', stdout === 'pipe' ? 'pipe' : fd, fd],
    detached: true,
  });
  closeSync(fd);
  // A test file's process ends when its tests do, even if a child was left running: its exit
  // hook then kills the child's group.
  child.unref();
  child.stdout?.unref?.();
  started.add(child);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      started.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  return child;
}

/// Resolves with `child`'s { code, signal } once it exits; fails after `timeoutMs`.
export function exitOf(child, what, timeoutMs = WAIT_MS) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} to exit`)), timeoutMs);
  });
  return Promise.race([child.exited, limit]).finally(() => clearTimeout(timer));
}

/// Stops every process this file started that still runs (for the files' `after` hooks).
export async function stopAll() {
  await Promise.all([...started].map((child) => stop(child)));
}

/// Whether a process (any, not only a child) still runs.
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/// Stops `child`'s process group: `signal`, then SIGKILL if it is still there after `graceMs`.
export async function stop(child, { signal = 'SIGTERM', graceMs = 10_000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

/// The processes under `pid` (children, grandchildren, …), from /proc.
export function descendants(pid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // Exited while we looked.
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/// The pid of the process under `pid` running `binaryPath`, if any.
export function findDescendant(pid, binaryPath) {
  return descendants(pid).find((candidate) => {
    try {
      return readlinkSync(`/proc/${candidate}/exe`) === binaryPath;
    } catch {
      return false;
    }
  });
}

/// A TCP port that was free a moment ago on 127.0.0.1.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`: true, or the connect error's code.
export function probePort(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error) => resolve(error.code ?? String(error)));
  });
}

/// The mean brightness of a PNG, 0 (black) to 1 (white), measured by ImageMagick; the screenshot tests
/// tell a dark theme from a light one with it.
export async function brightness(file) {
  const result = await run('convert', [file, '-colorspace', 'Gray', '-format', '%[fx:mean]', 'info:']);
  if (result.code !== 0) throw new Error(`convert could not read ${file}: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/// Runs a command to completion; resolves with { code, stdout, stderr } (never rejects on exit codes).
export async function run(command, args, { env, timeoutMs = 30_000 } = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      env: env ?? { PATH: process.env.PATH },
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    return { code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

// ---------------------------------------------------------------------------------------------
// The display: Xvfb and a tray host

export class Display {
  /// Starts Xvfb on a free display number and trayer on it, and waits until trayer's panel is there.
  static async start() {
    for (const tool of ['Xvfb', 'trayer', 'xdotool', 'import', 'convert']) {
      const found = await run('sh', ['-c', `command -v ${tool}`]);
      if (found.code !== 0) throw new Error(`${tool} is not installed (scripts/lib.sh installs it on Debian)`);
    }
    let lastError;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const display = await Display.startServer().catch((error) => {
        lastError = error;
        return null;
      });
      if (display === null) continue;
      try {
        display.trayer = launch(
          'trayer',
          ['--edge', 'top', '--align', 'right', '--widthtype', 'request', '--height', '32', '--SetDockType', 'true',
            '--transparent', 'false', '--tint', '0x444444'],
          { env: display.env(), log: 'trayer.log' },
        );
        await waitFor('the tray host (trayer) to show its panel', async () => {
          if (display.trayer.exitCode !== null) throw new Error('trayer exited (see trayer.log)');
          return (await display.xdotool('search', '--class', '^trayer$')).length > 0;
        }, { timeoutMs: 30_000 });
        return display;
      } catch (error) {
        lastError = error;
        await display.stop();
      }
    }
    throw new Error(`could not start Xvfb with trayer after 5 attempts: ${lastError?.message ?? lastError}`);
  }

  /// Xvfb on a display number picked at random from a range that people and scripts rarely use
  /// by hand (:0, :1, :99 are common), ready once it writes the number to `-displayfd`.
  static async startServer() {
    let number;
    do number = 200 + Math.floor(Math.random() * 300);
    while (existsSync(`/tmp/.X${number}-lock`) || existsSync(`/tmp/.X11-unix/X${number}`));
    const xvfb = launch('Xvfb', [`:${number}`, '-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
      log: 'xvfb.log',
      stdout: 'pipe',
    });
    try {
      await new Promise((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`Xvfb :${number} was not ready within 30 s (see xvfb.log)`)), 30_000);
        xvfb.stdout.setEncoding('utf8');
        xvfb.stdout.on('data', (chunk) => {
          text += chunk;
          if (/^\d+\n/.test(text)) {
            clearTimeout(timer);
            resolve();
          }
        });
        xvfb.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`Xvfb :${number} exited (code ${code}) before it was ready; see xvfb.log`));
        });
      });
    } catch (error) {
      await stop(xvfb);
      throw error;
    }
    return new Display(`:${number}`, xvfb);
  }

  constructor(name, xvfb) {
    this.name = name;
    this.xvfb = xvfb;
  }

  env(extra = {}) {
    return { PATH: process.env.PATH, DISPLAY: this.name, ...extra };
  }

  /// Runs xdotool; resolves with its output lines (none when a search finds nothing).
  async xdotool(...args) {
    const result = await run('xdotool', args, { env: this.env() });
    if (result.code !== 0 && !(args[0] === 'search' && result.code === 1)) {
      throw new Error(`xdotool ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    }
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /// The geometry of window `id`: { x, y, width, height }.
  async geometry(id) {
    const lines = (await this.xdotool('getwindowgeometry', '--shell', id)).join('\n');
    const value = (key) => Number(new RegExp(`^${key}=(-?\\d+)$`, 'm').exec(lines)?.[1]);
    return { x: value('X'), y: value('Y'), width: value('WIDTH'), height: value('HEIGHT') };
  }

  /// The mapped (viewable) windows of process `pid` large enough to be an app window (the tray
  /// icon and GTK's helper windows are smaller than 200 px).
  async appWindows(pid) {
    const windows = [];
    for (const id of await this.xdotool('search', '--onlyvisible', '--pid', String(pid))) {
      try {
        const { width, height } = await this.geometry(id);
        if (width >= 200 && height >= 200) windows.push(id);
      } catch {
        // Unmapped meanwhile.
      }
    }
    return windows;
  }

  /// Waits until window `id` shows drawn content (not one flat colour, as a freshly mapped window
  /// is before it paints), then saves the whole screen as `relative` under the artifacts; with
  /// `crop`, only the window. The screen is captured, not the window itself, since popup menus
  /// cannot be read on their own.
  async drawnScreenshot(id, relative, { crop = false } = {}) {
    const file = path.join(ARTIFACTS, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await waitFor(`the window ${id} to draw its content`, async () => {
      const { x, y, width, height } = await this.geometry(id);
      const region = `${width}x${height}+${x}+${y}`;
      const shot = await run('import', ['-window', 'root', ...(crop ? ['-crop', region, '+repage'] : []), file], { env: this.env() });
      if (shot.code !== 0) throw new Error(`import -window root: ${shot.stderr.trim()}`);
      const measure = crop ? [file] : [file, '-crop', region, '+repage'];
      const spread = await run('convert', [...measure, '-colorspace', 'Gray', '-format', '%[fx:standard_deviation]', 'info:']);
      return Number(spread.stdout.trim()) > 0.05;
    }, { intervalMs: 500 });
    return file;
  }

  /// Saves a PNG of the whole screen (tray menus included) under the artifacts directory.
  async screenshot(relative) {
    const file = path.join(ARTIFACTS, relative);
    await mkdir(path.dirname(file), { recursive: true });
    const result = await run('import', ['-window', 'root', file], { env: this.env() });
    if (result.code !== 0) throw new Error(`import -window root failed: ${result.stderr.trim()}`);
    return file;
  }

  async stop() {
    await stop(this.trayer);
    await stop(this.xvfb);
  }
}

// ---------------------------------------------------------------------------------------------
// The tray, through xdotool

export class Tray {
  constructor(display) {
    this.display = display;
  }

  /// The tray icon of app process `pid`, embedded in trayer's panel (an XEmbed icon: with no
  /// StatusNotifier host on the bus, libayatana-appindicator falls back to a GtkStatusIcon).
  async icon(pid) {
    return waitFor(`the tray icon of the app (pid ${pid}) in trayer`, async () => {
      const ids = await this.display.xdotool('search', '--all', '--onlyvisible', '--pid', String(pid), '--classname', '^tray-icon');
      return ids[0];
    });
  }

  /// Clicks the icon and resolves with the id of the menu window that opens.
  async openMenu(pid, { screenshot } = {}) {
    const icon = await this.icon(pid);
    const before = new Set(await this.display.xdotool('search', '--onlyvisible', '--pid', String(pid)));
    const { width, height } = await this.display.geometry(icon);
    await this.display.xdotool('mousemove', '--window', icon, String(Math.floor(width / 2)), String(Math.floor(height / 2)), 'click', '1');
    // GTK maps a small off-screen window for its grab too; the menu is the new window of real size.
    const menu = await waitFor('the tray menu to open after clicking the tray icon', async () => {
      const now = await this.display.xdotool('search', '--onlyvisible', '--pid', String(pid));
      for (const id of now.filter((candidate) => !before.has(candidate))) {
        const { x, y, width, height } = await this.display.geometry(id);
        if (width >= 50 && height >= 50 && x >= 0 && y >= 0) return id;
      }
      return null;
    });
    // A menu is mapped before it paints and takes the keyboard: keys are sent only once its items
    // are drawn (the screenshot waits for that; without one asked for, the last menu is kept).
    await this.display.drawnScreenshot(menu, screenshot ?? path.join('tray', 'last-opened-menu.png'));
    return menu;
  }

  /// Opens the menu and activates the item `fromBottom` places from its end (see TRAY_FROM_BOTTOM)
  /// with the keyboard, as a user could.
  async pick(pid, fromBottom, options) {
    const menu = await this.openMenu(pid, options).catch(async (error) => {
      // Leave no menu open (it holds the pointer and keyboard) for the next case.
      await this.display.xdotool('key', 'Escape').catch(() => undefined);
      throw error;
    });
    await this.display.xdotool('key', '--clearmodifiers', ...Array(fromBottom).fill('Up'), 'Return');
    await waitFor('the tray menu to close after picking an item', async () => {
      const visible = await this.display.xdotool('search', '--onlyvisible', '--pid', String(pid));
      return !visible.includes(menu);
    }).catch((error) => {
      // The app may have quit, taking the menu with it.
      if (alive(pid)) throw error;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The simulator

export class Sim {
  static async start() {
    const child = launch(bins.sim(), ['--port', '0'], { log: 'taiji-sim.log', stdout: 'pipe', env: { PATH: process.env.PATH, RUST_LOG: 'warn' } });
    const url = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('taiji-sim did not start within 30 s')), 30_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        text += chunk;
        const match = /^taiji-sim listening on (\S+)$/m.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`taiji-sim exited (code ${code}) before starting`)));
    });
    // Keep draining its stdout so it never blocks on a full pipe.
    child.stdout.resume();
    return new Sim(url, child);
  }

  constructor(url, child) {
    this.url = url;
    this.child = child;
  }

  async get(route) {
    const response = await fetch(`${this.url}${route}`);
    if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status}`);
    return response.json();
  }

  async post(route, body) {
    const response = await fetch(`${this.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${route}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  /// Queues scripted answers (`[{ text, match? }]`): the next completions answer them in order.
  script(replies) {
    return this.post('/__sim/script', { replies });
  }

  /// The recent completions as the site received them (`CompletionRecord`: model, text, files, …).
  completions() {
    return this.get('/__sim/completions');
  }

  /// The simulator's counters (`SimStats`: logins_ok, sessions_created, sessions_open, …).
  stats() {
    return this.get('/__sim/stats');
  }

  /// Delay between the reply's SSE frames, for every stream (also those already running).
  frameDelay(ms) {
    return this.post('/__sim/frame-delay', { ms });
  }

  /// The catalog as the site serves it to the demo account (a login of its own, as any client's).
  async catalog() {
    const login = await fetch(`${this.url}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-app-version': '3.4.0' },
      body: JSON.stringify({ account: DEMO_ACCOUNT, password: DEMO_PASSWORD }),
    }).then((response) => response.json());
    const token = login?.data?.token;
    if (!token) throw new Error(`the simulator's login answered ${JSON.stringify(login)}`);
    const tmpl = await fetch(`${this.url}/api/chat/tmpl`, {
      headers: { authorization: token, 'x-app-version': '3.4.0' },
    }).then((response) => response.json());
    return tmpl.data.models.map((model) => ({ label: model.label, value: model.value }));
  }

  stop() {
    return stop(this.child, { signal: 'SIGINT' });
  }
}

// ---------------------------------------------------------------------------------------------
// A throwaway home and the app in it

/// A fresh HOME with its own XDG directories, the app's settings pinned to `port` on loopback,
/// and optionally the demo account already stored (as a previous sign-in leaves it).
export async function makeHome(name, { display, sim, port, signedIn = false }) {
  const home = await mkdtemp(path.join(tmpdir(), `taiji-desktop-e2e-${name}-`));
  const xdg = {
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_RUNTIME_DIR: path.join(home, 'run'),
  };
  for (const dir of Object.values(xdg)) await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(xdg.XDG_RUNTIME_DIR, 0o700);
  const dataDir = path.join(xdg.XDG_DATA_HOME, APP_IDENTIFIER);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, 'settings.json'), JSON.stringify({ listen: { host: '127.0.0.1', port } }), { mode: 0o600 });
  if (signedIn) {
    await writeFile(path.join(dataDir, 'credentials.json'), JSON.stringify({ account: DEMO_ACCOUNT, password: DEMO_PASSWORD }), {
      mode: 0o600,
    });
  }
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (!bus) {
    throw new Error('no D-Bus session: run the suite with `npm test -w tests/desktop` (it wraps it in dbus-run-session)');
  }
  const env = display.env({
    HOME: home,
    ...xdg,
    DBUS_SESSION_BUS_ADDRESS: bus,
    LANG: 'C.UTF-8',
    // No accessibility bus: nothing here reads it, and it would start daemons of its own.
    NO_AT_BRIDGE: '1',
    TAIJI_API_BASE: sim.url,
    RUST_LOG: process.env.RUST_LOG ?? 'info,taiji_desktop_lib=debug',
  });
  return {
    home,
    dataDir,
    env,
    port,
    gatewayUrl: `http://127.0.0.1:${port}`,
    autostartFile: path.join(home, '.config', 'autostart', AUTOSTART_FILE),
    async settings() {
      return JSON.parse(await readFile(path.join(dataDir, 'settings.json'), 'utf8'));
    },
    /// The API key the app generated at its first start.
    async apiKey() {
      return waitFor('the app to generate its API key in settings.json', async () => (await this.settings()).access?.api_keys?.[0]?.key);
    },
    // WebKit's helper processes can still be writing (e.g. the Mesa shader cache) for a moment after the
    // app they belong to exits, so a directory may refill while it is being removed: retry then.
    remove: () => rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }),
  };
}

/// Starts the app directly (no WebDriver), e.g. with `--hidden`; its output goes to `log`.
export function launchApp(home, args, log) {
  return launch(bins.desktop(), args, { env: home.env, log });
}

/// The app under WebDriver: tauri-driver (its own ports) starts WebKitWebDriver, which starts the
/// app with the home's environment and attaches to its window.
export async function openApp(home, { log = 'window-app.log' } = {}) {
  const found = await run('sh', ['-c', 'command -v WebKitWebDriver']);
  if (found.code !== 0) throw new Error('WebKitWebDriver is not installed (Debian package webkit2gtk-driver; scripts/lib.sh installs it)');
  const port = await freePort();
  const nativePort = await freePort();
  const driverProcess = launch(bins.tauriDriver(), ['--port', String(port), '--native-port', String(nativePort)], {
    env: home.env,
    log,
  });
  await waitFor(`tauri-driver to listen on port ${port}`, async () => (await probePort(port)) === true);
  const desktop = bins.desktop();
  const driver = await new Builder()
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: desktop } })
    .usingServer(`http://127.0.0.1:${port}/`)
    .build();
  const pid = await waitFor('the app process under WebKitWebDriver', () => findDescendant(driverProcess.pid, desktop));
  return new AppWindow(driver, driverProcess, pid);
}

/// One app instance driven through WebDriver, with the helpers its tests share.
export class AppWindow {
  constructor(driver, driverProcess, pid) {
    this.driver = driver;
    this.driverProcess = driverProcess;
    this.pid = pid;
  }

  /// The first element matching `css` once it is displayed.
  async find(css, what = css) {
    return waitFor(`${what} to be shown`, async () => {
      for (const element of await this.driver.findElements(By.css(css))) {
        if (await element.isDisplayed()) return element;
      }
      return null;
    });
  }

  async click(css, what = css) {
    const element = await this.find(css, what);
    await element.click();
    return element;
  }

  /// Types `text` into the field, replacing what it holds (select all, then type), as a user would.
  async type(css, text, what = css) {
    const element = await this.find(css, what);
    await element.click();
    await element.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
    await element.sendKeys(text);
    return element;
  }

  /// Signs in with the demo account from the sign-in form and waits until the gateway serves.
  async signIn(home) {
    await this.type('input[name="account"]', DEMO_ACCOUNT, 'the account field');
    await this.type('input[name="password"]', DEMO_PASSWORD, 'the password field');
    await this.click('form button[type="submit"]', 'the sign-in button');
    await this.find('.header-status[data-tone="running"]', 'the header saying the gateway is running (signed in)');
    await waitFor('the gateway to report itself ready', async () => (await health(home))?.ready === true);
  }

  /// Evaluates `script` in the page (reads only; every action goes through WebDriver's input).
  read(script, ...args) {
    return this.driver.executeScript(script, ...args);
  }

  /// The sidebar's views in order, read from the page (views added later are included).
  async sections() {
    await this.find('[data-testid="nav-item"]', 'the sidebar');
    return this.read(() => [...document.querySelectorAll('[data-testid="nav-item"]')].map((item) => item.dataset.section));
  }

  /// Opens a view from the sidebar and waits until it is the current one.
  async goTo(section) {
    await this.click(`[data-testid="nav-item"][data-section="${section}"]`, `the sidebar item "${section}"`);
    await waitFor(`the view "${section}" to be current`, () =>
      this.read((name) => document.querySelector(`[data-testid="nav-item"][data-section="${name}"]`)?.getAttribute('aria-current') === 'page', section),
    );
  }

  /// Waits until the view's text has stopped changing (data loaded), for screenshots.
  async settle() {
    let previous = null;
    await waitFor('the view to finish loading', async () => {
      const text = await this.read(() => document.querySelector('main')?.innerText ?? '');
      const stable = text === previous && text.trim() !== '';
      previous = text;
      return stable;
    }, { intervalMs: 400 });
  }

  /// Saves the window's PNG under the artifacts directory, once the page has painted what its
  /// DOM holds (two animation frames later; WebKit's capture is of the last painted frame).
  async screenshot(relative) {
    const file = path.join(ARTIFACTS, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await this.driver.executeAsyncScript(
      'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));',
    );
    await writeFile(file, await this.driver.takeScreenshot(), 'base64');
    return file;
  }

  /// Ends the WebDriver session (which closes the app, if it still runs) and tauri-driver.
  async close() {
    await Promise.race([
      this.driver.quit().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 15_000)),
    ]);
    await stop(this.driverProcess);
    if (alive(this.pid)) process.kill(this.pid, 'SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// Clients of the gateway

/// A chat completion through the gateway, as a client app sends it. `stream` requests resolve once
/// the whole stream has been read.
export async function chat(home, key, { prompt = 'hi', stream = false, signal, userAgent } = {}) {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (userAgent) headers['user-agent'] = userAgent;
  const response = await fetch(`${home.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-4.1-mini', stream, messages: [{ role: 'user', content: prompt }] }),
    signal,
  });
  const body = await response.text();
  return { status: response.status, body };
}

/// `GET /health` of the gateway: the parsed body, or null when the port refuses.
export async function health(home) {
  try {
    const response = await fetch(`${home.gatewayUrl}/health`);
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}
