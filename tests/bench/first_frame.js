// Navigation to the first frame for two servers side by side (two builds of the browser
// bundle, say), in one headless Chromium, alternating, six navigations each:
//   node tests/bench/first_frame.js http://127.0.0.1:PORT_A http://127.0.0.1:PORT_B
// Prints each server's times, sorted, and their median. A measurement, not a test.
'use strict';

const { launchBrowser, newPage, waitForState } = require('../e2e/lib');

async function main() {
  const servers = process.argv.slice(2);
  if (servers.length === 0) throw new Error('usage: first_frame.js URL [URL...]');
  const browser = await launchBrowser();
  const times = servers.map(() => []);
  try {
    for (let round = 0; round < 6; ++round) {
      for (let i = 0; i < servers.length; ++i) {
        const page = await newPage(browser, `server ${i + 1}`);
        const started = Date.now();
        await page.goto(`${servers[i]}/bench?name=bench${round}`);
        await waitForState(page, 'the first frame', (s) => s.frames >= 1);
        times[i].push(Date.now() - started);
        await page.context().close();
      }
    }
  } finally {
    await browser.close();
  }
  servers.forEach((url, i) => {
    const sorted = times[i].sort((a, b) => a - b);
    console.log(`${url}: first frame ${sorted.join(' ')} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms`);
  });
}

main().catch((error) => {
  console.error(`first_frame: ${error.stack || error}`);
  process.exit(1);
});
