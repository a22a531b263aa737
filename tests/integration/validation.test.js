// Table-driven bad input. Every bad request must be a 4xx problem+json that
// names the offending field, must store nothing, and must leave the server
// serving. Hostile-looking strings in free-text fields are data: they are
// stored and returned verbatim.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachStore, expectStatus, expectProblem, describeRes, eventBody, rand, randomUUID,
} from './lib/harness.js';

const WINDOW = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const ok = (o = {}) => eventBody({ startDatetime: '2026-12-01T09:00:00Z', endDatetime: '2026-12-01T10:00:00Z', ...o });
const without = (k) => { const b = ok(); delete b[k]; return b; };
const nested = (n) => `${'['.repeat(n)}${']'.repeat(n)}`;

// field: names that must appear in errors[].field (any of them); null: the
// body is not an object, no field to name.
const CREATE_CASES = [
  // not JSON / not an object
  { what: 'malformed JSON', raw: '{"name": "x", ', field: null },
  { what: 'empty body', raw: '', field: null },
  { what: 'trailing garbage', raw: `${JSON.stringify(ok())} x`, field: null },
  { what: 'JSON array', raw: JSON.stringify([ok()]), field: null },
  { what: 'JSON string', raw: '"hello"', field: null },
  { what: 'JSON number', raw: '5', field: null },
  { what: 'JSON null', raw: 'null', field: null },
  { what: 'invalid UTF-8', raw: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","startDatetime":"2026-12-01T09:00:00Z","endDatetime":"2026-12-01T10:00:00Z"}')]), field: ['name'], orNoField: true },
  { what: '10,000 nested arrays in description', raw: `{"name":"deep","startDatetime":"2026-12-01T09:00:00Z","endDatetime":"2026-12-01T10:00:00Z","description":${nested(10000)}}`, field: ['description'], orNoField: true },
  { what: '100,000 nested objects', raw: `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`, field: ['a'], orNoField: true },
  // types
  { what: 'name is a number', body: ok({ name: 5 }), field: ['name'] },
  { what: 'name is null', body: ok({ name: null }), field: ['name'] },
  { what: 'name is an object', body: ok({ name: { first: 'x' } }), field: ['name'] },
  { what: 'allDay is a string', body: ok({ allDay: 'yes' }), field: ['allDay'] },
  { what: 'allDay is 1', body: ok({ allDay: 1 }), field: ['allDay'] },
  { what: 'description is an array', body: ok({ description: ['x'] }), field: ['description'] },
  { what: 'attendees is an object', body: ok({ attendees: { userId: randomUUID() } }), field: ['attendees'] },
  { what: 'attendee is a string', body: ok({ attendees: ['bob@example.com'] }), field: ['attendees'] },
  { what: 'alarms is a string', body: ok({ alarms: '15m' }), field: ['alarms'] },
  { what: 'startDatetime is a number', body: ok({ startDatetime: 1764579600 }), field: ['startDatetime'] },
  { what: 'privacy is a number', body: ok({ privacy: 1 }), field: ['privacy'] },
  // unknown fields
  { what: 'unknown top-level field', body: ok({ colour: 'red' }), field: ['colour'] },
  { what: 'snake_case field', body: ok({ start_datetime: '2026-12-01T09:00:00Z' }), field: ['start_datetime'] },
  { what: 'id is not writable', body: ok({ id: randomUUID() }), field: ['id'] },
  { what: 'organizerId is not writable', body: ok({ organizerId: randomUUID() }), field: ['organizerId'] },
  { what: 'unknown attendee field', body: ok({ attendees: [{ email: 'a@example.com', isAdmin: true }] }), field: ['isAdmin'] },
  { what: 'unknown alarm field', body: ok({ alarms: [{ type: 'email', intervalValue: 1, intervalUnit: 'days', sql: 'x' }] }), field: ['sql'] },
  // required
  { what: 'missing name', body: without('name'), field: ['name'] },
  { what: 'empty name', body: ok({ name: '' }), field: ['name'] },
  { what: 'missing startDatetime', body: without('startDatetime'), field: ['startDatetime'] },
  { what: 'missing endDatetime', body: without('endDatetime'), field: ['endDatetime'] },
  { what: 'empty object', body: {}, field: ['name', 'startDatetime', 'endDatetime'] },
  // ranges
  { what: 'end before start', body: ok({ startDatetime: '2026-12-01T10:00:00Z', endDatetime: '2026-12-01T09:00:00Z' }), field: ['endDatetime'] },
  { what: 'end before start across offsets', body: ok({ startDatetime: '2026-12-01T10:00:00+01:00', endDatetime: '2026-12-01T09:30:00+02:00' }), field: ['endDatetime'] },
  { what: 'all-day end equal to start (end is exclusive)', body: ok({ allDay: true, startDatetime: '2026-12-01', endDatetime: '2026-12-01' }), field: ['endDatetime'] },
  { what: 'all-day end before start', body: ok({ allDay: true, startDatetime: '2026-12-02', endDatetime: '2026-12-01' }), field: ['endDatetime'] },
  // enums
  { what: 'privacy out of range', body: ok({ privacy: 'secret' }), field: ['privacy'] },
  { what: 'privacy in upper case', body: ok({ privacy: 'PUBLIC' }), field: ['privacy'] },
  { what: 'showAs out of range', body: ok({ showAs: 'away' }), field: ['showAs'] },
  { what: 'attendee role out of range', body: ok({ attendees: [{ email: 'a@example.com', role: 'boss' }] }), field: ['role'] },
  { what: 'attendee state out of range', body: ok({ attendees: [{ email: 'a@example.com', state: 'maybe' }] }), field: ['state'] },
  { what: 'alarm type out of range', body: ok({ alarms: [{ type: 'pigeon', intervalValue: 1, intervalUnit: 'days' }] }), field: ['type'] },
  { what: 'alarm unit out of range', body: ok({ alarms: [{ type: 'email', intervalValue: 1, intervalUnit: 'fortnights' }] }), field: ['intervalUnit'] },
  { what: 'alarm interval negative', body: ok({ alarms: [{ type: 'email', intervalValue: -1, intervalUnit: 'days' }] }), field: ['intervalValue'] },
  { what: 'alarm interval fractional', body: ok({ alarms: [{ type: 'email', intervalValue: 1.5, intervalUnit: 'days' }] }), field: ['intervalValue'] },
  { what: 'alarm interval a string', body: ok({ alarms: [{ type: 'email', intervalValue: '5', intervalUnit: 'days' }] }), field: ['intervalValue'] },
  { what: 'alarm interval 1e20', raw: JSON.stringify(ok({ alarms: [{ type: 'email', intervalValue: 7, intervalUnit: 'days' }] })).replace('"intervalValue":7', '"intervalValue":100000000000000000000'), field: ['intervalValue'] },
  { what: 'alarm interval 2^63', raw: JSON.stringify(ok({ alarms: [{ type: 'email', intervalValue: 7, intervalUnit: 'weeks' }] })).replace('"intervalValue":7', '"intervalValue":9223372036854775807'), field: ['intervalValue'] },
  // lengths
  { what: 'name of 256 characters', body: ok({ name: 'n'.repeat(256) }), field: ['name'] },
  { what: 'name of 256 two-byte characters', body: ok({ name: 'é'.repeat(256) }), field: ['name'] },
  { what: 'description of 65537 characters', body: ok({ description: 'd'.repeat(65537) }), field: ['description'] },
  { what: 'location of 501 characters', body: ok({ location: 'l'.repeat(501) }), field: ['location'] },
  // ids
  { what: 'resId not a UUID', body: ok({ resModel: 'crm.lead', resId: 'not-a-uuid' }), field: ['resId'] },
  { what: 'resId SQL', body: ok({ resModel: 'crm.lead', resId: "1' OR '1'='1" }), field: ['resId'] },
  { what: 'resId UUID with SQL tail', body: ok({ resModel: 'crm.lead', resId: `${randomUUID()}'; DROP TABLE calendar_events;--` }), field: ['resId'] },
  { what: 'attendee userId not a UUID', body: ok({ attendees: [{ userId: '123' }] }), field: ['userId'] },
  { what: 'attendee partnerId not a UUID', body: ok({ attendees: [{ partnerId: 'x' }] }), field: ['partnerId'] },
  { what: 'companyId not a UUID', body: ok({ companyId: 'abc' }), field: ['companyId'] },
  { what: 'attendee without userId, partnerId or email', body: ok({ attendees: [{ displayName: 'nobody' }] }), field: ['attendees', 'email', 'userId', 'partnerId'] },
  { what: 'attendee e-mail invalid', body: ok({ attendees: [{ email: 'not-an-email' }] }), field: ['email'] },
  { what: 'attendee e-mail with CRLF header injection', body: ok({ attendees: [{ email: 'a@example.com\r\nBcc: victim@example.com' }] }), field: ['email'] },
  // instants
  { what: 'start without offset', body: ok({ startDatetime: '2026-12-01T09:00:00' }), field: ['startDatetime'] },
  { what: 'end without offset', body: ok({ endDatetime: '2026-12-01T10:00:00' }), field: ['endDatetime'] },
  { what: 'impossible date 2026-02-30', body: ok({ startDatetime: '2026-02-30T10:00:00Z', endDatetime: '2026-03-05T10:00:00Z' }), field: ['startDatetime'] },
  { what: 'month 13', body: ok({ startDatetime: '2026-13-01T10:00:00Z' }), field: ['startDatetime'] },
  { what: 'hour 25', body: ok({ startDatetime: '2026-12-01T25:00:00Z' }), field: ['startDatetime'] },
  { what: 'offset +25:00', body: ok({ startDatetime: '2026-12-01T09:00:00+25:00' }), field: ['startDatetime'] },
  { what: '5-digit year', body: ok({ startDatetime: '10000-01-01T09:00:00Z' }), field: ['startDatetime'] },
  { what: 'plain date for a timed event', body: ok({ startDatetime: '2026-12-01', endDatetime: '2026-12-02' }), field: ['startDatetime', 'endDatetime'] },
  { what: 'not a date at all', body: ok({ startDatetime: 'tomorrow' }), field: ['startDatetime'] },
  { what: 'startDatetime SQL', body: ok({ startDatetime: "2026-12-01T09:00:00Z'; DELETE FROM calendar_events;--" }), field: ['startDatetime'] },
  // time zones
  { what: 'unknown time zone', body: ok({ timezone: 'Mars/Olympus_Mons' }), field: ['timezone'] },
  { what: 'time zone SQL', body: ok({ timezone: "UTC'; DROP TABLE calendar_events;--" }), field: ['timezone'] },
  { what: 'time zone path traversal', body: ok({ timezone: '../../../../etc/passwd' }), field: ['timezone'] },
  { what: 'time zone absolute path', body: ok({ timezone: '/etc/localtime' }), field: ['timezone'] },
  { what: 'time zone empty', body: ok({ timezone: '' }), field: ['timezone'] },
  // jansson refuses \u0000 in the whole document: no field to name
  { what: 'time zone with NUL', body: ok({ timezone: 'UTC\u0000junk' }), field: ['timezone'], orNoField: true },
  // transport
  { what: 'text/plain body', raw: JSON.stringify(ok()), contentType: 'text/plain', status: 415, field: null },
  { what: 'form body', raw: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 415, field: null },
  { what: '2 MiB body', raw: JSON.stringify(ok({ description: 'x'.repeat(2 * 1024 * 1024) })), status: 413, field: null },
  { what: '2 MiB chunked body (no Content-Length)', raw: JSON.stringify(ok({ description: 'x'.repeat(2 * 1024 * 1024) })), chunked: true, status: 413, field: null },
  // limits on counts and sizes (any sane limit is far below these)
  { what: '10,000 attendees', body: ok({ attendees: Array.from({ length: 10000 }, (_, i) => ({ email: `g${i}@example.com` })) }), status: [400, 413], field: ['attendees'], orNoField: true },
  { what: '1,000 alarms', body: ok({ alarms: Array.from({ length: 1000 }, (_, i) => ({ type: 'email', intervalValue: i, intervalUnit: 'minutes' })) }), field: ['alarms'] },
  { what: 'resModel of 1,000 characters', body: ok({ resModel: 'm'.repeat(1000), resId: randomUUID() }), field: ['resModel'] },
  { what: 'attendee e-mail of 300 characters', body: ok({ attendees: [{ email: `${'a'.repeat(290)}@example.com` }] }), field: ['email'] },
];

eachStore((ctx) => {
  let acme; let victim; let writer; let ev;
  const S = () => ctx.server;

  before(async () => {
    const s = ctx.server;
    acme = await s.company('Acme Validation', 'acme');
    victim = await s.user(acme, { name: 'Val Victim', email: 'victim@acme.test', timezone: 'UTC' });
    writer = await s.user(acme, { name: 'Wes Writer', email: 'writer@acme.test', timezone: 'UTC' });
    ev = await s.createEvent(writer, ok({ name: 'Patch target', description: 'orig' }));
  });

  // The victim only ever sends bad requests: anything listed was wrongly
  // stored. It is deleted again so that the next case is judged on its own.
  async function assertNothingStored(what) {
    const l = await S().listEvents(victim, WINDOW, `list after ${what}`);
    const names = l.items.map((e) => e.name);
    for (const e of l.items) await S().api('DELETE', `/api/v1/calendar/events/${e.id}`, { token: await victim.token() });
    assert.deepEqual(names, [], `${what}: nothing may be stored`);
  }

  async function assertAlive(what) {
    const r = await S().api('GET', '/livez');
    expectStatus(r, 200, `server alive after ${what}`);
  }

  it('rejects bad event bodies with a 4xx problem naming the field, storing nothing', async () => {
    const s = S();
    const token = await victim.token();
    const failures = [];
    for (const c of CREATE_CASES) {
      const opts = { token };
      if (c.raw !== undefined) opts.raw = c.raw; else opts.body = c.body;
      if (c.contentType) opts.contentType = c.contentType;
      if (c.chunked) opts.chunked = true;
      let r;
      try {
        r = await s.api('POST', '/api/v1/calendar/events', opts);
        const status = c.status ?? 400;
        if (c.field === null || c.orNoField) {
          const j = expectProblem(r, status, { what: c.what });
          if (c.orNoField && j.errors?.length) expectProblem(r, status, { what: c.what, anyField: c.field });
        } else {
          expectProblem(r, status, { what: c.what, anyField: c.field });
        }
        await assertNothingStored(c.what);
        await assertAlive(c.what);
      } catch (e) {
        failures.push(`[${c.what}] ${e.message}`);
        await assertAlive(c.what);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${CREATE_CASES.length} cases failed:\n\n${failures.join('\n\n')}`);
  });

  it('a request without Content-Type is refused', async () => {
    const s = S();
    const r = await s.api('POST', '/api/v1/calendar/events', { token: await victim.token(), raw: JSON.stringify(ok()), contentType: null });
    expectProblem(r, [400, 415], { what: 'no Content-Type' });
    await assertNothingStored('no Content-Type');
  });

  it('stores hostile-looking free text verbatim', async () => {
    const s = S();
    const strings = [
      "x'); DROP TABLE calendar_events;--",
      '<script>alert(1)</script>',
      '"; DELETE FROM users; --',
      "Robert'); DROP TABLE calendar_attendees;-- \\ \\' \\\"",
      '{{name}} ${jndi:ldap://x} %s%n%x',
      'emoji 🎉 café ñandú 日本語 \u202Eevil',
      '',
    ];
    const token = await writer.token();
    for (const str of strings) {
      const body = ok({ name: str || 'empty description', description: str, location: str.slice(0, 500),
        attendees: [{ email: `guest.${rand(4)}@example.com`, displayName: str || 'x' }] });
      const r = await s.api('POST', '/api/v1/calendar/events', { token, body });
      expectStatus(r, 201, `create with ${JSON.stringify(str)}`);
      assert.match(r.headers['content-type'] || '', /^application\/json\b/, describeRes(r));
      const g = await s.api('GET', `/api/v1/calendar/events/${r.json.id}`, { token });
      expectStatus(g, 200);
      for (const e of [r.json, g.json]) {
        assert.equal(e.name, body.name, `name round-trips\n${describeRes(g)}`);
        // an empty optional text may come back as null
        assert.equal(e.description ?? '', body.description, `description round-trips\n${describeRes(g)}`);
        assert.equal(e.location ?? '', body.location, `location round-trips\n${describeRes(g)}`);
        assert.equal(e.attendees.find((a) => a.email === body.attendees[0].email)?.displayName, body.attendees[0].displayName, 'displayName round-trips');
      }
      const l = await s.listEvents(writer, WINDOW);
      assert.ok(l.items.some((e) => e.id === r.json.id && e.name === body.name), 'listed with the same name');
    }
    // a multi-line description is data too (name and location may be one-line only)
    const desc = 'line1\nline2\r\ntab\there\n\n<b>bold</b>';
    const ml = await s.createEvent(writer, ok({ name: 'multi-line description', description: desc }));
    assert.equal(ml.description, desc);
    const mg = await s.api('GET', `/api/v1/calendar/events/${ml.id}`, { token });
    assert.equal(mg.json.description, desc, describeRes(mg));

    // the tables still work
    const again = await s.createEvent(writer, ok({ name: 'after the injections' }));
    expectStatus(await s.api('GET', `/api/v1/calendar/events/${again.id}`, { token }), 200);
    expectStatus(await s.api('GET', '/api/v1/me', { token }), 200);
  });

  it('a NUL in free text is either refused or stored verbatim, never truncated', async () => {
    const s = S();
    const token = await writer.token();
    const name = `before\u0000after ${rand()}`;
    const r = await s.api('POST', '/api/v1/calendar/events', { token, body: ok({ name, description: 'a\u0000b' }) });
    if (r.status === 201) {
      const g = await s.api('GET', `/api/v1/calendar/events/${r.json.id}`, { token });
      assert.equal(g.json.name, name, describeRes(g));
      assert.equal(g.json.description, 'a\u0000b', describeRes(g));
    } else {
      // a JSON parser may refuse \u0000 for the whole document, naming no field
      const j = expectProblem(r, 400, { what: 'NUL in name' });
      if (j.errors?.length) expectProblem(r, 400, { anyField: ['name', 'description'], what: 'NUL in name' });
      const l = await s.listEvents(writer, WINDOW);
      assert.ok(!l.items.some((e) => e.name.startsWith('before')), 'nothing stored');
    }
  });

  it('rejects bad list queries naming the parameter', async () => {
    const s = S();
    const token = await victim.token();
    const q = (o) => `/api/v1/calendar/events?${new URLSearchParams(o)}`;
    const cases = [
      [{ to: WINDOW.to }, ['from']],
      [{ from: WINDOW.from }, ['to']],
      [{ from: 'yesterday', to: WINDOW.to }, ['from']],
      [{ from: WINDOW.from, to: '2026-02-30T00:00:00Z' }, ['to']],
      [{ from: '2026-06-01T00:00:00', to: '2026-06-02T00:00:00Z' }, ['from']],
      [{ from: '2026-06-02T00:00:00Z', to: '2026-06-01T00:00:00Z' }, ['to', 'from']],
      [{ from: '2026-06-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, ['to', 'from']],
      [{ from: '2026-01-01T00:00:00Z', to: '2027-01-03T00:00:00Z' }, ['to', 'from']],
      [{ from: '2026-01-01', to: '2027-01-03' }, ['to', 'from']],
      [{ from: "2026-01-01T00:00:00Z' OR 1=1--", to: WINDOW.to }, ['from']],
      [{ ...WINDOW, limit: '0' }, ['limit']],
      [{ ...WINDOW, limit: '501' }, ['limit']],
      [{ ...WINDOW, limit: '-1' }, ['limit']],
      [{ ...WINDOW, limit: 'ten' }, ['limit']],
      [{ ...WINDOW, limit: '99999999999999999999' }, ['limit']],
      [{ ...WINDOW, cursor: 'garbage' }, ['cursor']],
      [{ ...WINDOW, cursor: "' OR 1=1--" }, ['cursor']],
      [{ ...WINDOW, userIds: 'not-a-uuid' }, ['userIds']],
      [{ ...WINDOW, userIds: `${randomUUID()},` }, ['userIds']],
      [{ ...WINDOW, resModel: 'crm.lead', resId: 'nope' }, ['resId']],
      [{ ...WINDOW, userIds: Array.from({ length: 1000 }, () => randomUUID()).join(',') }, ['userIds'], [400, 414, 431]],
    ];
    for (const [query, fields, status] of cases) {
      const r = await s.api('GET', q(query), { token });
      const what = `GET ${JSON.stringify(query).slice(0, 200)}`;
      if (status && r.status !== 400) expectStatus(r, status, what); // refused by the HTTP layer
      else expectProblem(r, 400, { anyField: fields, what });
    }
    // 366 days is allowed
    expectStatus(await s.api('GET', q({ from: '2026-01-01T00:00:00Z', to: '2027-01-02T00:00:00Z' }), { token }), 200, '366-day window');
    await assertAlive('bad list queries');
  });

  it('a tampered cursor is a 400 or a valid page, never a crash', async () => {
    const s = S();
    const token = await writer.token();
    const first = await s.listEvents(writer, { ...WINDOW, limit: '1' });
    assert.equal(typeof first.nextCursor, 'string', 'writer has more than one event');
    // tampering with the cursor must not crash or leak: 400, or a valid page
    const c = first.nextCursor;
    const flipped = c.slice(0, -2) + (c.slice(-2) === 'AA' ? 'BB' : 'AA');
    const r = await s.api('GET', `/api/v1/calendar/events?${new URLSearchParams({ ...WINDOW, limit: '1', cursor: flipped })}`, { token });
    assert.ok(r.status === 400 || r.status === 200, describeRes(r));
    if (r.status === 400) expectProblem(r, 400, { anyField: ['cursor'] });
    await assertAlive('tampered cursor');
  });

  it('rejects a malformed id in the path naming "id"', async () => {
    const s = S();
    const token = await writer.token();
    for (const id of ['not-a-uuid', '123', "1'%20OR%20'1'%3D'1", `${ev.id}x`, ev.id.slice(0, -1), '%00']) {
      for (const [method, suffix, body] of [['GET', ''], ['PATCH', '', { name: 'x' }], ['DELETE', ''], ['POST', '/respond', { response: 'accepted' }]]) {
        const r = await s.api(method, `/api/v1/calendar/events/${id}${suffix}`, { token, body });
        expectProblem(r, 400, { fields: ['id'], what: `${method} events/${id}${suffix}` });
      }
    }
    const g = await s.api('GET', `/api/v1/calendar/events/${ev.id}`, { token });
    expectStatus(g, 200);
    assert.equal(g.json.name, 'Patch target');
  });

  it('rejects bad PATCH bodies and changes nothing', async () => {
    const s = S();
    const token = await writer.token();
    const url = `/api/v1/calendar/events/${ev.id}`;
    const g0 = await s.api('GET', url, { token });
    const cases = [
      [{ raw: '{"name":' }, null],
      [{ raw: '[]' }, null],
      [{ body: { name: '' } }, ['name']],
      [{ body: { name: null } }, ['name']],
      [{ body: { name: 7 } }, ['name']],
      [{ body: { colour: 'red' } }, ['colour']],
      [{ body: { privacy: 'secret' } }, ['privacy']],
      [{ body: { endDatetime: '2026-12-01T08:00:00Z' } }, ['endDatetime', 'startDatetime']],
      [{ body: { startDatetime: '2026-12-01T11:00:00Z' } }, ['endDatetime', 'startDatetime']],
      [{ body: { timezone: 'Nowhere/Land' } }, ['timezone']],
      [{ body: { attendees: [{ userId: 'x' }] } }, ['userId']],
      [{ body: { alarms: [{ type: 'email', intervalValue: -5, intervalUnit: 'days' }] } }, ['intervalValue']],
      [{ body: { resId: 'x' } }, ['resId']],
      [{ body: { startDatetime: '2026-12-01T09:00:00' } }, ['startDatetime']],
      [{ raw: JSON.stringify({ name: 'x' }), contentType: 'text/plain' }, null, 415],
    ];
    for (const [opts, fields, status = 400] of cases) {
      const r = await s.api('PATCH', url, { token, ...opts });
      expectProblem(r, status, { anyField: fields || undefined, what: `PATCH ${opts.raw ?? JSON.stringify(opts.body)}` });
      const g = await s.api('GET', url, { token });
      assert.deepEqual(g.json, g0.json, `PATCH ${opts.raw ?? JSON.stringify(opts.body)} must change nothing`);
      assert.equal(g.headers.etag, g0.headers.etag);
    }
  });
});
