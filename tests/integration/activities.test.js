// ERP activities over HTTP (/api/v1/activities): CRUD, the validation
// matrix, permissions and company isolation, lists by record and by user
// with paging and state filters, the state computed in the assignee's zone
// (a server whose clock is pinned with CALENDARD_CLOCK_OFFSET_SECONDS), and
// the meeting activity <-> calendar event link in both directions.

import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachStore, expectStatus, expectProblem, describeRes, rand, randomUUID, Server, STORES,
  UUID_RE, UTC_RE, DATE_RE,
} from './lib/harness.js';

const ACTIVITY_KEYS = ['id', 'companyId', 'activityType', 'summary', 'note', 'dueDate', 'state', 'userId',
  'resModel', 'resId', 'calendarEventId', 'doneAt', 'createdBy', 'createdAt', 'updatedAt'];
const TYPES = ['call', 'meeting', 'email', 'todo'];
const STATES = ['planned', 'today', 'overdue', 'done'];
const FUTURE = '2031-03-10'; // planned whatever the real date (until 2031)
const PAST = '2001-03-10';   // overdue

function checkShape(a, ctx = '') {
  const c = `${ctx}\n${JSON.stringify(a, null, 1)}`;
  for (const k of ACTIVITY_KEYS) assert.ok(k in a, `activity JSON lacks "${k}"${c}`);
  assert.match(a.id, UUID_RE, c);
  assert.match(a.companyId, UUID_RE, c);
  assert.match(a.userId, UUID_RE, c);
  assert.match(a.resId, UUID_RE, c);
  assert.match(a.dueDate, DATE_RE, c);
  assert.ok(TYPES.includes(a.activityType), c);
  assert.ok(STATES.includes(a.state), c);
  assert.match(a.createdAt, UTC_RE, c);
  assert.match(a.updatedAt, UTC_RE, c);
  if (a.state === 'done') assert.match(a.doneAt, UTC_RE, c);
  else assert.equal(a.doneAt, null, c);
  if (a.calendarEventId !== null) assert.match(a.calendarEventId, UUID_RE, c);
}

function sortedByDueThenId(items, ctx) {
  for (let i = 1; i < items.length; i++) {
    const [p, q] = [items[i - 1], items[i]];
    assert.ok(p.dueDate < q.dueDate || (p.dueDate === q.dueDate && p.id < q.id),
      `items must be sorted by dueDate then id: #${i - 1} ${p.dueDate} ${p.id} before #${i} ${q.dueDate} ${q.id}\n${ctx}`);
  }
}

async function create(s, user, body, what = 'create activity') {
  const r = await s.api('POST', '/api/v1/activities', { token: await user.token(), body });
  expectStatus(r, 201, what);
  checkShape(r.json, describeRes(r));
  return r.json;
}

async function get(s, user, id, status = 200) {
  const r = await s.api('GET', `/api/v1/activities/${id}`, { token: await user.token() });
  expectStatus(r, status, `GET activity ${id}`);
  return r.json;
}

async function list(s, user, query, what = 'list activities') {
  const r = await s.api('GET', `/api/v1/activities?${new URLSearchParams(query)}`, { token: await user.token() });
  expectStatus(r, 200, what);
  assert.ok(Array.isArray(r.json?.items), `list must have items[]\n${describeRes(r)}`);
  for (const a of r.json.items) checkShape(a, describeRes(r));
  sortedByDueThenId(r.json.items, describeRes(r));
  return r.json;
}

/** Every item, following nextCursor; checks that pages neither repeat nor skip. */
async function listAll(s, user, query, what) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const r = await list(s, user, cursor ? { ...query, cursor } : query, what);
    items.push(...r.items);
    cursor = r.nextCursor;
    if (!cursor) {
      sortedByDueThenId(items, `${what}: all pages`);
      return items;
    }
  }
  throw new Error('more than 100 pages');
}

async function getEvent(s, user, id, status = 200) {
  const r = await s.api('GET', `/api/v1/calendar/events/${id}`, { token: await user.token() });
  expectStatus(r, status, `GET event ${id}`);
  return r.json;
}

const lead = () => ({ resModel: 'crm.lead', resId: randomUUID() });

