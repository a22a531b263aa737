#!/usr/bin/env node
// Outbox throughput: how many e-mails a second calendard's outbox workers
// hand to a local SMTP server.
//
//   outbox-throughput.mjs --bin CALENDARD --db URL --dir DIR [--workers 2]
//       [--messages 2000] [--per-event 100] [--sink count|aiosmtpd] [--env K=V ...]
//
// URL is a fresh database (sqlite:PATH, or an empty PostgreSQL database);
// DIR a scratch directory. Phase 1 (not timed): a calendard with
// CALENDARD_JOBS=0 is migrated, gets one company and organizer through its
// CLI, and takes messages/per-event events with per-event external
// attendees through POST /api/v1/calendar/events; each writes one
// invitation per attendee into the outbox and none leaves. Phase 2 (timed):
// calendard starts again on the same database with the jobs on and
// CALENDARD_OUTBOX_WORKERS workers; the clock runs from its spawn until
// the sink has every message. The sink is bench/delivery/smtp-count.mjs
// (in this process; answers at once, keeps nothing) or
// tests/fakes/smtp_sink.py (aiosmtpd; parses and fsyncs every message).
//
// Checks: every invitation arrives exactly once (recipient and Message-ID).
// Prints one JSON object on stdout; progress on stderr.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCountingSink } from './smtp-count.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

function usage(msg) {
  if (msg) process.stderr.write(`outbox-throughput: ${msg}\n`);
  process.stderr.write('usage: outbox-throughput.mjs --bin CALENDARD --db URL --dir DIR [--workers N] [--messages N]\n'
    + '         [--per-event N] [--sink count|aiosmtpd] [--env K=V ...]\n');
  process.exit(2);
}

const o = { workers: 2, messages: 2000, perEvent: 100, sink: 'count', env: {} };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i];
  const v = process.argv[i + 1];
  if (v === undefined) usage(`${k} needs a value`);
  if (k === '--bin') o.bin = path.resolve(v);
  else if (k === '--db') o.db = v;
  else if (k === '--dir') o.dir = path.resolve(v);
  else if (k === '--workers') o.workers = Number(v);
  else if (k === '--messages') o.messages = Number(v);
  else if (k === '--per-event') o.perEvent = Number(v);
  else if (k === '--sink') o.sink = v;
  else if (k === '--env') { const eq = v.indexOf('='); if (eq < 1) usage(`--env ${v}`); o.env[v.slice(0, eq)] = v.slice(eq + 1); }
  else usage(`unknown option ${k}`);
}
if (!o.bin || !o.db || !o.dir) usage('--bin, --db and --dir are required');
if (!['count', 'aiosmtpd'].includes(o.sink)) usage('--sink is count or aiosmtpd');
for (const k of ['workers', 'messages', 'perEvent']) if (!Number.isInteger(o[k]) || o[k] < 1) usage(`--${k} must be a positive integer`);
if (o.messages % o.perEvent) usage('--messages must be a multiple of --per-event');

const log = (m) => process.stderr.write(`outbox-throughput: ${m}\n`);

function run(file, args, env) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** calendard serve; resolves once /livez answers. */
async function serve(env, logFile) {
  const port = await freePort();
  const out = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  const proc = spawn(o.bin, ['serve'], { env: { ...env, CALENDARD_LISTEN: `127.0.0.1:${port}` }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/livez`)).ok) return { proc, exited, base, t0 };
    } catch { /* not yet */ }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`calendard did not answer on ${base} (see ${logFile})`);
}

async function stop(s) {
  s.proc.kill('SIGTERM');
  const r = await Promise.race([s.exited, sleep(20_000, null, { ref: false })]);
  if (!r) { s.proc.kill('SIGKILL'); await s.exited; throw new Error('calendard did not stop within 20 s'); }
  if (r.code !== 0) throw new Error(`calendard exited ${JSON.stringify(r)}`);
}

/** The sink: { url, count(), messages() -> [{rcpt, messageId, at}], close() }. */
async function startSink() {
  if (o.sink === 'count') {
    const s = await startCountingSink();
    return { url: `smtp://127.0.0.1:${s.port}`, count: s.count, messages: s.messages, close: s.close };
  }
  const dir = path.join(o.dir, 'sink');
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawn('/usr/bin/python3', [path.join(ROOT, 'tests/fakes/smtp_sink.py'), '--dir', dir, '--port', '0'],
    { stdio: ['ignore', 'pipe', fs.openSync(path.join(o.dir, 'sink.log'), 'a')] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    proc.stdout.on('data', (d) => { text += d; const nl = text.indexOf('\n'); if (nl >= 0) resolve(JSON.parse(text.slice(0, nl)).port); });
    proc.on('exit', () => reject(new Error('smtp_sink.py exited')));
  });
  const files = () => fs.readdirSync(dir).filter((f) => /^\d+\.json$/.test(f));
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => files().length,
    messages: () => files().map((f) => {
      const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      return { rcpt: (m.rcptTos || [])[0], messageId: m.messageId, at: m.receivedAt };
    }),
    close: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.on('exit', r)); },
  };
}

