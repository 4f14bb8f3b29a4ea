// Native end-to-end: the desktop client under Xvfb and a browser page chat through one
// parley-server. The native client publishes what it drew to $PARLEY_STATE_FILE; xdotool
// types into its window; ImageMagick's `import` saves a screenshot of it. Run by run.sh.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  repo, artifacts, sleep, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot,
  typeText, shows, check,
} = require('./lib');

const nativeBinary = process.env.PARLEY_NATIVE_CLIENT || path.join(repo, 'build', 'native', 'client', 'app', 'parley');

/** Starts Xvfb on a free display; resolves with { display, child }. */
function startXvfb() {
  return new Promise((resolve, reject) => {
    // -displayfd: Xvfb picks a free display number and writes it to the given fd.
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
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
  const clientLog = fs.openSync(path.join(artifacts, 'native-client.log'), 'w');
  const client = spawn(nativeBinary, ['--url', `ws://127.0.0.1:${server.port}`, '--name', 'nat', '--channel', 'e2e'],
    { env, stdio: ['ignore', clientLog, clientLog] });
  fs.closeSync(clientLog);
  const browser = await launchBrowser();
  const x = (args) => execFileSync('xdotool', args, { env }).toString().trim();
  const metrics = {};
  try {
    const ready = await waitForNative(stateFile, 'the native client ready',
      (s) => s.connection === 'ready' && s.user === 'nat');
    check(ready.channel === 'e2e' && ready.input_focused, 'the native client joined #e2e with the input focused');
    const web = await newPage(browser, 'web');
    await web.goto(server.url('/e2e?name=web'));
    await waitForState(web, 'the page ready', (s) => s.connection === 'ready' && s.user === 'web');

    // The native window has keyboard focus (no window manager: focus it directly).
    const window = x(['search', '--name', '^Parley']).split('\n')[0];
    x(['windowfocus', '--sync', window]);
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
  } finally {
    await browser.close();
    if (client.exitCode === null) {
      const exited = new Promise((resolve) => client.once('exit', resolve));
      client.kill('SIGTERM');
      await exited;
    }
    xvfb.child.kill('SIGTERM');
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(() => console.log('native end-to-end: passed'), (error) => {
  console.error(`native end-to-end: ${error.stack || error}`);
  process.exit(1);
});
