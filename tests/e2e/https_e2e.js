// Browser over TLS: two headless Chromium pages load the client from an https:// server
// (a certificate made for this run) and chat over wss:// on the same port. Asserts on what
// the pages drew and saves a screenshot per step. Run by tests/e2e/run.sh.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  artifacts, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot, shows, check,
} = require('./lib');

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = tempDir('parley-e2e-tls-');
  const tls = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', tls.key, '-out', tls.cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = new server_process(await freePort(), path.join(dir, 'data'), path.join(artifacts, 'https-server.log'),
    [], tls);
  await server.start();
  // The certificate is the run's own: the browser is told to accept it.
  const browser = await launchBrowser(['--ignore-certificate-errors']);
  try {
    const a = await newPage(browser, 'ann');
    const b = await newPage(browser, 'bob');
    await a.goto(server.url('/secure?name=ann'));
    await b.goto(server.url('/secure?name=bob'));
    check(a.url().startsWith('https://'), 'the page was served over https://', a.url());
    const readyA = await waitForState(a, 'ann ready over wss', (s) => s.connection === 'ready' && s.user === 'ann');
    await waitForState(b, 'bob ready over wss', (s) => s.connection === 'ready' && s.user === 'bob');
    check(readyA.channel === 'secure', 'both pages joined #secure over wss:// from the path');
    await screenshot(a, 'https-01-ann-joined');

    await a.keyboard.type('over tls', { delay: 50 });
    await a.keyboard.press('Enter', { delay: 50 });
    const seen = await waitForState(b, 'bob sees ann\'s message', (s) => shows(s, 'ann', 'over tls'));
    check(seen.messages.filter((m) => m.text === 'over tls').length === 1, 'a message sent over wss:// arrives once');
    await screenshot(b, 'https-02-bob-received');
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => console.log('https end-to-end: passed'), (error) => {
  console.error(`https end-to-end: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
