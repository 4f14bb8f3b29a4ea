// Every script, checked on screen: an outside client posts one message per script and the
// issue's mixed message; the client under test (a page or the native window) must draw
// each, which Tesseract reads back from a screenshot of the message's own text area (the
// `text:<id>` target the client notes), in that script's language. Emoji must be drawn in
// colour, not as grey boxes or '?'. Shared by browser_e2e.js and native_e2e.js.
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { artifacts, check, postAsBot } = require('./lib');

/** One message per script, and the Tesseract language (tesseract-ocr-*) that reads it. */
const samples = [
  { text: '你好世界', lang: 'chi_sim' },
  { text: 'こんにちは', lang: 'jpn' },
  { text: '안녕하세요', lang: 'kor' },
  { text: 'مرحبا', lang: 'ara' },  // read only if its letters are joined and right to left
  { text: 'שלום', lang: 'heb' },    // read only if it runs right to left
];
const emoji = '🎉👍';
const everyScript = '你好世界 こんにちは 안녕하세요 مرحبا שלום 🎉👍 café';
const latinControl = 'plain latin text';

/** Crops `rect` ([x, y, width, height]) of `png` into `out`, white text made black on
 *  white and enlarged to about 100 px a line, as Tesseract reads best. */
function cropForOcr(png, rect, out) {
  const [x, y, width, height] = rect.map(Math.round);
  const zoom = Math.max(1, Math.round(100 / height));
  execFileSync('convert', [png, '-crop', `${width}x${height}+${x}+${y}`, '+repage', '-negate', '-colorspace', 'Gray',
    '-resize', `${zoom * 100}%`, out]);
}

/** What Tesseract reads in `rect` of `png` as one line of language `lang`. */
function ocr(png, rect, lang, name) {
  const crop = path.join(artifacts, `${name}.png`);
  cropForOcr(png, rect, crop);
  return execFileSync('tesseract', [crop, '-', '-l', lang, '--psm', '7'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString().replace(/\s+/g, ' ').trim();
}

/** How many pixels of `rect` have a chroma above a third: colour, not grey text. */
function colourPixels(png, rect) {
  const [x, y, width, height] = rect.map(Math.round);
  const share = Number(execFileSync('convert', [png, '-crop', `${width}x${height}+${x}+${y}`, '+repage',
    '-colorspace', 'HCL', '-channel', 'G', '-separate', '+channel', '-threshold', '33%', '-format', '%[fx:mean]',
    'info:']).toString());
  return Math.round(share * width * height);
}

/**
 * Posts the messages to `channel` and checks that the client draws them.
 *   waitFor(what, predicate): the client's visible state once predicate(state) holds
 *   capture(name): saves a screenshot in the client's coordinates (on a page those are
 *     device pixels); returns (or resolves with) its path
 * Returns the figures measured: how long the first CJK message took to be drawn after the
 * server echoed it, and the glyphs the client rasterised for it.
 */
async function checkEveryScript({ port, channel, label, waitFor, capture }) {
  const shown = (state, text) =>
    state.messages.find((m) => m.user.startsWith('scripts') && m.text === text && !m.pending);
  const before = await waitFor('the client ready for the scripts', () => true);
  const figures = {};

  // The first CJK message on a cold cache: drawn, and how soon.
  const sent = Date.now();
  await postAsBot(port, channel, 'scripts', 1, () => samples[0].text);
  const echoed = Date.now();
  const first = await waitFor('the first CJK message', (s) => shown(s, samples[0].text) && s.targets &&
    s.targets[`text:${shown(s, samples[0].text).id}`]);
  figures.cjk_drawn_after_echo_ms = Date.now() - echoed;
  figures.cjk_post_to_drawn_ms = Date.now() - sent;
  figures.cjk_glyphs_added = first.glyphs.added - before.glyphs.added;
  figures.cjk_rasterise_ms = Math.round((first.glyphs.rasterise_ms - before.glyphs.rasterise_ms) * 10) / 10;
  check(figures.cjk_drawn_after_echo_ms <= 1000, `${label}: a CJK message is drawn within 1 s of arriving`,
    `${figures.cjk_drawn_after_echo_ms} ms`);

  const rest = [...samples.slice(1).map((s) => s.text), emoji, latinControl, everyScript];
  await postAsBot(port, channel, 'scripts-2', rest.length, (i) => rest[i]);  // its own nonces
  const all = [samples[0].text, ...rest];
  const state = await waitFor('every script message drawn',
    (s) => all.every((text) => shown(s, text) && s.targets && s.targets[`text:${shown(s, text).id}`]));
  const png = await capture(`${label}-scripts`);
  const area = (text) => state.targets[`text:${shown(state, text).id}`];

  for (const sample of samples) {
    const read = ocr(png, area(sample.text), sample.lang, `${label}-ocr-${sample.lang}`);
    check(read.includes(sample.text), `${label}: ${sample.lang} text is drawn and read back by OCR`,
      `read "${read}"`);
  }
  // Two emoji a line high: at least a quarter of one line-sized square is in colour; plain
  // text next to them has (nearly) none.
  const line = area(emoji)[3];
  const emojiColour = colourPixels(png, area(emoji));
  const latinColour = colourPixels(png, area(latinControl));
  figures.emoji_colour_pixels = emojiColour;
  check(emojiColour >= line * line / 4 && latinColour <= line * line / 50, `${label}: emoji are drawn in colour`,
    `${emojiColour} coloured pixels in the emoji's line, ${latinColour} in plain text's (a line is ${line} px)`);
  const mixed = ocr(png, area(everyScript), 'eng', `${label}-ocr-mixed`);
  check(!mixed.includes('?'), `${label}: no '?' stands in for a glyph in the mixed message`, `read "${mixed}"`);
  check(state.glyphs.missing === 0, `${label}: every code point of the messages had a glyph`,
    `${state.glyphs.missing} drawn as the missing-glyph box`);
  fs.writeFileSync(path.join(artifacts, `${label}-scripts.json`), JSON.stringify(figures, null, 2));
  return figures;
}

module.exports = { checkEveryScript, everyScript, ocr };
