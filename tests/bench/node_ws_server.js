#!/usr/bin/env node
// Reference broadcast server for parley-bench: the subset of PROTOCOL.md that the
// benchmark uses, written the way a typical Node chat server is (the `ws` package,
// JSON.parse per frame, JSON.stringify once per broadcast, ws.send to each client).
// It stores nothing and keeps no history: it is the yardstick, not a second server.
//
// With --redis URL it is one instance of the stack tutorials build for several servers:
// each instance publishes every message on a Redis channel per chat channel and delivers
// what the other instances publish (Redis pub/sub, no storage).
//
//   node node_ws_server.js --port 9001 [--bind 127.0.0.1] [--redis redis://127.0.0.1:6379]
'use strict';

const http = require('http');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(flag('--port', '9001'));
const bind = flag('--bind', '127.0.0.1');
// Same period as parley-server, so both pay the same heartbeat cost.
const heartbeat_ms = Number(flag('--heartbeat-ms', '15000'));
// PROTOCOL.md: frames over 64 KiB close with 1009.
const max_frame_bytes = 64 * 1024;
const redis_url = flag('--redis', '');
const instance = crypto.randomBytes(8).toString('hex');

const channel_rule = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const name_rule = /^[A-Za-z0-9_.-]{1,32}$/;
const reserved = new Set(['api', 'healthz', 'metrics']);

/** channel name -> { clients: Set<ws>, names: Map<folded name, ws> } */
const channels = new Map();
let next_message_id = 1;

function channel_from_path(url) {
  const path = url.split('?')[0];
  if (path === '/') return 'general';
  const name = path.slice(1);
  return channel_rule.test(name) && !reserved.has(name) ? name : null;
}

function room(name) {
  let r = channels.get(name);
  if (!r) {
    r = { clients: new Set(), names: new Map() };
    channels.set(name, r);
  }
  return r;
}

function send_json(ws, value) {
  ws.send(JSON.stringify(value));
}

function send_error(ws, code, message, ref) {
  const e = { type: 'error', code, message };
  if (typeof ref === 'string') e.ref = ref;
  send_json(ws, e);
}

function on_identity(ws, msg) {
  if (ws.user !== null) {
    send_json(ws, { type: 'identity', success: false, reason: 'already_identified' });
    return;
  }
  if (typeof msg.user !== 'string' || !name_rule.test(msg.user)) {
    send_json(ws, { type: 'identity', success: false, reason: 'invalid' });
    return;
  }
  const r = room(ws.channel);
  const key = msg.user.toLowerCase();
  if (r.names.has(key)) {
    send_json(ws, { type: 'identity', success: false, reason: 'taken' });
    return;
  }
  r.names.set(key, ws);
  ws.user = msg.user;
  send_json(ws, { type: 'identity', success: true, user: msg.user });
}

function on_message(ws, msg) {
  const nonce = typeof msg.nonce === 'string' ? msg.nonce : undefined;
  if (ws.user === null) return send_error(ws, 'not_identified', 'identify first', nonce);
  if (typeof msg.text !== 'string' || msg.text.length === 0)
    return send_error(ws, 'invalid_message', 'text required', nonce);
  if (msg.channel !== undefined && msg.channel !== ws.channel)
    return send_error(ws, 'not_in_channel', 'not in that channel', nonce);

  const out = {
    type: 'message',
    id: next_message_id++,
    channel: ws.channel,
    user: ws.user,
    text: msg.text,
    timestamp: Date.now(),
  };
  const frame = JSON.stringify(out);
  deliver(ws.channel, frame, ws);
  // The other instances: the frame, after this instance's id (theirs skip their own).
  if (publisher) publisher.publish('chat:' + ws.channel, instance + frame).catch(() => {});
  if (nonce !== undefined) out.nonce = nonce;
  send_json(ws, out);
}

function deliver(channel, frame, skip) {
  const r = channels.get(channel);
  if (!r) return;
  for (const client of r.clients) {
    if (client === skip || client.readyState !== client.OPEN) continue;
    client.send(frame);
  }
}

// Redis pub/sub between instances (--redis): one connection publishes, one subscribes to
// every chat channel (a pattern), as the usual adapters do.
let publisher = null;
async function connect_redis() {
  const { createClient } = require('redis');
  publisher = createClient({ url: redis_url });
  const subscriber = publisher.duplicate();
  publisher.on('error', (e) => console.error('redis:', e.message));
  subscriber.on('error', (e) => console.error('redis:', e.message));
  await publisher.connect();
  await subscriber.connect();
  await subscriber.pSubscribe('chat:*', (message, name) => {
    if (message.startsWith(instance)) return;
    deliver(name.slice('chat:'.length), message.slice(instance.length), null);
  });
}

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok' : 'not found');
});
const wss = new WebSocketServer({ noServer: true, maxPayload: max_frame_bytes });

server.on('upgrade', (req, socket, head) => {
  const channel = channel_from_path(req.url);
  if (channel === null) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.channel = channel;
    wss.emit('connection', ws);
  });
});

wss.on('connection', (ws) => {
  ws.user = null;
  ws.missed = 0;
  const r = room(ws.channel);
  r.clients.add(ws);

  send_json(ws, {
    type: 'connection',
    id: ws.channel,
    session: crypto.randomBytes(16).toString('hex'),
    server: 'node-ws',
    heartbeat_ms,
  });
  send_json(ws, { type: 'joined', channel: ws.channel, users: [...r.names.values()].map((c) => c.user) });
  send_json(ws, { type: 'history', channel: ws.channel, messages: [], has_more: false });

  ws.on('message', (data, is_binary) => {
    if (is_binary) return send_error(ws, 'invalid_message', 'text frames only');
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return send_error(ws, 'invalid_json', 'not JSON');
    }
    if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string')
      return send_error(ws, 'invalid_message', 'object with type required');
    switch (msg.type) {
      case 'identity': return on_identity(ws, msg);
      case 'message': return on_message(ws, msg);
      case 'heartbeat': ws.missed = 0; return;
      default: return send_error(ws, 'unknown_type', 'unknown type', msg.nonce);
    }
  });

  ws.on('close', () => {
    r.clients.delete(ws);
    if (ws.user !== null) r.names.delete(ws.user.toLowerCase());
    if (r.clients.size === 0) channels.delete(ws.channel);
  });
  ws.on('error', () => {});
});

// One timer over every client, as such servers usually do it; two misses close (1001).
setInterval(() => {
  for (const ws of wss.clients) {
    if (ws.missed >= 2) {
      ws.close(1001, 'heartbeat missed');
      continue;
    }
    ws.missed += 1;
    send_json(ws, { type: 'heartbeat', authenticated: ws.user !== null });
  }
}, heartbeat_ms).unref();

(redis_url ? connect_redis() : Promise.resolve())
  .then(() => {
    server.listen(port, bind, () => {
      console.log(`node-ws listening on ws://${bind}:${server.address().port}` + (redis_url ? ` (redis ${redis_url})` : ''));
    });
  })
  .catch((e) => {
    console.error(`cannot use redis at ${redis_url}: ${e.message}`);
    process.exit(1);
  });

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