async function pool(n, k, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(k, n) }, async () => { while (i < n) await fn(i++); }));
}

fs.mkdirSync(path.join(o.dir, 'data'), { recursive: true });
const sink = await startSink();
const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('CALENDARD_') && k !== 'CALENDARD_JWT_SECRET') delete env[k];
Object.assign(env, {
  CALENDARD_DATABASE_URL: o.db,
  CALENDARD_DATA_DIR: path.join(o.dir, 'data'),
  CALENDARD_JWT_SECRET: process.env.CALENDARD_JWT_SECRET || randomBytes(24).toString('hex'),
  CALENDARD_LOG_LEVEL: 'warn',
  SMTP_URL: sink.url,
  SMTP_TLS: 'off',
  MAIL_FROM: 'calendario@bench.test',
  ...o.env,
});

try {
  // Phase 1: fill the outbox with the jobs off.
  await run(o.bin, ['migrate'], env);
  await run(o.bin, ['company', 'add', '--name', 'Bench Outbox', '--slug', 'bench-outbox'], env);
  const email = 'organizer@bench-outbox.test';
  await run(o.bin, ['user', 'add', '--company', 'bench-outbox', '--email', email, '--name', 'Bench Organizer'], env);
  const token = await run(o.bin, ['token', '--email', email, '--ttl', '86400'], env);
  const loader = await serve({ ...env, CALENDARD_JOBS: '0' }, path.join(o.dir, 'loader.log'));
  const events = o.messages / o.perEvent;
  const start = Date.now() + 7 * 86400_000;
  const t0 = performance.now();
  await pool(events, 4, async (e) => {
    const attendees = Array.from({ length: o.perEvent }, (_, a) => ({ email: `guest${e}.${a}@external.example` }));
    const s = new Date(start + e * 3600_000);
    const res = await fetch(`${loader.base}/api/v1/calendar/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Bench outbox ${e}`, startDatetime: s.toISOString().replace(/\.\d+Z$/, 'Z'),
        endDatetime: new Date(s.getTime() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'), attendees }),
    });
    if (res.status !== 201) throw new Error(`POST event answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  });
  const enqueueS = (performance.now() - t0) / 1000;
  await stop(loader);
  log(`${o.messages} invitations enqueued in ${enqueueS.toFixed(1)} s (${events} events); delivering with ${o.workers} worker(s) to ${o.sink}`);

  // Phase 2: deliver.
  const worker = await serve({ ...env, CALENDARD_OUTBOX_WORKERS: String(o.workers) }, path.join(o.dir, 'server.log'));
  const deadline = Date.now() + 600_000;
  let n = 0;
  while ((n = sink.count()) < o.messages) {
    if (Date.now() > deadline) throw new Error(`only ${n} of ${o.messages} messages within 600 s`);
    await sleep(20);
  }
  const seconds = (performance.now() - worker.t0) / 1000;
  await stop(worker);
  const msgs = sink.messages();
  const keys = new Set(msgs.map((m) => `${m.rcpt} ${m.messageId}`));
  const rcpts = new Set(msgs.map((m) => m.rcpt));
  if (msgs.length !== o.messages || keys.size !== o.messages || rcpts.size !== o.messages) {
    throw new Error(`${msgs.length} messages, ${keys.size} distinct (recipient, Message-ID), ${rcpts.size} recipients; want ${o.messages} of each`);
  }
  const ats = msgs.map((m) => m.at).sort((a, b) => a - b);
  const steady = (ats.length - 1) / ((ats[ats.length - 1] - ats[0]) / 1000);
  const result = {
    db: o.db.startsWith('sqlite') ? 'sqlite' : 'postgres', sink: o.sink, workers: o.workers, messages: o.messages,
    env: o.env, enqueueSeconds: +enqueueS.toFixed(2), seconds: +seconds.toFixed(2),
    perSecond: +(o.messages / seconds).toFixed(1), firstToLastPerSecond: +steady.toFixed(1),
  };
  log(JSON.stringify(result));
  console.log(JSON.stringify(result));
} finally {
  await sink.close();
}
