// In-app notifications over HTTP: the list (paging, unread filter), marking
// one read, and the live stream (Server-Sent Events): delivery of rows
// written by another process (the 2 s poll), Last-Event-ID resumption
// without repeats, ?access_token=, keep-alives, the stream caps (429) and
// a SIGTERM with streams open. The notifications are inserted straight
// into the database, as another calendard process (or the outbox worker)
// would write them.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  Server, eachStore, expectStatus, expectProblem, describeRes, run, randomUUID, UUID_RE, UTC_RE,
} from './lib/harness.js';

const ITEM_KEYS = ['id', 'kind', 'title', 'body', 'link', 'eventId', 'read', 'createdAt'];
const nowS = () => Math.floor(Date.now() / 1000);
const sqlText = (v) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

/** Inserts one notification row the way another process would; returns it. */
async function insertNotification(s, userId, fields = {}) {
  const n = {
    id: randomUUID(), kind: 'reminder', title: `Title ${randomUUID().slice(0, 6)}`, body: null, link: null,
    eventId: null, read: false, at: nowS(), ...fields,
  };
  const cols = 'id, user_id, kind, title, body, link, event_id, read, created_at';
  const vals = [n.id, userId, n.kind, n.title, n.body, n.link, n.eventId].map(sqlText).join(', ');
  if (s.store === 'sqlite') {
    const sql = `INSERT INTO notifications (${cols}) VALUES (${vals}, ${n.read ? 1 : 0}, ${n.at});`;
    await run('sqlite3', ['-bail', '-cmd', '.timeout 10000', s.dbUrl.slice('sqlite:'.length), sql]);
  } else {
    const sql = `INSERT INTO notifications (${cols}) VALUES (${vals}, ${n.read}, to_timestamp(${n.at}));`;
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', s.dbUrl, '-c', sql]);
  }
  return n;
}

