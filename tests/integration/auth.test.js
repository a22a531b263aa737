// Login, /me, and every way a bearer token can be wrong: each must be a 401
// problem+json with WWW-Authenticate: Bearer on every protected route.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachStore, expectStatus, expectProblem, describeRes, signJwt, b64url, rand, randomUUID, sleep, UUID_RE,
} from './lib/harness.js';

const PASSWORD = 'correct horse battery staple';

function decodeJwt(t) {
  const [h, p] = t.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

function checkUserJson(u, want, ctx) {
  for (const k of ['id', 'companyId', 'name', 'email', 'role', 'timezone', 'lang']) {
    assert.ok(k in u, `user JSON lacks "${k}"\n${ctx}`);
  }
  assert.equal(u.id, want.id, ctx);
  assert.equal(u.companyId, want.companyId, ctx);
  assert.equal(u.name, want.name, ctx);
  assert.equal(u.email, want.email, ctx);
  assert.equal(u.role, want.admin ? 'admin' : 'user', ctx);
  if (want.timezone) assert.equal(u.timezone, want.timezone, ctx);
  else assert.equal(typeof u.timezone, 'string', ctx);
  if (want.lang) assert.equal(u.lang, want.lang, ctx);
  else assert.ok(['es', 'en'].includes(u.lang), ctx);
}

eachStore((ctx) => {
  let acme; let other; let alice; let admin; let nopass; let carol; let event; let ttlToken; let ttlMintedAt;

  before(async () => {
    const s = ctx.server;
    acme = await s.company('Acme Auth', 'acme');
    other = await s.company('Other Auth', 'other');
    alice = await s.user(acme, { name: 'Alice Auth', email: 'alice@acme.test', password: PASSWORD, timezone: 'America/Mexico_City', lang: 'es' });
    admin = await s.user(acme, { name: 'Ada Admin', email: 'ada@acme.test', password: 'admin pass 123', admin: true, lang: 'en', timezone: 'Europe/Madrid' });
    nopass = await s.user(acme, { name: 'No Pass', email: 'nopass@acme.test' });
    carol = await s.user(other, { name: 'Carol Other', email: 'carol@other.test', password: PASSWORD });
    // minted now, checked at the end of the file (after > 2 s) to avoid a sleep
    ttlToken = await s.token(alice.email, 1);
    ttlMintedAt = Date.now();
    event = await s.createEvent(alice, { name: 'Auth probe', startDatetime: '2026-12-01T09:00:00Z', endDatetime: '2026-12-01T10:00:00Z' });
  });

  it('logs in with e-mail and password', async () => {
    const s = ctx.server;
    for (const u of [alice, admin, carol]) {
      const r = await s.api('POST', '/api/v1/auth/login', { body: { email: u.email, password: u.password } });
      expectStatus(r, 200, `login ${u.email}`);
      const ctxt = describeRes(r);
      assert.match(r.headers['content-type'] || '', /^application\/json\b/, ctxt);
      assert.equal(typeof r.json.token, 'string', ctxt);
      assert.ok(!Number.isNaN(Date.parse(r.json.expiresAt)), `expiresAt must be RFC 3339\n${ctxt}`);
      assert.ok(Date.parse(r.json.expiresAt) > Date.now(), `expiresAt in the future\n${ctxt}`);
      checkUserJson(r.json.user, u, ctxt);
      assert.ok(!/argon2|password/i.test(r.text), `login answer must not carry password material\n${ctxt}`);

      const { header, payload } = decodeJwt(r.json.token);
      assert.equal(header.alg, 'HS256', ctxt);
      assert.equal(payload.sub, u.id, ctxt);
      assert.equal(payload.company, u.companyId, ctxt);
      assert.equal(payload.role, u.admin ? 'admin' : 'user', ctxt);
      assert.ok(Math.abs(payload.exp * 1000 - Date.parse(r.json.expiresAt)) <= 2000, `exp claim matches expiresAt\n${ctxt}`);

      const me = await s.api('GET', '/api/v1/me', { token: r.json.token });
      expectStatus(me, 200, 'GET /me with the login token');
      checkUserJson(me.json, u, describeRes(me));
      assert.ok(!/argon2|password/i.test(me.text), describeRes(me));
    }
  });

  it('GET /api/v1/me with a CLI token returns the user', async () => {
    const s = ctx.server;
    const r = await s.api('GET', '/api/v1/me', { token: await alice.token() });
    expectStatus(r, 200);
    checkUserJson(r.json, alice, describeRes(r));
    const r2 = await s.api('GET', '/api/v1/me', { token: await nopass.token() });
    expectStatus(r2, 200);
    checkUserJson(r2.json, nopass, describeRes(r2));
  });

  it('wrong password, unknown e-mail and password-less users get the same 401 invalid_credentials', async () => {
    const s = ctx.server;
    const attempts = [
      { email: alice.email, password: 'wrong password' },
      { email: alice.email, password: '' },
      { email: alice.email, password: PASSWORD.toUpperCase() },
      { email: `nobody-${rand()}@acme.test`, password: PASSWORD },
      { email: nopass.email, password: '' },
      { email: nopass.email, password: 'anything at all' },
      { email: carol.email, password: 'wrong' },
    ];
    const bodies = [];
    for (const a of attempts) {
      const r = await s.api('POST', '/api/v1/auth/login', { body: a });
      const j = expectProblem(r, 401, { code: 'invalid_credentials', what: `login ${JSON.stringify(a)}` });
      assert.ok(!r.text.includes(a.password) || a.password === '', `the password is echoed back\n${describeRes(r)}`);
      const { requestId, ...rest } = j;
      bodies.push({ rest, res: r });
    }
    for (const b of bodies.slice(1)) {
      assert.deepEqual(b.rest, bodies[0].rest, `all failed logins must look the same:\n${describeRes(bodies[0].res)}\nvs\n${describeRes(b.res)}`);
    }
  });

  it('login with a malformed body is a 4xx problem, never a 5xx', async () => {
    const s = ctx.server;
    const cases = [
      { raw: '{' }, { raw: '' }, { raw: '[]' }, { body: {} }, { body: { email: alice.email } },
      { body: { password: PASSWORD } }, { body: { email: 5, password: PASSWORD } },
      { body: { email: alice.email, password: { $ne: null } } },
      { body: { email: "' OR 1=1 --", password: "' OR '1'='1" } },
    ];
    for (const c of cases) {
      const r = await s.api('POST', '/api/v1/auth/login', c);
      assert.ok(r.status >= 400 && r.status < 500, `expected 4xx\n${describeRes(r)}`);
      expectProblem(r, r.status);
    }
    expectStatus(await s.api('GET', '/livez'), 200);
  });

  it('every bad bearer token is 401 problem+json with WWW-Authenticate: Bearer on every protected route', async () => {
    const s = ctx.server;
    const good = await alice.token();
    const [gh, gp, gs] = good.split('.');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: alice.id, company: acme.id, role: 'user', iat: now, exp: now + 3600 };
    const tamperedPayload = b64url(JSON.stringify({ ...decodeJwt(good).payload, role: 'admin' }));
    const otherUserPayload = b64url(JSON.stringify({ ...decodeJwt(good).payload, sub: admin.id }));

    const bad = {
      'no header': null,
      'empty bearer': 'Bearer ',
      'scheme only': 'Bearer',
      'basic scheme': `Basic ${Buffer.from(`${alice.email}:${PASSWORD}`).toString('base64')}`,
      'token without scheme': good,
      'garbage': 'Bearer not-a-jwt',
      'two parts': `Bearer ${gh}.${gp}`,
      'four parts': `Bearer ${good}.x`,
      'bad base64': 'Bearer %%%.%%%.%%%',
      'json garbage header': `Bearer ${b64url('{')}.${gp}.${gs}`,
      'alg none': `Bearer ${signJwt(claims, '', { alg: 'none', typ: 'JWT' })}`,
      'alg None': `Bearer ${signJwt(claims, '', { alg: 'None', typ: 'JWT' })}`,
      'alg none keeping the old signature': `Bearer ${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${gp}.${gs}`,
      'wrong secret': `Bearer ${signJwt(claims, 'not-the-server-secret-0123456789abcdef')}`,
      'empty secret': `Bearer ${signJwt(claims, '')}`,
      'expired': `Bearer ${s.mint({ ...claims, iat: now - 7200, exp: now - 3600 })}`,
      'no exp': `Bearer ${signJwt({ sub: alice.id, company: acme.id, role: 'user', iat: now }, s.jwtSecret)}`,
      'unknown user': `Bearer ${s.mint({ ...claims, sub: randomUUID() })}`,
      'sub not a uuid': `Bearer ${s.mint({ ...claims, sub: "1' OR '1'='1" })}`,
      'sub is a number': `Bearer ${s.mint({ ...claims, sub: 1 })}`,
      'sub is a company id': `Bearer ${s.mint({ ...claims, sub: acme.id })}`,
      'tampered role': `Bearer ${gh}.${tamperedPayload}.${gs}`,
      'tampered sub': `Bearer ${gh}.${otherUserPayload}.${gs}`,
      'truncated signature': `Bearer ${good.slice(0, -4)}`,
      'signature of another token': `Bearer ${gh}.${gp}.${(await admin.token()).split('.')[2]}`,
    };
    const routes = [
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/calendar/events?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z'],
      ['POST', '/api/v1/calendar/events', { name: 'must not be stored', startDatetime: '2026-12-02T09:00:00Z', endDatetime: '2026-12-02T10:00:00Z' }],
      ['GET', `/api/v1/calendar/events/${event.id}`],
      ['PATCH', `/api/v1/calendar/events/${event.id}`, { name: 'must not change' }],
      ['DELETE', `/api/v1/calendar/events/${event.id}`],
      ['POST', `/api/v1/calendar/events/${event.id}/respond`, { response: 'declined' }],
    ];
    for (const [label, authz] of Object.entries(bad)) {
      for (const [method, p, body] of routes) {
        const headers = authz === null ? {} : { Authorization: authz };
        const r = await s.api(method, p, { headers, body });
        expectProblem(r, 401, { what: `${label}: ${method} ${p}` });
        assert.match(r.headers['www-authenticate'] || '', /^Bearer\b/, `${label}: WWW-Authenticate must be Bearer\n${describeRes(r)}`);
      }
    }
    // nothing happened to the event
    const g = await s.api('GET', `/api/v1/calendar/events/${event.id}`, { token: good });
    expectStatus(g, 200);
    assert.equal(g.json.name, 'Auth probe', describeRes(g));
    const list = await s.listEvents(alice, { from: '2026-12-01T00:00:00Z', to: '2026-12-31T00:00:00Z' });
    assert.deepEqual(list.items.map((e) => e.name), ['Auth probe'], 'rejected requests stored nothing');
    expectStatus(await s.api('GET', '/livez'), 200);
  });

  it('our own HS256 token with the right secret is accepted; the company claim cannot widen access', async () => {
    const s = ctx.server;
    const t = s.mint({ sub: alice.id, company: acme.id, role: 'user' });
    const r = await s.api('GET', '/api/v1/me', { token: t });
    expectStatus(r, 200);
    checkUserJson(r.json, alice, describeRes(r));

    // a token for carol claiming alice's company must not reveal alice's events
    const forged = s.mint({ sub: carol.id, company: acme.id, role: 'admin' });
    const g = await s.api('GET', `/api/v1/calendar/events/${event.id}`, { token: forged });
    assert.ok([401, 404].includes(g.status), `carol with company=acme claim must not read acme's event\n${describeRes(g)}`);
    assert.ok(!g.text.includes('Auth probe'), describeRes(g));
    const l = await s.api('GET', `/api/v1/calendar/events?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z&userIds=${alice.id}`, { token: forged });
    assert.ok([400, 401].includes(l.status), `carol with company=acme claim must not list alice's events\n${describeRes(l)}`);
    assert.ok(!l.text.includes('Auth probe'), describeRes(l));
  });

  it('a token from `calendard token --ttl 1` expires', async () => {
    const s = ctx.server;
    const wait = ttlMintedAt + 2500 - Date.now();
    if (wait > 0) await sleep(wait);
    const { payload } = decodeJwt(ttlToken);
    assert.ok(payload.exp - payload.iat <= 1, `--ttl 1 gives a 1 s token: ${JSON.stringify(payload)}`);
    assert.match(payload.sub, UUID_RE);
    const r = await s.api('GET', '/api/v1/me', { token: ttlToken });
    expectProblem(r, 401, { what: 'expired CLI token' });
    assert.match(r.headers['www-authenticate'] || '', /^Bearer\b/, describeRes(r));
  });
});
