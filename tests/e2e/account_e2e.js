// Accounts in the browser: a refused sign-in, "Create account" on the start screen, chat
// with a guest page, a reload that stays signed in (localStorage), an admin (made before
// the server starts) deleting another user's message from the context menu, "Sign out"
// and signing in again (name, Tab, password, Enter), and a revoked token sending the page
// back to sign in. Buttons are clicked at fixed positions of the 1100 x 700 layout.
// Screenshots under tests/artifacts/. Kick and Ban are not exercised here.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  artifacts, serverBinary, sleep, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot, shows, check,
} = require('./lib');

/** Waits for the start screen, then for the frame that gives the name field focus (keys
 *  sent before it are lost), and replaces the name field's text with `name`. */
async function typeStartName(page, name) {
  await waitForState(page, 'the start screen', (s) => s.screen === 'start');
  await sleep(300);
  await page.keyboard.press('Control+A', { delay: 50 });
  await page.keyboard.type(name, { delay: 50 });
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const dataDir = tempDir('parley-e2e-accounts-');
  // The admin account exists before the server starts, as an operator would make it.
  execFileSync(serverBinary, ['--data', dataDir, 'admin', 'create', 'boss'],
    { env: { ...process.env, PARLEY_ADMIN_PASSWORD: 'boss password 1' }, stdio: 'ignore' });
  const server = new server_process(await freePort(), dataDir, path.join(artifacts, 'account-server.log'));
  await server.start();
  const browser = await launchBrowser();
  try {
    const dora = await newPage(browser, 'dora');
    const bob = await newPage(browser, 'bob');
    await dora.goto(server.url('/lobby'));
    await waitForState(dora, 'the start screen', (s) => s.screen === 'start');
    await screenshot(dora, 'account-01-start');

    // ---------------------------------------------------------------- wrong password
    await typeStartName(dora, 'dora');
    await dora.keyboard.press('Tab', { delay: 50 });
    await dora.keyboard.type('wrong password', { delay: 30 });
    await dora.keyboard.press('Enter', { delay: 50 });
    const refused = await waitForState(dora, 'a refused sign-in',
      (s) => s.screen === 'start' && s.start && s.start.problem);
    check(refused.screen === 'start', 'a wrong password keeps the start screen and says why', refused.start.problem);
    await screenshot(dora, 'account-02-wrong-password');

    // ---------------------------------------------------------------- create account
    // A refusal gives the name field focus again: Tab to the password, replace it.
    await dora.keyboard.press('Tab', { delay: 50 });
    await dora.keyboard.press('Control+A', { delay: 50 });
    await dora.keyboard.type('correct horse 9', { delay: 30 });
    // "Create account" registers, then signs in with the same name and password. The
    // layout is fixed at 1100 x 700: the button is at (655, 399).
    await dora.mouse.click(655, 399);
    const signed = await waitForState(dora, 'dora signed up and in',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'dora');
    check(signed.channel === 'lobby', 'Create account signs the new account in to the page\'s channel', signed.channel);
    const saved = await dora.evaluate(() => localStorage.getItem('parley.token'));
    check(Boolean(saved), 'the session token is kept in localStorage');
    await screenshot(dora, 'account-03-signed-in');

    // ---------------------------------------------------------------- chat
    await bob.goto(server.url('/lobby?name=bob'));
    await waitForState(bob, 'bob ready', (s) => s.connection === 'ready' && s.user === 'bob');
    await waitForState(dora, 'dora\'s input focused', (s) => s.input_focused);
    await dora.keyboard.type('hello as an account', { delay: 40 });
    await dora.keyboard.press('Enter', { delay: 50 });
    await waitForState(bob, 'bob sees dora\'s message', (s) => shows(s, 'dora', 'hello as an account'));
    check(true, 'a guest sees the account\'s message');
    await screenshot(bob, 'account-04-bob-sees-dora');

    // ---------------------------------------------------------------- reload
    await dora.reload();
    await waitForState(dora, 'dora signed in after a reload',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'dora');
    check(true, 'a reload signs in again from the saved token');
    await screenshot(dora, 'account-05-reloaded');

    // ---------------------------------------------------------------- admin deletes
    const boss = await newPage(browser, 'boss');
    await boss.goto(server.url('/lobby'));
    await typeStartName(boss, 'boss');
    await boss.keyboard.press('Tab', { delay: 50 });
    await boss.keyboard.type('boss password 1', { delay: 30 });
    await boss.keyboard.press('Enter', { delay: 50 });
    await waitForState(boss, 'boss signed in with the message shown',
      (s) => s.screen === 'chat' && s.user === 'boss' && shows(s, 'dora', 'hello as an account'));
    await screenshot(boss, 'account-06-admin-signed-in');
    // The layout is fixed at 1100 x 700: the first message's text is at (350, 68).
    await boss.mouse.click(350, 68, { button: 'right' });
    await sleep(300);
    await screenshot(boss, 'account-07-admin-menu');
    await boss.mouse.click(350 + 30, 68 + 32);
    await waitForState(bob, 'the message disappears for bob', (s) => !shows(s, 'dora', 'hello as an account'));
    check(true, 'an admin deletes another user\'s message and the other page sees it go');
    await screenshot(bob, 'account-08-bob-after-delete');

    // ---------------------------------------------------------------- sign out, in
    await dora.mouse.click(956, 18);  // "Sign out" in the top bar
    await waitForState(dora, 'dora signed out', (s) => s.screen === 'start');
    check(!(await dora.evaluate(() => localStorage.getItem('parley.token'))), 'signing out forgets the token');
    await screenshot(dora, 'account-09-signed-out');
    await typeStartName(dora, 'dora');
    await dora.keyboard.press('Tab', { delay: 50 });
    await dora.keyboard.press('Control+A', { delay: 50 });
    await dora.keyboard.type('correct horse 9', { delay: 30 });
    await dora.keyboard.press('Enter', { delay: 50 });
    await waitForState(dora, 'dora signed in again',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'dora');
    check(true, 'signing in again after signing out works');
    await screenshot(dora, 'account-10-signed-in-again');

    // ---------------------------------------------------------------- revoked token
    const out = await dora.evaluate(async () => {
      const r = await fetch('/api/logout', { method: 'POST',
        headers: { Authorization: 'Bearer ' + localStorage.getItem('parley.token') } });
      return r.status;
    });
    check(out === 204, 'the token is revoked', String(out));
    await dora.reload();
    const expired = await waitForState(dora, 'the session-expired start screen',
      (s) => s.screen === 'start' && /sign in again/.test((s.start && s.start.problem) || ''));
    check(Boolean(expired), 'a revoked token sends the page back to sign in', expired.start.problem);
    check(!(await dora.evaluate(() => localStorage.getItem('parley.token'))), 'the revoked token is forgotten');
    await screenshot(dora, 'account-11-session-expired');
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => console.log('account e2e: passed'), (error) => {
  console.error(error.message);
  process.exitCode = 1;
});
