// The integration-test harness: runs the real calendard binary against a
// throwaway store (SQLite file or a fresh PostgreSQL database), creates
// fixtures through its CLI and talks HTTP to it.
//
//   CALENDARD_BIN          the binary (default build/asan/calendard)
//   CALENDARD_TEST_PG_URL  admin URL of a test cluster (scripts/pg-test-cluster);
//                          when unset, this process starts its own cluster
//   CALENDARD_TEST_STORES  comma list to run only some stores (default sqlite,postgres)
//   CALENDARD_TEST_TZ      TZ of the server process (default America/St_Johns, a
//                          half-hour offset with DST, so that any use of the
//                          host's local time shows up as a wrong instant)
//
// Every server is stopped with SIGTERM and must exit 0 with no sanitizer report.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.resolve(REPO_ROOT, process.env.CALENDARD_BIN || 'build/asan/calendard');
export const STORES = (process.env.CALENDARD_TEST_STORES || 'sqlite,postgres')
  .split(',').map((s) => s.trim()).filter(Boolean);
const SERVER_TZ = process.env.CALENDARD_TEST_TZ ?? 'America/St_Johns';

const SANITIZER_MARKS = ['ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer'];

// ---------------------------------------------------------------- utilities

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const UTC_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
export const DATE_RE = /^\d{4}-\d\d-\d\d$/;

export function rand(n = 8) {
  return randomBytes(n).toString('hex').slice(0, n);
}

export function b64url(x) {
  return Buffer.from(x).toString('base64url');
}

/** Builds a JWT by hand: HS256 with `secret`, or alg "none" (empty signature). */
export function signJwt(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(payload));
  const sig = header.alg === 'none' ? '' : createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}

