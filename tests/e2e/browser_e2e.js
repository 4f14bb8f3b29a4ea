// Browser end-to-end: two headless Chromium pages chat through a real parley-server.
// Every step asserts on what the page drew (the client's visible-state probe) and saves
// a screenshot under tests/artifacts/. Run by tests/e2e/run.sh.
'use strict';

const fs = require('fs');
const path = require('path');
const {
  artifacts, sleep, freePort, server_process, tempDir, launchBrowser, newPage, visibleState, waitForState,
  screenshot, typeText, replaceInput, shows, check, postAsBot, clickTarget, watchChannel,
} = require('./lib');
const { checkEveryScript, ocr } = require('./scripts');

const greek = 'Γειά σου κόσμε, Привет мир — ёЁ ΩΣ';

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const dataDir = tempDir('parley-e2e-data-');
  // No posting limit: a bot fills a channel's history quickly (the pages stay far below it).
  const server = new server_process(await freePort(), dataDir, path.join(artifacts, 'browser-server.log'),
    ['--rate-limit', '0']);
  await server.start();
  try {
    await chat(server);
    await every_script(server);
    await phone(server);
    await without_webgl(server);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Two people chatting, then a third reading history: everything a page must do. */
async function chat(server) {
  const browser = await launchBrowser();
  const metrics = {};
  try {
    // ---------------------------------------------------------------- join by URL
    const a = await newPage(browser, 'ann');
    const b = await newPage(browser, 'bob');
    const started = Date.now();
    await a.goto(server.url('/e2e?name=ann'));
    const firstFrame = await waitForState(a, 'ann\'s first frame', (s) => s.frames >= 1);
    metrics.first_frame_ms = Date.now() - started;
    metrics.first_frame_in_page_ms = await a.evaluate(() => performance.now());
    await b.goto(server.url('/e2e?name=bob'));
    const readyA = await waitForState(a, 'ann ready', (s) => s.connection === 'ready' && s.user === 'ann');
    const readyB = await waitForState(b, 'bob ready', (s) => s.connection === 'ready' && s.user === 'bob');
    check(readyA.channel === 'e2e' && readyB.channel === 'e2e', 'both pages joined #e2e from the path');
    check(readyA.status === 'Connected as ann', 'the status line says who is connected', readyA.status);
    check(readyA.input_focused && readyB.input_focused, 'the message input has focus once joined');
    check(firstFrame.screen !== 'start', 'a ?name= joins without a start screen');
    await screenshot(a, 'browser-01-ann-joined');
    await screenshot(b, 'browser-01-bob-joined');

    // ---------------------------------------------------------------- keyboard, Enter
    await a.keyboard.type('hello from ann', { delay: 50 });
    await waitForState(b, 'bob sees ann typing', (s) => s.typing.startsWith('ann is typing'));
    await screenshot(b, 'browser-02-bob-sees-typing');
    await a.keyboard.press('Enter', { delay: 50 });
    const seenByB = await waitForState(b, 'bob sees ann\'s message', (s) => shows(s, 'ann', 'hello from ann'));
    const sentByA = await waitForState(a, 'ann sees her message delivered',
      (s) => s.messages.some((m) => m.text === 'hello from ann' && m.mine && !m.pending));
    check(sentByA.input === '' && sentByA.input_focused, 'the input is empty and keeps focus after sending');
    check(seenByB.messages.filter((m) => m.text === 'hello from ann').length === 1, 'the message is shown once');
    await screenshot(a, 'browser-03-ann-sent');
    await screenshot(b, 'browser-03-bob-received');

    // ---------------------------------------------------------------- Shift+Enter
    await b.keyboard.type('two', { delay: 50 });
    await b.keyboard.press('Shift+Enter', { delay: 50 });
    await b.keyboard.type('lines', { delay: 50 });
    const drafted = await waitForState(b, 'bob\'s two-line draft', (s) => s.input === 'two\nlines');
    check(drafted.input === 'two\nlines', 'Shift+Enter starts a new line instead of sending');
    await b.keyboard.press('Enter', { delay: 50 });
    await waitForState(a, 'ann sees bob\'s two lines', (s) => shows(s, 'bob', 'two\nlines'));

    // ---------------------------------------------------------------- Greek and Cyrillic
    await typeText(b, greek);
    await waitForState(b, 'bob\'s Greek/Cyrillic draft', (s) => s.input === greek);
    await b.keyboard.press('Enter', { delay: 50 });
    await waitForState(a, 'ann sees the Greek/Cyrillic message intact', (s) => shows(s, 'bob', greek));
    check(true, 'a Greek/Cyrillic message typed in one page arrives intact in the other');
    await screenshot(a, 'browser-04-ann-sees-greek-cyrillic');

    // ---------------------------------------------------------------- over the limit
    await a.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text', text);
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
    }, 'x'.repeat(4001));
    await waitForState(a, 'the long paste in ann\'s input', (s) => s.input.length === 4001);
    await a.keyboard.press('Enter', { delay: 50 });
    const refused = await waitForState(a, 'the refusal', (s) => s.refusal !== '');
    check(refused.refusal.includes('4,000') && refused.input.length === 4001,
      'over-limit text is refused with a visible reason and kept', refused.refusal);
    await screenshot(a, 'browser-05-ann-over-limit');
    await replaceInput(a, '');
    await waitForState(a, 'the refusal gone with the text', (s) => s.refusal === '');

    // ---------------------------------------------------------------- reload keeps history
    await b.reload();
    const reloaded = await waitForState(b, 'bob back with history',
      (s) => s.connection === 'ready' && s.user === 'bob' && shows(s, 'ann', 'hello from ann') && shows(s, 'bob', greek));
    check(reloaded.messages.filter((m) => m.text === 'hello from ann').length === 1,
      'after a reload the history is there, each message once, under the same name');
    await screenshot(b, 'browser-06-bob-reloaded');

    // ---------------------------------------------------------------- server restart
    await server.kill();
    await waitForState(a, 'ann notices the server is gone', (s) => s.status.startsWith('Reconnecting'));
    await waitForState(b, 'bob notices the server is gone', (s) => s.status.startsWith('Reconnecting'));
    await screenshot(a, 'browser-07-ann-reconnecting');
    await server.start();
    await waitForState(a, 'ann reconnected', (s) => s.connection === 'ready' && s.user === 'ann', 40000);
    await waitForState(b, 'bob reconnected', (s) => s.connection === 'ready' && s.user === 'bob', 40000);
    check(true, 'both pages reconnect after the server restarts');
    await a.keyboard.type('after the restart', { delay: 50 });
    await a.keyboard.press('Enter', { delay: 50 });
    const afterB = await waitForState(b, 'bob sees the message sent after the restart',
      (s) => shows(s, 'ann', 'after the restart'));
    check(afterB.messages.filter((m) => m.text === 'hello from ann').length === 1,
      'the resume repeats nothing already on screen');
    await screenshot(a, 'browser-08-ann-after-restart');
    await screenshot(b, 'browser-08-bob-after-restart');

    // ---------------------------------------------------------------- edit, delete own
    const own = (await waitForState(a, 'ann\'s message delivered', (s) => shows(s, 'ann', 'after the restart')))
      .messages.find((m) => m.text === 'after the restart');
    await clickTarget(a, `message:${own.id}`, { button: 'right' });
    await clickTarget(a, 'menu_edit');
    await waitForState(a, 'the message in the input for editing', (s) => s.input === 'after the restart');
    await replaceInput(a, 'after the restart, edited', { delay: 40 });
    await a.keyboard.press('Enter', { delay: 50 });
    const edited = await waitForState(b, 'bob sees the edit', (s) => shows(s, 'ann', 'after the restart, edited'));
    check(edited.messages.find((m) => m.id === own.id).edited === true && !shows(edited, 'ann', 'after the restart'),
      'Edit in the context menu changes the message in place for the other page, marked edited');
    await screenshot(b, 'browser-08b-bob-sees-edit');
    await clickTarget(a, `message:${own.id}`, { button: 'right' });
    await clickTarget(a, 'menu_delete');
    const deleted = await waitForState(b, 'bob sees the deletion', (s) => !s.messages.some((m) => m.id === own.id));
    check(shows(deleted, 'ann', 'hello from ann'), 'Delete in the context menu removes only that message for the other page');

    // ---------------------------------------------------------------- history and scrolling
    await postAsBot(server.port, 'history', 'bot', 130, (i) => `history line ${i + 1}`);
    const c = await newPage(browser, 'cleo');
    await c.goto(server.url('/history?name=cleo'));
    const joined = await waitForState(c, 'cleo sees the last page of history',
      (s) => s.connection === 'ready' && shows(s, 'bot', 'history line 130'));
    check(joined.list.stick_to_bottom && joined.message_count === 50, 'a joined channel shows its newest messages',
      `${joined.message_count} loaded`);
    // Scroll up over the message list with the mouse wheel until older pages arrive.
    await c.mouse.move(550, 300);
    for (let i = 0; i < 30; ++i) {
      await c.mouse.wheel(0, -400);
      await sleep(60);
    }
    const older = await waitForState(c, 'older history loaded by scrolling to the top',
      (s) => s.message_count === 130 && shows(s, 'bot', 'history line 1'));
    check(!older.list.stick_to_bottom, 'scrolling up stops following new messages');
    await screenshot(c, 'browser-09-cleo-scrolled-to-the-top');
    await postAsBot(server.port, 'history', 'bot2', 1, () => 'a newer line');
    const unseen = await waitForState(c, 'the jump button counts the new message', (s) => s.list.unseen === 1);
    check(!shows(unseen, 'bot2', 'a newer line') && shows(unseen, 'bot', 'history line 1'),
      'a new message does not move a view scrolled up; it is counted for the jump button');
    await screenshot(c, 'browser-10-cleo-new-message-button');
    for (let i = 0; i < 40; ++i) {
      await c.mouse.wheel(0, 600);
      await sleep(40);
    }
    const bottom = await waitForState(c, 'back at the bottom', (s) => s.list.stick_to_bottom);
    check(shows(bottom, 'bot2', 'a newer line') && bottom.list.unseen === 0, 'scrolling back down follows again');
    await c.close();

    // ---------------------------------------------------------------- clear failures
    const lost = await newPage(browser, 'lost');
    await lost.route('**/parley.wasm', (route) => route.abort('connectionrefused'));
    await lost.goto(server.url('/e2e?name=lost'));
    await lost.waitForFunction(() => window.parleyFailure, null, { timeout: 10000 });
    const lostText = await lost.evaluate(() => document.getElementById('status').textContent);
    check(lostText.startsWith('Cannot reach the Parley server'), 'an unreachable server gets a clear message', lostText);
    await screenshot(lost, 'browser-11-server-unreachable');
    await lost.close();

    // ---------------------------------------------------------------- idle is idle
    await sleep(1000);
    const before = await visibleState(a);
    await sleep(3000);
    const after = await visibleState(a);
    metrics.idle_frames_in_3s = after.frames - before.frames;
    check(metrics.idle_frames_in_3s <= 3, 'an idle page draws no frames', `${metrics.idle_frames_in_3s} frames in 3 s`);
    metrics.last_frame_ms = after.last_frame_ms;

    console.log(`  metrics ${JSON.stringify(metrics)}`);
    fs.writeFileSync(path.join(artifacts, 'browser-metrics.json'), JSON.stringify(metrics, null, 2));
  } finally {
    await browser.close();
  }
}

