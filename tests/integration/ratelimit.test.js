// The per-client limit of public routes (struct route's rate_limited: the
// RSVP links and the subscription feed, later the appointment pages), on a
// server started with CALENDARD_PUBLIC_RATE_PER_MINUTE=60 (a token a
// second) and CALENDARD_PUBLIC_RATE_BURST=5: the burst passes, the next is
// 429 problem+json with Retry-After, X-Forwarded-For changes nothing,
// another client address has its own bucket, authenticated routes are not
// limited, a token comes back after Retry-After, /metrics counts the
// refusals, and bad values stop the program.
//
// AUTH_OPTIONAL has no route yet: tests/unit/test_dispatch.c covers it
// (anonymous without credentials, the caller with a good token, the same
// 401 as AUTH_USER with a bad one); the appointment tests cover the route.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  eachStore, expectStatus, expectProblem, describeRes, run, sleep, rand, BIN,
} from './lib/harness.js';

const BURST = 5;
const ENV = { CALENDARD_PUBLIC_RATE_PER_MINUTE: '60', CALENDARD_PUBLIC_RATE_BURST: String(BURST) };

// Unknown tokens and feeds: 404, cheap, and nothing to set up.
const PUBLIC = [
  ['GET', () => `/rsvp/${rand(20)}/accept`],
  ['POST', () => `/rsvp/${rand(20)}/decline`],
  ['GET', () => `/ical/${rand(20)}.ics`],
];

function publicRequest(s, i, opts = {}) {
  const [method, path] = PUBLIC[i % PUBLIC.length];
  return s.api(method, path(), opts);
}

function expectTooMany(res, what) {
  expectProblem(res, 429, { code: 'too_many_requests', what });
  const ra = res.headers['retry-after'];
  assert.match(String(ra), /^\d+$/, `Retry-After must be whole seconds\n${describeRes(res)}`);
  assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After ${ra} out of 1..60\n${describeRes(res)}`);
  return Number(ra);
}

/** A GET from another loopback address: the server sees another TCP peer. */
function getFrom(s, localAddress, path) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.base}${path}`, { localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

eachStore((ctx) => {
  let user;
  let refused = 0; // 429s this server gave us

  before(async () => {
    const s = ctx.server;
    const co = await s.company('Rate Co', `rate-${rand(6)}`);
    user = await s.user(co, { name: 'Rita Rate' });
    await user.token();
  });

  it(`a burst of ${BURST} passes, the next is 429 with Retry-After, whatever X-Forwarded-For says`, async () => {
    const s = ctx.server;
    const started = Date.now();
    let passed = 0;
    let res;
    for (let i = 0; i < 20; i++) {
      res = await publicRequest(s, i);
      if (res.status === 429) break;
      expectStatus(res, 404, `public request ${i + 1}`);
      passed++;
    }
    // a token a second: more than the burst only if the loop was slow
    const most = BURST + Math.floor((Date.now() - started) / 1000);
    assert.ok(passed >= BURST && passed <= most, `${passed} requests passed, expected ${BURST}..${most}`);
    expectTooMany(res, `request ${passed + 1}`);
    refused++;

    for (const xff of ['203.0.113.7', '127.0.0.2', `${rand(4)}`]) {
      const r = await publicRequest(s, 0, { headers: { 'X-Forwarded-For': xff, 'X-Real-IP': xff } });
      expectTooMany(r, `X-Forwarded-For: ${xff}`);
      refused++;
    }
    for (let i = 1; i < PUBLIC.length; i++) {
      expectTooMany(await publicRequest(s, i), 'every rate-limited route shares the bucket');
      refused++;
    }
  });

  it('another client address has a bucket of its own', async (t) => {
    const s = ctx.server;
    let first;
    try {
      first = await getFrom(s, '127.0.0.2', `/ical/${rand(20)}.ics`);
    } catch (e) {
      t.skip(`cannot connect from 127.0.0.2: ${e.message}`);
      return;
    }
    assert.equal(first.status, 404, 'the first request of 127.0.0.2');
    for (let i = 1; i < BURST; i++) assert.equal((await getFrom(s, '127.0.0.2', `/ical/${rand(20)}.ics`)).status, 404);
    const over = await getFrom(s, '127.0.0.2', `/ical/${rand(20)}.ics`);
    assert.equal(over.status, 429, 'its own burst is spent too');
    refused++;
  });

  it('routes that are not rate-limited answer as usual while the address is limited', async () => {
    const s = ctx.server;
    const token = await user.token();
    for (let i = 0; i < 3 * BURST; i++) {
      expectStatus(await s.api('GET', '/api/v1/me', { token }), 200, `GET /api/v1/me #${i + 1}`);
      expectStatus(await s.api('GET', '/livez'), 200, `GET /livez #${i + 1}`);
    }
    expectStatus(await s.api('GET', '/api/v1/calendar/events?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', { token }), 200);
    expectStatus(await s.api('POST', '/api/v1/calendar/feed', { token }), 201);
  });

  it('after Retry-After one more request passes (60 a minute: one a second)', async () => {
    const s = ctx.server;
    // spend whatever came back during the other tests
    let res;
    for (let i = 0; i < 20; i++) {
      res = await publicRequest(s, i);
      if (res.status === 429) break;
    }
    const wait = expectTooMany(res, 'spent again');
    refused++;
    assert.equal(wait, 1, 'a token a second: never more than a second to wait');
    await sleep(wait * 1000 + 100);
    const started = Date.now();
    const again = await publicRequest(s, 2);
    expectStatus(again, 404, 'the token that came back');
    let passed = 1;
    for (let i = 0; i < 5; i++) {
      const r = await publicRequest(s, i);
      if (r.status === 429) { refused++; break; }
      passed++;
    }
    // about 1.1 tokens were there; only a slow machine earns more
    assert.ok(passed <= 1 + Math.ceil((Date.now() - started + 100) / 1000), `${passed} passed after the wait`);
  });

  it('/metrics counts the refusals per route', async () => {
    const s = ctx.server;
    const r = await s.api('GET', '/metrics');
    expectStatus(r, 200);
    assert.match(r.text, /^# TYPE calendard_http_rate_limited_total counter$/m);
    let total = 0;
    for (const m of r.text.matchAll(/^calendard_http_rate_limited_total\{route="([^"]*)",method="([A-Z]+)"\} (\d+)$/gm)) {
      assert.ok(['/rsvp/:token/:answer', '/ical/:feed'].includes(m[1]), `a refusal counted on ${m[1]}`);
      total += Number(m[3]);
    }
    assert.equal(total, refused, `calendard_http_rate_limited_total sums to the 429s we got\n${r.text.slice(-1500)}`);
  });

  it('bad CALENDARD_PUBLIC_RATE_* values stop the program with a reason', async () => {
    const s = ctx.server;
    for (const [name, value] of [['CALENDARD_PUBLIC_RATE_PER_MINUTE', 'many'], ['CALENDARD_PUBLIC_RATE_BURST', '-1'],
      ['CALENDARD_PUBLIC_RATE_BURST', '1000001']]) {
      await assert.rejects(run(BIN, ['migrate'], { env: { ...s.env, [name]: value } }),
        (e) => e.code === 2 && e.stderr.includes(name), `${name}=${value} must be refused`);
    }
    await run(BIN, ['migrate'], { env: { ...s.env, CALENDARD_PUBLIC_RATE_PER_MINUTE: '0' } }); // 0: off, and valid
  });
}, { env: ENV });
