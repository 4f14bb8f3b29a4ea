// Accounts in the browser: a refused sign-in, "Create account" on the start screen, chat
// with a guest page, a reload that stays signed in (localStorage), an admin (made before
// the server starts) deleting another user's message from the context menu, kicking and
// banning a guest from the admin window and reading all three in its audit log (last, as
// the ban covers the address every page shares), "Sign out" and signing in again (name,
// Tab, password, Enter), and a revoked token sending the page back to sign in. Buttons are clicked where the client says it drew them (the
// `targets` of its visible state). Screenshots under tests/artifacts/.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  artifacts, serverBinary, sleep, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot,
  replaceInput, shows, check, clickTarget, upgradeStatus,
} = require('./lib');

/** Waits for the start screen, then for the frame that gives the name field focus (keys
 *  sent before it are lost), and replaces the name field's text with `name`. */
async function typeStartName(page, name) {
  await waitForState(page, 'the start screen', (s) => s.screen === 'start');
  await sleep(300);
  await replaceInput(page, name, { field: (s) => s.start && s.start.name });
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
    // "Create account" registers, then signs in with the same name and password.
    await clickTarget(dora, 'create_account');
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

    // ---------------------------------------------------------------- a password manager
    // On another device: the start screen's name and password are real form fields with
    // the autocomplete roles password managers look for, and what one fills in (a value
    // set, an input event with no keys) signs in.
    const filler = await newPage(browser, 'password manager');
    await filler.goto(server.url('/lobby'));
    await waitForState(filler, 'the start screen', (s) => s.screen === 'start');
    const fields = await filler.evaluate(() => {
      const user = document.querySelector('form input[autocomplete="username"]');
      const password = document.querySelector('form input[autocomplete="current-password"]');
      const shown = (e) => e && getComputedStyle(e.form).display !== 'none';
      return { user: shown(user) && user.getAttribute('aria-label'), password: shown(password) && password.type };
    });
    check(fields.user === 'Your name' && fields.password === 'password',
      'the sign-in fields are found by their autocomplete roles while the start screen is shown', JSON.stringify(fields));
    await filler.evaluate(() => {
      for (const [selector, value] of [['username', 'dora'], ['current-password', 'correct horse 9']]) {
        const input = document.querySelector(`input[autocomplete="${selector}"]`);
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    await waitForState(filler, 'the filled name on the start screen', (s) => s.start && s.start.name === 'dora');
    await clickTarget(filler, 'sign_in');
    const filled = await waitForState(filler, 'dora signed in from the filled form',
      (s) => s.screen === 'chat' && s.connection === 'ready' && s.user === 'dora');
    const hidden = await filler.evaluate(() => getComputedStyle(document.getElementById('parley-sign-in')).display);
    check(filled.channel === 'lobby' && hidden === 'none',
      'a password manager\'s fill signs in, and the form is gone with the start screen', hidden);
    await filler.context().close();

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
    const doraMessage = (await waitForState(boss, 'the message\'s id', (s) => shows(s, 'dora', 'hello as an account')))
      .messages.find((m) => m.text === 'hello as an account').id;
    await clickTarget(boss, `message:${doraMessage}`, { button: 'right' });
    await sleep(300);
    await screenshot(boss, 'account-07-admin-menu');
    await clickTarget(boss, 'menu_delete');
    await waitForState(bob, 'the message disappears for bob', (s) => !shows(s, 'dora', 'hello as an account'));
    check(true, 'an admin deletes another user\'s message and the other page sees it go');
    await screenshot(bob, 'account-08-bob-after-delete');

    // ---------------------------------------------------------------- sign out, in
    await clickTarget(dora, 'sign_out');
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
    await waitForState(dora, 'dora\'s input focused again', (s) => s.input_focused);
    await dora.keyboard.type('back again', { delay: 40 });
    await dora.keyboard.press('Enter', { delay: 50 });
    await waitForState(bob, 'bob sees dora\'s message after her new sign-in', (s) => shows(s, 'dora', 'back again'));
    check(true, 'after signing in again the account chats as before');
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

    // ---------------------------------------------------------------- audit, kick, ban
    // Last: the ban covers bob's address, 127.0.0.1, which every page here shares.
    /** Whether boss's audit tab lists `action` on `target`. */
    const audited = (s, action, target) =>
      s.admin && s.admin.audit.some((e) => e.actor === 'boss' && e.action === action && e.target === target);
    await clickTarget(boss, 'admin_audit_tab');
    await waitForState(boss, 'the delete in the audit log', (s) => audited(s, 'delete', String(doraMessage)));
    check(true, 'the admin window\'s audit log lists the deletion');

    await clickTarget(boss, 'admin_users_tab');
    await clickTarget(boss, 'kick:lobby:bob');
    const kicked = await waitForState(bob, 'bob told he was removed from #lobby',
      (s) => /removed from #lobby/.test(s.notice || ''));
    check(!kicked.channels.some((c) => c.name === 'lobby' && c.joined),
      'Kick in the admin window removes bob from #lobby, and his page says so', kicked.notice);
    await waitForState(boss, 'bob gone from boss\'s #lobby', (s) => !s.users.includes('bob'));
    await screenshot(bob, 'account-15-bob-kicked');

    // Bob comes back (a kick is no ban), and is banned.
    await bob.reload();
    await waitForState(bob, 'bob back in #lobby', (s) => s.connection === 'ready' && s.channel === 'lobby');
    await waitForState(boss, 'bob listed again for boss', (s) => s.users.includes('bob'));
    await clickTarget(boss, 'kick:lobby:bob');  // the users tab is still open
    await waitForState(boss, 'bob gone again', (s) => !s.users.includes('bob'));
    await bob.reload();
    await waitForState(bob, 'bob back in #lobby again', (s) => s.connection === 'ready' && s.channel === 'lobby');
    await waitForState(boss, 'bob listed again', (s) => s.users.includes('bob'));
    await screenshot(boss, 'account-16-admin-users');
    await clickTarget(boss, 'ban:lobby:bob');
    const banned = await waitForState(bob, 'bob told he is banned',
      (s) => s.connection !== 'ready' && /banned/.test(s.notice || ''));
    check(Boolean(banned), 'Ban in the admin window disconnects bob and his page says why', banned.notice);
    await screenshot(bob, 'account-17-bob-banned');
    await bob.reload();
    await sleep(3000);
    const refusedBob = await waitForState(bob, 'bob\'s page after the reload', (s) => s.screen === 'chat');
    check(refusedBob.connection !== 'ready', 'a banned guest cannot connect again', refusedBob.connection);
    const upgrade = await upgradeStatus(`ws://127.0.0.1:${server.port}/lobby`);
    check(upgrade === 403, 'the server refuses upgrades from the banned address with 403', String(upgrade));

    await clickTarget(boss, 'admin_audit_tab');
    const log = await waitForState(boss, 'the kick and the ban in the audit log',
      (s) => audited(s, 'kick', 'bob') && audited(s, 'ban', 'bob'));
    check(log.admin.audit.filter((e) => e.action === 'kick').length === 2 && log.admin.audit[0].action === 'ban',
      'the audit log lists both kicks and the ban, newest first', JSON.stringify(log.admin.audit));
    await screenshot(boss, 'account-18-audit-log');
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