/** A message in every script, from an outside client, drawn by the page: read back by OCR,
 *  emoji in colour, and nothing downloaded for the glyphs (the browser's canvas draws them). */
async function every_script(server) {
  const browser = await launchBrowser();
  try {
    // Twice the pixels a CSS pixel has: sharper text for OCR, and the glyphs' HiDPI path.
    const page = await newPage(browser, 'scripts', 2);
    await page.goto(server.url('/scripts?name=reader'));
    await waitForState(page, 'the reader ready', (s) => s.connection === 'ready');
    let requests = 0;
    page.on('request', () => { requests += 1; });
    const figures = await checkEveryScript({
      port: server.port, channel: 'scripts', label: 'browser',
      waitFor: (what, predicate) => waitForState(page, what, predicate),
      capture: (name) => {
        const file = path.join(artifacts, `${name}.png`);
        return page.screenshot({ path: file }).then(() => file);
      },
    });
    figures.requests_for_glyphs = requests;
    check(requests === 0, 'the page fetches nothing to draw CJK and emoji', `${requests} requests`);
    console.log(`  metrics ${JSON.stringify(figures)}`);

    // ---------------------------------------------------------------- screen readers
    await page.waitForFunction((text) => {
      const region = document.getElementById('parley-live');
      return region && region.textContent.includes(text);
    }, 'scripts: 你好世界', { timeout: 5000 });
    const live = await page.evaluate(() => {
      const region = document.getElementById('parley-live');
      return { role: region.getAttribute('role'), polite: region.getAttribute('aria-live'),
               lines: [...region.children].map((p) => p.textContent) };
    });
    check(live.role === 'log' && live.polite === 'polite' && !live.lines.some((l) => l.startsWith('reader:')),
      'new messages of the open channel are in the page\'s aria-live region, as drawn', JSON.stringify(live.lines));

    // ---------------------------------------------------------------- input methods
    // What an input method does (CDP's IME events, as Chromium's own IMEs send them): a
    // composition shown while under way, then its commit; then a touch keyboard's word,
    // inserted without a composition; then the message sent, read by an outside client.
    const observer = await watchChannel(server.port, 'scripts', 'observer');
    const cdp = await page.context().newCDPSession(page);
    await waitForState(page, 'the message input focused', (s) => s.input_focused);
    await sleep(100);  // the frame after focus puts the page's text field at the caret
    const named = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    check(named === 'Message #scripts', 'the focused message input is named for assistive technology', named);
    await cdp.send('Input.imeSetComposition', { text: 'にほんご', selectionStart: 4, selectionEnd: 4 });
    const composing = await page.evaluate(() => {
      const field = document.getElementById('parley-text-field');
      return { shown: field.classList.contains('composing'), value: field.value,
               focused: document.activeElement === field };
    });
    check(composing.shown && composing.value === 'にほんご' && composing.focused,
      'a composition under way is shown at the caret', JSON.stringify(composing));
    await screenshot(page, 'browser-13-ime-composing');
    await cdp.send('Input.insertText', { text: '日本語' });
    await waitForState(page, 'the committed composition in the input', (s) => s.input === '日本語');
    await cdp.send('Input.insertText', { text: ' ok 👍' });
    await waitForState(page, 'a touch keyboard\'s insertText in the input', (s) => s.input === '日本語 ok 👍');
    await page.keyboard.press('Enter', { delay: 50 });
    const deadline = Date.now() + 10000;
    while (!observer.texts.includes('日本語 ok 👍') && Date.now() < deadline) await sleep(50);
    check(observer.texts.includes('日本語 ok 👍'), 'text from an input method reaches an outside client exactly',
      JSON.stringify(observer.texts));
    // Paste: the page's paste event, plain text, into the focused field.
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text', text);
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    }, 'مرحبا 你好');
    await waitForState(page, 'the pasted text in the input', (s) => s.input === 'مرحبا 你好');
    await page.keyboard.press('Enter', { delay: 50 });
    while (!observer.texts.includes('مرحبا 你好') && Date.now() < deadline + 10000) await sleep(50);
    check(observer.texts.includes('مرحبا 你好'), 'pasted text reaches an outside client exactly');
    // Ordinary keys still type once each: no character doubled by the text field.
    await typeText(page, 'Καλη');
    await waitForState(page, 'typed text in the input, once', (s) => s.input === 'Καλη');
    observer.close();
  } finally {
    await browser.close();
  }
}