eachStore((ctx) => {
  let acme; let other; let alice; let bob; let carl; let ada; let zed;
  const S = () => ctx.server;

  before(async () => {
    const s = ctx.server;
    acme = await s.company('Acme Activities', 'acme-act');
    other = await s.company('Other Activities', 'other-act');
    [alice, bob, carl, ada, zed] = await Promise.all([
      s.user(acme, { name: 'Alice Seller', email: 'alice@acme-act.test', timezone: 'America/Mexico_City' }),
      s.user(acme, { name: 'Bob Assignee', email: 'bob@acme-act.test', timezone: 'Europe/Madrid' }),
      s.user(acme, { name: 'Carl Colleague', email: 'carl@acme-act.test' }),
      s.user(acme, { name: 'Ada Admin', email: 'ada@acme-act.test', admin: true }),
      s.user(other, { name: 'Zed Outsider', email: 'zed@other-act.test' }),
    ]);
  });

  it('creates an activity (201, Location, ETag, caller as default assignee), reads, changes and deletes it', async () => {
    const s = S();
    const rec = lead();
    const body = { activityType: 'call', summary: 'Llamar a Zoë 東京', note: 'Ask about\nthe renewal', dueDate: FUTURE, ...rec };
    const r = await s.api('POST', '/api/v1/activities', { token: await alice.token(), body });
    expectStatus(r, 201);
    const a = r.json;
    const c = describeRes(r);
    checkShape(a, c);
    assert.equal(r.headers.location, `/api/v1/activities/${a.id}`, c);
    assert.match(r.headers.etag || '', /^"[^"]+"$/, c);
    assert.equal(a.companyId, acme.id, c);
    assert.equal(a.activityType, 'call', c);
    assert.equal(a.summary, body.summary, c);
    assert.equal(a.note, body.note, c);
    assert.equal(a.dueDate, FUTURE, c);
    assert.equal(a.state, 'planned', c);
    assert.equal(a.userId, alice.id, 'the caller is the default assignee');
    assert.equal(a.createdBy, alice.id, c);
    assert.equal(a.resModel, 'crm.lead', c);
    assert.equal(a.resId, rec.resId, c);
    assert.equal(a.calendarEventId, null, 'only meetings have an event');

    const g = await s.api('GET', `/api/v1/activities/${a.id}`, { token: await carl.token() });
    expectStatus(g, 200);
    assert.deepEqual(g.json, a, 'any colleague reads what POST returned');
    assert.equal(g.headers.etag, r.headers.etag);

    const p = await s.api('PATCH', `/api/v1/activities/${a.id}`, {
      token: await alice.token(), headers: { 'If-Match': r.headers.etag },
      body: { summary: 'Send the offer', activityType: 'email', note: null, dueDate: PAST, userId: bob.id },
    });
    expectStatus(p, 200);
    assert.equal(p.json.summary, 'Send the offer');
    assert.equal(p.json.activityType, 'email');
    assert.equal(p.json.note, null, 'a null note clears it');
    assert.equal(p.json.dueDate, PAST);
    assert.equal(p.json.state, 'overdue');
    assert.equal(p.json.userId, bob.id);
    assert.notEqual(p.headers.etag, r.headers.etag, 'a change gives a new ETag');

    const stale = await s.api('PATCH', `/api/v1/activities/${a.id}`, {
      token: await alice.token(), headers: { 'If-Match': r.headers.etag }, body: { summary: 'lost update' },
    });
    expectProblem(stale, 412, { code: 'precondition_failed' });
    const staleDelete = await s.api('DELETE', `/api/v1/activities/${a.id}`, {
      token: await alice.token(), headers: { 'If-Match': r.headers.etag },
    });
    expectProblem(staleDelete, 412);
    assert.equal((await get(s, alice, a.id)).summary, 'Send the offer');

    const d = await s.api('DELETE', `/api/v1/activities/${a.id}`, { token: await alice.token(), headers: { 'If-Match': p.headers.etag } });
    expectStatus(d, 204);
    expectProblem(await s.api('GET', `/api/v1/activities/${a.id}`, { token: await alice.token() }), 404);
    expectProblem(await s.api('DELETE', `/api/v1/activities/${a.id}`, { token: await alice.token() }), 404);
  });

  it('refuses bad input with a problem+json field list and stores nothing', async () => {
    const s = S();
    const rec = lead();
    const good = { activityType: 'todo', summary: 'Check the contract', dueDate: FUTURE, ...rec };
    const without = (k) => { const b = { ...good }; delete b[k]; return b; };
    const cases = [
      [{ ...good, activityType: 'visit' }, 'activityType'],
      [{ ...good, activityType: 3 }, 'activityType'],
      [without('activityType'), 'activityType'],
      [{ ...good, dueDate: '2026-02-30' }, 'dueDate'],
      [{ ...good, dueDate: '2026-12-01T10:00:00Z' }, 'dueDate'],
      [{ ...good, dueDate: 'tomorrow' }, 'dueDate'],
      [without('dueDate'), 'dueDate'],
      [without('resModel'), 'resModel'],
      [{ ...good, resModel: 'CRM Lead' }, 'resModel'],
      [{ ...good, resModel: null }, 'resModel'],
      [without('resId'), 'resId'],
      [{ ...good, resId: '42' }, 'resId'],
      [without('summary'), 'summary'],
      [{ ...good, summary: '' }, 'summary'],
      [{ ...good, summary: 'two\nlines' }, 'summary'],
      [{ ...good, summary: 'x'.repeat(256) }, 'summary'],
      [{ ...good, note: 7 }, 'note'],
      [{ ...good, userId: randomUUID() }, 'userId'],
      [{ ...good, userId: 'nobody' }, 'userId'],
      [{ ...good, userId: null }, 'userId'],
      [{ ...good, userId: zed.id }, 'userId'],
      [{ ...good, colour: 'red' }, 'colour'],
      [{ ...good, startDatetime: '2031-03-10T09:00:00Z', endDatetime: '2031-03-10T10:00:00Z' }, 'startDatetime'],
      [{ ...good, activityType: 'meeting', startDatetime: '2031-03-10T09:00:00Z' }, 'endDatetime'],
      [{ ...good, activityType: 'meeting', startDatetime: '2031-03-10 09:00', endDatetime: '2031-03-10T10:00:00Z' }, 'startDatetime'],
      [{ ...good, activityType: 'meeting', dueDate: undefined, startDatetime: '2031-03-10T11:00:00Z', endDatetime: '2031-03-10T10:00:00Z' }, 'endDatetime'],
      [{ ...good, activityType: 'meeting', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ ...good, activityType: 'meeting', dueDate: '2031-03-11', startDatetime: '2031-03-10T09:00:00-06:00', endDatetime: '2031-03-10T10:00:00-06:00' }, 'dueDate'],
    ];
    for (const [body, field] of cases) {
      const r = await s.api('POST', '/api/v1/activities', { token: await alice.token(), body });
      expectProblem(r, 400, { fields: [field], what: JSON.stringify(body) });
    }
    // several wrong fields are reported together
    const many = await s.api('POST', '/api/v1/activities', {
      token: await alice.token(), body: { activityType: 'call', summary: '', dueDate: 'x', resModel: 'A B', resId: 'y', userId: zed.id },
    });
    expectProblem(many, 400, { fields: ['summary', 'dueDate', 'resModel', 'resId', 'userId'] });
    const notJson = await s.api('POST', '/api/v1/activities', { token: await alice.token(), raw: '{"summary":', contentType: 'application/json' });
    expectProblem(notJson, 400, { code: 'malformed_json' });

    assert.deepEqual((await list(s, alice, rec)).items, [], 'nothing was stored for the record');
    const events = await s.listEvents(alice, { from: '2031-03-01', to: '2031-03-20', ...rec });
    assert.deepEqual(events.items, [], 'no meeting event was left behind');

    // PATCH checks the same fields, and more
    const a = await create(s, alice, good);
    const patches = [
      [{ activityType: 'meeting' }, 'activityType'],
      [{ dueDate: '2031-13-01' }, 'dueDate'],
      [{ summary: null }, 'summary'],
      [{ resId: 'nope' }, 'resId'],
      [{ userId: zed.id }, 'userId'],
      [{ startDatetime: '2031-03-10T09:00:00Z' }, 'startDatetime'],
      [{ state: 'done' }, 'state'],
    ];
    for (const [body, field] of patches) {
      const r = await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await alice.token(), body });
      expectProblem(r, 400, { fields: [field], what: JSON.stringify(body) });
    }
    assert.deepEqual(await get(s, alice, a.id), a, 'refused changes leave the activity as it was');
    expectProblem(await s.api('GET', '/api/v1/activities/not-a-uuid', { token: await alice.token() }), 400, { fields: ['id'] });
  });

  it('lets any colleague read, only the assignee, the creator or an admin change; other companies see nothing', async () => {
    const s = S();
    const rec = lead();
    const a = await create(s, alice, { activityType: 'call', summary: 'For Bob', dueDate: FUTURE, userId: bob.id, ...rec });
    assert.equal(a.userId, bob.id);
    assert.equal(a.createdBy, alice.id);

    assert.equal((await get(s, carl, a.id)).id, a.id, 'a colleague reads');
    assert.deepEqual((await list(s, carl, rec)).items.map((x) => x.id), [a.id], 'a colleague lists the record');
    for (const [method, path, body] of [
      ['PATCH', `/api/v1/activities/${a.id}`, { summary: 'mine now' }],
      ['DELETE', `/api/v1/activities/${a.id}`, undefined],
      ['POST', `/api/v1/activities/${a.id}/done`, undefined],
    ]) {
      expectProblem(await s.api(method, path, { token: await carl.token(), body }), 403, { code: 'forbidden', what: `${method} by a colleague` });
      expectProblem(await s.api(method, path, { token: await zed.token(), body }), 404, { what: `${method} by another company` });
    }
    expectProblem(await s.api('GET', `/api/v1/activities/${a.id}`, { token: await zed.token() }), 404);
    assert.deepEqual((await list(s, zed, rec)).items, [], 'another company lists nothing for the same record id');
    expectProblem(await s.api('GET', `/api/v1/activities?userId=${bob.id}`, { token: await zed.token() }), 400, { fields: ['userId'] });

    const byAssignee = await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await bob.token(), body: { summary: 'Bob edits' } });
    expectStatus(byAssignee, 200);
    const byCreator = await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await alice.token(), body: { note: 'Alice adds' } });
    expectStatus(byCreator, 200);
    assert.equal(byCreator.json.summary, 'Bob edits');
    assert.equal(byCreator.json.note, 'Alice adds');
    const byAdmin = await s.api('DELETE', `/api/v1/activities/${a.id}`, { token: await ada.token() });
    expectStatus(byAdmin, 204);
    expectProblem(await s.api('GET', `/api/v1/activities/${a.id}`, { token: await zed.token() }), 404);
  });

  it('marks an activity done with feedback appended to the note, once', async () => {
    const s = S();
    const a = await create(s, bob, { activityType: 'todo', summary: 'Prepare the demo', note: 'Slides', dueDate: PAST, ...lead() });
    assert.equal(a.state, 'overdue');
    const r = await s.api('POST', `/api/v1/activities/${a.id}/done`, { token: await bob.token(), body: { feedback: 'Demo went well' } });
    expectStatus(r, 200);
    assert.equal(r.json.state, 'done');
    assert.match(r.json.doneAt, UTC_RE);
    assert.equal(r.json.note, 'Slides\n\nDemo went well');
    const again = await s.api('POST', `/api/v1/activities/${a.id}/done`, { token: await bob.token(), body: { feedback: 'Demo went well' } });
    expectStatus(again, 200);
    assert.deepEqual(again.json, r.json, 'a retried done changes nothing');

    const b = await create(s, bob, { activityType: 'email', summary: 'No body', dueDate: FUTURE, ...lead() });
    const bare = await s.api('POST', `/api/v1/activities/${b.id}/done`, { token: await bob.token() });
    expectStatus(bare, 200, 'done without a body');
    assert.equal(bare.json.note, null);
    const c = await create(s, bob, { activityType: 'email', summary: 'Bad feedback', dueDate: FUTURE, ...lead() });
    for (const [opts, status, field] of [
      [{ body: { feedback: 3 } }, 400, 'feedback'],
      [{ body: { feedback: 'ok', extra: 1 } }, 400, 'extra'],
      [{ raw: '[1]', contentType: 'application/json' }, 400, 'body'],
      [{ raw: '{', contentType: 'application/json' }, 400, null],
      [{ raw: 'feedback=ok', contentType: 'application/x-www-form-urlencoded' }, 415, null],
    ]) {
      const res = await s.api('POST', `/api/v1/activities/${c.id}/done`, { token: await bob.token(), ...opts });
      expectProblem(res, status, { fields: field ? [field] : [], what: JSON.stringify(opts) });
    }
    assert.equal((await get(s, bob, c.id)).state, 'planned', 'a refused done leaves it planned');
  });

  it('lists by record and by user, sorted by due date then id, paged with a cursor, filtered by state', async () => {
    const s = S();
    const rec = lead();
    const dues = ['2031-05-03', '2031-05-01', PAST, '2031-05-01', '2031-05-02', '2031-05-01', PAST];
    const made = [];
    for (const [i, dueDate] of dues.entries()) {
      const who = i % 2 ? bob : alice;
      made.push(await create(s, alice, { activityType: 'todo', summary: `Step ${i}`, dueDate, userId: who.id, ...rec }));
    }
    const other = await create(s, alice, { activityType: 'todo', summary: 'Elsewhere', dueDate: '2031-05-01', ...lead() });
    const expected = [...made].sort((x, y) => (x.dueDate < y.dueDate ? -1 : x.dueDate > y.dueDate ? 1 : x.id < y.id ? -1 : 1));

    const whole = await list(s, carl, rec);
    assert.deepEqual(whole.items.map((x) => x.id), expected.map((x) => x.id));
    assert.equal(whole.nextCursor, null);
    for (const limit of [1, 2, 3]) {
      const paged = await listAll(s, carl, { ...rec, limit }, `by record, limit ${limit}`);
      assert.deepEqual(paged.map((x) => x.id), expected.map((x) => x.id), `limit ${limit}`);
    }
    const first = await list(s, carl, { ...rec, limit: 2 });
    assert.equal(first.items.length, 2);
    assert.equal(typeof first.nextCursor, 'string');

    await s.api('POST', `/api/v1/activities/${made[4].id}/done`, { token: await alice.token() });
    const done = await list(s, carl, { ...rec, state: 'done' });
    assert.deepEqual(done.items.map((x) => x.id), [made[4].id]);
    const overdue = await listAll(s, carl, { ...rec, state: 'overdue', limit: 1 }, 'overdue');
    assert.deepEqual(overdue.map((x) => x.id).sort(), [made[2].id, made[6].id].sort());
    const planned = await list(s, carl, { ...rec, state: 'planned' });
    assert.deepEqual(planned.items.map((x) => x.id), expected.filter((x) => x.dueDate !== PAST && x.id !== made[4].id).map((x) => x.id));
    assert.deepEqual((await list(s, carl, { ...rec, state: 'today' })).items, []);

    const mine = await listAll(s, alice, { limit: 2 }, 'the caller\'s');
    const alices = mine.map((x) => x.id);
    for (const x of made) assert.equal(alices.includes(x.id), x.userId === alice.id, `alice's list and ${x.summary}`);
    assert.ok(alices.includes(other.id));
    for (const x of mine) assert.equal(x.userId, alice.id);
    const bobs = await listAll(s, carl, { userId: bob.id, limit: 1 }, 'bob\'s');
    for (const x of bobs) assert.equal(x.userId, bob.id);
    assert.deepEqual(bobs.filter((x) => x.resId === rec.resId).map((x) => x.id),
      expected.filter((x) => x.userId === bob.id).map((x) => x.id));
    const bobsPlanned = await list(s, carl, { userId: bob.id, state: 'planned' });
    for (const x of bobsPlanned.items) assert.equal(x.state, 'planned');

    for (const [query, field] of [
      [{ resModel: 'crm.lead' }, 'resId'],
      [{ resId: rec.resId }, 'resModel'],
      [{ ...rec, userId: bob.id }, 'userId'],
      [{ resModel: 'Bad', resId: rec.resId }, 'resModel'],
      [{ userId: randomUUID() }, 'userId'],
      [{ userId: 'x' }, 'userId'],
      [{ state: 'late' }, 'state'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
    ]) {
      const r = await s.api('GET', `/api/v1/activities?${new URLSearchParams(query)}`, { token: await alice.token() });
      expectProblem(r, 400, { fields: [field], what: JSON.stringify(query) });
    }
  });

  it('a meeting creates its event (organizer: the assignee) at 09:00-10:00 on the due date in the assignee\'s zone', async () => {
    const s = S();
    const rec = lead();
    const a = await create(s, alice, { activityType: 'meeting', summary: 'Kick-off', note: 'Agenda: scope', dueDate: '2030-06-15', userId: bob.id, ...rec });
    assert.match(a.calendarEventId, UUID_RE);
    assert.equal(a.dueDate, '2030-06-15');
    const e = await getEvent(s, bob, a.calendarEventId);
    assert.equal(e.name, 'Kick-off');
    assert.equal(e.description, 'Agenda: scope');
    assert.equal(e.organizerId, bob.id);
    assert.equal(e.timezone, 'Europe/Madrid');
    assert.equal(e.startDatetime, '2030-06-15T07:00:00Z', '09:00 in Madrid (CEST)');
    assert.equal(e.endDatetime, '2030-06-15T08:00:00Z');
    assert.equal(e.resModel, rec.resModel);
    assert.equal(e.resId, rec.resId);
    assert.deepEqual(e.activities, [{ id: a.id, activityType: 'meeting', summary: 'Kick-off', state: 'planned', dueDate: '2030-06-15' }]);
    const inList = await s.listEvents(bob, { from: '2030-06-15', to: '2030-06-16', ...rec });
    assert.deepEqual(inList.items.map((x) => x.id), [e.id], 'the event is in the assignee\'s calendar, on the record');
    assert.ok(!('activities' in inList.items[0]), 'lists stay lean: no activities in them');

    // Times given: the due date is the start's date for the assignee.
    const late = await create(s, alice, {
      activityType: 'meeting', summary: 'Late call', userId: bob.id, ...rec,
      startDatetime: '2030-07-01T23:30:00-06:00', endDatetime: '2030-07-02T00:15:00-06:00', timezone: 'America/Mexico_City',
    });
    assert.equal(late.dueDate, '2030-07-02', '23:30 in Mexico City is the next morning in Madrid');
    const le = await getEvent(s, bob, late.calendarEventId);
    assert.equal(le.startDatetime, '2030-07-02T05:30:00Z');
    assert.equal(le.timezone, 'America/Mexico_City');
    const mine = await create(s, alice, {
      activityType: 'meeting', summary: 'Same slot, Alice', ...rec, dueDate: '2030-07-01',
      startDatetime: '2030-07-01T23:30:00-06:00', endDatetime: '2030-07-02T00:15:00-06:00',
    });
    assert.equal(mine.dueDate, '2030-07-01', 'for an assignee in Mexico City it is still the 1st');
  });

  it('moving the event moves the due date (PATCH, and scope=all on its series); moving the due date moves the event', async () => {
    const s = S();
    const rec = lead();
    const a = await create(s, alice, { activityType: 'meeting', summary: 'Review', dueDate: '2030-06-15', userId: bob.id, ...rec });
    const moved = await s.api('PATCH', `/api/v1/calendar/events/${a.calendarEventId}`, {
      token: await bob.token(), body: { startDatetime: '2030-06-20T23:30:00-06:00', endDatetime: '2030-06-21T00:30:00-06:00' },
    });
    expectStatus(moved, 200);
    const after1 = await get(s, alice, a.id);
    assert.equal(after1.dueDate, '2030-06-21', 'the event\'s new start date in the assignee\'s zone (Madrid)');
    assert.equal(after1.calendarEventId, a.calendarEventId);

    const renamed = await s.api('PATCH', `/api/v1/calendar/events/${a.calendarEventId}`, { token: await bob.token(), body: { location: 'Sala 2' } });
    expectStatus(renamed, 200);
    assert.equal((await get(s, alice, a.id)).dueDate, '2030-06-21', 'a change that does not move the event keeps the date');

    const p = await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await alice.token(), body: { dueDate: '2030-06-25' } });
    expectStatus(p, 200);
    assert.equal(p.json.dueDate, '2030-06-25');
    const e = await getEvent(s, bob, a.calendarEventId);
    assert.equal(e.startDatetime, '2030-06-25T05:30:00Z', 'the event keeps its time of day, four days later');
    assert.equal(e.endDatetime, '2030-06-25T06:30:00Z');
    assert.equal(e.location, 'Sala 2');
    assert.equal(e.activities[0].dueDate, '2030-06-25');

    // The meeting made a weekly series; moving all of it through an occurrence id moves the activity.
    const series = await s.api('PATCH', `/api/v1/calendar/events/${a.calendarEventId}`, {
      token: await bob.token(), body: { recurring: true, recurrenceConfig: { rruleType: 'weekly', interval: 1, endType: 'count', count: 3 } },
    });
    expectStatus(series, 200);
    const occ = `${a.calendarEventId}_20300702T053000Z`;
    const all = await s.api('PATCH', `/api/v1/calendar/events/${occ}?scope=all`, {
      token: await bob.token(), body: { startDatetime: '2030-07-03T09:00:00+02:00', endDatetime: '2030-07-03T10:00:00+02:00' },
    });
    expectStatus(all, 200);
    assert.equal((await get(s, alice, a.id)).dueDate, '2030-06-26', 'the series now starts a day later');
  });

  it('deleting the event deletes its open activity; a done one stays, unlinked', async () => {
    const s = S();
    const rec = lead();
    const open = await create(s, alice, { activityType: 'meeting', summary: 'Open', dueDate: '2030-08-01', userId: bob.id, ...rec });
    const d = await s.api('DELETE', `/api/v1/calendar/events/${open.calendarEventId}`, { token: await bob.token() });
    expectStatus(d, 204);
    await get(s, alice, open.id, 404);
    assert.deepEqual((await list(s, alice, rec)).items, []);

    const closed = await create(s, alice, { activityType: 'meeting', summary: 'Closed', dueDate: '2030-08-02', userId: bob.id, ...rec });
    expectStatus(await s.api('POST', `/api/v1/activities/${closed.id}/done`, { token: await bob.token() }), 200);
    expectStatus(await s.api('DELETE', `/api/v1/calendar/events/${closed.calendarEventId}`, { token: await bob.token() }), 204);
    const kept = await get(s, alice, closed.id);
    assert.equal(kept.state, 'done');
    assert.equal(kept.calendarEventId, null);
  });

  it('done is visible on the event; deleting an open meeting deletes its event, a done one keeps it', async () => {
    const s = S();
    const rec = lead();
    const a = await create(s, alice, { activityType: 'meeting', summary: 'Demo', dueDate: '2030-09-01', userId: bob.id, ...rec });
    const done = await s.api('POST', `/api/v1/activities/${a.id}/done`, { token: await alice.token(), body: { feedback: 'Signed' } });
    expectStatus(done, 200);
    const e = await getEvent(s, carl, a.calendarEventId);
    assert.deepEqual(e.activities, [{ id: a.id, activityType: 'meeting', summary: 'Demo', state: 'done', dueDate: '2030-09-01' }],
      'a colleague with the full view sees the activity done');
    const kept = await s.api('PATCH', `/api/v1/calendar/events/${a.calendarEventId}`, {
      token: await bob.token(), body: { startDatetime: '2030-09-03T09:00:00+02:00', endDatetime: '2030-09-03T10:00:00+02:00' },
    });
    expectStatus(kept, 200);
    assert.equal((await get(s, alice, a.id)).dueDate, '2030-09-01', 'a done activity keeps its date when the event moves');
    expectStatus(await s.api('DELETE', `/api/v1/activities/${a.id}`, { token: await alice.token() }), 204);
    const still = await getEvent(s, bob, a.calendarEventId);
    assert.ok(!('activities' in still), 'no activities left on it');

    const b = await create(s, alice, { activityType: 'meeting', summary: 'Cancelled', dueDate: '2030-09-02', userId: bob.id, ...rec });
    expectStatus(await s.api('DELETE', `/api/v1/activities/${b.id}`, { token: await alice.token() }), 204);
    await getEvent(s, bob, b.calendarEventId, 404);

    // A private meeting: colleagues get the busy block, without activities.
    const c = await create(s, alice, { activityType: 'meeting', summary: 'Private', dueDate: '2030-09-03', userId: bob.id, ...rec });
    expectStatus(await s.api('PATCH', `/api/v1/calendar/events/${c.calendarEventId}`, { token: await bob.token(), body: { privacy: 'private' } }), 200);
    const busy = await getEvent(s, carl, c.calendarEventId);
    assert.equal(busy.restricted, true);
    assert.ok(!('activities' in busy), 'the busy view lists no activities');
    assert.equal((await getEvent(s, bob, c.calendarEventId)).activities.length, 1);
  });

  it('the meeting\'s guests hear of what the activity does to it (an update, then a cancellation)', async () => {
    const s = S();
    const guest = `guest.${rand(6)}@example.org`;
    const a = await create(s, alice, { activityType: 'meeting', summary: 'With a guest', dueDate: '2030-10-01', userId: bob.id, ...lead() });
    const invite = await s.api('PATCH', `/api/v1/calendar/events/${a.calendarEventId}`, { token: await bob.token(), body: { attendees: [{ email: guest }] } });
    expectStatus(invite, 200);
    expectStatus(await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await alice.token(), body: { summary: 'Renamed only' } }), 200);
    expectStatus(await s.api('PATCH', `/api/v1/activities/${a.id}`, { token: await alice.token(), body: { dueDate: '2030-10-02' } }), 200);
    expectStatus(await s.api('DELETE', `/api/v1/activities/${a.id}`, { token: await alice.token() }), 204);
    const r = await s.api('GET', `/api/v1/admin/outbox?recipient=${encodeURIComponent(guest)}`, { token: await ada.token() });
    expectStatus(r, 200);
    assert.deepEqual(r.json.items.map((m) => m.kind).sort(), ['cancellation', 'invitation', 'update'], describeRes(r));
  });
});

