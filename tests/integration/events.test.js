// Events over HTTP: create/get/patch/delete/respond, all-day events, time
// zones, attendee resolution and merging, alarms, ETag/If-Match, list ranges,
// paging, userIds and resModel filters.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachStore, expectStatus, expectProblem, describeRes, eventBody, pool, rand, randomUUID, isoZ,
  UUID_RE, UTC_RE, DATE_RE,
} from './lib/harness.js';

const EVENT_KEYS = ['id', 'companyId', 'name', 'description', 'location', 'startDatetime', 'endDatetime', 'allDay',
  'timezone', 'privacy', 'showAs', 'organizerId', 'organizerEmail', 'recurring', 'resModel', 'resId', 'attendees',
  'alarms', 'createdAt', 'updatedAt'];
const ATTENDEE_KEYS = ['id', 'userId', 'partnerId', 'email', 'displayName', 'role', 'state'];
const ROLES = ['req_participant', 'opt_participant', 'chair'];
const STATES = ['needs_action', 'tentative', 'accepted', 'declined'];

function checkEventShape(e, ctx = '') {
  const c = `${ctx}\n${JSON.stringify(e, null, 1).slice(0, 3000)}`;
  for (const k of EVENT_KEYS) assert.ok(k in e, `event JSON lacks "${k}"${c}`);
  assert.match(e.id, UUID_RE, c);
  assert.match(e.companyId, UUID_RE, c);
  if (e.allDay) {
    assert.match(e.startDatetime, DATE_RE, c);
    assert.match(e.endDatetime, DATE_RE, c);
  } else {
    assert.match(e.startDatetime, UTC_RE, c);
    assert.match(e.endDatetime, UTC_RE, c);
  }
  assert.equal(e.recurring, false, c);
  assert.ok(['public', 'private', 'confidential'].includes(e.privacy), c);
  assert.ok(['free', 'busy', 'tentative'].includes(e.showAs), c);
  assert.ok(!Number.isNaN(Date.parse(e.createdAt)), c);
  assert.ok(!Number.isNaN(Date.parse(e.updatedAt)), c);
  assert.ok(Array.isArray(e.attendees) && Array.isArray(e.alarms), c);
  for (const a of e.attendees) {
    for (const k of ATTENDEE_KEYS) assert.ok(k in a, `attendee lacks "${k}"${c}`);
    assert.ok(ROLES.includes(a.role), `attendee role ${a.role}${c}`);
    assert.ok(STATES.includes(a.state), `attendee state ${a.state}${c}`);
  }
  const org = e.attendees.filter((a) => a.userId === e.organizerId);
  assert.equal(org.length, 1, `the organizer is exactly one attendee${c}`);
  assert.equal(org[0].role, 'chair', `organizer role${c}`);
}