/** The JSON the API gives for an inserted row. */
function asJson(n) {
  return {
    id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, eventId: n.eventId, read: n.read,
    createdAt: new Date(n.at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/**
 * Opens GET /api/v1/notifications/stream on its own connection. Resolves once
 * the response head arrived: {status, headers, text, json} for an error, or a
 * stream with events[] ({id, event, data}), comments[], retry, ended,
 * waitFor(pred, ms) and close().
 */
function openStream(s, { token, query = '', headers = {} } = {}) {
  const h = { Accept: 'text/event-stream', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.base}/api/v1/notifications/stream${query}`, { headers: h, agent: false }, (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => {
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
        return;
      }
      const st = {
        status: 200, headers: res.headers, events: [], comments: [], retry: null, buf: '', ended: false,
        endedAt: null, waiters: [],
      };
      const check = () => { st.waiters = st.waiters.filter((w) => !w()); };
      res.on('data', (d) => {
        st.buf += d;
        let i;
        while ((i = st.buf.indexOf('\n\n')) >= 0) {
          const block = st.buf.slice(0, i);
          st.buf = st.buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { st.comments.push(line.slice(1).trim()); continue; }
            const c = line.indexOf(':');
            const [k, v] = c < 0 ? [line, ''] : [line.slice(0, c), line.slice(c + 1).replace(/^ /, '')];
            if (k === 'retry') st.retry = Number(v);
            else ev[k] = ev[k] === undefined ? v : `${ev[k]}\n${v}`;
          }
          if (ev.data !== undefined) st.events.push({ id: ev.id, event: ev.event, data: JSON.parse(ev.data) });
        }
        check();
      });
      const finish = () => { if (!st.ended) { st.ended = true; st.endedAt = Date.now(); check(); } };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      st.waitFor = (pred, ms, what) => new Promise((ok, fail) => {
        const timer = setTimeout(() => {
          fail(new Error(`stream: ${what || 'condition'} not met within ${ms} ms; events ${JSON.stringify(st.events)}, comments ${JSON.stringify(st.comments)}, ended ${st.ended}`));
        }, ms);
        const w = () => { if (!pred(st)) return false; clearTimeout(timer); ok(st); return true; };
        if (!w()) st.waiters.push(w);
      });
      st.close = () => { req.destroy(); };
      resolve(st);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A server on `store` with extra environment (a fresh store of its own). */
async function serverWith(store, env) {
  const s = new Server(store);
  await s.init();
  Object.assign(s.env, env);
  await s.start();
  return s;
}

eachStore((ctx) => {
  let acme; let other; let ann; let ben; let zed; let cy; let dee;
  const S = () => ctx.server;
  const listOf = async (user, qs = '') => {
    const r = await S().api('GET', `/api/v1/notifications${qs}`, { token: await user.token() });
    expectStatus(r, 200, `GET /api/v1/notifications${qs}`);
    assert.ok(Array.isArray(r.json?.items) && 'nextCursor' in r.json, describeRes(r));
    return r.json;
  };

  before(async () => {
    const s = ctx.server;
    acme = await s.company('Acme Notify', 'acme-notify');
    other = await s.company('Other Notify', 'other-notify');
    // cy and dee each have a test of their own: nothing else reaches them
    [ann, ben, zed, cy, dee] = await Promise.all([
      s.user(acme, { name: 'Ann Notified', email: 'ann@notify.test' }),
      s.user(acme, { name: 'Ben Notified', email: 'ben@notify.test' }),
      s.user(other, { name: 'Zed Elsewhere', email: 'zed@notify.test' }),
      s.user(acme, { name: 'Cy Resumes', email: 'cy@notify.test' }),
      s.user(acme, { name: 'Dee Reminded', email: 'dee@notify.test' }),
    ]);
  });

  it('lists the caller\'s notifications newest first, paged, and only theirs', async () => {
    const s = S();
    assert.deepEqual(await listOf(ann), { items: [], nextCursor: null });
    const base = nowS() - 1000;
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await insertNotification(s, ann.id, { at: base + i, body: i % 2 ? `body ${i}` : null }));
    // two in the same second: the cursor must not lose or repeat either
    rows.push(await insertNotification(s, ann.id, { at: base + 5, id: `00000000-0000-4000-8000-${String(5).padStart(12, '0')}` }));
    rows.push(await insertNotification(s, ann.id, { at: base + 5, id: `ffffffff-0000-4000-8000-${String(6).padStart(12, '0')}`, link: '/calendar', eventId: randomUUID(), kind: 'invitation' }));
    await insertNotification(s, ben.id, { at: base + 6 });
    const want = rows.slice().sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map(asJson);

    const all = await listOf(ann);
    assert.equal(all.nextCursor, null);
    assert.deepEqual(all.items, want);
    for (const item of all.items) {
      assert.deepEqual(Object.keys(item), ITEM_KEYS);
      assert.match(item.id, UUID_RE);
      assert.match(item.createdAt, UTC_RE);
    }
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 10; page++) {
      const r = await listOf(ann, `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.ok(r.items.length <= 3);
      seen.push(...r.items);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, want, 'pages of 3 give every notification once, in order');
    const bens = await listOf(ben);
    assert.equal(bens.items.length, 1);
    assert.deepEqual(await listOf(zed), { items: [], nextCursor: null });
  });

  it('marks one read (204), filters unread, and answers 404 for anyone else\'s', async () => {
    const s = S();
    const n = await insertNotification(s, ann.id, { at: nowS() - 500 });
    const unreadBefore = (await listOf(ann, '?unread=true')).items;
    assert.ok(unreadBefore.some((x) => x.id === n.id));
    for (const who of [ben, zed]) {
      expectProblem(await s.api('POST', `/api/v1/notifications/${n.id}/read`, { token: await who.token() }), 404, { code: 'not_found', what: `${who.name} reads Ann's` });
    }
    for (const id of [randomUUID(), 'nope', n.id.slice(0, 35)]) {
      expectProblem(await s.api('POST', `/api/v1/notifications/${id}/read`, { token: await ann.token() }), 404, { code: 'not_found', what: id });
    }
    assert.equal((await listOf(ann)).items.find((x) => x.id === n.id).read, false, 'refused reads changed nothing');
    const r = await s.api('POST', `/api/v1/notifications/${n.id.toUpperCase()}/read`, { token: await ann.token() });
    expectStatus(r, 204, 'mark read');
    assert.equal(r.text, '');
    expectStatus(await s.api('POST', `/api/v1/notifications/${n.id}/read`, { token: await ann.token() }), 204, 'again');
    assert.equal((await listOf(ann)).items.find((x) => x.id === n.id).read, true);
    const unread = (await listOf(ann, '?unread=true')).items;
    assert.equal(unread.length, unreadBefore.length - 1);
    assert.ok(unread.every((x) => x.read === false && x.id !== n.id));
    assert.equal((await listOf(ann, '?unread=false')).items.length, (await listOf(ann)).items.length);
    expectProblem(await s.api('POST', `/api/v1/notifications/${n.id}/read`), 401, { code: 'unauthorized' });
  });

  it('refuses bad query values with 400 naming the field', async () => {
    const s = S();
    const token = await ann.token();
    const cases = [
      ['unread=yes', 'unread'], ['unread=', 'unread'], ['unread=TRUE', 'unread'],
      ['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=abc', 'limit'], ['limit=-1', 'limit'], ['limit=', 'limit'], ['limit=5x', 'limit'],
      ['cursor=garbage', 'cursor'], [`cursor=12.${'x'.repeat(36)}`, 'cursor'], ['cursor=', 'cursor'],
    ];
    for (const [qs, field] of cases) {
      expectProblem(await s.api('GET', `/api/v1/notifications?${qs}`, { token }), 400, { code: 'validation_failed', fields: [field], what: qs });
    }
    expectStatus(await s.api('GET', '/api/v1/notifications?limit=200&unread=false', { token }), 200);
    expectProblem(await s.api('GET', '/api/v1/notifications'), 401, { code: 'unauthorized' });
    expectProblem(await s.api('GET', '/api/v1/notifications', { token: 'not.a.jwt' }), 401, { code: 'unauthorized' });
  });

  it('streams what another process writes within a few seconds, only the caller\'s, only what is new', async () => {
    const s = S();
    const old = await insertNotification(s, ann.id); // exists before the stream opens: not sent
    const st = await openStream(s, { token: await ann.token() });
    try {
      assert.equal(st.status, 200, st.text);
      assert.match(st.headers['content-type'], /^text\/event-stream/);
      assert.equal(st.headers['cache-control'], 'no-store');
      assert.equal(st.headers['x-accel-buffering'], 'no');
      await st.waitFor((x) => x.retry !== null, 3000, 'retry line');
      assert.equal(st.retry, 3000);
      const t0 = Date.now();
      await insertNotification(s, ben.id);
      const n = await insertNotification(s, ann.id, { body: 'line one\nline two', link: '/calendar/x', eventId: randomUUID() });
      await st.waitFor((x) => x.events.length >= 1, 5000, 'the new notification');
      assert.ok(Date.now() - t0 < 4500, `delivered after ${Date.now() - t0} ms`);
      assert.deepEqual(st.events[0], { id: `${n.at}.${n.id}`, event: 'notification', data: asJson(n) });
      const listed = (await listOf(ann)).items.find((x) => x.id === n.id);
      assert.deepEqual(st.events[0].data, listed, 'the same object as in the list');
      // another poll round brings nothing more (no repeat, not Ben's, not the old one)
      await new Promise((r) => setTimeout(r, 2300));
      assert.equal(st.events.length, 1, JSON.stringify(st.events));
      assert.ok(!st.events.some((e) => e.data.id === old.id));
    } finally {
      st.close();
    }
  });

  it('brings an in-app reminder end to end: alarm, outbox, notification, stream', async () => {
    const s = S();
    const st = await openStream(s, { token: await dee.token() });
    try {
      await st.waitFor((x) => x.retry !== null, 3000, 'retry line');
      const start = new Date(Date.now() + 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const end = new Date(Date.now() + 65 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const res = await s.api('POST', '/api/v1/calendar/events?notify=false', {
        token: await dee.token(),
        body: { name: 'Stand-up', startDatetime: start, endDatetime: end, alarms: [{ type: 'notification', intervalValue: 10, intervalUnit: 'minutes' }] },
      });
      expectStatus(res, 201, 'event with an in-app reminder due now');
      await st.waitFor((x) => x.events.some((e) => e.data.eventId === res.json.id), 8000, 'the reminder');
      const ev = st.events.find((e) => e.data.eventId === res.json.id);
      assert.equal(ev.event, 'notification');
      assert.equal(ev.id, `${Date.parse(ev.data.createdAt) / 1000}.${ev.data.id}`);
      assert.deepEqual(ev.data, (await listOf(dee)).items.find((x) => x.id === ev.data.id), 'the same object as in the list');
    } finally {
      st.close();
    }
  });

  it('takes the token as ?access_token= on the stream only, and never logs it', async () => {
    const s = S();
    const token = await ann.token();
    const st = await openStream(s, { query: `?access_token=${encodeURIComponent(token)}` });
    try {
      assert.equal(st.status, 200, st.text);
      await st.waitFor((x) => x.retry !== null, 3000, 'retry line');
    } finally {
      st.close();
    }
    const bad = await openStream(s, { query: '?access_token=not.a.token' });
    expectProblem(bad, 401, { code: 'unauthorized' });
    expectProblem(await s.api('GET', `/api/v1/notifications?access_token=${token}`), 401, { code: 'unauthorized', what: 'the list takes headers only' });
    // the header wins when both are given
    const both = await openStream(s, { token: 'not.a.token', query: `?access_token=${token}` });
    expectProblem(both, 401, { code: 'unauthorized' });
    assert.ok(!s.stderr.includes(token), 'the token must not appear in the log');
    assert.ok(!s.stderr.includes('access_token'), 'the query string must not appear in the log');
  });

  it('resumes from Last-Event-ID with exactly the missed notifications', async () => {
    const s = S();
    const token = await cy.token();
    const a = await openStream(s, { token });
    let t;
    let first;
    try {
      await a.waitFor((x) => x.retry !== null, 3000, 'retry line');
      t = nowS();
      first = await insertNotification(s, cy.id, { at: t, id: `88888888-0000-4000-8000-${randomUUID().slice(-12)}` });
      await a.waitFor((x) => x.events.length === 1, 5000, 'the first notification');
    } finally {
      a.close();
    }
    const lastId = a.events[0].id;
    assert.equal(lastId, `${t}.${first.id}`);
    // missed while disconnected: one later in the same second, two in the next
    const missed = [
      await insertNotification(s, cy.id, { at: t, id: `ffffffff-0000-4000-8000-${randomUUID().slice(-12)}` }),
      await insertNotification(s, cy.id, { at: t + 1, id: `11111111-0000-4000-8000-${randomUUID().slice(-12)}` }),
      await insertNotification(s, cy.id, { at: t + 1, id: `22222222-0000-4000-8000-${randomUUID().slice(-12)}` }),
    ];
    await insertNotification(s, ben.id, { at: t + 1 });
    const b = await openStream(s, { token, headers: { 'Last-Event-ID': lastId } });
    try {
      assert.equal(b.status, 200, b.text);
      await b.waitFor((x) => x.events.length >= 3, 3000, 'the missed ones');
      assert.deepEqual(b.events.map((e) => e.id), missed.map((n) => `${n.at}.${n.id}`));
      assert.deepEqual(b.events.map((e) => e.data), missed.map(asJson));
      const live = await insertNotification(s, cy.id);
      await b.waitFor((x) => x.events.length >= 4, 5000, 'a live one after the catch-up');
      await new Promise((r) => setTimeout(r, 2300));
      assert.deepEqual(b.events.map((e) => e.data.id), [...missed.map((n) => n.id), live.id], 'no repeats');
    } finally {
      b.close();
    }
    const bad = await openStream(s, { token, headers: { 'Last-Event-ID': 'yesterday' } });
    expectProblem(bad, 400, { code: 'validation_failed', fields: ['Last-Event-ID'] });
  });

  it('keeps quiet streams alive, caps streams (429), and ends them on SIGTERM', async () => {
    const s2 = await serverWith(ctx.store, {
      CALENDARD_SSE_KEEPALIVE_SECONDS: '1', CALENDARD_LIMIT_STREAMS_MAX: '3', CALENDARD_LIMIT_STREAMS_PER_USER_MAX: '2',
    });
    const open = [];
    let stopped = false;
    try {
      const co = await s2.company('Caps', 'caps');
      const [u1, u2, u3] = await Promise.all([1, 2, 3].map((i) => s2.user(co, { name: `Cap ${i}` })));
      open.push(await openStream(s2, { token: await u1.token() }));
      await open[0].waitFor((x) => x.comments.includes('keepalive'), 3500, 'a keep-alive comment');
      open.push(await openStream(s2, { token: await u1.token() }));
      assert.equal(open[1].status, 200);
      expectProblem(await openStream(s2, { token: await u1.token() }), 429, { code: 'too_many_requests', what: 'third stream of one user' });
      open.push(await openStream(s2, { token: await u2.token() }));
      assert.equal(open[2].status, 200);
      expectProblem(await openStream(s2, { token: await u3.token() }), 429, { code: 'too_many_requests', what: 'over the server cap' });
      await Promise.all(open.map((st) => st.waitFor((x) => x.retry !== null, 3000, 'retry line')));
      // SIGTERM with three open streams: they end at once, the process exits 0
      const t0 = Date.now();
      stopped = true;
      await s2.stop();
      assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
      for (const st of open) {
        assert.ok(st.ended && st.endedAt - t0 < 3000, 'every stream ended promptly');
      }
    } finally {
      for (const st of open) st.close?.();
      if (!stopped) await s2.stop();
    }
  });
});
