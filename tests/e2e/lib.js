// Shared helpers of Parley's end-to-end tests: a parley-server under test, headless
// Chromium pages driven by playwright-core, and the client's visible-state probe.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const artifacts = process.env.PARLEY_ARTIFACTS || path.join(repo, 'tests', 'artifacts');
const serverBinary = process.env.PARLEY_SERVER || path.join(repo, 'build', 'native', 'server', 'parley-server');
const webRoot = process.env.PARLEY_WEB_ROOT || path.join(repo, 'build', 'wasm', 'web');

/** Waits `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Whether GET /healthz answers 200 over https:// (the test's self-signed certificate). */
function httpsHealthy(port) {
  return new Promise((resolve) => {
    const request = require('https').get(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false },
      (response) => { response.resume(); resolve(response.statusCode === 200); });
    request.on('error', () => resolve(false));
  });
}

/** A parley-server on `port` with its data in `dataDir`; restartable on the same port.
 *  With `tls` (`{cert, key}` file paths) it serves https:// and wss:// only. */
class server_process {
  constructor(port, dataDir, log, extraArgs = [], tls = null) {
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
    this.extraArgs = tls ? [...extraArgs, '--tls-cert', tls.cert, '--tls-key', tls.key] : extraArgs;
    this.tls = tls;
    this.child = null;
  }

  /** Starts the server and resolves once /healthz answers. */
  async start() {
    const out = fs.openSync(this.log, 'a');
    this.child = spawn(serverBinary,
      ['--bind', '127.0.0.1', '--port', String(this.port), '--data', this.dataDir, '--web-root', webRoot,
       '--log-level', 'info', '--max-connections-per-address', '0', ...this.extraArgs],
      { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    for (let i = 0; i < 100; ++i) {
      if (this.child.exitCode !== null) throw new Error(`parley-server exited with ${this.child.exitCode}; see ${this.log}`);
      if (this.tls) {
        if (await httpsHealthy(this.port)) return;
      } else {
        try {
          const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
          if (response.ok) return;
        } catch (_) { /* not listening yet */ }
      }
      await sleep(100);
    }
    this.child.kill('SIGKILL');
    await exited;
    throw new Error(`parley-server did not answer /healthz on port ${this.port}`);
  }

  /** Kills the server at once (SIGKILL: a crash, not a shutdown) and waits for it to go. */
  async kill() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;  // gone already
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server politely. */
  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;  // gone already
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  url(pathAndQuery) { return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}${pathAndQuery}`; }
}

/** A fresh temporary directory for one run's server data and browser profile. */
function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

/** Launches headless Chromium (WebGL2 through SwiftShader). Playwright gives it a fresh
 *  temporary profile (--user-data-dir) of its own; pages come from browser contexts, each
 *  with its own storage, like two people on two machines. */
async function launchBrowser(extraArgs = []) {
  const { chromium } = require(path.join(repo, 'tests', 'node_modules', 'playwright-core'));
  return chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run',
           '--use-angle=swiftshader', '--enable-unsafe-swiftshader', ...extraArgs],
  });
}

/** A page in a context of its own, logging the page's errors to the console. */
async function newPage(browser, label, scale = 1) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, deviceScaleFactor: scale });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`  [${label}] page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.log(`  [${label}] ${message.text()}`);
  });
  return page;
}

/** The client's visible state (what the last frame drew), parsed; null before it runs. */
async function visibleState(page) {
  return page.evaluate(() => {
    if (!window.Module || !Module._parley_visible_state) return null;
    return JSON.parse(UTF8ToString(Module._parley_visible_state()));
  });
}