function byStartThenId(a, b) {
  const sa = Date.parse(a.startDatetime); const sb = Date.parse(b.startDatetime);
  if (sa !== sb) return sa - sb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function assertSorted(items, ctx) {
  for (let i = 1; i < items.length; i++) {
    assert.ok(byStartThenId(items[i - 1], items[i]) < 0,
      `items must be sorted by start then id; #${i - 1} ${items[i - 1].startDatetime} ${items[i - 1].id} before #${i} ${items[i].startDatetime} ${items[i].id}\n${ctx}`);
  }
}

const strip = ({ updatedAt, ...rest }) => rest;

eachStore((ctx) => {
  let acme; let other; let alice; let bob; let carl; let ada; let dana; let erin; let zed; let p1; let pz;
  const S = () => ctx.server;

  before(async () => {
    const s = ctx.server;
    acme = await s.company('Acme Events', 'acme');
    other = await s.company('Other Events', 'other');
    [alice, bob, carl, ada, dana, erin, zed] = await Promise.all([
      s.user(acme, { name: 'Alice Organizer', email: 'alice@acme.test', timezone: 'America/Mexico_City' }),
      s.user(acme, { name: 'Bob Attendee', email: 'bob@acme.test', timezone: 'Europe/Madrid' }),
      s.user(acme, { name: 'Carl Colleague', email: 'carl@acme.test' }),
      s.user(acme, { name: 'Ada Admin', email: 'ada@acme.test', admin: true }),
      s.user(acme, { name: 'Dana Ranges', email: 'dana@acme.test', timezone: 'UTC' }),
      s.user(acme, { name: 'Erin Pages', email: 'erin@acme.test', timezone: 'UTC' }),
      s.user(other, { name: 'Zed Outsider', email: 'zed@other.test' }),
    ]);
    [p1, pz] = await Promise.all([
      s.partner(acme, { name: 'Pat Partner', email: 'pat@partner.test', phone: '+34600000000' }),
      s.partner(other, { name: 'Paz Foreign', email: 'paz@foreign.test' }),
    ]);
  });

  it('creates a timed event (201, Location, ETag, defaults, organizer as chair) and reads it back', async () => {
    const s = S();
    const body = { name: 'Planning', description: 'Quarterly planning', location: 'Room 1',
      startDatetime: '2026-07-01T09:00:00-05:00', endDatetime: '2026-07-01T10:30:00-05:00', timezone: 'America/Mexico_City' };
    const r = await s.api('POST', '/api/v1/calendar/events', { token: await alice.token(), body });
    expectStatus(r, 201);
    const e = r.json;
    const c = describeRes(r);
    checkEventShape(e, c);
    assert.equal(r.headers.location, `/api/v1/calendar/events/${e.id}`, c);
    assert.match(r.headers.etag || '', /^"[^"]+"$/, `ETag must be a quoted opaque string\n${c}`);
    assert.match(r.headers['content-type'] || '', /^application\/json\b/, c);
    assert.equal(e.companyId, acme.id, c);
    assert.equal(e.name, 'Planning', c);
    assert.equal(e.description, 'Quarterly planning', c);
    assert.equal(e.location, 'Room 1', c);
    assert.equal(e.startDatetime, '2026-07-01T14:00:00Z', c);
    assert.equal(e.endDatetime, '2026-07-01T15:30:00Z', c);
    assert.equal(e.allDay, false, c);
    assert.equal(e.timezone, 'America/Mexico_City', c);
    assert.equal(e.privacy, 'public', c);
    assert.equal(e.showAs, 'busy', c);
    assert.equal(e.organizerId, alice.id, c);
    assert.equal(e.organizerEmail, alice.email, c);
    assert.equal(e.resModel ?? null, null, c);
    assert.equal(e.resId ?? null, null, c);
    assert.deepEqual(e.alarms, [], c);
    assert.equal(e.attendees.length, 1, c);
    const [org] = e.attendees;
    assert.match(org.id, UUID_RE, c);
    assert.equal(org.userId, alice.id, c);
    assert.equal(org.email, alice.email, c);
    assert.equal(org.displayName, alice.name, c);
    assert.equal(org.role, 'chair', c);
    assert.equal(org.state, 'accepted', c);

    const g = await s.api('GET', `/api/v1/calendar/events/${e.id}`, { token: await alice.token() });
    expectStatus(g, 200);
    assert.deepEqual(g.json, e, `GET returns what POST returned\n${describeRes(g)}`);
    assert.equal(g.headers.etag, r.headers.etag, `ETag stable without a change\n${describeRes(g)}`);
  });

  it('defaults the time zone to the user\'s and accepts application/json; charset=utf-8', async () => {
    const s = S();
    const r = await s.api('POST', '/api/v1/calendar/events', {
      token: await bob.token(), contentType: 'application/json; charset=utf-8',
      body: eventBody({ startDatetime: '2026-12-01T09:00:00-06:00', endDatetime: '2026-12-01T10:00:00-06:00' }),
    });
    expectStatus(r, 201);
    assert.equal(r.json.timezone, 'Europe/Madrid', describeRes(r));
    assert.equal(r.json.startDatetime, '2026-12-01T15:00:00Z', describeRes(r));
  });

  it('converts offsets to UTC instants', async () => {
    const s = S();
    const cases = [
      ['2026-07-01T09:00:00-05:00', 'America/Mexico_City', '2026-07-01T14:00:00Z'],
      ['2026-12-01T09:00:00-06:00', 'America/Mexico_City', '2026-12-01T15:00:00Z'],
      ['2026-03-29T01:30:00+01:00', 'Europe/Madrid', '2026-03-29T00:30:00Z'],
      ['2026-10-25T02:30:00+05:30', 'Asia/Kolkata', '2026-10-24T21:00:00Z'],
      ['2026-01-01T00:00:00Z', 'UTC', '2026-01-01T00:00:00Z'],
      ['2026-06-30T23:59:59+00:00', 'Europe/London', '2026-06-30T23:59:59Z'],
      ['2026-11-01T01:30:00-04:00', 'America/New_York', '2026-11-01T05:30:00Z'],
      ['2026-11-01T01:30:00-05:00', 'America/New_York', '2026-11-01T06:30:00Z'],
    ];
    for (const [start, tz, want] of cases) {
      const end = isoZ(Date.parse(start) + 3600_000);
      const e = await s.createEvent(alice, eventBody({ startDatetime: start, endDatetime: end, timezone: tz }), `${start} ${tz}`);
      assert.equal(e.startDatetime, want, `${start} in ${tz}`);
      assert.equal(e.endDatetime, end, `${start} in ${tz}`);
      assert.equal(e.timezone, tz);
    }
  });

  it('creates all-day events with date-only, exclusive ends', async () => {
    const s = S();
    const e = await s.createEvent(alice, eventBody({ name: 'Holidays', allDay: true, startDatetime: '2026-12-24', endDatetime: '2026-12-26' }));
    checkEventShape(e);
    assert.equal(e.allDay, true);
    assert.equal(e.startDatetime, '2026-12-24');
    assert.equal(e.endDatetime, '2026-12-26');
    const one = await s.createEvent(alice, eventBody({ name: 'One day', allDay: true, startDatetime: '2026-12-31', endDatetime: '2027-01-01' }));
    assert.equal(one.startDatetime, '2026-12-31');
    assert.equal(one.endDatetime, '2027-01-01');
    const g = await s.api('GET', `/api/v1/calendar/events/${e.id}`, { token: await alice.token() });
    expectStatus(g, 200);
    assert.equal(g.json.startDatetime, '2026-12-24', describeRes(g));
    const l = await s.listEvents(alice, { from: '2026-12-20', to: '2026-12-30' });
    const found = l.items.find((x) => x.id === e.id);
    assert.ok(found, `all-day event in a date window\n${JSON.stringify(l)}`);
    assert.equal(found.startDatetime, '2026-12-24');
    assert.equal(found.endDatetime, '2026-12-26');
  });

  it('resolves attendees by user, partner and e-mail; lowercases and merges duplicates', async () => {
    const s = S();
    const e = await s.createEvent(alice, eventBody({
      name: 'Attendees',
      attendees: [
        { userId: bob.id },
        { partnerId: p1.id, role: 'optional' },
        { email: 'Guest.One@Example.COM', displayName: 'Guest One', role: 'required', state: 'tentative' },
        { email: bob.email.toUpperCase() },
        { email: alice.email.toUpperCase() },
        { email: 'guest.one@example.com' },
        { email: 'chair.two@example.com', role: 'chair', state: 'declined' },
      ],
    }));
    const c = JSON.stringify(e.attendees, null, 1);
    checkEventShape(e);
    assert.equal(e.attendees.length, 5, `alice, bob, partner, guest, chair.two\n${c}`);
    const emails = e.attendees.map((a) => a.email).sort();
    assert.deepEqual(emails, [alice.email, bob.email, 'chair.two@example.com', 'guest.one@example.com', p1.email].sort(), c);

    const org = e.attendees.find((a) => a.email === alice.email);
    assert.equal(org.userId, alice.id, c);
    assert.equal(org.role, 'chair', c);
    assert.equal(org.state, 'accepted', c);

    const b = e.attendees.find((a) => a.email === bob.email);
    assert.equal(b.userId, bob.id, c);
    assert.equal(b.displayName, bob.name, c);
    assert.equal(b.partnerId ?? null, null, c);

    const p = e.attendees.find((a) => a.email === p1.email);
    assert.equal(p.partnerId, p1.id, c);
    assert.equal(p.displayName, p1.name, c);
    assert.equal(p.userId ?? null, null, c);
    assert.equal(p.role, 'opt_participant', c);

    const g = e.attendees.find((a) => a.email === 'guest.one@example.com');
    assert.equal(g.displayName, 'Guest One', c);
    assert.equal(g.role, 'req_participant', c);
    assert.equal(g.state, 'tentative', c);
    assert.equal(g.userId ?? null, null, c);
    assert.equal(g.partnerId ?? null, null, c);

    const ch = e.attendees.find((a) => a.email === 'chair.two@example.com');
    assert.equal(ch.role, 'chair', c);
    assert.equal(ch.state, 'declined', c);

    for (const a of e.attendees) assert.match(a.id, UUID_RE, c);
    assert.equal(new Set(e.attendees.map((a) => a.id)).size, e.attendees.length, c);

    // the attendee sees it in their own list
    const l = await s.listEvents(bob, { from: '2026-11-30T00:00:00Z', to: '2026-12-02T00:00:00Z' });
    assert.ok(l.items.some((x) => x.id === e.id), 'bob (attendee) lists the event');
  });

  it('rejects attendees of another company exactly like nonexistent ones', async () => {
    const s = S();
    const token = await alice.token();
    const post = (attendees) => s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name: `X-${rand()}`, attendees }) });
    const a = expectProblem(await post([{ userId: zed.id }]), 400, { fields: ['userId'], what: 'userId of another company' });
    const b = expectProblem(await post([{ userId: randomUUID() }]), 400, { fields: ['userId'], what: 'unknown userId' });
    assert.equal(a.code, b.code);
    assert.deepEqual(a.errors.map((x) => x.field), b.errors.map((x) => x.field));
    const c = expectProblem(await post([{ partnerId: pz.id }]), 400, { fields: ['partnerId'], what: 'partnerId of another company' });
    const d = expectProblem(await post([{ partnerId: randomUUID() }]), 400, { fields: ['partnerId'], what: 'unknown partnerId' });
    assert.equal(c.code, d.code);
    assert.ok(!JSON.stringify(a).includes(zed.email) && !JSON.stringify(a).includes(zed.name), 'the error must not reveal the foreign user');
    assert.ok(!JSON.stringify(c).includes(pz.email) && !JSON.stringify(c).includes(pz.name), 'the error must not reveal the foreign partner');
    // partner used as a user id and vice versa
    expectProblem(await post([{ userId: p1.id }]), 400, { fields: ['userId'], what: 'partner id as userId' });
    expectProblem(await post([{ partnerId: bob.id }]), 400, { fields: ['partnerId'], what: 'user id as partnerId' });
  });

  it('stores alarms', async () => {
    const s = S();
    const alarms = [
      { type: 'notification', intervalValue: 15, intervalUnit: 'minutes' },
      { type: 'email', intervalValue: 1, intervalUnit: 'days' },
      { type: 'sms', intervalValue: 0, intervalUnit: 'hours' },
      { type: 'email', intervalValue: 2, intervalUnit: 'weeks' },
    ];
    const e = await s.createEvent(alice, eventBody({ name: 'Alarms', alarms }));
    const key = (a) => `${a.type}/${a.intervalValue}/${a.intervalUnit}`;
    assert.deepEqual(e.alarms.map(key).sort(), alarms.map(key).sort(), JSON.stringify(e.alarms));
    for (const a of e.alarms) assert.match(a.id, UUID_RE);
    const g = await s.api('GET', `/api/v1/calendar/events/${e.id}`, { token: await alice.token() });
    assert.deepEqual(g.json.alarms, e.alarms, describeRes(g));
  });

  it('companyId: own company accepted, any other (existing or not) is the same 400', async () => {
    const s = S();
    const token = await alice.token();
    const ok = await s.createEvent(alice, eventBody({ name: 'Own company', companyId: acme.id }));
    assert.equal(ok.companyId, acme.id);
    const name = `Foreign-${rand()}`;
    const r1 = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name, companyId: other.id }) });
    const r2 = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name, companyId: randomUUID() }) });
    const j1 = expectProblem(r1, 400, { fields: ['companyId'], what: 'another existing company' });
    const j2 = expectProblem(r2, 400, { fields: ['companyId'], what: 'a random company' });
    const { requestId: _a, ...a } = j1; const { requestId: _b, ...b } = j2;
    assert.deepEqual(a, b, `same answer whether the company exists or not\n${describeRes(r1)}\n${describeRes(r2)}`);
    for (const u of [alice, zed]) {
      const l = await s.listEvents(u, { from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z' });
      assert.ok(!l.items.some((x) => x.name === name), 'nothing stored');
    }
  });

  it('PATCH changes only the given fields, returns a new ETag, honours If-Match', async () => {
    const s = S();
    const token = await alice.token();
    const cr = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({
      name: 'Before', description: 'desc', location: 'loc', attendees: [{ userId: bob.id }],
      alarms: [{ type: 'email', intervalValue: 10, intervalUnit: 'minutes' }], resModel: 'crm.lead', resId: randomUUID(),
    }) });
    expectStatus(cr, 201);
    const e0 = cr.json; const etag0 = cr.headers.etag;
    const url = `/api/v1/calendar/events/${e0.id}`;

    const p1r = await s.api('PATCH', url, { token, body: { name: 'After' } });
    expectStatus(p1r, 200);
    const e1 = p1r.json;
    assert.equal(e1.name, 'After', describeRes(p1r));
    assert.deepEqual(strip({ ...e1, name: 'Before' }), strip(e0), `PATCH name changes only the name\n${describeRes(p1r)}`);
    assert.ok(Date.parse(e1.updatedAt) >= Date.parse(e0.updatedAt), describeRes(p1r));
    const etag1 = p1r.headers.etag;
    assert.match(etag1 || '', /^"[^"]+"$/, describeRes(p1r));
    assert.notEqual(etag1, etag0, 'ETag changes with the content');
    const g1 = await s.api('GET', url, { token });
    assert.equal(g1.headers.etag, etag1, 'GET gives the ETag PATCH returned');

    // stale If-Match: 412, nothing changed
    const stale = await s.api('PATCH', url, { token, body: { name: 'Lost update' }, headers: { 'If-Match': etag0 } });
    expectProblem(stale, 412, { what: 'PATCH with a stale If-Match' });
    const g2 = await s.api('GET', url, { token });
    assert.equal(g2.json.name, 'After', describeRes(g2));
    assert.equal(g2.headers.etag, etag1);

    // current If-Match: applied
    const cur = await s.api('PATCH', url, { token, body: { showAs: 'free', privacy: 'private', location: 'Room 9' }, headers: { 'If-Match': etag1 } });
    expectStatus(cur, 200, 'PATCH with the current If-Match');
    assert.equal(cur.json.showAs, 'free');
    assert.equal(cur.json.privacy, 'private');
    assert.equal(cur.json.location, 'Room 9');
    assert.equal(cur.json.description, 'desc');

    // times
    const t = await s.api('PATCH', url, { token, body: { startDatetime: '2026-12-02T08:00:00+01:00', endDatetime: '2026-12-02T09:00:00+01:00' } });
    expectStatus(t, 200);
    assert.equal(t.json.startDatetime, '2026-12-02T07:00:00Z', describeRes(t));
    assert.equal(t.json.endDatetime, '2026-12-02T08:00:00Z', describeRes(t));

    // end before the stored start: 400, nothing changed
    const before = (await s.api('GET', url, { token })).json;
    const bad = await s.api('PATCH', url, { token, body: { endDatetime: '2026-12-02T06:00:00Z' } });
    expectProblem(bad, 400, { anyField: ['endDatetime', 'startDatetime'], what: 'PATCH end before stored start' });
    assert.deepEqual((await s.api('GET', url, { token })).json, before, 'failed PATCH changed nothing');

    // companyId is immutable
    const co = await s.api('PATCH', url, { token, body: { companyId: other.id } });
    expectProblem(co, 400, { fields: ['companyId'], what: 'PATCH companyId' });
    assert.deepEqual((await s.api('GET', url, { token })).json, before, 'failed PATCH changed nothing');

    // attendees and alarms are replaced; the organizer stays chair
    const at = await s.api('PATCH', url, { token, body: { attendees: [{ userId: carl.id }], alarms: [] } });
    expectStatus(at, 200);
    checkEventShape(at.json, describeRes(at));
    assert.deepEqual(at.json.attendees.map((a) => a.userId).sort(), [alice.id, carl.id].sort(), describeRes(at));
    assert.deepEqual(at.json.alarms, []);
    assert.equal(at.json.companyId, acme.id);
  });

  it('ETag changes when an attendee responds, so the organizer\'s stale write is refused', async () => {
    const s = S();
    const token = await alice.token();
    const e = await s.createEvent(alice, eventBody({ name: 'RSVP vs edit', attendees: [{ userId: bob.id }] }));
    const url = `/api/v1/calendar/events/${e.id}`;
    const g0 = await s.api('GET', url, { token });
    const rr = await s.api('POST', `${url}/respond`, { token: await bob.token(), body: { response: 'declined' } });
    expectStatus(rr, 200);
    const g1 = await s.api('GET', url, { token });
    assert.notEqual(g1.headers.etag, g0.headers.etag, `the representation changed (bob declined), so must the ETag\n${describeRes(g0)}\n${describeRes(g1)}`);
    const p = await s.api('PATCH', url, { token, body: { attendees: [{ userId: bob.id }, { userId: carl.id }] }, headers: { 'If-Match': g0.headers.etag } });
    expectProblem(p, 412, { what: 'PATCH with the ETag from before the response' });
    const g2 = await s.api('GET', url, { token });
    assert.equal(g2.json.attendees.find((a) => a.userId === bob.id)?.state, 'declined', describeRes(g2));
  });

  it('concurrent PATCHes with the same If-Match: exactly one wins', async () => {
    const s = S();
    const token = await alice.token();
    const cr = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ name: 'race 0' }) });
    expectStatus(cr, 201);
    const url = `/api/v1/calendar/events/${cr.json.id}`;
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => s.api('PATCH', url, { token, body: { name: `race ${i + 1}` }, headers: { 'If-Match': cr.headers.etag } })));
    const wins = rs.filter((r) => r.status === 200);
    const lost = rs.filter((r) => r.status === 412);
    assert.equal(wins.length, 1, `exactly one 200:\n${rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n')}`);
    assert.equal(lost.length, rs.length - 1, `the others 412:\n${rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join('\n')}`);
    const g = await s.api('GET', url, { token });
    assert.equal(g.json.name, wins[0].json.name, 'the winner\'s write is the one stored');
    assert.equal(g.headers.etag, wins[0].headers.etag);
  });

  it('PATCH switches between timed and all-day', async () => {
    const s = S();
    const token = await alice.token();
    const e = await s.createEvent(alice, eventBody({ name: 'switch' }));
    const url = `/api/v1/calendar/events/${e.id}`;
    const a = await s.api('PATCH', url, { token, body: { allDay: true, startDatetime: '2026-12-05', endDatetime: '2026-12-06' } });
    expectStatus(a, 200, 'timed -> all-day');
    assert.equal(a.json.allDay, true, describeRes(a));
    assert.equal(a.json.startDatetime, '2026-12-05', describeRes(a));
    assert.equal(a.json.endDatetime, '2026-12-06', describeRes(a));
    const t = await s.api('PATCH', url, { token, body: { allDay: false, startDatetime: '2026-12-05T09:00:00+01:00', endDatetime: '2026-12-05T10:00:00+01:00' } });
    expectStatus(t, 200, 'all-day -> timed');
    assert.equal(t.json.allDay, false, describeRes(t));
    assert.equal(t.json.startDatetime, '2026-12-05T08:00:00Z', describeRes(t));
    const bad = await s.api('PATCH', url, { token, body: { allDay: true } });
    if (bad.status !== 200) expectProblem(bad, 400, { anyField: ['allDay', 'startDatetime', 'endDatetime'], what: 'allDay alone with timed instants' });
    else assert.match(bad.json.startDatetime, /^\d{4}-\d\d-\d\d$/, `an all-day event shows dates\n${describeRes(bad)}`);
  });

  it('concurrent creates by many users all succeed', async () => {
    const s = S();
    const users = [alice, bob, carl, ada, dana];
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => users[i % users.length].token().then((token) => s.api('POST', '/api/v1/calendar/events', {
      token, body: eventBody({ name: `burst ${i}`, startDatetime: '2027-03-03T09:00:00Z', endDatetime: '2027-03-03T10:00:00Z', attendees: [{ userId: erin.id }] }),
    }))));
    const bad = rs.filter((r) => r.status !== 201);
    assert.deepEqual(bad.map((r) => `${r.status} ${r.text.slice(0, 200)}`), [], 'every concurrent create is a 201');
    const l = await s.listEvents(erin, { from: '2027-03-03T00:00:00Z', to: '2027-03-04T00:00:00Z' });
    assert.equal(l.items.filter((e) => e.name.startsWith('burst ')).length, 40);
  });

  it('DELETE: stale If-Match 412, then 204 and 404; ?notify=true|false', async () => {
    const s = S();
    const token = await alice.token();
    for (const notify of ['false', 'true']) {
      const cr = await s.api('POST', '/api/v1/calendar/events', { token, body: eventBody({ attendees: [{ userId: bob.id }] }) });
      expectStatus(cr, 201);
      const url = `/api/v1/calendar/events/${cr.json.id}`;
      const pr = await s.api('PATCH', url, { token, body: { name: 'renamed' } });
      expectStatus(pr, 200);
      const st = await s.api('DELETE', `${url}?notify=${notify}`, { token, headers: { 'If-Match': cr.headers.etag } });
      expectProblem(st, 412, { what: 'DELETE with a stale If-Match' });
      expectStatus(await s.api('GET', url, { token }), 200, 'still there after a 412');
      const d = await s.api('DELETE', `${url}?notify=${notify}`, { token, headers: { 'If-Match': pr.headers.etag } });
      expectStatus(d, 204);
      assert.equal(d.text, '', '204 has no body');
      expectProblem(await s.api('GET', url, { token }), 404, { what: 'GET after DELETE' });
      expectProblem(await s.api('GET', url, { token: await bob.token() }), 404, { what: 'attendee GET after DELETE' });
      expectProblem(await s.api('DELETE', url, { token }), 404, { what: 'second DELETE' });
      expectProblem(await s.api('PATCH', url, { token, body: { name: 'x' } }), 404, { what: 'PATCH after DELETE' });
      const l = await s.listEvents(bob, { from: '2026-11-30T00:00:00Z', to: '2026-12-02T00:00:00Z' });
      assert.ok(!l.items.some((x) => x.id === cr.json.id), 'deleted event gone from lists');
    }
  });

  it('only the organizer or a company admin may PATCH/DELETE', async () => {
    const s = S();
    const e = await s.createEvent(alice, eventBody({ name: 'Guarded', attendees: [{ userId: bob.id }] }));
    const url = `/api/v1/calendar/events/${e.id}`;
    expectProblem(await s.api('PATCH', url, { token: await bob.token(), body: { name: 'bob was here' } }), 403, { what: 'attendee PATCH' });
    expectProblem(await s.api('DELETE', url, { token: await bob.token() }), 403, { what: 'attendee DELETE' });
    expectProblem(await s.api('PATCH', url, { token: await carl.token(), body: { name: 'carl was here' } }), 403, { what: 'colleague PATCH of a public event' });
    expectProblem(await s.api('DELETE', url, { token: await carl.token() }), 403, { what: 'colleague DELETE of a public event' });
    expectProblem(await s.api('PATCH', url, { token: await zed.token(), body: { name: 'zed was here' } }), 404, { what: 'outsider PATCH' });
    expectProblem(await s.api('DELETE', url, { token: await zed.token() }), 404, { what: 'outsider DELETE' });
    const g = await s.api('GET', url, { token: await alice.token() });
    assert.equal(g.json.name, 'Guarded', describeRes(g));

    const conf = await s.createEvent(alice, eventBody({ name: 'Secret', privacy: 'confidential' }));
    const curl = `/api/v1/calendar/events/${conf.id}`;
    expectProblem(await s.api('PATCH', curl, { token: await carl.token(), body: { name: 'x' } }), 404, { what: 'colleague PATCH of a confidential event' });
    expectProblem(await s.api('DELETE', curl, { token: await carl.token() }), 404, { what: 'colleague DELETE of a confidential event' });

    const a = await s.api('PATCH', url, { token: await ada.token(), body: { name: 'Admin renamed' } });
    expectStatus(a, 200, 'admin PATCH');
    assert.equal(a.json.name, 'Admin renamed');
    assert.equal(a.json.organizerId, alice.id, 'admin PATCH keeps the organizer');
    expectStatus(await s.api('DELETE', url, { token: await ada.token() }), 204, 'admin DELETE');
    expectProblem(await s.api('GET', url, { token: await alice.token() }), 404);
  });

  it('respond changes only the caller\'s attendee row', async () => {
    const s = S();
    const e = await s.createEvent(alice, eventBody({ name: 'RSVP', attendees: [{ userId: bob.id }, { userId: dana.id }, { email: 'ext@example.com' }] }));
    const url = `/api/v1/calendar/events/${e.id}/respond`;
    const rows = (ev) => Object.fromEntries(ev.attendees.map((a) => [a.email, a.state]));
    const initial = rows(e);
    for (const response of ['accepted', 'declined', 'tentative']) {
      const r = await s.api('POST', url, { token: await bob.token(), body: { response } });
      expectStatus(r, 200, `respond ${response}`);
      checkEventShape(r.json, describeRes(r));
      assert.equal(r.json.id, e.id);
      assert.deepEqual(rows(r.json), { ...initial, [bob.email]: response }, describeRes(r));
      const g = await s.api('GET', `/api/v1/calendar/events/${e.id}`, { token: await alice.token() });
      assert.deepEqual(rows(g.json), { ...initial, [bob.email]: response }, describeRes(g));
      assert.equal(g.json.name, 'RSVP');
    }
    expectProblem(await s.api('POST', url, { token: await bob.token(), body: { response: 'maybe' } }), 400, { fields: ['response'] });
    expectProblem(await s.api('POST', url, { token: await bob.token(), body: { response: 'needs_action' } }), 400, { fields: ['response'] });
    expectProblem(await s.api('POST', url, { token: await bob.token(), body: {} }), 400, { fields: ['response'] });
    expectProblem(await s.api('POST', url, { token: await carl.token(), body: { response: 'accepted' } }), 403, { what: 'non-attendee respond' });
    expectProblem(await s.api('POST', url, { token: await zed.token(), body: { response: 'accepted' } }), 404, { what: 'outsider respond' });
    const g = await s.api('GET', `/api/v1/calendar/events/${e.id}`, { token: await alice.token() });
    assert.deepEqual(rows(g.json), { ...initial, [bob.email]: 'tentative' }, 'failed responses changed nothing');
    assert.ok(!g.json.attendees.some((a) => a.userId === carl.id), 'respond does not add the caller as attendee');
  });

  it('lists events overlapping [from, to) (half-open), sorted by start then id', async () => {
    const s = S();
    const day = '2026-11-10';
    const t = (hm) => `${day}T${hm}:00Z`;
    const mk = (name, a, b) => s.createEvent(dana, eventBody({ name, startDatetime: t(a), endDatetime: t(b) }));
    const inc = await Promise.all([
      mk('spans window', '08:00', '14:00'),
      mk('inside', '10:30', '11:00'),
      mk('tie A', '10:30', '10:45'),
      mk('tie B', '10:30', '11:30'),
      mk('overlaps from', '09:30', '10:01'),
      mk('overlaps to', '11:59', '12:30'),
      mk('exactly the window', '10:00', '12:00'),
    ]);
    inc.push(await s.createEvent(alice, eventBody({ name: 'dana attends', startDatetime: t('11:00'), endDatetime: t('11:15'), attendees: [{ userId: dana.id }] })));
    const exc = await Promise.all([
      mk('ends at from', '09:00', '10:00'),
      mk('starts at to', '12:00', '13:00'),
      mk('before', '07:00', '08:00'),
      mk('after', '13:00', '14:00'),
    ]);
    await s.createEvent(alice, eventBody({ name: 'not dana', startDatetime: t('11:00'), endDatetime: t('11:15') }));

    const want = inc.map((e) => e.id).sort();
    for (const [from, to] of [
      [t('10:00'), t('12:00')],
      [`${day}T04:00:00-06:00`, `${day}T06:00:00-06:00`],
      [`${day}T11:00:00+01:00`, `${day}T13:00:00+01:00`],
    ]) {
      const l = await s.listEvents(dana, { from, to });
      const c = `from=${from} to=${to}\n${l.items.map((e) => `${e.startDatetime} ${e.endDatetime} ${e.name} ${e.id}`).join('\n')}`;
      assert.deepEqual(l.items.map((e) => e.id).sort(), want, c);
      assert.equal(l.nextCursor ?? null, null, c);
      assertSorted(l.items, c);
      for (const e of l.items) checkEventShape(e, c);
    }
    // date-only bounds
    const d = await s.listEvents(dana, { from: day, to: '2026-11-11' });
    const all = new Set(d.items.map((e) => e.id));
    for (const e of [...inc, ...exc]) assert.ok(all.has(e.id), `${e.name} in the whole-day window`);
    assertSorted(d.items, JSON.stringify(d.items.map((e) => [e.startDatetime, e.id])));
  });

  it('pages 250 events with limit=7: no duplicates, no gaps, stable order', async () => {
    const s = S();
    const token = await erin.token();
    const base = Date.parse('2026-02-01T00:00:00Z');
    const specs = Array.from({ length: 250 }, (_, i) => {
      const slot = i % 50; // five events share each start: ties are broken by id
      const start = base + slot * 5 * 86400_000 + (slot % 7) * 3600_000;
      return { name: `page ${i}`, startDatetime: isoZ(start), endDatetime: isoZ(start + (1 + (i % 3)) * 1800_000) };
    });
    const created = await pool(specs, 8, async (b) => {
      const r = await s.api('POST', '/api/v1/calendar/events', { token, body: b });
      expectStatus(r, 201);
      return r.json.id;
    });
    const window = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
    const seen = [];
    let cursor = null; let pages = 0;
    do {
      const q = { ...window, limit: '7' };
      if (cursor) q.cursor = cursor;
      const r = await s.listEvents(erin, q, `page ${pages}`);
      assert.ok(r.items.length <= 7, `page ${pages} has ${r.items.length} items`);
      if (r.nextCursor) assert.equal(r.items.length, 7, `a non-final page is full (page ${pages})`);
      assert.ok(r.nextCursor === null || typeof r.nextCursor === 'string', `nextCursor is null or a string: ${JSON.stringify(r.nextCursor)}`);
      seen.push(...r.items);
      cursor = r.nextCursor;
      pages++;
      assert.ok(pages <= 40, 'too many pages');
    } while (cursor);
    const ids = seen.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates across pages');
    assert.deepEqual([...ids].sort(), [...created].sort(), 'every event exactly once');
    assert.equal(pages, Math.ceil(250 / 7));
    assertSorted(seen, 'across pages');

    const big = await s.listEvents(erin, { ...window, limit: '500' });
    assert.equal(big.items.length, 250);
    assert.equal(big.nextCursor ?? null, null);
    assert.deepEqual(big.items.map((e) => e.id), ids, 'one big page has the same order as the small pages');

    const dflt = await s.listEvents(erin, window);
    assert.equal(dflt.items.length, 100, 'default limit is 100');
    assert.equal(typeof dflt.nextCursor, 'string');
  });

  it('userIds lists colleagues\' events (once each); other companies are a 400', async () => {
    const s = S();
    const t = (h) => `2026-10-05T${h}:00:00Z`;
    const shared = await s.createEvent(bob, eventBody({ name: 'bob+dana', startDatetime: t('09'), endDatetime: t('10'), attendees: [{ userId: dana.id }] }));
    const bobOnly = await s.createEvent(bob, eventBody({ name: 'bob only', startDatetime: t('10'), endDatetime: t('11') }));
    const danaOnly = await s.createEvent(dana, eventBody({ name: 'dana only', startDatetime: t('11'), endDatetime: t('12') }));
    await s.createEvent(alice, eventBody({ name: 'alice only', startDatetime: t('09'), endDatetime: t('10') }));
    await s.createEvent(carl, eventBody({ name: 'carl only', startDatetime: t('09'), endDatetime: t('10') }));
    const window = { from: '2026-10-05T00:00:00Z', to: '2026-10-06T00:00:00Z' };

    const l = await s.listEvents(alice, { ...window, userIds: `${bob.id},${dana.id}` });
    const c = JSON.stringify(l.items.map((e) => e.name));
    assert.deepEqual(l.items.map((e) => e.id).sort(), [shared.id, bobOnly.id, danaOnly.id].sort(), c);
    assertSorted(l.items, c);
    const one = await s.listEvents(alice, { ...window, userIds: bob.id });
    assert.deepEqual(one.items.map((e) => e.id).sort(), [shared.id, bobOnly.id].sort());

    const token = await alice.token();
    const q = (userIds) => `/api/v1/calendar/events?${new URLSearchParams({ ...window, userIds })}`;
    const r1 = await s.api('GET', q(zed.id), { token });
    const j1 = expectProblem(r1, 400, { fields: ['userIds'], what: 'userIds of another company' });
    assert.ok(!r1.text.includes('zed') && !r1.text.includes('Zed'), describeRes(r1));
    expectProblem(await s.api('GET', q(`${bob.id},${zed.id}`), { token }), 400, { fields: ['userIds'] });
    const j2 = expectProblem(await s.api('GET', q(randomUUID()), { token }), 400, { fields: ['userIds'], what: 'unknown userIds' });
    assert.equal(j1.code, j2.code, 'unknown and foreign users answer alike');
    expectProblem(await s.api('GET', q('not-a-uuid'), { token }), 400, { fields: ['userIds'] });
  });

  it('resModel + resId filter by linked record', async () => {
    const s = S();
    const r1 = randomUUID(); const r2 = randomUUID();
    const t = (h) => `2026-09-15T${h}:00:00Z`;
    const a = await s.createEvent(alice, eventBody({ name: 'lead 1', startDatetime: t('09'), endDatetime: t('10'), resModel: 'crm.lead', resId: r1 }));
    assert.equal(a.resModel, 'crm.lead');
    assert.equal(a.resId, r1);
    const a2 = await s.createEvent(alice, eventBody({ name: 'lead 1 again', startDatetime: t('11'), endDatetime: t('12'), resModel: 'crm.lead', resId: r1 }));
    await s.createEvent(alice, eventBody({ name: 'lead 2', startDatetime: t('09'), endDatetime: t('10'), resModel: 'crm.lead', resId: r2 }));
    await s.createEvent(alice, eventBody({ name: 'sale 1', startDatetime: t('09'), endDatetime: t('10'), resModel: 'sale.order', resId: r1 }));
    await s.createEvent(alice, eventBody({ name: 'unlinked', startDatetime: t('09'), endDatetime: t('10') }));
    const l = await s.listEvents(alice, { from: '2026-09-01T00:00:00Z', to: '2026-10-01T00:00:00Z', resModel: 'crm.lead', resId: r1 });
    assert.deepEqual(l.items.map((e) => e.id), [a.id, a2.id], JSON.stringify(l.items.map((e) => e.name)));
  });

  it('accepts fields at their maximum length (counted in characters)', async () => {
    const s = S();
    const body = eventBody({ name: 'é'.repeat(255), description: 'ü'.repeat(65536), location: 'ñ'.repeat(500) });
    const e = await s.createEvent(alice, body, 'maximum lengths');
    assert.equal(e.name, body.name);
    assert.equal(e.description, body.description);
    assert.equal(e.location, body.location);
    const astral = eventBody({ name: '😀'.repeat(255), location: '𝄞'.repeat(500) });
    const ea = await s.createEvent(alice, astral, '255 emoji (code points beyond the BMP)');
    assert.equal(ea.name, astral.name);
    assert.equal(ea.location, astral.location);
    const e2 = await s.createEvent(alice, eventBody({ name: 'x', description: '', location: '' }), 'minimum lengths');
    assert.equal(e2.name, 'x');
  });
});