// The state in the assignee's zone, on servers whose clock reads
// 2030-06-15T14:00:00Z: 02:00 on the 16th in Auckland (NZST, UTC+12),
// 08:00 on the 15th in Mexico City (UTC-6), at least two hours from either
// midnight for the whole run.
const PINNED = '2030-06-15T14:00:00Z';

describe('activity states on a pinned clock', { concurrency: true }, () => {
  for (const store of STORES) {
    describe(store, { concurrency: 1 }, () => {
      const ctx = { server: null };
      let co; let kiwi; let mex;
      before(async () => {
        const s = new Server(store);
        try {
          await s.init();
          s.env.CALENDARD_CLOCK_OFFSET_SECONDS = String(Math.round((Date.parse(PINNED) - Date.now()) / 1000));
          await s.start();
        } catch (e) {
          try { if (s.proc && !s.exit) { s.proc.kill('SIGKILL'); await s.exited; } } finally { await s.dropStore(); }
          throw e;
        }
        ctx.server = s;
        co = await s.company('Pinned Co', 'pinned');
        kiwi = await s.user(co, { name: 'Kiri Auckland', timezone: 'Pacific/Auckland' });
        mex = await s.user(co, { name: 'Memo Mexico', timezone: 'America/Mexico_City' });
      });
      after(async () => { if (ctx.server) await ctx.server.stop(); });

      it('planned/today/overdue follow today in the assignee\'s zone, in reads, lists, filters and the event', async () => {
        const s = ctx.server;
        const rec = lead();
        const mk = (user, dueDate, activityType = 'call') => create(s, kiwi, { activityType, summary: `${user.name} ${dueDate}`, dueDate, userId: user.id, ...rec });
        const k15 = await mk(kiwi, '2030-06-15');
        const m15 = await mk(mex, '2030-06-15');
        const k16 = await mk(kiwi, '2030-06-16', 'meeting');
        const m16 = await mk(mex, '2030-06-16');
        const k14 = await mk(kiwi, '2030-06-14');
        const m17 = await mk(mex, '2030-06-17');
        assert.equal(k15.state, 'overdue', 'the 15th is yesterday in Auckland');
        assert.equal(m15.state, 'today', 'the 15th is today in Mexico City');
        assert.equal(k16.state, 'today');
        assert.equal(m16.state, 'planned');
        assert.equal(k14.state, 'overdue');
        assert.equal(m17.state, 'planned');
        assert.equal((await get(s, mex, k16.id)).state, 'today', 'the reader\'s zone does not matter, the assignee\'s does');

        const ids = (items) => items.map((x) => x.id);
        assert.deepEqual(ids((await list(s, mex, { ...rec, state: 'today' })).items), [m15.id, k16.id]);
        assert.deepEqual(ids((await list(s, mex, { ...rec, state: 'overdue' })).items).sort(), [k14.id, k15.id].sort());
        assert.deepEqual(ids((await list(s, mex, { ...rec, state: 'planned' })).items), [m16.id, m17.id]);
        for (const state of ['today', 'overdue', 'planned']) {
          const paged = await listAll(s, mex, { ...rec, state, limit: 1 }, `state=${state}, one a page`);
          for (const x of paged) assert.equal(x.state, state);
          assert.equal(paged.length, (await list(s, mex, { ...rec, state })).items.length);
        }
        assert.deepEqual(ids((await list(s, mex, { userId: kiwi.id, state: 'today' })).items), [k16.id]);
        assert.deepEqual(ids((await list(s, kiwi, { userId: mex.id, state: 'today' })).items), [m15.id]);
        assert.deepEqual(ids((await list(s, kiwi, { state: 'overdue' })).items), [k14.id, k15.id], 'the caller\'s own, by due date');

        const e = await getEvent(s, kiwi, k16.calendarEventId);
        assert.equal(e.startDatetime, '2030-06-15T21:00:00Z', '09:00 on the 16th in Auckland');
        assert.equal(e.activities[0].state, 'today');

        // Reassigned to Mexico City, the same due date is today.
        const p = await s.api('PATCH', `/api/v1/activities/${k15.id}`, { token: await kiwi.token(), body: { userId: mex.id } });
        expectStatus(p, 200);
        assert.equal(p.json.state, 'today');
      });
    });
  }
});
