// Benchmark reference: the same token service on the original's stack (Node + jsonwebtoken 8), as a stdin filter or a TCP server.
'use strict';

// Usage: node reference.js CONFIG [--listen PORT]
// Needs NODE_PATH (or a node_modules beside it) holding jsonwebtoken@8.
const fs = require('fs');
const net = require('net');
const jwt = require('jsonwebtoken');

const args = process.argv.slice(2);
let listenPort = null;
let cfgPath = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--listen') listenPort = parseInt(args[++i], 10);
  else cfgPath = args[i];
}
if (!cfgPath) {
  process.stderr.write('usage: reference.js CONFIG [--listen PORT]\n');
  process.exit(64);
}
const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
const iss = cfg.jwt.app_id;
const aud = cfg.jwt.audience || 'jitsi';
const sub = cfg.jitsi.domain;
const alg = cfg.jwt.algorithm || 'HS256';
// RS*: the PEM read once, given to jsonwebtoken as its documentation does, with the kid.
const rsa = alg.startsWith('RS');
const secret = rsa ? fs.readFileSync(cfg.jwt.private_key_file, 'utf8') : cfg.jwt.secret;
const signOptions = rsa ? { algorithm: alg, keyid: cfg.jwt.kid } : { algorithm: alg };

const badRoom = /[\s\x00-\x1f\x7f"&'\/:<>@]/;
const optional = ['email', 'avatar', 'id'];

// One request's text to one reply object, with the checks the C server makes.
function answer(text) {
  const now = Math.floor(Date.now() / 1000);
  const reply = { success: false, message: '', token: '', time: now };
  let req;
  try {
    req = JSON.parse(text);
  } catch (e) {
    reply.message = 'malformed JSON: ' + e.message;
    return reply;
  }
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    reply.message = 'request must be a JSON object';
    return reply;
  }
  const hasSeq = Object.prototype.hasOwnProperty.call(req, 'seq');
  const fail = (msg) => {
    reply.message = msg;
    if (hasSeq) reply.seq = req.seq;
    return reply;
  };
  if (req.cmd === undefined) return fail('cmd missing');
  if (typeof req.cmd !== 'string') return fail('cmd must be a string');
  if (req.cmd !== 'jwt_token') return fail('unknown cmd: only "jwt_token" is supported');
  for (const f of ['displayName', 'channel']) {
    if (req[f] === undefined) return fail(f + ' missing');
    if (typeof req[f] !== 'string') return fail(f + ' must be a string');
    if (req[f] === '') return fail(f + ' must not be empty');
  }
  if (req.channel !== '*' && badRoom.test(req.channel))
    return fail('channel contains characters not allowed in a room name');
  if (req.moderator === undefined) return fail('moderator missing');
  if (typeof req.moderator !== 'boolean') return fail('moderator must be true or false');
  for (const f of optional)
    if (req[f] !== undefined && typeof req[f] !== 'string') return fail(f + ' must be a string');
  const hasFor = req.validFor !== undefined;
  const hasUntil = req.validUntil !== undefined;
  if (hasFor === hasUntil) return fail('give exactly one of validFor and validUntil');
  let exp;
  if (hasFor) {
    if (!Number.isInteger(req.validFor) || req.validFor <= 0)
      return fail('validFor must be a positive integer');
    exp = now + req.validFor;
  } else {
    if (!Number.isInteger(req.validUntil)) return fail('validUntil must be an integer (epoch seconds)');
    if (req.validUntil <= now) return fail('validUntil is in the past');
    exp = req.validUntil;
  }
  const user = { name: req.displayName };
  for (const f of optional) if (req[f] !== undefined) user[f] = req[f];
  user.affiliation = req.moderator ? 'owner' : 'member';
  user.moderator = req.moderator ? 'true' : 'false';
  const claims = {
    iss, aud, sub, room: req.channel, iat: now, nbf: now - 10, exp,
    moderator: req.moderator, context: { user },
  };
  reply.success = true;
  reply.message = 'OK';
  reply.token = jwt.sign(claims, secret, signOptions);
  if (hasSeq) reply.seq = req.seq;
  return reply;
}

// Split a byte stream into NUL- or newline-ended requests; emit() gets all replies of one chunk.
function framer(emit) {
  let pending = '';
  const handle = (chunk, atEof) => {
    let data = pending + chunk;
    let out = '';
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (c !== 10 && c !== 0) continue;
      const text = data.slice(start, i);
      start = i + 1;
      if (text.trim() === '') continue;
      out += JSON.stringify(answer(text)) + (c === 0 ? '\n\0' : '\n');
    }
    pending = data.slice(start);
    if (atEof && pending.trim() !== '') {
      out += JSON.stringify(answer(pending)) + '\n';
      pending = '';
    }
    if (out !== '') emit(out);
  };
  return handle;
}

if (listenPort === null) {
  const handle = framer((out) => process.stdout.write(out));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => handle(chunk, false));
  process.stdin.on('end', () => handle('', true));
} else {
  const server = net.createServer((sock) => {
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    const handle = framer((out) => sock.write(out));
    sock.on('data', (chunk) => handle(chunk, false));
    sock.on('end', () => { handle('', true); sock.end(); });
    sock.on('error', () => sock.destroy());
  });
  server.listen(listenPort, '127.0.0.1');
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