/** Polls the page's visible state until `predicate(state)` holds; returns that state. */
async function waitForState(page, what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    try {
      last = await visibleState(page);
      if (last && predicate(last)) return last;
    } catch (error) {
      last = { error: String(error) };  // the page may be reloading
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

/** Saves a screenshot of `page` as tests/artifacts/<name>.png. */
async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

/** Types text one character at a time through CDP key events that carry the text, as a
 *  keyboard with that layout would (Greek, Cyrillic...). ImGui reads keys once a frame,
 *  so each key waits for the page to draw. */
async function typeText(page, text, delayMs = 50) {
  const session = await page.context().newCDPSession(page);
  for (const ch of text) {
    await session.send('Input.dispatchKeyEvent', { type: 'keyDown', text: ch, unmodifiedText: ch, key: ch });
    await session.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
    await sleep(delayMs);
  }
  await session.detach();
}

/** Replaces the text of the focused field with `text` (typed with `delay` ms per key) and
 *  waits until the field shows it; `field(state)` reads the field from the visible state
 *  (default: the message input). ImGui 1.86 reads key state once a frame, so a Ctrl+A or
 *  Backspace that is down and up again within one slow frame (a loaded 2-core machine
 *  drawing WebGL in software) is never seen: the clearing is repeated until the field is
 *  empty. Typed characters are queued by the client and are not lost. */
async function replaceInput(page, text, { field = (s) => s.input, delay = 50 } = {}) {
  for (let attempt = 1; ; ++attempt) {
    await page.keyboard.press('Control+A', { delay: 100 });
    await page.keyboard.press('Backspace', { delay: 100 });
    try {
      await waitForState(page, 'the field cleared', (s) => field(s) === '', 3000);
      break;
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
  if (text !== '') await page.keyboard.type(text, { delay });
  return waitForState(page, `"${text}" in the field`, (s) => field(s) === text);
}

/** The centre of target `name` (a button, tab or message the client drew, named in its
 *  visible state) once it is drawn. */
async function targetCentre(page, name, timeoutMs = 20000) {
  const state = await waitForState(page, `"${name}" drawn`, (s) => s.targets && s.targets[name], timeoutMs);
  const [x, y, width, height] = state.targets[name];
  return { x: x + width / 2, y: y + height / 2 };
}

/** Clicks target `name` where the client drew it. `options.button` may be 'right'. The
 *  button is held for 50 ms: ImGui 1.86 reads the mouse once per frame. */
async function clickTarget(page, name, options = {}) {
  const { x, y } = await targetCentre(page, name);
  await page.mouse.move(x, y);
  await sleep(50);
  await page.mouse.click(x, y, { delay: 50, ...options });
}

/** Whether `state` shows a message from `user` with exactly `text`, delivered. */
function shows(state, user, text) {
  return Array.isArray(state.messages) &&
    state.messages.some((m) => m.user === user && m.text === text && !m.pending);
}

/** Posts `count` messages to `channel` as guest `user` over a plain WebSocket (the `ws`
 *  package), resolving once every echo has come back: history for a page to load. */
function postAsBot(port, channel, user, count, textOf) {
  const WebSocket = require(path.join(repo, 'tests', 'node_modules', 'ws'));
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/${channel}`);
    let echoed = 0;
    const timer = setTimeout(() => { socket.terminate(); reject(new Error(`bot: ${echoed}/${count} echoes`)); }, 30000);
    socket.on('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'connection') socket.send(JSON.stringify({ type: 'identity', user }));
      if (frame.type === 'identity' && frame.success) {
        for (let i = 0; i < count; ++i) socket.send(JSON.stringify({ type: 'message', text: textOf(i), nonce: `bot-${i}` }));
      }
      if (frame.type === 'message' && frame.nonce && ++echoed === count) {
        clearTimeout(timer);
        socket.close();
        resolve();
      }
      if (frame.type === 'error') { clearTimeout(timer); socket.terminate(); reject(new Error(`bot: ${data}`)); }
    });
  });
}

/** Watches `channel` as guest `user` over a plain WebSocket: resolves, once joined, with
 *  { texts, close }, where `texts` collects the text of every message it receives live. */
function watchChannel(port, channel, user) {
  const WebSocket = require(path.join(repo, 'tests', 'node_modules', 'ws'));
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/${channel}`);
    const texts = [];
    socket.on('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'connection') socket.send(JSON.stringify({ type: 'identity', user }));
      if (frame.type === 'identity' && frame.success) resolve({ texts, close: () => socket.close() });
      if (frame.type === 'message') texts.push(frame.text);
    });
  });
}

/** The HTTP status a WebSocket upgrade to `url` gets: 101 when it opens, 0 when no
 *  answer came. */
function upgradeStatus(url) {
  const WebSocket = require(path.join(repo, 'tests', 'node_modules', 'ws'));
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('open', () => { socket.close(); resolve(101); });
    socket.on('unexpected-response', (request, response) => { request.destroy(); resolve(response.statusCode); });
    socket.on('error', () => resolve(0));
  });
}

/** Records a result line for the summary and fails loudly when `ok` is false. */
function check(ok, what, detail) {
  if (!ok) throw new Error(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  console.log(`  ok  ${what}`);
}

module.exports = {
  repo, artifacts, serverBinary, webRoot, sleep, freePort, server_process, tempDir, launchBrowser,
  newPage, visibleState, waitForState, screenshot, typeText, replaceInput, shows, check, postAsBot, targetCentre,
  clickTarget, upgradeStatus, watchChannel,
};