/** A phone-sized page (390 x 844 CSS pixels, touch): one column, the message list the
 *  width of the screen, channels and the online list in drawers opened by a tap. */
async function phone(server) {
  await postAsBot(server.port, 'phone', 'bot', 80, (i) => `history line ${i + 1}`);
  await postAsBot(server.port, 'phone', 'ann', 1, () => 'morning is best for fishing');
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
      hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`  [phone] page error: ${error.message}`));
    await page.goto(server.url('/phone?name=phone'));
    const ready = await waitForState(page, 'the phone page ready',
      (s) => s.connection === 'ready' && shows(s, 'ann', 'morning is best for fishing'));
    const short = ready.messages.find((m) => m.text === 'morning is best for fishing');
    const area = ready.targets[`text:${short.id}`];
    // The text column is the screen less the avatar's gutter and the delivery marks'
    // column (more than half of it); beside a channel list it was 60 px.
    check(ready.layout === 'one_column' && area[2] >= 2 * 195,
      'on a phone the message list takes the width of the screen', `${ready.layout}, text ${area[2] / 2} CSS px wide`);
    const file = path.join(artifacts, 'browser-14-phone.png');
    await page.screenshot({ path: file });
    const read = ocr(file, area, 'eng', 'browser-ocr-phone');
    check(read.includes('morning is best for fishing'), 'a short message is read whole on one line', `read "${read}"`);
    // Targets are in device pixels; taps are in CSS pixels.
    const tap = async (name) => {
      const state = await waitForState(page, `"${name}" drawn`, (s) => s.targets && s.targets[name]);
      const [x, y, width, height] = state.targets[name];
      await page.touchscreen.tap((x + width / 2) / 2, (y + height / 2) / 2);
    };
    await tap('open_channels');
    const channels = await waitForState(page, 'the channels drawer', (s) => s.drawer === 'channels');
    check(Boolean(channels.targets['channel:phone']), 'a tap on Channels opens the channel list over the messages');
    await screenshot(page, 'browser-15-phone-channels');
    await tap('drawer_backdrop');
    await waitForState(page, 'the drawer closed', (s) => s.drawer === 'none');
    await tap('open_users');
    const users = await waitForState(page, 'the users drawer', (s) => s.drawer === 'users');
    check(users.users.includes('phone'), 'a tap on Users opens the online list; a tap beside a drawer closes it');
    await screenshot(page, 'browser-16-phone-users');
    await tap('drawer_backdrop');
    await waitForState(page, 'the users drawer closed', (s) => s.drawer === 'none');

    // A finger dragged down the list scrolls back through history, and keeps going a
    // little after it lifts; a long press on a message opens its menu.
    const cdp = await context.newCDPSession(page);
    const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent',
      { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
    const bottom = await waitForState(page, 'the list at the bottom', (s) => s.list.stick_to_bottom);
    await touch('touchStart', 200, 200);
    for (let y = 220; y <= 600; y += 20) {
      await touch('touchMove', 200, y);
      await sleep(16);
    }
    await touch('touchEnd');
    await sleep(300);
    await sleep(700);
    const scrolled = await visibleState(page);
    // What is drawn: older messages than at the bottom (scroll_y itself grows when an
    // older page arrives above, which the drag to the top asks for).
    const oldest = (s) => Math.min(...s.messages.filter((m) => m.id).map((m) => m.id));
    check(!scrolled.list.stick_to_bottom && oldest(scrolled) < oldest(bottom) - 20,
      'a touch drag down the list scrolls back through history',
      `oldest drawn ${oldest(bottom)} -> ${oldest(scrolled)}`);
    await screenshot(page, 'browser-17-phone-scrolled');
    const shown = scrolled.messages.find((m) => m.id && scrolled.targets[`message:${m.id}`]);
    const [mx, my, mw, mh] = scrolled.targets[`message:${shown.id}`];
    await touch('touchStart', (mx + mw / 3) / 2, (my + mh / 2) / 2);
    await sleep(700);
    await touch('touchEnd');
    const menu = await waitForState(page, 'the message menu', (s) => s.targets && s.targets.menu_copy);
    check(Boolean(menu.targets.menu_copy), 'a long press on a message opens its menu (Copy text)');
    await screenshot(page, 'browser-18-phone-long-press');
  } finally {
    await browser.close();
  }
}

/** A browser without WebGL: the page says so instead of staying blank. */
async function without_webgl(server) {
  const plain = await launchBrowser(['--disable-webgl', '--disable-3d-apis']);
  try {
    const page = await newPage(plain, 'no-webgl');
    await page.goto(server.url('/e2e?name=nogl'));
    await page.waitForFunction(() => window.parleyFailure, null, { timeout: 10000 });
    const text = await page.evaluate(() => document.getElementById('status').textContent);
    check(text.includes('WebGL 2 is unavailable'), 'a browser without WebGL2 gets a clear message', text);
    await screenshot(page, 'browser-12-no-webgl2');
  } finally {
    await plain.close();
  }
}

main().then(() => console.log('browser end-to-end: passed'), (error) => {
  console.error(`browser end-to-end: ${error.stack || error}`);
  process.exit(1);
});
