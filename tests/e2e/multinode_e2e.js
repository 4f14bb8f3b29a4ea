// Two parley-server nodes on one PostgreSQL database behind nginx (Debian's): a page on
// each node chats with the other; the first node is killed, its page reconnects through
// nginx to the second and misses nothing said meanwhile. nginx listens on two ports, each
// preferring one node and falling back to the other (`backup`), so that each page's node
// is known. The database is a private cluster (tests/postgres/cluster.sh), stopped at the
// end. Run by tests/e2e/run.sh.
'use strict';

const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const {
  repo, artifacts, freePort, server_process, tempDir, launchBrowser, newPage, waitForState, screenshot, shows, check,
  sleep,
} = require('./lib');

const cluster = path.join(repo, 'tests', 'postgres', 'cluster.sh');

/** The nginx configuration: `front` port i proxies to node i, the other node its backup. */
function nginxConfig(dir, fronts, nodes) {
  const upstream = (i) => `
  upstream via_${i} {
    server 127.0.0.1:${nodes[i]} max_fails=1 fail_timeout=60s;
    server 127.0.0.1:${nodes[1 - i]} backup;
  }
  server {
    listen 127.0.0.1:${fronts[i]};
    location / {
      proxy_pass http://via_${i};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }
  }`;
  return `${process.getuid() === 0 ? 'user root;' : ''}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
${upstream(0)}
${upstream(1)}
}
`;
}

async function waitForPort(port) {
  for (let i = 0; i < 100; ++i) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch (_) { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`nothing answers /healthz on ${port}`);
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const dir = tempDir('parley-e2e-nodes-');
  // Under /tmp itself: as root the cluster belongs to the postgres user.
  const pgDir = `/tmp/parley-e2e-pg-${process.pid}`;
  execFileSync('bash', [cluster, 'start', pgDir], { stdio: 'ignore' });
  const conninfo = execFileSync('bash', [cluster, 'conninfo', pgDir]).toString().trim();
  const ports = [await freePort(), await freePort()];
  const nodes = ports.map((port, i) => new server_process(port, path.join(dir, `data-${i}`),
    path.join(artifacts, `multinode-server-${i}.log`), ['--postgres', conninfo, '--node-name', `node${i}`]));
  let nginx = null;
  let browser = null;
  try {
    for (const node of nodes) await node.start();
    const fronts = [await freePort(), await freePort()];
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, fronts, ports));
    const nginxLog = fs.openSync(path.join(artifacts, 'multinode-nginx.log'), 'a');
    nginx = spawn('/usr/sbin/nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir],
      { stdio: ['ignore', nginxLog, nginxLog] });
    fs.closeSync(nginxLog);
    for (const port of fronts) await waitForPort(port);

    browser = await launchBrowser();
    const a = await newPage(browser, 'ann');
    const b = await newPage(browser, 'bob');
    await a.goto(`http://127.0.0.1:${fronts[0]}/nodes?name=ann`);
    await b.goto(`http://127.0.0.1:${fronts[1]}/nodes?name=bob`);
    await waitForState(a, 'ann ready through nginx', (s) => s.connection === 'ready' && s.user === 'ann');
    await waitForState(b, 'bob ready through nginx', (s) => s.connection === 'ready' && s.user === 'bob');
    const logOf = (i) => fs.readFileSync(path.join(artifacts, `multinode-server-${i}.log`), 'utf8');
    check(/open .*channel=nodes/.test(logOf(0)) && /open .*channel=nodes/.test(logOf(1)),
      'the two pages are on different nodes, through nginx');

    await a.keyboard.type('hello from node0', { delay: 50 });
    await a.keyboard.press('Enter', { delay: 50 });
    await waitForState(b, 'bob sees ann across nodes', (s) => shows(s, 'ann', 'hello from node0'));
    await b.keyboard.type('hello from node1', { delay: 50 });
    await b.keyboard.press('Enter', { delay: 50 });
    await waitForState(a, 'ann sees bob across nodes', (s) => shows(s, 'bob', 'hello from node1'));
    check(true, 'pages on two nodes chat both ways');
    await screenshot(b, 'multinode-01-bob');

    // ann's node dies; bob, on the other, goes on talking.
    await nodes[0].kill();
    await waitForState(a, 'ann notices her node is gone', (s) => s.status.startsWith('Reconnecting'));
    await b.keyboard.type('said while ann was away', { delay: 50 });
    await b.keyboard.press('Enter', { delay: 50 });
    await waitForState(b, 'bob\'s message stored', (s) => shows(s, 'bob', 'said while ann was away'));
    const back = await waitForState(a, 'ann back through nginx on the other node, with what she missed',
      (s) => s.connection === 'ready' && shows(s, 'bob', 'said while ann was away'), 40000);
    check(back.messages.filter((m) => m.text === 'said while ann was away').length === 1 &&
      back.messages.filter((m) => m.text === 'hello from node0').length === 1,
      'the page of the killed node reconnects through nginx and misses nothing, each message once');
    await screenshot(a, 'multinode-02-ann-failed-over');
    await a.keyboard.type('ann again', { delay: 50 });
    await a.keyboard.press('Enter', { delay: 50 });
    await waitForState(b, 'bob sees ann after the failover', (s) => shows(s, 'ann', 'ann again'));
    check(true, 'after the failover both pages chat on the surviving node');
  } finally {
    if (browser) await browser.close();
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const gone = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await gone;
    }
    for (const node of nodes) await node.stop();
    try { execFileSync('bash', [cluster, 'stop', pgDir], { stdio: 'ignore' }); } catch (_) { /* best effort */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => console.log('multinode end-to-end: passed'), (error) => {
  console.error(`multinode end-to-end: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