/** `2026-12-01T15:00:00Z` for a Date or epoch ms. */
export function isoZ(t) {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function truncate(s, n = 2000) {
  if (s == null) return String(s);
  s = String(s);
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}

/** One line describing a request and its response, for assertion messages. */
export function describeRes(res) {
  if (!res || !res.req) return truncate(JSON.stringify(res));
  const { method, path: p, body } = res.req;
  const hdrs = Object.entries(res.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n    ');
  const log = typeof res.serverLog === 'function' ? res.serverLog() : '';
  return `${method} ${p}${body !== undefined ? `\n  request body: ${truncate(body, 600)}` : ''}\n  -> ${res.status}\n    ${hdrs}\n  response body: ${truncate(res.text, 1500)}${log ? `\n  server log:\n    ${truncate(log, 2000).replace(/\n/g, '\n    ')}` : ''}`;
}

export function expectStatus(res, status, what = '') {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  if (!ok) {
    assert.fail(`${what ? `${what}: ` : ''}expected HTTP ${JSON.stringify(status)}, got ${res.status}\n${describeRes(res)}`);
  }
}

/** Does an `errors[].field` value name `expected`? Accepts paths like attendees[0].userId. */
export function fieldNames(actual, expected) {
  if (typeof actual !== 'string') return false;
  if (actual === expected) return true;
  return actual.split(/[^A-Za-z0-9_]+/).includes(expected);
}

/**
 * Asserts a problem+json answer. `fields`: names that must ALL appear in
 * errors[].field; `anyField`: at least one of these must appear.
 */
export function expectProblem(res, status, { code, fields, anyField, what } = {}) {
  expectStatus(res, status, what);
  const ctx = `${what ? `${what}: ` : ''}${describeRes(res)}`;
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json\b/, `content type must be application/problem+json\n${ctx}`);
  const j = res.json;
  assert.ok(j && typeof j === 'object' && !Array.isArray(j), `problem body must be a JSON object\n${ctx}`);
  for (const k of ['type', 'title', 'status', 'code', 'requestId']) {
    assert.ok(k in j, `problem body lacks "${k}"\n${ctx}`);
  }
  assert.equal(j.status, res.status, `problem "status" must equal the HTTP status\n${ctx}`);
  assert.equal(typeof j.title, 'string', `problem "title" must be a string\n${ctx}`);
  assert.equal(typeof j.type, 'string', `problem "type" must be a string\n${ctx}`);
  assert.match(String(j.code), /^[a-z][a-z0-9_]*$/, `problem "code" must be snake_case\n${ctx}`);
  assert.equal(j.requestId, res.headers['x-request-id'], `problem "requestId" must equal the X-Request-Id header\n${ctx}`);
  if (code) assert.equal(j.code, code, `problem code\n${ctx}`);
  const got = Array.isArray(j.errors) ? j.errors.map((e) => e && e.field) : [];
  if (j.errors !== undefined) {
    assert.ok(Array.isArray(j.errors), `problem "errors" must be an array\n${ctx}`);
    for (const e of j.errors) {
      assert.ok(e && typeof e.field === 'string' && typeof e.detail === 'string', `each errors[] entry needs string field and detail\n${ctx}`);
    }
  }
  for (const f of fields || []) {
    assert.ok(got.some((g) => fieldNames(g, f)), `errors[].field must name "${f}" (got ${JSON.stringify(got)})\n${ctx}`);
  }
  if (anyField && anyField.length) {
    assert.ok(got.some((g) => anyField.some((f) => fieldNames(g, f))),
      `errors[].field must name one of ${JSON.stringify(anyField)} (got ${JSON.stringify(got)})\n${ctx}`);
  }
  return j;
}

// ------------------------------------------------------------- PostgreSQL

function findPgBin(name) {
  try {
    const versions = fs.readdirSync('/usr/lib/postgresql')
      .filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/${name}`))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  } catch { /* fall back to PATH */ }
  return name;
}
const PSQL = findPgBin('psql');

let ownCluster = null; // { dir, url } when this process started one

function clusterStop() {
  if (!ownCluster) return;
  const { dir } = ownCluster;
  ownCluster = null;
  spawnSync(path.join(REPO_ROOT, 'scripts/pg-test-cluster'), ['stop', dir], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}

let adminUrlPromise = null;
/** The admin URL of the test cluster, starting one for this process when none was given. */
export function pgAdminUrl() {
  if (process.env.CALENDARD_TEST_PG_URL) return Promise.resolve(process.env.CALENDARD_TEST_PG_URL);
  if (!adminUrlPromise) {
    adminUrlPromise = (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calpg-'));
      ownCluster = { dir };
      process.on('exit', clusterStop);
      for (const sig of ['SIGINT', 'SIGTERM']) {
        process.on(sig, () => { clusterStop(); process.exit(130); });
      }
      const { stdout } = await run(path.join(REPO_ROOT, 'scripts/pg-test-cluster'), ['start', dir], { timeout: 120_000 });
      const url = stdout.trim();
      assert.match(url, /^postgres:\/\/calendard@127\.0\.0\.1:\d+\/postgres$/, `pg-test-cluster printed ${JSON.stringify(stdout)}`);
      ownCluster.url = url;
      return url;
    })();
  }
  return adminUrlPromise;
}

async function psql(adminUrl, sql) {
  return run(PSQL, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', adminUrl, '-c', sql], { timeout: 60_000 });
}

function withDatabase(adminUrl, db) {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

// ----------------------------------------------------------- processes

/** execFile as a promise; rejects with stdout/stderr in the message. */
export function run(file, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 << 20, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${file} ${args.map((a) => JSON.stringify(a)).join(' ')} failed (code ${err.code}, signal ${err.signal})\n--- stdout\n${truncate(stdout, 4000)}\n--- stderr\n${truncate(stderr, 8000)}`;
        err.stdout = stdout;
        err.stderr = stderr;
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function sanitizerReport(text) {
  return SANITIZER_MARKS.find((m) => text.includes(m));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// --------------------------------------------------------------- server

export class Server {
  /** extraEnv: variables for this server (SMTP_URL, CALENDARD_OUTBOX_*, ...). */
  constructor(store, extraEnv = {}) {
    this.store = store;
    this.extraEnv = extraEnv;
    this.jwtSecret = `test-secret-${randomBytes(24).toString('hex')}`;
    this.tokens = new Map(); // email -> JWT
    this.stderr = '';
    this.cliSanitizer = [];
    this.proc = null;
    this.exit = null;
  }

  async init() {
    if (!fs.existsSync(BIN)) {
      throw new Error(`calendard binary not found at ${BIN}: build it (make -C ${REPO_ROOT} build-asan) or set CALENDARD_BIN`);
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `calendard-it-${this.store}-`));
    const dataDir = path.join(this.dir, 'data');
    fs.mkdirSync(dataDir);
    if (this.store === 'sqlite') {
      this.dbUrl = `sqlite:${path.join(this.dir, 'calendard.db')}`;
    } else if (this.store === 'postgres') {
      this.adminUrl = await pgAdminUrl();
      this.dbName = `t_${rand(16)}`;
      await psql(this.adminUrl, `CREATE DATABASE ${this.dbName}`);
      this.dbUrl = withDatabase(this.adminUrl, this.dbName);
    } else {
      throw new Error(`unknown store ${this.store}`);
    }
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('CALENDARD_') && !k.startsWith('ASAN_') && !k.startsWith('UBSAN_') && !k.startsWith('LSAN_')) env[k] = v;
    }
    Object.assign(env, {
      CALENDARD_DATABASE_URL: this.dbUrl,
      CALENDARD_JWT_SECRET: this.jwtSecret,
      CALENDARD_DATA_DIR: dataDir,
      ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
      // every test client is 127.0.0.1: the per-address limit of public
      // routes runs, but out of reach unless a test (ratelimit.test.js)
      // lowers it
      CALENDARD_PUBLIC_RATE_PER_MINUTE: '100000',
      CALENDARD_PUBLIC_RATE_BURST: '100000',
    });
    if (SERVER_TZ) env.TZ = SERVER_TZ;
    Object.assign(env, this.extraEnv);
    this.env = env;
    await this.cli('migrate');
  }

  /** Runs `calendard ARGS...` with the server's env; resolves to trimmed stdout. */
  async cli(...args) {
    let out;
    try {
      out = await run(BIN, args, { env: this.env, timeout: 60_000 });
    } catch (e) {
      if (e.stderr && sanitizerReport(e.stderr)) this.cliSanitizer.push(`calendard ${args.join(' ')}\n${e.stderr}`);
      throw e;
    }
    if (sanitizerReport(out.stderr)) {
      this.cliSanitizer.push(`calendard ${args.join(' ')}\n${out.stderr}`);
      assert.fail(`sanitizer report from calendard ${args.join(' ')}:\n${out.stderr}`);
    }
    return out.stdout.trim();
  }

  async start() {
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      this.base = `http://127.0.0.1:${this.port}`;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      this.stderr = '';
      this.exit = null;
      const proc = spawn(BIN, ['serve'], {
        env: { ...this.env, CALENDARD_LISTEN: `127.0.0.1:${this.port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.proc = proc;
      proc.stdout.setEncoding('utf8');
      proc.stderr.setEncoding('utf8');
      proc.stdout.on('data', (d) => { this.stdout = (this.stdout || '') + d; });
      proc.stderr.on('data', (d) => { this.stderr += d; });
      this.exited = new Promise((resolve) => {
        proc.on('exit', (code, signal) => { this.exit = { code, signal }; resolve(this.exit); });
        proc.on('error', (err) => { this.exit = { code: null, signal: null, err }; resolve(this.exit); });
      });
      try {
        await this.waitReady(15_000);
        return this;
      } catch (e) {
        lastErr = e;
        if (!this.exit) { proc.kill('SIGKILL'); await this.exited; }
        if (!/address already in use|EADDRINUSE|bind/i.test(this.stderr)) break;
      }
    }
    throw lastErr;
  }

  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`calendard serve exited early (${JSON.stringify(this.exit)})\n--- stderr\n${truncate(this.stderr, 8000)}`);
      }
      try {
        const r = await this.api('GET', '/readyz', { timeoutMs: 2000 });
        if (r.status === 200) return;
        last = `${r.status} ${r.text}`;
      } catch (e) {
        last = e.message;
      }
      await sleep(50);
    }
    throw new Error(`calendard not ready after ${timeoutMs} ms (last: ${last})\n--- stderr\n${truncate(this.stderr, 8000)}`);
  }

  /**
   * SIGTERM and start again on the same database with env changes (e.g. a
   * clock offset: "the server was down for an hour"); asserts a clean exit.
   */
  async restart(envChanges = {}) {
    this.agent?.destroy();
    if (this.proc && !this.exit) {
      this.proc.kill('SIGTERM');
      const res = await Promise.race([this.exited, sleep(10_000, null, { ref: false })]);
      assert.ok(res && res.code === 0, `calendard did not exit cleanly on SIGTERM: ${JSON.stringify(res)}`);
    }
    assert.ok(!sanitizerReport(this.stderr), `sanitizer report:\n${this.stderr.slice(-20000)}`);
    const kept = this.stderr;
    Object.assign(this.env, envChanges);
    await this.start();
    this.stderr = kept + this.stderr;
  }

  /** SIGTERM; asserts exit 0 within 10 s and no sanitizer report; drops the store. */
  async stop() {
    const problems = [];
    try {
      this.agent?.destroy();
      if (this.proc && !this.exit) {
        this.proc.kill('SIGTERM');
        // unref'd: a pending timer must not keep the test process alive
        const res = await Promise.race([this.exited, sleep(10_000, null, { ref: false })]);
        if (!res) {
          this.proc.kill('SIGKILL');
          await this.exited;
          problems.push('calendard did not exit within 10 s of SIGTERM');
        } else if (res.code !== 0) {
          problems.push(`calendard exited with ${JSON.stringify(res)} after SIGTERM (expected code 0)`);
        }
      } else if (this.proc && this.exit) {
        problems.push(`calendard had already exited before SIGTERM: ${JSON.stringify(this.exit)}`);
      }
      const fivexx = this.serverErrors();
      if (fivexx.length) problems.push(`calendard answered 5xx (bad input must be a 4xx, never a server error):\n${fivexx.join('\n')}`);
      const mark = sanitizerReport(this.stderr);
      if (mark) problems.push(`calendard stderr contains "${mark}"`);
      if (this.cliSanitizer.length) problems.push(`sanitizer reports from the CLI:\n${this.cliSanitizer.join('\n')}`);
    } finally {
      await this.dropStore();
    }
    if (problems.length) {
      assert.fail(`[${this.store}] ${problems.join('\n')}\n--- server stderr (last 30000 chars)\n${this.stderr.slice(-30000)}`);
    }
  }

  async dropStore() {
    if (this.dbName && this.adminUrl) {
      try {
        await psql(this.adminUrl, `DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
      } catch (e) {
        console.error(`could not drop ${this.dbName}: ${e.message}`);
      }
      this.dbName = null;
    }
    if (this.dir && !process.env.CALENDARD_TEST_KEEP) {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Request log lines with a 5xx status other than 501 (not implemented). */
  serverErrors() {
    const out = [];
    for (const line of this.stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      let j;
      try { j = JSON.parse(line); } catch { continue; }
      if (Number(j.status) >= 500 && Number(j.status) !== 501) out.push(line);
    }
    return out;
  }

  /** Server log lines that mention request id `rid`. */
  logFor(rid) {
    if (!rid) return '';
    return this.stderr.split('\n').filter((l) => l.includes(rid)).join('\n');
  }

  /** Server log lines (JSON-lines on stderr), for diagnostics. */
  logTail(n = 40) {
    return this.stderr.split('\n').slice(-n).join('\n');
  }

  /**
   * One HTTP request. opts: token, body (JSON-encoded), raw (string/Buffer sent
   * as is), contentType (null = no Content-Type), chunked (no Content-Length),
   * headers, timeoutMs, agent (an http.Agent, or false for a connection of its
   * own; default the server's keep-alive agent of 16 sockets).
   * Resolves to {status, headers, text, json, req}.
   */
  api(method, p, opts = {}) {
    const { token, body, raw, headers = {}, timeoutMs = 30_000 } = opts;
    const h = { ...headers };
    let payload;
    if (raw !== undefined) {
      payload = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (opts.contentType !== null) h['Content-Type'] = opts.contentType ?? 'application/json';
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      if (opts.contentType !== null) h['Content-Type'] = opts.contentType ?? 'application/json';
    }
    // chunked: no Content-Length, the body goes out in 64 KiB chunks
    if (payload && !opts.chunked) h['Content-Length'] = String(payload.length);
    if (token) h.Authorization = `Bearer ${token}`;
    const reqInfo = { method, path: p, body: raw !== undefined ? truncate(payload.toString('utf8'), 600) : body !== undefined ? JSON.stringify(body) : undefined };
    return new Promise((resolve, reject) => {
      let gotResponse = false;
      const req = http.request(`${this.base}${p}`, { method, headers: h, agent: opts.agent ?? this.agent, timeout: timeoutMs }, (res) => {
        gotResponse = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          if (/json/.test(res.headers['content-type'] || '') && text.length) {
            try { json = JSON.parse(text); } catch { json = undefined; }
          }
          const out = { status: res.statusCode, headers: res.headers, text, json, req: reqInfo };
          // the server's log lines for this request, for failure messages
          Object.defineProperty(out, 'serverLog', { enumerable: false, value: () => this.logFor(res.headers['x-request-id']) });
          resolve(out);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${p}`)));
      req.on('error', (e) => {
        // The server may answer (e.g. 413) and close before the upload ends.
        if (!gotResponse) reject(Object.assign(e, { message: `${method} ${p}: ${e.message}` }));
      });
      if (payload && opts.chunked) {
        for (let off = 0; off < payload.length; off += 65536) req.write(payload.subarray(off, off + 65536));
        req.end();
      } else if (payload) req.end(payload); else req.end();
    });
  }

  // ------------------------------------------------------------ fixtures

  async company(name, slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-')) {
    const id = await this.cli('company', 'add', '--name', name, '--slug', slug);
    assert.match(id, UUID_RE, `company add printed ${JSON.stringify(id)}`);
    return { id, name, slug };
  }

  /** Creates a user; returns {id, email, name, companyId, company, password, token()}. */
  async user(company, { email, name, password, timezone, lang, admin, phone } = {}) {
    name ??= `User ${rand(4)}`;
    email ??= `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${rand(4)}@${company.slug}.test`;
    const args = ['user', 'add', '--company', company.slug, '--email', email, '--name', name];
    if (password) args.push('--password', password);
    if (timezone) args.push('--timezone', timezone);
    if (lang) args.push('--lang', lang);
    if (phone) args.push('--phone', phone);
    if (admin) args.push('--admin');
    const id = await this.cli(...args);
    assert.match(id, UUID_RE, `user add printed ${JSON.stringify(id)}`);
    const u = { id, email, name, companyId: company.id, company, password, timezone, lang, admin: !!admin };
    u.token = () => this.token(email);
    return u;
  }

  async partner(company, { name, email, phone } = {}) {
    name ??= `Partner ${rand(4)}`;
    email ??= `partner.${rand(6)}@example.org`;
    const args = ['partner', 'add', '--company', company.slug, '--name', name, '--email', email];
    if (phone) args.push('--phone', phone);
    const id = await this.cli(...args);
    assert.match(id, UUID_RE, `partner add printed ${JSON.stringify(id)}`);
    return { id, name, email, companyId: company.id };
  }

  /** A JWT from `calendard token`, cached per e-mail unless ttl is given. */
  async token(email, ttl) {
    if (ttl === undefined && this.tokens.has(email)) return this.tokens.get(email);
    const args = ['token', '--email', email];
    if (ttl !== undefined) args.push('--ttl', String(ttl));
    const t = await this.cli(...args);
    assert.match(t, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, `token printed ${JSON.stringify(t)}`);
    if (ttl === undefined) this.tokens.set(email, t);
    return t;
  }

  /** Signs our own HS256 token with the server's secret. */
  mint(claims, { secret = this.jwtSecret, header } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return signJwt({ iat: now, exp: now + 3600, ...claims }, secret, header);
  }

  // -------------------------------------------------------- event helpers

  async createEvent(user, body, what = 'create event') {
    const res = await this.api('POST', '/api/v1/calendar/events', { token: await user.token(), body });
    expectStatus(res, 201, what);
    return res.json;
  }

  async listEvents(user, query, what = 'list events') {
    const qs = new URLSearchParams(query).toString();
    const res = await this.api('GET', `/api/v1/calendar/events?${qs}`, { token: await user.token() });
    expectStatus(res, 200, what);
    assert.ok(Array.isArray(res.json?.items), `list must have items[]\n${describeRes(res)}`);
    return res.json;
  }

  /** Every event of a list, following nextCursor. */
  async listAll(user, query, what = 'list all') {
    const items = [];
    let cursor = null;
    for (let page = 0; page < 1000; page++) {
      const q = { ...query };
      if (cursor) q.cursor = cursor;
      const r = await this.listEvents(user, q, what);
      items.push(...r.items);
      cursor = r.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('more than 1000 pages');
  }
}

/** Starts a migrated, ready server on `store`. */
export async function startServer(store, extraEnv = {}) {
  const s = new Server(store, extraEnv);
  try {
    await s.init();
    await s.start();
  } catch (e) {
    try { s.agent?.destroy(); if (s.proc && !s.exit) { s.proc.kill('SIGKILL'); await s.exited; } } finally { await s.dropStore(); }
    throw e;
  }
  return s;
}

/**
 * Runs `fn(ctx)` inside describe(store) for every store, with one server per
 * store started before and stopped (and checked) after. ctx.server is set once
 * the before hook ran. The stores run concurrently, the tests of one store in order.
 * `env`: extra variables for the servers (as startServer's extraEnv).
 */
export function eachStore(fn, { name, env } = {}) {
  describe(name || 'stores', { concurrency: true }, () => {
    for (const store of STORES) {
      // the tests of one store run in order (they share fixtures and state)
      describe(store, { concurrency: 1 }, () => {
        const ctx = { store, server: null };
        before(async () => { ctx.server = await startServer(store, env); });
        after(async () => { if (ctx.server) await ctx.server.stop(); });
        fn(ctx);
      });
    }
  });
}

/** A valid event body with overrides. */
export function eventBody(overrides = {}) {
  return {
    name: `Event ${rand(6)}`,
    startDatetime: '2026-12-01T09:00:00-06:00',
    endDatetime: '2026-12-01T10:00:00-06:00',
    ...overrides,
  };
}

/** Runs async fns over items with bounded parallelism. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let i = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k], k);
    }
  });
  await Promise.all(workers);
  return out;
}

// ------------------------------------------------------------ fakes: SMTP, SMS

export { startSmsFake } from '../../fakes/sms_fake.mjs';

const SMTP_SINK = path.join(REPO_ROOT, 'tests/fakes/smtp_sink.py');
const SINK_PYTHON = '/usr/bin/python3'; // Debian's, which has python3-aiosmtpd and python3-icalendar
const liveSinks = new Set(); // {proc, dir, ownDir}: killed (and their temp dirs removed) at exit
let sinkExitHook = false;

function sinkArgs(o) {
  const args = [SMTP_SINK, '--dir', o.dir, '--port', String(o.port ?? 0), '--exit-on-stdin-eof'];
  if (o.failFirst) args.push('--fail-first', String(o.failFirst));
  if (o.delayMs) args.push('--delay-ms', String(o.delayMs));
  if (o.auth) args.push('--auth', typeof o.auth === 'string' ? o.auth : `${o.auth.user}:${o.auth.pass}`);
  return args;
}

/** Spawns smtp_sink.py; resolves once it printed {"port": N}. */
function spawnSink(o) {
  // stdin is a pipe that only closes when this process dies: then the sink stops too
  const proc = spawn(SINK_PYTHON, sinkArgs(o), { stdio: ['pipe', 'pipe', 'pipe'] });
  const st = { proc, stderr: '', exit: null };
  st.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { st.exit = { code, signal }; resolve(st.exit); });
    proc.on('error', (err) => { st.exit = { code: null, signal: null, err: err.message }; resolve(st.exit); });
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { st.stderr = (st.stderr + d).slice(-65536); });
  proc.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why) => {
      clearTimeout(timer);
      if (!st.exit) proc.kill('SIGKILL');
      reject(new Error(`smtp_sink ${sinkArgs(o).slice(1).join(' ')}: ${why}\n--- stderr\n${truncate(st.stderr, 4000)}`));
    };
    const timer = setTimeout(() => fail('no port line within 10 s'), 10_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        st.port = JSON.parse(out.slice(0, nl)).port;
        resolve(st);
      } catch (e) {
        fail(`bad port line ${JSON.stringify(out.slice(0, nl))}`);
      }
    });
    st.exited.then((e) => { if (st.port === undefined) fail(`exited before listening (${JSON.stringify(e)})`); });
  });
}

/**
 * Starts tests/fakes/smtp_sink.py on 127.0.0.1 writing to a new temp dir (or
 * opts.dir). opts: port, failFirst, delayMs, auth ('user:pass' or {user, pass}).
 * Returns { port, dir, url, messages(), events(), stderr(), waitFor(pred,
 * timeoutMs), stop(), restart(extraOpts) }; messages() are the sink's JSON
 * files sorted by seq, events() its events.jsonl (accepted, temp-fail, aborted).
 */
export async function startSmtpSink(opts = {}) {
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'calendard-smtp-'));
  let current = { ...opts, dir };
  let st = await spawnSink(current);
  const entry = { proc: st.proc, dir, ownDir };
  liveSinks.add(entry);
  if (!sinkExitHook) {
    sinkExitHook = true;
    process.on('exit', () => {
      for (const s of liveSinks) {
        if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
        if (s.ownDir && !process.env.CALENDARD_TEST_KEEP) fs.rmSync(s.dir, { recursive: true, force: true });
      }
    });
  }

  const sink = {
    port: st.port,
    dir,
    url: `smtp://127.0.0.1:${st.port}`,

    messages() {
      return fs.readdirSync(dir)
        .filter((f) => /^\d+\.json$/.test(f))
        .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    },

    events() {
      let text = '';
      try { text = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8'); } catch { return []; }
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },

    stderr: () => st.stderr,

    /** Polls every 50 ms until pred(messages) is truthy (a throw counts as false); resolves to the messages. */
    async waitFor(pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let lastErr = null;
      for (;;) {
        const msgs = sink.messages();
        try {
          if (await pred(msgs)) return msgs;
          lastErr = null;
        } catch (e) {
          lastErr = e;
        }
        if (Date.now() >= deadline) {
          const lines = msgs.map((m) => `  #${m.seq} ${m.mailFrom} -> ${(m.rcptTos || []).join(', ')}: ${JSON.stringify(m.subject)} ${m.structure || m.parseError || ''}`);
          const evs = sink.events().filter((e) => e.event !== 'accepted').map((e) => `  ${e.event} ${e.mailFrom} -> ${(e.rcptTos || []).join(', ')}`);
          throw new Error(`smtp sink: condition not met within ${timeoutMs} ms${lastErr ? ` (last error: ${lastErr.message})` : ''}\n`
            + `${msgs.length} message(s) arrived${lines.length ? `:\n${lines.join('\n')}` : ''}`
            + `${evs.length ? `\nnot accepted:\n${evs.join('\n')}` : ''}\n--- sink stderr\n${truncate(st.stderr, 3000)}`);
        }
        await sleep(50);
      }
    },

    /** SIGTERM; rejects when the sink does not exit 0 within 5 s. Keeps dir. */
    async stop() {
      if (!st.exit) {
        st.proc.kill('SIGTERM');
        const res = await Promise.race([st.exited, sleep(5000, null, { ref: false })]); // unref'd: must not hold the process 5 s
        if (!res) {
          st.proc.kill('SIGKILL');
          await st.exited;
          throw new Error(`smtp sink did not exit within 5 s of SIGTERM\n--- stderr\n${truncate(st.stderr, 3000)}`);
        }
        if (res.code !== 0) throw new Error(`smtp sink exited ${JSON.stringify(res)} after SIGTERM\n--- stderr\n${truncate(st.stderr, 3000)}`);
      }
    },

    /** Stops and starts again on the same port and dir with opts merged with extraOpts. */
    async restart(extraOpts = {}) {
      await sink.stop();
      current = { ...current, ...extraOpts, port: sink.port, dir };
      let lastErr;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          st = await spawnSink(current);
          entry.proc = st.proc;
          return sink;
        } catch (e) {
          lastErr = e;
          if (!/address already in use|EADDRINUSE|Errno 98/i.test(e.message)) break;
          await sleep(100);
        }
      }
      throw lastErr;
    },
  };
  return sink;
}

export { randomUUID };
