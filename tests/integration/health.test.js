// Health, metrics, the OpenAPI document against `calendard routes`, request
// ids, and the answers for unknown routes and wrong methods.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { eachStore, expectStatus, expectProblem, describeRes, rand, randomUUID } from './lib/harness.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// The routes of the contract; the route table may hold more.
const REQUIRED_ROUTES = [
  'GET /livez', 'GET /readyz', 'GET /healthz', 'GET /metrics', 'GET /openapi.json',
  'POST /api/v1/auth/login', 'GET /api/v1/me',
  'GET /api/v1/calendar/events', 'POST /api/v1/calendar/events',
  'GET /api/v1/calendar/events/{id}', 'PATCH /api/v1/calendar/events/{id}',
  'DELETE /api/v1/calendar/events/{id}', 'POST /api/v1/calendar/events/{id}/respond',
];

function parseRoutes(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = l.match(/^([A-Z]+)\s+(\/\S*)$/);
    assert.ok(m, `calendard routes: line ${JSON.stringify(l)} is not "METHOD PATH"`);
    return { method: m[1], path: m[2] };
  });
}

/** Prometheus text → [{name, labels, value}] */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/);
    assert.ok(m, `metrics line is not Prometheus text: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

eachStore((ctx) => {
  let user;
  before(async () => {
    const s = ctx.server;
    const co = await s.company('Health Co', 'health');
    user = await s.user(co, { name: 'Hal Health' });
  });

  it('GET /livez, /readyz, /healthz answer 200', async () => {
    const s = ctx.server;
    expectStatus(await s.api('GET', '/livez'), 200);
    const ready = await s.api('GET', '/readyz');
    expectStatus(ready, 200);
    assert.match(ready.headers['content-type'] || '', /^application\/json\b/, describeRes(ready));
    assert.equal(ready.json?.status, 'ok', describeRes(ready));
    expectStatus(await s.api('GET', '/healthz'), 200);
  });

  it('every response carries a distinct X-Request-Id', async () => {
    const s = ctx.server;
    const token = await user.token();
    const answers = [
      await s.api('GET', '/livez'),
      await s.api('GET', '/livez'),
      await s.api('GET', '/readyz'),
      await s.api('GET', '/metrics'),
      await s.api('GET', '/openapi.json'),
      await s.api('GET', `/no/such/route/${rand()}`),
      await s.api('PUT', '/livez'),
      await s.api('GET', '/api/v1/me'),
      await s.api('GET', '/api/v1/me', { token }),
      await s.api('POST', '/api/v1/auth/login', { raw: '{', contentType: 'application/json' }),
      await s.api('GET', `/api/v1/calendar/events/${randomUUID()}`, { token }),
    ];
    const ids = new Set();
    for (const r of answers) {
      const id = r.headers['x-request-id'];
      assert.ok(typeof id === 'string' && id.length >= 8, `missing or short X-Request-Id\n${describeRes(r)}`);
      assert.ok(!ids.has(id), `X-Request-Id ${id} repeated\n${describeRes(r)}`);
      ids.add(id);
    }
  });

  it('GET /metrics is Prometheus text with request counters and a duration histogram', async () => {
    const s = ctx.server;
    for (let i = 0; i < 3; i++) expectStatus(await s.api('GET', '/livez'), 200);
    const junk = `zz${rand(10)}`;
    await s.api('GET', `/${junk}`);
    await s.api('GET', `/api/v1/calendar/events/${randomUUID()}`, { token: await user.token() });

    const r1 = await s.api('GET', '/metrics');
    expectStatus(r1, 200);
    assert.match(r1.headers['content-type'] || '', /^text\/plain\b/, describeRes(r1));
    assert.match(r1.text, /^# TYPE calendard_http_requests_total counter$/m, 'TYPE line for the counter');
    assert.match(r1.text, /^# TYPE calendard_http_request_duration_seconds histogram$/m, 'TYPE line for the histogram');
    assert.ok(!r1.text.includes(junk), 'an unknown path must not become a route label (unbounded cardinality)');
    const m1 = parseMetrics(r1.text);

    const livez = (ms) => ms.filter((m) => m.name === 'calendard_http_requests_total' && m.labels.route === '/livez' && m.labels.status === '2xx');
    assert.equal(livez(m1).length, 1, `one calendard_http_requests_total{route="/livez",status="2xx"} series\n${r1.text.slice(0, 3000)}`);
    assert.ok(livez(m1)[0].value >= 3, 'livez counter counts our requests');
    for (const m of m1.filter((x) => x.name === 'calendard_http_requests_total')) {
      assert.match(m.labels.status || '', /^[1-5]xx$/, `status label of ${JSON.stringify(m)}`);
      assert.ok(m.labels.route, `route label of ${JSON.stringify(m)}`);
    }
    // parameterised routes are labelled by their template, never by the concrete id
    assert.ok(!/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-/.test(r1.text), 'route labels must be templates, not concrete ids');

    const hist = (suffix) => m1.filter((m) => m.name === `calendard_http_request_duration_seconds${suffix}` && m.labels.route === '/livez');
    const buckets = hist('_bucket');
    assert.ok(buckets.length >= 2, 'histogram buckets for /livez');
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    assert.ok(inf, '+Inf bucket');
    let prev = -1;
    for (const b of buckets) {
      assert.ok(b.value >= prev, `buckets must be cumulative: ${JSON.stringify(buckets)}`);
      prev = b.value;
    }
    const count = hist('_count');
    const sum = hist('_sum');
    assert.equal(count.length, 1, '_count for /livez');
    assert.equal(sum.length, 1, '_sum for /livez');
    assert.equal(inf.value, count[0].value, '+Inf bucket equals _count');
    assert.ok(sum[0].value >= 0);

    await s.api('GET', '/livez');
    const m2 = parseMetrics((await s.api('GET', '/metrics')).text);
    assert.ok(livez(m2)[0].value > livez(m1)[0].value, 'counter grows');
  });

  it('GET /openapi.json is OpenAPI 3.1 and matches `calendard routes` both ways', async () => {
    const s = ctx.server;
    const r = await s.api('GET', '/openapi.json');
    expectStatus(r, 200);
    assert.match(r.headers['content-type'] || '', /json/, describeRes(r));
    const doc = r.json;
    assert.ok(doc && typeof doc === 'object', 'OpenAPI body is JSON');
    assert.match(String(doc.openapi), /^3\.1\.\d+$/, `openapi version is ${doc.openapi}`);
    assert.ok(doc.info?.title && doc.info?.version, 'info.title and info.version');
    assert.ok(doc.paths && typeof doc.paths === 'object', 'paths');

    const table = parseRoutes(await s.cli('routes'));
    assert.ok(table.length > 0, 'calendard routes printed nothing');
    const inTable = new Set(table.map((t) => `${t.method} ${t.path}`));
    for (const want of REQUIRED_ROUTES) assert.ok(inTable.has(want), `route table lacks ${want}`);

    const missingInDoc = table.filter((t) => !doc.paths[t.path]?.[t.method.toLowerCase()]);
    assert.deepEqual(missingInDoc.map((t) => `${t.method} ${t.path}`), [], 'routes missing from /openapi.json paths');
    const missingInTable = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of HTTP_METHODS) if (item[m] && !inTable.has(`${m.toUpperCase()} ${p}`)) missingInTable.push(`${m.toUpperCase()} ${p}`);
    }
    assert.deepEqual(missingInTable, [], 'OpenAPI operations missing from `calendard routes`');
  });

  it('every route in the table is served (never 404 no_such_route / 405 / 5xx other than 501, without credentials)', async () => {
    const s = ctx.server;
    const table = parseRoutes(await s.cli('routes'));
    const bad = [];
    for (const t of table) {
      const p = t.path.replace(/\{[^}]+\}/g, () => randomUUID());
      const opts = ['POST', 'PUT', 'PATCH'].includes(t.method) ? { body: {} } : {};
      const r = await s.api(t.method, p, opts);
      // 501 is allowed: a route may be declared before it is implemented.
      if (r.status === 405 || (r.status >= 500 && r.status !== 501) || (r.status === 404 && r.json?.code === 'no_such_route')) {
        bad.push(`${t.method} ${t.path}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(bad, []);
    expectStatus(await s.api('GET', '/livez'), 200);
  });

  it('an unknown route is 404 problem+json', async () => {
    const s = ctx.server;
    for (const p of ['/nope', '/api/v1/nope', '/api/v1/calendar/eventsX', `/api/v1/calendar/events/${randomUUID()}/nope`, '/%00', '/..%2f..%2fetc%2fpasswd']) {
      const r = await s.api('GET', p, { token: await user.token() });
      expectProblem(r, 404, { what: `GET ${p}` });
    }
  });

  it('a wrong method is 405 problem+json with Allow', async () => {
    const s = ctx.server;
    const token = await user.token();
    const cases = [
      { method: 'PUT', path: '/livez', allow: ['GET'] },
      { method: 'POST', path: '/metrics', allow: ['GET'] },
      { method: 'GET', path: '/api/v1/auth/login', allow: ['POST'] },
      { method: 'DELETE', path: '/api/v1/calendar/events', allow: ['GET', 'POST'], token },
      { method: 'PUT', path: `/api/v1/calendar/events/${randomUUID()}`, allow: ['GET', 'PATCH', 'DELETE'], token },
      { method: 'GET', path: `/api/v1/calendar/events/${randomUUID()}/respond`, allow: ['POST'], token },
    ];
    for (const c of cases) {
      const r = await s.api(c.method, c.path, { token: c.token });
      expectProblem(r, 405, { what: `${c.method} ${c.path}` });
      const allow = (r.headers.allow || '').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
      for (const m of c.allow) assert.ok(allow.includes(m), `Allow of ${c.method} ${c.path} must list ${m}: ${describeRes(r)}`);
      assert.ok(!allow.includes(c.method), `Allow must not list ${c.method}: ${describeRes(r)}`);
    }
  });
});
