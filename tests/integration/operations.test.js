// What an operator relies on: RS256 tokens from an identity provider,
// concurrent writers (If-Match picks exactly one winner), a graceful stop
// that finishes a request in flight, and a failing migration that rolls
// back and names itself. Every test runs on SQLite and PostgreSQL.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  STORES, Server, startServer, eachStore, eventBody, expectStatus, expectProblem, b64url, run, BIN, sleep, pgAdminUrl,
} from './lib/harness.js';

function signRs256(payload, privateKey) {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

for (const store of STORES) {
  describe(`rs256 identity provider [${store}]`, () => {
    it('accepts RS256 tokens signed by the provider and refuses HS256 signed with its public key', async () => {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      const s = new Server(store);
      await s.init();
      const co = await s.company(`Idp ${store}`, `idp-${store}`);
      const u = await s.user(co, { email: `ana-${store}@idp.test`, name: 'Ana', password: 'long-password' });
      const keyFile = path.join(s.dir, 'idp.pem');
      fs.writeFileSync(keyFile, pem);
      s.env.CALENDARD_JWT_PUBLIC_KEY = keyFile;
      await s.start();
      try {
        const now = Math.floor(Date.now() / 1000);
        const claims = { sub: u.id, company: co.id, role: 'user', iat: now, exp: now + 600 };
        const good = signRs256(claims, privateKey);
        expectStatus(await s.api('GET', '/api/v1/me', { token: good }), 200, 'RS256 from the provider');
        // Algorithm confusion: HS256 keyed with the public key's text.
        const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
        const body = b64url(JSON.stringify(claims));
        const mac = crypto.createHmac('sha256', pem).update(`${head}.${body}`).digest();
        expectProblem(await s.api('GET', '/api/v1/me', { token: `${head}.${body}.${b64url(mac)}` }), 401, { code: 'unauthorized' });
        const expired = signRs256({ ...claims, exp: now - 5 }, privateKey);
        expectProblem(await s.api('GET', '/api/v1/me', { token: expired }), 401, { code: 'unauthorized' });
        const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        expectProblem(await s.api('GET', '/api/v1/me', { token: signRs256(claims, other) }), 401, { code: 'unauthorized' });
        // Password login would mint tokens the server itself refuses.
        const login = await s.api('POST', '/api/v1/auth/login', { body: { email: u.email, password: 'long-password' } });
        expectProblem(login, 501, { code: 'not_implemented' });
      } finally {
        await s.stop();
      }
    });
  });
}

eachStore((ctx) => {
  let ana;
  it('fixtures', async () => {
    const s = ctx.server;
    const co = await s.company(`Ops ${ctx.store}`, `ops-${ctx.store}`);
    ana = await s.user(co, { email: `ana-ops-${ctx.store}@ops.test`, name: 'Ana' });
  });

  it('of 20 concurrent PATCHes with the same If-Match exactly one wins', async () => {
    const s = ctx.server;
    const token = await ana.token();
    const created = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name: 'race' }) });
    expectStatus(created, 201);
    const etag = created.headers.etag;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      s.api('PATCH', `/api/v1/calendar/events/${created.json.id}`, {
        token, headers: { 'If-Match': etag }, body: { location: `room ${i}` },
      })));
    const codes = answers.map((r) => r.status).sort();
    assert.equal(codes.filter((c) => c === 200).length, 1, `statuses: ${codes}`);
    assert.equal(codes.filter((c) => c === 412).length, 19, `statuses: ${codes}`);
    const winner = answers.find((r) => r.status === 200);
    const now = await s.api('GET', `/api/v1/calendar/events/${created.json.id}`, { token });
    assert.equal(now.json.location, winner.json.location);
    assert.notEqual(now.headers.etag, etag);
  });

  it('50 concurrent creates are all stored, once each', async () => {
    const s = ctx.server;
    const token = await ana.token();
    const names = Array.from({ length: 50 }, (_, i) => `burst ${i}`);
    const answers = await Promise.all(names.map((name) =>
      s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name, startDatetime: '2027-03-01T09:00:00Z', endDatetime: '2027-03-01T10:00:00Z' }) })));
    assert.deepEqual(answers.map((r) => r.status), names.map(() => 201));
    const all = await s.listAll(ana, { from: '2027-03-01T00:00:00Z', to: '2027-03-02T00:00:00Z' });
    assert.deepEqual(all.map((e) => e.name).sort(), [...names].sort());
  });
});

