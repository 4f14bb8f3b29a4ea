// Native end-to-end: the desktop client under Xvfb and a browser page chat through one
// parley-server; then an account signs in on the native start screen, is signed in again
// from its 0600 token file on the next start, and signs out from the top bar. The native
// client publishes what it drew to $PARLEY_STATE_FILE; xdotool types and clicks into its
// window; ImageMagick's `import` saves screenshots of it. Run by run.sh.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  repo, artifacts, sleep, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot,
  typeText, shows, check,
} = require('./lib');
const { checkEveryScript } = require('./scripts');

const nativeBinary = process.env.PARLEY_NATIVE_CLIENT || path.join(repo, 'build', 'native', 'client', 'app', 'parley');

/** Starts Xvfb on a free display; resolves with { display, child }. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd: Xvfb picks a free display number and writes it to the given fd.
    // -noreset: root window properties (Xft.dpi below) outlive the clients that set them.
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-noreset'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stdio[3].on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve({ display: `:${text.trim()}`, child });
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

/** The native client's last published state, or null. */
function nativeState(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch (_) { return null; }
}

async function waitForNative(file, what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    last = nativeState(file);
    if (last && predicate(last)) return last;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; last native state: ${JSON.stringify(last)}`);
}

/** Starts the native client with `args`, its output appended to native-client.log. */
function startNative(args, env) {
  const log = fs.openSync(path.join(artifacts, 'native-client.log'), 'a');
  const child = spawn(nativeBinary, args, { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

/** Stops a native client politely and waits for it to exit. */
async function stopNative(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);  // utime, stime
  return ticks / 100;  // USER_HZ is 100 on Linux
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const work = tempDir('parley-native-e2e-');
  const server = new server_process(await freePort(), path.join(work, 'data'), path.join(artifacts, 'native-server.log'));
  await server.start();
  const xvfb = await startXvfb();
  const stateFile = path.join(work, 'native-state.json');
  const env = { ...process.env, DISPLAY: xvfb.display, PARLEY_STATE_FILE: stateFile,
                XDG_CONFIG_HOME: path.join(work, 'config') };
  fs.writeFileSync(path.join(artifacts, 'native-client.log'), '');
  const url = `ws://127.0.0.1:${server.port}`;
  let client = startNative(['--url', url, '--name', 'nat', '--channel', 'e2e'], env);
  const browser = await launchBrowser();
  const x = (args) => execFileSync('xdotool', args, { env }).toString().trim();
  /** The native window, focused (there is no window manager to do it). */
  const focusWindow = () => {
    const id = x(['search', '--sync', '--name', '^Parley']).split('\n')[0];
    x(['windowfocus', '--sync', id]);
    return id;
  };
  /** Clicks target `name` of the native window where the client drew it. */
  const clickNative = async (name) => {
    const state = await waitForNative(stateFile, `"${name}" drawn`, (s) => s.targets && s.targets[name]);
    const [left, top, width, height] = state.targets[name];
    const id = focusWindow();
    x(['mousemove', '--window', id, '--sync', String(Math.round(left + width / 2)), String(Math.round(top + height / 2))]);
    await sleep(100);
    x(['mousedown', '1']);
    await sleep(100);  // ImGui 1.86 reads the button once per frame
    x(['mouseup', '1']);
  };
  const metrics = {};
  try {
    const ready = await waitForNative(stateFile, 'the native client ready',
      (s) => s.connection === 'ready' && s.user === 'nat');
    check(ready.channel === 'e2e' && ready.input_focused, 'the native client joined #e2e with the input focused');
    const web = await newPage(browser, 'web');
    await web.goto(server.url('/e2e?name=web'));
    await waitForState(web, 'the page ready', (s) => s.connection === 'ready' && s.user === 'web');

    // The native window has keyboard focus (no window manager: focus it directly).
    focusWindow();
    x(['type', '--delay', '60', 'hello from the desktop']);
    await sleep(200);
    x(['key', '--delay', '60', 'Return']);
    await waitForState(web, 'the page shows the native message', (s) => shows(s, 'nat', 'hello from the desktop'));
    check(true, 'a message typed in the native window arrives in the browser');

    const text = 'from the browser: Καλημέρα, Доброе утро';
    await typeText(web, text);
    await web.keyboard.press('Enter', { delay: 50 });
    const seen = await waitForNative(stateFile, 'the native client shows the browser message',
      (s) => shows(s, 'web', text));
    check(seen.messages.filter((m) => m.text === text).length === 1, 'a Greek/Cyrillic message from the browser arrives intact natively');
    await sleep(300);  // let the settle frames draw before the screenshot
    execFileSync('import', ['-window', 'root', path.join(artifacts, 'native-01-window.png')], { env });
    await screenshot(web, 'native-01-browser-page');

    // Idle: no input, no traffic. The loop waits in glfwWaitEvents; frames and CPU stay flat.
    await sleep(1000);
    const framesBefore = nativeState(stateFile).frames;
    const cpuBefore = cpuSeconds(client.pid);
    await sleep(5000);
    const framesAfter = nativeState(stateFile).frames;
    metrics.idle_cpu_percent = Math.round(((cpuSeconds(client.pid) - cpuBefore) / 5) * 1000) / 10;
    metrics.idle_frames_in_5s = framesAfter - framesBefore;
    check(metrics.idle_frames_in_5s <= 3, 'the idle native client draws no frames', `${metrics.idle_frames_in_5s} in 5 s`);
    metrics.last_frame_ms = nativeState(stateFile).last_frame_ms;
    console.log(`  metrics ${JSON.stringify(metrics)}`);
    fs.writeFileSync(path.join(artifacts, 'native-metrics.json'), JSON.stringify(metrics, null, 2));

    // ------------------------------------------------------------ an account, natively
    await stopNative(client);
    const registered = await fetch(server.url('/api/register'), { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: 'nadia', password: 'native pass 1' }) });
    check(registered.status === 201, 'an account for the native client is registered', String(registered.status));
    fs.rmSync(stateFile, { force: true });
    client = startNative(['--url', url, '--channel', 'e2e'], env);  // no --name: the start screen
    await waitForNative(stateFile, 'the native start screen', (s) => s.screen === 'start' && s.targets.name_field);
    await sleep(300);  // the frame that gives the name field focus
    focusWindow();
    x(['key', '--delay', '60', 'ctrl+a']);  // the remembered guest name from the first run
    x(['type', '--delay', '60', 'nadia']);
    x(['key', '--delay', '60', 'Tab']);
    x(['type', '--delay', '60', 'native pass 1']);
    x(['key', '--delay', '60', 'Return']);
    const signedIn = await waitForNative(stateFile, 'nadia signed in natively',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'nadia');
    check(signedIn.channel === 'e2e', 'the native start screen signs an account in (name, Tab, password, Enter)');
    const tokenFile = path.join(env.XDG_CONFIG_HOME, 'parley', 'token');
    check(fs.existsSync(tokenFile) && (fs.statSync(tokenFile).mode & 0o777) === 0o600,
      'the native client keeps the token in $XDG_CONFIG_HOME/parley/token, mode 0600',
      fs.existsSync(tokenFile) ? (fs.statSync(tokenFile).mode & 0o777).toString(8) : 'missing');
    await sleep(300);
    execFileSync('import', ['-window', 'root', path.join(artifacts, 'native-02-signed-in.png')], { env });

    await stopNative(client);
    fs.rmSync(stateFile, { force: true });
    client = startNative(['--url', url, '--channel', 'e2e'], env);
    await waitForNative(stateFile, 'nadia signed in from the saved token',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'nadia');
    check(true, 'the next native start signs in from the token file without asking');

    await clickNative('sign_out');
    await waitForNative(stateFile, 'the native start screen after signing out', (s) => s.screen === 'start');
    check(!fs.existsSync(tokenFile), 'Sign out in the native top bar forgets the token file');
    await sleep(300);
    execFileSync('import', ['-window', 'root', path.join(artifacts, 'native-03-signed-out.png')], { env });

    // ------------------------------------------------------------ every script, natively
    // On a display of 192 dpi (Xft.dpi, which GLFW reads as a content scale of 2), so that
    // OCR tells Arabic's one dot from two; glyphs come from fontconfig + FreeType.
    await stopNative(client);
    execFileSync('xprop', ['-root', '-f', 'RESOURCE_MANAGER', '8s', '-set', 'RESOURCE_MANAGER', 'Xft.dpi:\t192\n'],
      { env });
    fs.rmSync(stateFile, { force: true });
    client = startNative(['--url', url, '--name', 'reader', '--channel', 'scripts'], env);
    const reader = await waitForNative(stateFile, 'the native reader ready', (s) => s.connection === 'ready');
    check(reader.user === 'reader', 'a native client starts on a 192 dpi display');
    const scripts = await checkEveryScript({
      port: server.port, channel: 'scripts', label: 'native',
      waitFor: (what, predicate) => waitForNative(stateFile, what, predicate),
      capture: (name) => {
        const file = path.join(artifacts, `${name}.png`);
        execFileSync('import', ['-window', focusWindow(), file], { env });
        return file;
      },
    });
    console.log(`  metrics ${JSON.stringify(scripts)}`);
    // Typed, not pasted: xdotool maps each character to a spare key, as an input method's
    // committed text arrives through X.
    const typed = 'café 你好 שלום 🎉';
    focusWindow();
    x(['type', '--delay', '80', typed]);
    await sleep(200);
    x(['key', '--delay', '60', 'Return']);
    const echoed = await waitForNative(stateFile, 'the typed non-ASCII message delivered', (s) => shows(s, 'reader', typed));
    check(echoed.glyphs.missing === 0, 'non-ASCII text typed in the native window is sent exactly and drawn');
    execFileSync('import', ['-window', focusWindow(), path.join(artifacts, 'native-05-typed-scripts.png')], { env });
  } finally {
    await browser.close();
    await stopNative(client);
    xvfb.child.kill('SIGTERM');
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => console.log('native end-to-end: passed'), (error) => {
  console.error(`native end-to-end: ${error.stack || error}`);
  process.exit(1);
});