for (const store of STORES) {
  describe(`graceful stop [${store}]`, () => {
    it('SIGTERM lets a request in flight finish, then exits 0', async () => {
      const s = await startServer(store);
      const co = await s.company(`Stop ${store}`, `stop-${store}`);
      const u = await s.user(co, { email: `stop-${store}@ops.test`, name: 'Stop' });
      const token = await u.token();
      const body = JSON.stringify(eventBody({ name: 'in flight' }));
      // Headers and half the body now; SIGTERM; the rest after a pause.
      const sock = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      let answer = '';
      sock.setEncoding('utf8');
      sock.on('data', (d) => { answer += d; });
      sock.write(`POST /api/v1/calendar/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
      await sleep(300);
      s.proc.kill('SIGTERM');
      await sleep(300);
      assert.equal(s.exit, null, 'the server must wait for the request in flight');
      sock.write(body.slice(10));
      await new Promise((r) => sock.once('close', r));
      assert.match(answer, /^HTTP\/1\.1 201/, answer);
      const res = await Promise.race([s.exited, sleep(10_000).then(() => null)]);
      assert.ok(res, 'exited within 10 s');
      assert.equal(res.code, 0);
      s.proc = null; // already stopped: stop() only checks logs and drops the store
      await s.stop();
    });
  });

  describe(`migrations [${store}]`, () => {
    it('a failing migration rolls back, says which, and a later run applies it', async () => {
      // A database where a table of 0001 already exists with another
      // shape, so 0001 must fail half-way.
      const env = { ...process.env };
      let url;
      let cleanup = async () => {};
      const dir = fs.mkdtempSync(path.join('/tmp', `calendard-mig-${store}-`));
      if (store === 'sqlite') {
        url = `sqlite:${dir}/m.db`;
        await run('sqlite3', [`${dir}/m.db`, 'CREATE TABLE crm_leads (x INTEGER);']);
      } else {
        const admin = await pgAdminUrl();
        const db = `mig_${crypto.randomBytes(6).toString('hex')}`;
        await run('psql', ['-X', '-q', '-d', admin, '-c', `CREATE DATABASE ${db}`]);
        const u = new URL(admin); u.pathname = `/${db}`; url = u.toString();
        await run('psql', ['-X', '-q', '-d', url, '-c', 'CREATE TABLE crm_leads (x INTEGER);']);
        cleanup = () => run('psql', ['-X', '-q', '-d', admin, '-c', `DROP DATABASE ${db} WITH (FORCE)`]);
      }
      Object.assign(env, { CALENDARD_DATABASE_URL: url, CALENDARD_DATA_DIR: dir, CALENDARD_JWT_SECRET: 'x'.repeat(40) });
      try {
        const failed = await run(BIN, ['migrate'], { env }).then(() => null, (e) => e);
        assert.ok(failed, 'migrate must fail');
        assert.match(failed.stderr, /migration 0001_init failed and was rolled back/);
        // Rolled back: no table of 0001 exists, the version is not recorded.
        const probe = store === 'sqlite'
          ? await run('sqlite3', [`${dir}/m.db`, "SELECT count(*) FROM sqlite_master WHERE name IN ('companies','calendar_events')"])
          : await run('psql', ['-X', '-A', '-t', '-d', url, '-c', "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('companies','calendar_events')"]);
        assert.equal(probe.stdout.trim(), '0');
        // Fixed by hand, it applies.
        if (store === 'sqlite') await run('sqlite3', [`${dir}/m.db`, 'DROP TABLE crm_leads;']);
        else await run('psql', ['-X', '-q', '-d', url, '-c', 'DROP TABLE crm_leads;']);
        await run(BIN, ['migrate'], { env });
        await run(BIN, ['migrate'], { env }); // a no-op the second time
      } finally {
        await cleanup();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
