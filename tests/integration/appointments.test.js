// Appointment booking over HTTP, against docs/internals/appointments.md, on
// SQLite and PostgreSQL: the whole flow through the public routes and the
// real SMTP sink (confirmation with iMIP, manage link as JSON and HTML,
// reschedule, cancel, the assignee told in-app and by mail); types: CRUD,
// rights, ETag/If-Match, the validation matrix; slots: DST in the type's
// zone, display zones, every kind of busy time, buffers, the booking
// window, choice mode, the daily cap; bad bookings (4xx, nothing booked);
// Idempotency-Key; CRM leads; auto assignment; manage refusals; and the
// customer's reminder with the server's clock moved.
//
// Every case takes assignees of its own, so that one case's bookings and
// events do not change another's slots. Times are next weeks' Mondays in
// the type's zone, computed with Intl (not with the server's tz code).

import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STORES, startServer, startSmtpSink, expectStatus, expectProblem, describeRes, rand, randomUUID, isoZ, sleep,
  UUID_RE, UTC_RE,
} from './lib/harness.js';
import {
  API, MIN, HOUR, DAY, PUBLIC_ENV, zoned, localDate, localIso, localHhmm, addDays, nextMonday, daysBetween,
  offsetMinutes, typeBody, createType, getSlots, slotStarts, bookBody, book, managePath, sql, eventsOf,
} from './lib/appointments.js';

const MX = 'America/Mexico_City'; // no DST since 2022: Mondays keep their UTC hours
const NY = 'America/New_York';
const MADRID = 'Europe/Madrid';

const TYPE_KEYS = ['id', 'companyId', 'name', 'description', 'location', 'durationMinutes', 'slotIntervalMinutes',
  'bufferBeforeMinutes', 'bufferAfterMinutes', 'scheduleRangeDays', 'minBookingHours', 'timezone', 'availability',
  'assignmentMode', 'assigneeIds', 'maxBookingsPerDay', 'allowReschedule', 'allowCancel', 'cancelHoursBefore',
  'confirmationEmail', 'reminderEmail', 'reminderHoursBefore', 'createOpportunity', 'isPublished', 'slug',
  'createdAt', 'updatedAt'];
const PUBLIC_KEYS = ['id', 'name', 'description', 'location', 'slug', 'durationMinutes', 'timezone', 'assignmentMode',
  'scheduleRangeDays', 'minBookingHours', 'allowReschedule', 'allowCancel', 'cancelHoursBefore', 'assignees'];
const BOOKING_KEYS = ['id', 'status', 'appointmentType', 'assignee', 'eventId', 'leadId', 'startDatetime',
  'endDatetime', 'customerName', 'customerEmail', 'customerPhone', 'notes', 'canReschedule', 'canCancel',
  'changeDeadline', 'manageUrl'];
const SLOT_KEYS = ['start', 'end', 'localStart', 'localEnd', 'assigneeIds'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const sorted = (a) => [...a].sort();
const to = (m) => (m.rcptTos || [])[0];
const ical = (m) => m.calendar?.parsed;
const vevent = (m) => m.calendar?.parsed?.events?.[0];
const mailLine = (m) => `  #${m.seq} -> ${to(m)} ${JSON.stringify(m.subject)} ${ical(m)?.method || ''}`;

/** errors[].field names `f` itself or something inside it (f.x, f[0]). */
function expectFields(res, fields, what) {
  const got = (res.json?.errors || []).map((e) => e.field);
  for (const f of fields) {
    assert.ok(got.some((g) => g === f || g.startsWith(`${f}.`) || g.startsWith(`${f}[`)),
      `${what}: errors[].field must name ${JSON.stringify(f)} (got ${JSON.stringify(got)})\n${describeRes(res)}`);
  }
}

/** A 400 that names `fields`. */
function expectInvalid(res, fields, what) {
  expectProblem(res, 400, { code: 'validation_failed', what });
  expectFields(res, fields, what);
}

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    let server, sink, co, other, admin, user, otherAdmin, adminToken;

    before(async () => {
      sink = await startSmtpSink();
      server = await startServer(store, {
        ...PUBLIC_ENV, SMTP_URL: sink.url, SMTP_TLS: 'off', MAIL_FROM: 'citas@erp.example',
        CALENDARD_PUBLIC_URL: 'http://calendar.example',
        CALENDARD_OUTBOX_RETRY_SECONDS: '1', CALENDARD_OUTBOX_RETRY_MAX_SECONDS: '2',
      });
      co = await server.company(`Clinica ${rand(4)}`);
      other = await server.company(`Otra ${rand(4)}`);
      admin = await server.user(co, { name: 'Ada Admin', admin: true, timezone: MADRID });
      user = await server.user(co, { name: 'Uma User' });
      otherAdmin = await server.user(other, { name: 'Otto Other', admin: true });
      adminToken = await admin.token();
    });
    after(async () => {
      await server?.stop();
      await sink?.stop();
    });

    /** A new assignee of the company (own calendar, so no case sees another's bookings). */
    const assignee = (name, opts = {}) => server.user(co, { name: `${name} ${rand(3)}`, timezone: MX, ...opts });

    const mailsTo = (addr) => sink.messages().filter((m) => to(m) === addr);

    async function waitNotes(u, pred, what, ms = 15_000) {
      const deadline = Date.now() + ms;
      let last;
      for (;;) {
        last = await server.api('GET', '/api/v1/notifications?limit=200', { token: await u.token() });
        expectStatus(last, 200, 'notifications');
        const hit = last.json.items.filter(pred);
        if (hit.length) return hit;
        if (Date.now() > deadline) assert.fail(`${what}: no such notification within ${ms} ms\n${describeRes(last)}`);
        await sleep(100);
      }
    }

    async function bookOk(body, what = 'book', opts = {}) {
      const res = await book(server, body, opts);
      expectStatus(res, 201, what);
      return res.json;
    }

    async function manage(b, body, opts = {}) {
      return server.api(body ? 'POST' : 'GET', managePath(b), { body, ...opts });
    }

    // ---------------------------------------------------------------- flow

    test('the whole flow: create, publish, public list, slots, book, mails, manage link, reschedule, cancel', async () => {
      const ana = await assignee('Ana Flow');
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      const typeName = `Consulta ${rand(5)}`;
      const slug = `consulta-${rand(6)}`;

      // Created unpublished.
      let res = await server.api('POST', `${API}/types`, { token: adminToken, body: {
        name: typeName, assigneeIds: [ana.id], availability: { monday: [{ from: '09:00', to: '12:00' }] },
        timezone: MX, minBookingHours: 0, scheduleRangeDays: 60, location: 'Oficina 2', slug,
      } });
      expectStatus(res, 201, 'create type');
      const type = res.json;
      assert.match(type.id, UUID_RE);
      assert.ok((res.headers.location || '').endsWith(`${API}/types/${type.id}`), `Location: ${res.headers.location}`);
      assert.ok(res.headers.etag, 'ETag on create');
      assert.equal(type.isPublished, false);
      const unpublished = await createType(server, admin, typeBody([ana], { isPublished: false, name: `Hidden ${rand(5)}` }));

      res = await server.api('GET', `${API}/types?companySlug=${encodeURIComponent(co.slug)}`);
      expectStatus(res, 200, 'public list before publishing');
      assert.ok(!res.json.items.some((t) => t.id === type.id), 'an unpublished type is not public');
      expectProblem(await getSlots(server, type.id, { from: monday, to: monday }), 404, { what: 'slots of an unpublished type' });
      expectProblem(await book(server, bookBody(type, at('09:00'))), 404, { what: 'booking an unpublished type' });

      // Published with If-Match.
      res = await server.api('GET', `${API}/types/${type.id}`, { token: adminToken });
      expectStatus(res, 200);
      res = await server.api('PATCH', `${API}/types/${type.id}`, { token: adminToken, body: { isPublished: true }, headers: { 'If-Match': res.headers.etag } });
      expectStatus(res, 200, 'publish');
      assert.equal(res.json.isPublished, true);

      // The public list: published types only, no e-mails, no ids but the type's and the assignees'.
      res = await server.api('GET', `${API}/types?companySlug=${encodeURIComponent(co.slug)}`);
      expectStatus(res, 200, 'public list');
      const pub = res.json.items.find((t) => t.id === type.id);
      assert.ok(pub, `the published type is listed\n${describeRes(res)}`);
      assert.ok(!res.json.items.some((t) => t.id === unpublished.id), 'the unpublished one is not');
      assert.deepEqual(sorted(Object.keys(pub)), sorted(PUBLIC_KEYS), 'the public view has exactly the contract\'s fields');
      assert.deepEqual(pub.assignees, [{ id: ana.id, name: ana.name }]);
      assert.equal(pub.slug, slug);
      assert.equal(pub.location, 'Oficina 2');
      assert.ok(!res.text.includes('@'), `no e-mail address in the public list\n${res.text}`);
      const allowedIds = new Set(res.json.items.flatMap((t) => [t.id, ...(t.assignees || []).map((a) => a.id)]));
      for (const id of res.text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) || []) {
        assert.ok(allowedIds.has(id), `the public list shows an id that is neither a type's nor an assignee's: ${id}`);
      }
      assert.ok(!res.text.includes(co.id), 'no company id');

      // Slots: the six half hours of Monday morning, in the type's zone.
      res = await getSlots(server, type.id, { from: monday, to: monday });
      expectStatus(res, 200, 'slots');
      assert.equal(res.json.appointmentTypeId, type.id);
      assert.equal(res.json.timezone, MX);
      assert.equal(res.json.typeTimezone, MX);
      assert.match(res.json.from, UTC_RE);
      assert.match(res.json.to, UTC_RE);
      const hours = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'];
      assert.deepEqual(res.json.slots.map((s) => s.start), hours.map((h) => isoZ(at(h))), 'slot starts');
      for (const s of res.json.slots) {
        assert.deepEqual(sorted(Object.keys(s)), sorted(SLOT_KEYS), JSON.stringify(s));
        assert.equal(s.end, isoZ(Date.parse(s.start) + 30 * MIN));
        assert.equal(s.localStart, localIso(Date.parse(s.start), MX));
        assert.equal(s.localEnd, localIso(Date.parse(s.end), MX));
        assert.deepEqual(s.assigneeIds, [ana.id]);
      }

      // Book 10:00 (sent as local time with its offset), in English, phone with separators.
      const customer = { name: 'Carla Cliente', email: `carla.${rand(6)}@customer.example` };
      res = await book(server, {
        appointmentTypeId: type.id, startDatetime: localIso(at('10:00'), MX), customerName: customer.name,
        customerEmail: customer.email, customerPhone: '+52 (55) 1234-5678', notes: 'Primera visita', timezone: MADRID, lang: 'en',
      });
      expectStatus(res, 201, 'book');
      const b = res.json;
      assert.deepEqual(sorted(Object.keys(b)), sorted(BOOKING_KEYS), 'the booking has exactly the contract\'s fields');
      assert.match(b.id, UUID_RE);
      assert.equal(b.status, 'confirmed');
      assert.deepEqual(b.appointmentType, { id: type.id, name: typeName, durationMinutes: 30, timezone: MX, location: 'Oficina 2' });
      assert.deepEqual(b.assignee, { id: ana.id, name: ana.name });
      assert.match(b.eventId, UUID_RE);
      assert.equal(b.leadId, null);
      assert.equal(b.startDatetime, isoZ(at('10:00')));
      assert.equal(b.endDatetime, isoZ(at('10:30')));
      assert.equal(b.customerName, customer.name);
      assert.equal(b.customerEmail, customer.email);
      assert.equal(b.customerPhone, '+525512345678', 'separators are dropped');
      assert.equal(b.notes, 'Primera visita');
      assert.equal(b.canReschedule, true);
      assert.equal(b.canCancel, true);
      assert.equal(b.changeDeadline, isoZ(at('10:00') - 24 * HOUR), 'start − cancelHoursBefore (24)');
      assert.match(b.manageUrl, /^http:\/\/calendar\.example\/api\/v1\/calendar\/appointments\/bookings\/[A-Za-z0-9_-]{16,}$/);
      const path = managePath(b);
      assert.equal(res.headers.location, path, 'Location: the manage path');

      // The booked time is gone from the slots.
      assert.deepEqual(await slotStarts(server, type.id, monday), hours.filter((h) => h !== '10:00').map((h) => isoZ(at(h))));

      // The event in Ana's calendar.
      res = await server.api('GET', `/api/v1/calendar/events/${b.eventId}`, { token: await ana.token() });
      expectStatus(res, 200, 'the booking\'s event');
      const ev = res.json;
      assert.equal(ev.name, `${typeName} — ${customer.name}`);
      assert.equal(ev.description, 'Primera visita');
      assert.equal(ev.location, 'Oficina 2');
      assert.equal(ev.resModel, 'appointment.booking');
      assert.equal(ev.resId, b.id);
      assert.equal(ev.organizerId, ana.id);
      assert.equal(ev.startDatetime, b.startDatetime);
      assert.equal(ev.endDatetime, b.endDatetime);
      assert.ok(ev.attendees.some((a) => a.email === customer.email), `the customer is an attendee: ${JSON.stringify(ev.attendees)}`);

      // The confirmation: English, iMIP REQUEST with the event's UID, the manage link.
      await sink.waitFor((all) => all.some((m) => to(m) === customer.email && ical(m)?.method === 'REQUEST'));
      const conf = mailsTo(customer.email);
      assert.equal(conf.length, 1, `one message to the customer\n${conf.map(mailLine).join('\n')}`);
      const c0 = conf[0];
      assert.match(c0.subject, /^Appointment confirmed/, c0.subject);
      assert.ok(c0.subject.includes(typeName), c0.subject);
      assert.equal(c0.calendar.methodParam, 'REQUEST');
      const v0 = vevent(c0);
      assert.equal(v0.uid, `${b.eventId}@calendard`);
      assert.equal(v0.dtstart, b.startDatetime);
      assert.equal(v0.dtend, b.endDatetime);
      assert.equal(v0.organizer, ana.email);
      assert.ok(v0.attendees.some((a) => a.email === customer.email), 'the customer is an ATTENDEE');
      assert.ok(c0.links.some((l) => l === b.manageUrl), `the manage link is in the message: ${JSON.stringify(c0.links)}`);
      assert.ok(c0.text.includes(path), 'the manage link is in the text part');
      assert.match(c0.text, /Europe\/Madrid/, 'times in the customer\'s zone');

      // Ana hears of it: in-app and by mail.
      const mine = (n) => n.eventId === b.eventId || `${n.title} ${n.body || ''}`.includes(customer.name);
      const notesAfterBooking = await waitNotes(ana, mine, 'the assignee\'s in-app notice of the booking');
      await sink.waitFor((all) => all.some((m) => to(m) === ana.email), 15_000);

      // The manage link: JSON, and a page for browsers.
      res = await manage(b);
      expectStatus(res, 200, 'GET manage link');
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.equal(res.json.id, b.id);
      assert.equal(res.json.status, 'confirmed');
      assert.equal(res.json.manageUrl, b.manageUrl);
      assert.equal(res.json.startDatetime, b.startDatetime);
      res = await manage(b, undefined, { headers: { Accept: 'text/html' } });
      expectStatus(res, 200, 'GET manage link as HTML');
      assert.match(res.headers['content-type'], /^text\/html/);
      assert.ok(res.text.includes(typeName), 'the page names the appointment');
      assert.match(res.text, /<form/i, 'the page has its forms (cancel, reschedule)');

      // Reschedule to 11:00: same event and UID, higher SEQUENCE, the old time free again.
      res = await manage(b, { action: 'reschedule', startDatetime: isoZ(at('11:00')) });
      expectStatus(res, 200, 'reschedule');
      assert.equal(res.json.id, b.id);
      assert.equal(res.json.status, 'confirmed');
      assert.equal(res.json.eventId, b.eventId);
      assert.equal(res.json.startDatetime, isoZ(at('11:00')));
      assert.equal(res.json.endDatetime, isoZ(at('11:30')));
      assert.deepEqual(res.json.assignee, { id: ana.id, name: ana.name });
      assert.deepEqual(await slotStarts(server, type.id, monday), hours.filter((h) => h !== '11:00').map((h) => isoZ(at(h))),
        '10:00 free again, 11:00 taken');
      await sink.waitFor((all) => all.filter((m) => to(m) === customer.email && ical(m)?.method === 'REQUEST').length >= 2);
      const r1 = mailsTo(customer.email).filter((m) => ical(m)?.method === 'REQUEST')[1];
      assert.equal(vevent(r1).uid, v0.uid, 'same UID');
      assert.ok(Number(vevent(r1).sequence ?? 0) > Number(v0.sequence ?? 0), `higher SEQUENCE: ${v0.sequence} -> ${vevent(r1).sequence}`);
      assert.equal(vevent(r1).dtstart, isoZ(at('11:00')));
      res = await server.api('GET', `/api/v1/calendar/events/${b.eventId}`, { token: await ana.token() });
      expectStatus(res, 200);
      assert.equal(res.json.startDatetime, isoZ(at('11:00')), 'the event moved');

      // Cancel: iMIP CANCEL, the event gone, the time free, a second cancel 410.
      res = await manage(b, { action: 'cancel' });
      expectStatus(res, 200, 'cancel');
      assert.equal(res.json.status, 'cancelled');
      assert.equal(res.json.id, b.id);
      await sink.waitFor((all) => all.some((m) => to(m) === customer.email && ical(m)?.method === 'CANCEL'));
      const cx = mailsTo(customer.email).find((m) => ical(m)?.method === 'CANCEL');
      assert.equal(vevent(cx).uid, v0.uid);
      assert.match(cx.calendar.methodParam || '', /^CANCEL$/i);
      assert.deepEqual(await slotStarts(server, type.id, monday), hours.map((h) => isoZ(at(h))), 'every slot free again');
      res = await server.api('GET', `/api/v1/calendar/events/${b.eventId}`, { token: await ana.token() });
      expectStatus(res, 404, 'the cancelled booking\'s event is gone');
      res = await manage(b);
      expectStatus(res, 200, 'the manage link still shows a cancelled booking');
      assert.equal(res.json.status, 'cancelled');
      expectProblem(await manage(b, { action: 'cancel' }), 410, { code: 'gone', what: 'second cancel' });
      expectProblem(await manage(b, { action: 'reschedule', startDatetime: isoZ(at('09:00')) }), 410, { code: 'gone', what: 'reschedule after cancel' });
      await waitNotes(ana, (n) => mine(n) && !notesAfterBooking.some((o) => o.id === n.id), 'the assignee\'s notice of the changes');
      const total = mailsTo(customer.email);
      assert.equal(total.length, 3, `confirmation, new confirmation, cancellation\n${total.map(mailLine).join('\n')}`);
      // The freed time can be booked again.
      const again = await bookOk(bookBody(type, at('11:00')), 'the cancelled time booked again');
      assert.notEqual(again.eventId, b.eventId, 'a new event');
    });

    test('the language of the mails: lang, else Accept-Language, else Spanish; confirmationEmail false sends none', async () => {
      const ben = await assignee('Ben Lang');
      const type = await createType(server, admin, typeBody([ben]));
      const quiet = await createType(server, admin, typeBody([ben], { confirmationEmail: false, availability: { monday: [{ from: '14:00', to: '15:00' }] } }));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      const es = await bookOk(bookBody(type, at('09:00')), 'no lang, no Accept-Language');
      const en = await bookOk(bookBody(type, at('09:30')), 'Accept-Language en', { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
      const forced = await bookOk(bookBody(type, at('10:00'), { lang: 'es' }), 'lang es over Accept-Language en', { headers: { 'Accept-Language': 'en' } });
      const none = await bookOk(bookBody(quiet, at('14:00')), 'confirmationEmail false');
      await sink.waitFor((all) => [es, en, forced].every((x) => all.some((m) => to(m) === x.customerEmail)));
      assert.match(mailsTo(es.customerEmail)[0].subject, /^Cita confirmada/);
      assert.match(mailsTo(en.customerEmail)[0].subject, /^Appointment confirmed/);
      assert.match(mailsTo(forced.customerEmail)[0].subject, /^Cita confirmada/);
      await sleep(1500);
      assert.equal(mailsTo(none.customerEmail).length, 0, 'confirmationEmail false: nothing to the customer');
    });

    // -------------------------------------------------------------- types

    test('types: defaults, reads by any colleague, writes by admins only, other companies 404', async () => {
      const cy = await assignee('Cy Crud');
      let res = await server.api('POST', `${API}/types`, { token: adminToken, body: {
        name: 'Consulta', assigneeIds: [cy.id], availability: { monday: [{ from: '09:00', to: '12:00' }], tuesday: [] },
      } });
      expectStatus(res, 201, 'minimal create');
      const t = res.json;
      // docs/openapi.json adds the assignees' names (AppointmentType.assignees) to the contract's fields.
      assert.deepEqual(sorted(Object.keys(t)), sorted([...TYPE_KEYS, 'assignees']), 'the type has exactly the contract\'s fields');
      assert.deepEqual(t.assignees, [{ id: cy.id, name: cy.name }]);
      assert.match(t.id, UUID_RE);
      assert.equal(t.companyId, co.id);
      assert.equal(t.name, 'Consulta');
      assert.equal(t.description, null);
      assert.equal(t.location, null);
      assert.equal(t.durationMinutes, 30);
      assert.ok(t.slotIntervalMinutes === null || t.slotIntervalMinutes === 30, `slotIntervalMinutes: null or the duration, got ${t.slotIntervalMinutes}`);
      assert.equal(t.bufferBeforeMinutes, 0);
      assert.equal(t.bufferAfterMinutes, 0);
      assert.equal(t.scheduleRangeDays, 30);
      assert.equal(t.minBookingHours, 24);
      assert.equal(t.timezone, MADRID, 'the admin\'s zone');
      assert.deepEqual(t.availability, { monday: [{ from: '09:00', to: '12:00' }], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] });
      assert.deepEqual(Object.keys(t.availability), DAYS, 'all seven days, in week order');
      assert.equal(t.assignmentMode, 'auto');
      assert.deepEqual(t.assigneeIds, [cy.id]);
      assert.equal(t.maxBookingsPerDay, null);
      for (const k of ['allowReschedule', 'allowCancel', 'confirmationEmail', 'reminderEmail']) assert.equal(t[k], true, k);
      assert.equal(t.cancelHoursBefore, 24);
      assert.equal(t.reminderHoursBefore, 24);
      assert.equal(t.createOpportunity, false);
      assert.equal(t.isPublished, false);
      assert.ok(t.slug === null || /^[a-z0-9-]{1,100}$/.test(t.slug), `slug ${t.slug}`);
      assert.match(t.createdAt, UTC_RE);
      assert.match(t.updatedAt, UTC_RE);

      // Reads: any colleague; the list has published and unpublished types.
      res = await server.api('GET', `${API}/types/${t.id}`, { token: await user.token() });
      expectStatus(res, 200, 'a colleague reads');
      assert.deepEqual(res.json, t);
      assert.ok(res.headers.etag, 'ETag on GET');
      res = await server.api('GET', `${API}/types`, { token: await user.token() });
      expectStatus(res, 200, 'list');
      assert.ok(res.json.items.some((x) => x.id === t.id), 'the unpublished type is in the company\'s list');
      assert.ok(res.json.items.every((x) => x.companyId === co.id), 'only the caller\'s company');

      // Writes: admins only.
      const utok = await user.token();
      expectProblem(await server.api('POST', `${API}/types`, { token: utok, body: typeBody([cy]) }), 403, { code: 'forbidden', what: 'a user creates' });
      expectProblem(await server.api('PATCH', `${API}/types/${t.id}`, { token: utok, body: { name: 'Mine' } }), 403, { code: 'forbidden', what: 'a user patches' });
      expectProblem(await server.api('DELETE', `${API}/types/${t.id}`, { token: utok }), 403, { code: 'forbidden', what: 'a user deletes' });

      // Another company: 404 everywhere, and not in its list.
      const otok = await otherAdmin.token();
      expectProblem(await server.api('GET', `${API}/types/${t.id}`, { token: otok }), 404, { what: 'other company reads' });
      expectProblem(await server.api('PATCH', `${API}/types/${t.id}`, { token: otok, body: { name: 'Theirs' } }), 404, { what: 'other company patches' });
      expectProblem(await server.api('DELETE', `${API}/types/${t.id}`, { token: otok }), 404, { what: 'other company deletes' });
      res = await server.api('GET', `${API}/types`, { token: otok });
      expectStatus(res, 200);
      assert.ok(!res.json.items.some((x) => x.id === t.id));
      expectProblem(await server.api('GET', `${API}/types/${randomUUID()}`, { token: adminToken }), 404, { what: 'unknown type' });
      res = await server.api('GET', `${API}/types/${t.id}`, { token: adminToken });
      assert.equal(res.json.name, 'Consulta', 'nothing changed');

      // The public list: 400 without a company, empty for an unknown one.
      expectProblem(await server.api('GET', `${API}/types`), 400, { what: 'no token, no companySlug' });
      res = await server.api('GET', `${API}/types?companySlug=no-such-company-${rand(6)}`);
      expectStatus(res, 200, 'unknown companySlug');
      assert.deepEqual(res.json.items, []);
    });

    test('types: PATCH with If-Match (412 when stale), slug unique per company (409), DELETE keeps bookings but ends slots and booking', async () => {
      const dee = await assignee('Dee Patch');
      const slug = `unico-${rand(6)}`;
      const t = await createType(server, admin, typeBody([dee], { slug }));
      let res = await server.api('GET', `${API}/types/${t.id}`, { token: adminToken });
      const etag1 = res.headers.etag;
      assert.ok(etag1);
      res = await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { description: 'Primera consulta' }, headers: { 'If-Match': etag1 } });
      expectStatus(res, 200, 'PATCH with the current ETag');
      assert.equal(res.json.description, 'Primera consulta');
      assert.equal(res.json.name, t.name, 'other fields kept');
      const etag2 = res.headers.etag;
      assert.ok(etag2 && etag2 !== etag1, `a new ETag: ${etag1} -> ${etag2}`);
      expectProblem(await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { description: 'stale' }, headers: { 'If-Match': etag1 } }),
        412, { code: 'precondition_failed', what: 'stale If-Match' });
      res = await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { durationMinutes: 45, slotIntervalMinutes: 15 } });
      expectStatus(res, 200, 'PATCH without If-Match');
      assert.equal(res.json.durationMinutes, 45);
      assert.equal(res.json.slotIntervalMinutes, 15);
      assert.equal(res.json.description, 'Primera consulta', 'the stale write changed nothing');

      // Bad PATCHes change nothing.
      const before = (await server.api('GET', `${API}/types/${t.id}`, { token: adminToken })).json;
      expectInvalid(await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken,
        body: { availability: { monday: [{ from: '09:00', to: '12:00' }, { from: '11:00', to: '13:00' }] } } }), ['availability.monday[1]'], 'PATCH overlapping ranges');
      expectInvalid(await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { assigneeIds: [] } }), ['assigneeIds'], 'PATCH no assignees');
      expectInvalid(await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { colour: 'red' } }), ['colour'], 'PATCH unknown field');
      expectInvalid(await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { durationMinutes: 1441 } }), ['durationMinutes'], 'PATCH duration');
      res = await server.api('GET', `${API}/types/${t.id}`, { token: adminToken });
      assert.deepEqual(res.json, before, 'refused PATCHes changed nothing');

      // Slugs: unique in the company, free in another.
      expectProblem(await server.api('POST', `${API}/types`, { token: adminToken, body: typeBody([dee], { slug }) }), 409, { code: 'already_exists', what: 'slug taken (create)' });
      const t2 = await createType(server, admin, typeBody([dee], { slug: `${slug}-2` }));
      expectProblem(await server.api('PATCH', `${API}/types/${t2.id}`, { token: adminToken, body: { slug } }), 409, { code: 'already_exists', what: 'slug taken (patch)' });
      const otherDee = await server.user(other, { name: 'Dee Other' });
      const theirs = await createType(server, otherAdmin, typeBody([otherDee], { slug }));
      assert.equal(theirs.slug, slug, 'another company may use the same slug');

      // DELETE: a booking keeps its type; the type leaves every list, its slots and booking are 404.
      const monday = nextMonday(MX);
      await server.api('PATCH', `${API}/types/${t.id}`, { token: adminToken, body: { durationMinutes: 30, slotIntervalMinutes: null } }).then((r) => expectStatus(r, 200));
      const kept = await bookOk(bookBody(t, zoned(monday, '09:00', MX)), 'book before delete');
      res = await server.api('DELETE', `${API}/types/${t.id}`, { token: adminToken });
      expectStatus(res, 204, 'delete');
      res = await server.api('GET', `${API}/types`, { token: adminToken });
      assert.ok(!res.json.items.some((x) => x.id === t.id), 'gone from the company list');
      res = await server.api('GET', `${API}/types?companySlug=${encodeURIComponent(co.slug)}`);
      assert.ok(!res.json.items.some((x) => x.id === t.id), 'gone from the public list');
      expectProblem(await getSlots(server, t.id, { from: monday, to: monday }), 404, { what: 'slots of a deleted type' });
      expectProblem(await book(server, bookBody(t, zoned(monday, '10:00', MX))), 404, { what: 'booking a deleted type' });
      res = await manage(kept);
      expectStatus(res, 200, 'a booking of a deleted type is still there');
      assert.equal(res.json.appointmentType.id, t.id);
      assert.equal(res.json.status, 'confirmed');
    });

    test('types: the validation matrix (400 naming the field, nothing stored)', async () => {
      const eve = await assignee('Eve Valid');
      const stranger = await server.user(other, { name: 'Sam Stranger' });
      const list = async () => (await server.api('GET', `${API}/types`, { token: adminToken })).json.items.map((x) => x.id);
      const before = await list();
      const mon = (...ranges) => ({ availability: { monday: ranges.map(([from, to]) => ({ from, to })) } });
      const drop = (k) => (b) => { delete b[k]; return b; };
      // [what, overrides or fn(body), fields that errors[].field must name]
      const cases = [
        ['missing name', drop('name'), ['name']],
        ['empty name', { name: '' }, ['name']],
        ['name of 201 characters', { name: 'n'.repeat(201) }, ['name']],
        ['name is a number', { name: 5 }, ['name']],
        ['description of 5001 characters', { description: 'd'.repeat(5001) }, ['description']],
        ['location of 501 characters', { location: 'l'.repeat(501) }, ['location']],
        ['missing assigneeIds', drop('assigneeIds'), ['assigneeIds']],
        ['no assignees', { assigneeIds: [] }, ['assigneeIds']],
        ['assigneeIds is a string', { assigneeIds: eve.id }, ['assigneeIds']],
        ['an assignee id that is not a UUID', { assigneeIds: ['nope'] }, ['assigneeIds']],
        ['an assignee that does not exist', { assigneeIds: [randomUUID()] }, ['assigneeIds']],
        ['an assignee of another company', { assigneeIds: [stranger.id] }, ['assigneeIds']],
        ['65 assignees', { assigneeIds: Array.from({ length: 65 }, () => randomUUID()) }, ['assigneeIds']],
        ['missing availability', drop('availability'), ['availability']],
        ['availability is a list', { availability: [{ from: '09:00', to: '12:00' }] }, ['availability']],
        ['an unknown day', { availability: { funday: [{ from: '09:00', to: '12:00' }] } }, ['availability']],
        ['a day in upper case', { availability: { Monday: [{ from: '09:00', to: '12:00' }] } }, ['availability']],
        ['a day that is not a list', { availability: { monday: { from: '09:00', to: '12:00' } } }, ['availability.monday']],
        ['overlapping ranges', mon(['09:00', '12:00'], ['11:00', '13:00']), ['availability.monday[1]']],
        ['overlap on the third range of tuesday', { availability: { tuesday: [{ from: '08:00', to: '09:00' }, { from: '10:00', to: '11:00' }, { from: '10:30', to: '12:00' }] } }, ['availability.tuesday[2]']],
        ['from after to', mon(['12:00', '09:00']), ['availability.monday[0]']],
        ['from equal to to', mon(['09:00', '09:00']), ['availability.monday[0]']],
        ['9:00 is not HH:MM', mon(['9:00', '12:00']), ['availability.monday[0]']],
        ['12:60', mon(['09:00', '12:60']), ['availability.monday[0]']],
        ['24:01', mon(['09:00', '24:01']), ['availability.monday[0]']],
        ['24:00 as a start', mon(['24:00', '24:00']), ['availability.monday[0]']],
        ['a time as a number', { availability: { monday: [{ from: 900, to: '12:00' }] } }, ['availability.monday[0]']],
        ['an extra key in a range', { availability: { monday: [{ from: '09:00', to: '12:00', note: 'x' }] } }, ['availability.monday[0]']],
        ['a range without to', { availability: { monday: [{ from: '09:00' }] } }, ['availability.monday[0]']],
        ['13 ranges in a day', mon(...Array.from({ length: 13 }, (_, i) => [`${String(i).padStart(2, '0')}:00`, `${String(i).padStart(2, '0')}:30`])), ['availability.monday']],
        ['duration 4', { durationMinutes: 4 }, ['durationMinutes']],
        ['duration 1441', { durationMinutes: 1441 }, ['durationMinutes']],
        ['duration 30.5', { durationMinutes: 30.5 }, ['durationMinutes']],
        ['duration "30"', { durationMinutes: '30' }, ['durationMinutes']],
        ['interval 0', { slotIntervalMinutes: 0 }, ['slotIntervalMinutes']],
        ['interval 4', { slotIntervalMinutes: 4 }, ['slotIntervalMinutes']],
        ['interval 1441', { slotIntervalMinutes: 1441 }, ['slotIntervalMinutes']],
        ['buffer before -1', { bufferBeforeMinutes: -1 }, ['bufferBeforeMinutes']],
        ['buffer after 1441', { bufferAfterMinutes: 1441 }, ['bufferAfterMinutes']],
        ['scheduleRangeDays 0', { scheduleRangeDays: 0 }, ['scheduleRangeDays']],
        ['scheduleRangeDays 731', { scheduleRangeDays: 731 }, ['scheduleRangeDays']],
        ['minBookingHours -1', { minBookingHours: -1 }, ['minBookingHours']],
        ['minBookingHours 8761', { minBookingHours: 8761 }, ['minBookingHours']],
        ['cancelHoursBefore 8761', { cancelHoursBefore: 8761 }, ['cancelHoursBefore']],
        ['reminderHoursBefore -1', { reminderHoursBefore: -1 }, ['reminderHoursBefore']],
        ['maxBookingsPerDay 0', { maxBookingsPerDay: 0 }, ['maxBookingsPerDay']],
        ['maxBookingsPerDay 1001', { maxBookingsPerDay: 1001 }, ['maxBookingsPerDay']],
        ['slug with capitals and spaces', { slug: 'Mi Consulta' }, ['slug']],
        ['slug with an underscore', { slug: 'mi_consulta' }, ['slug']],
        ['empty slug', { slug: '' }, ['slug']],
        ['slug of 101 characters', { slug: 'a'.repeat(101) }, ['slug']],
        ['a zone that does not exist', { timezone: 'Mars/Olympus_Mons' }, ['timezone']],
        ['a zone that is a path', { timezone: '../../etc/passwd' }, ['timezone']],
        ['assignmentMode random', { assignmentMode: 'random' }, ['assignmentMode']],
        ['isPublished "yes"', { isPublished: 'yes' }, ['isPublished']],
        ['allowCancel 1', { allowCancel: 1 }, ['allowCancel']],
        ['an unknown field', { colour: 'red' }, ['colour']],
        ['a snake_case field', { duration_minutes: 30 }, ['duration_minutes']],
      ];
      const failures = [];
      for (const [what, change, fields] of cases) {
        let body = typeBody([eve], { name: `Invalid ${rand(5)}` });
        body = typeof change === 'function' ? change(body) : { ...body, ...change };
        const res = await server.api('POST', `${API}/types`, { token: adminToken, body });
        try {
          expectInvalid(res, fields, what);
        } catch (e) {
          failures.push(e.message);
          if (res.status === 201) await server.api('DELETE', `${API}/types/${res.json.id}`, { token: adminToken });
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n\n')}`);
      for (const raw of ['{"name": "x", ', '[]', 'null']) {
        const res = await server.api('POST', `${API}/types`, { token: adminToken, raw });
        expectProblem(res, 400, { what: `body ${raw}` });
      }
      assert.deepEqual(sorted(await list()), sorted(before), 'nothing was stored');
      // The edges that are fine: touching ranges, 24:00 as an end, the range limits.
      const okType = await createType(server, admin, typeBody([eve], {
        ...mon(['09:00', '12:00'], ['12:00', '13:00'], ['23:00', '24:00']),
        durationMinutes: 1440, slotIntervalMinutes: 5, bufferBeforeMinutes: 1440, bufferAfterMinutes: 0,
        scheduleRangeDays: 730, minBookingHours: 8760, cancelHoursBefore: 0, reminderHoursBefore: 8760,
        maxBookingsPerDay: 1000, name: 'n'.repeat(200), slug: 'a'.repeat(100), description: 'd'.repeat(5000), location: 'l'.repeat(500),
      }), 'the edges of every range');
      assert.deepEqual(okType.availability.monday, [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '13:00' }, { from: '23:00', to: '24:00' }]);
    });

    // -------------------------------------------------------------- slots

    test('slots: 09:00 in New York on both sides of a DST change, shown in Madrid time', async () => {
      const fay = await assignee('Fay Dst');
      // The first pair of consecutive Mondays whose 09:00 in New York differ in UTC.
      let m1 = nextMonday(NY);
      let m2 = addDays(m1, 7);
      for (let i = 0; i < 60 && offsetMinutes(zoned(m1, '09:00', NY), NY) === offsetMinutes(zoned(m2, '09:00', NY), NY); i++) {
        m1 = m2;
        m2 = addDays(m2, 7);
      }
      const t1 = zoned(m1, '09:00', NY);
      const t2 = zoned(m2, '09:00', NY);
      assert.notEqual(offsetMinutes(t1, NY), offsetMinutes(t2, NY), `no DST change found after ${nextMonday(NY)}`);
      const days = daysBetween(localDate(Date.now(), NY), m2) + 2;
      assert.ok(days <= 730, `the change is ${days} days ahead`);
      const type = await createType(server, admin, typeBody([fay], {
        timezone: NY, durationMinutes: 60, availability: { monday: [{ from: '09:00', to: '10:00' }] }, scheduleRangeDays: days,
      }));
      let res = await getSlots(server, type.id, { from: m1, to: m2 });
      expectStatus(res, 200, 'slots across the change');
      assert.deepEqual(res.json.slots.map((s) => s.start), [isoZ(t1), isoZ(t2)], `09:00 local both weeks (${m1}, ${m2})`);
      const utcHours = res.json.slots.map((s) => new Date(s.start).getUTCHours());
      assert.equal(Math.abs(utcHours[0] - utcHours[1]), 1, `the UTC hour moves by one: ${utcHours}`);
      assert.ok(res.json.slots.every((s) => s.localStart.slice(11, 16) === '09:00'), 'localStart in the type\'s zone by default');
      res = await getSlots(server, type.id, { from: m1, to: m2, timezone: MADRID });
      expectStatus(res, 200, 'slots in Madrid time');
      assert.equal(res.json.timezone, MADRID);
      assert.equal(res.json.typeTimezone, NY);
      assert.deepEqual(res.json.slots.map((s) => [s.start, s.localStart, s.localEnd]),
        [t1, t2].map((t) => [isoZ(t), localIso(t, MADRID), localIso(t + HOUR, MADRID)]));
    });

    test('slots: what makes an assignee busy (inside, touching, free, declined, tentative, invitations, weekly series with EXDATE and a moved occurrence, all-day)', async () => {
      const gil = await assignee('Gil Busy');
      const boss = await assignee('Boss Busy');
      const type = await createType(server, admin, typeBody([gil], { durationMinutes: 60, availability: { monday: [{ from: '08:00', to: '14:00' }] } }));
      const m = [0, 1, 2, 3, 4, 5].map((w) => addDays(nextMonday(MX), 7 * w));
      const at = (k, hhmm) => zoned(m[k], hhmm, MX);
      const span = (k, a, b) => ({ startDatetime: isoZ(at(k, a)), endDatetime: isoZ(at(k, b)), timezone: MX });
      const create = async (u, body, what) => {
        const res = await server.api('POST', '/api/v1/calendar/events?notify=false', { token: await u.token(), body: { name: what, ...body } });
        expectStatus(res, 201, what);
        return res.json;
      };
      // Week 0.
      await create(gil, span(0, '07:00', '08:00'), 'touching the 08:00 slot');
      await create(gil, span(0, '09:15', '09:45'), 'inside the 09:00 slot');
      await create(gil, { ...span(0, '10:00', '11:00'), showAs: 'free' }, 'shown as free');
      const declined = await create(boss, { ...span(0, '11:00', '12:00'), attendees: [{ userId: gil.id }] }, 'declined by Gil');
      let res = await server.api('POST', `/api/v1/calendar/events/${declined.id}/respond`, { token: await gil.token(), body: { response: 'declined' } });
      expectStatus(res, 200, 'decline');
      await create(gil, { ...span(0, '12:00', '12:30'), showAs: 'tentative' }, 'tentative');
      await create(boss, { ...span(0, '13:00', '14:00'), attendees: [{ userId: gil.id }] }, 'an invitation Gil has not answered');
      await create(gil, span(0, '14:00', '15:00'), 'touching the end of the day');
      await create(boss, span(0, '08:00', '14:00'), 'the boss\'s own morning');
      // Weeks 1–3: a weekly series at 09:15, week 2 left out, week 3 moved to 11:15.
      const series = await create(gil, { ...span(1, '09:15', '09:45'), rrule: 'FREQ=WEEKLY;COUNT=3', exdates: [isoZ(at(2, '09:15'))] }, 'weekly');
      const occ = `${series.id}_${isoZ(at(3, '09:15')).replace(/[-:]/g, '')}`;
      res = await server.api('PATCH', `/api/v1/calendar/events/${occ}?scope=this&notify=false`, { token: await gil.token(), body: span(3, '11:15', '11:45') });
      expectStatus(res, 200, 'move the third occurrence');
      // Week 4: an all-day event.
      await create(gil, { allDay: true, startDatetime: m[4], endDatetime: addDays(m[4], 1), timezone: MX }, 'all day');
      // Week 5: an all-day Tuesday in Tokyo, which begins on Monday at 09:00 in Mexico City.
      await create(gil, { allDay: true, startDatetime: addDays(m[5], 1), endDatetime: addDays(m[5], 2), timezone: 'Asia/Tokyo' }, 'all day in Tokyo');

      const starts = await slotStarts(server, type.id, m[0], m[5]);
      const byDay = m.map((d) => starts.filter((s) => localDate(Date.parse(s), MX) === d).map((s) => localHhmm(Date.parse(s), MX)));
      assert.deepEqual(byDay[0], ['08:00', '10:00', '11:00'], 'week 0: touching, free and declined do not block; inside, tentative and an unanswered invitation do');
      assert.deepEqual(byDay[1], ['08:00', '10:00', '11:00', '12:00', '13:00'], 'week 1: the series blocks 09:00');
      assert.deepEqual(byDay[2], ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00'], 'week 2: the EXDATE frees 09:00');
      assert.deepEqual(byDay[3], ['08:00', '09:00', '10:00', '12:00', '13:00'], 'week 3: the moved occurrence blocks 11:00, not 09:00');
      assert.deepEqual(byDay[4], [], 'week 4: the all-day event blocks the day');
      assert.deepEqual(byDay[5], ['08:00'], 'week 5: the Tokyo day blocks from 09:00 Mexico City time');
      assert.equal(starts.length, 3 + 5 + 6 + 5 + 1, `nothing on other days: ${JSON.stringify(starts)}`);
      // And booking a blocked time is refused.
      expectProblem(await book(server, bookBody(type, at(0, '09:00'))), 409, { code: 'slot_taken', what: 'booking over an event' });
      await bookOk(bookBody(type, at(0, '10:00')), 'booking over a free-shown event');
    });

    test('slots: buffers widen busy times, bookings included', async () => {
      const hal = await assignee('Hal Buffer');
      const type = await createType(server, admin, typeBody([hal], { bufferBeforeMinutes: 15, bufferAfterMinutes: 15 }));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      await server.createEvent(hal, { name: 'Busy 10:00', startDatetime: isoZ(at('10:00')), endDatetime: isoZ(at('10:30')) });
      assert.deepEqual(await slotStarts(server, type.id, monday), ['09:00', '11:00', '11:30'].map((h) => isoZ(at(h))),
        '09:30 and 10:30 are within 15 minutes of the event');
      await bookOk(bookBody(type, at('11:30')));
      assert.deepEqual(await slotStarts(server, type.id, monday), [isoZ(at('09:00'))], '11:00 ends within 15 minutes of the booking');
      expectProblem(await book(server, bookBody(type, at('11:00'))), 409, { code: 'slot_taken', what: 'within the buffer of a booking' });
    });

    test('slots: the booking window (minBookingHours from now, scheduleRangeDays with the last day whole), default from/to, 400s', async () => {
      const ivy = await assignee('Ivy Window');
      const all = Object.fromEntries(DAYS.map((d) => [d, [{ from: '00:00', to: '24:00' }]]));
      const type = await createType(server, admin, typeBody([ivy], { availability: all, durationMinutes: 60, minBookingHours: 5, scheduleRangeDays: 3 }));
      const t0 = Date.now();
      let res = await getSlots(server, type.id);
      const t1 = Date.now();
      expectStatus(res, 200, 'slots with default from/to');
      const starts = res.json.slots.map((s) => Date.parse(s.start));
      assert.ok(starts.length > 0);
      assert.ok(starts[0] >= t0 + 5 * HOUR, `the first slot (${isoZ(starts[0])}) is at least 5 h ahead`);
      assert.ok(starts[0] < t1 + 6 * HOUR, `the first slot (${isoZ(starts[0])}) is the first whole hour after now + 5 h`);
      const lastDay = addDays(localDate(t0, MX), 3);
      assert.equal(isoZ(starts.at(-1)), isoZ(zoned(lastDay, '23:00', MX)), `the last slot is 23:00 on ${lastDay}, the whole last day`);
      for (let i = 1; i < starts.length; i++) assert.equal(starts[i] - starts[i - 1], HOUR, 'every hour in between');
      // A wider request is cut to the window.
      res = await getSlots(server, type.id, { from: isoZ(t0 - 2 * DAY), to: isoZ(t0 + 20 * DAY) });
      expectStatus(res, 200, 'a request wider than the window');
      assert.equal(res.json.slots[0].start, isoZ(starts[0]));
      assert.equal(res.json.slots.at(-1).start, isoZ(starts.at(-1)));
      // Booking just outside either end is refused, just inside works.
      expectInvalid(await book(server, bookBody(type, starts[0] - HOUR)), ['startDatetime'], 'inside minBookingHours');
      expectInvalid(await book(server, bookBody(type, starts.at(-1) + HOUR)), ['startDatetime'], 'after the last day');
      await bookOk(bookBody(type, starts.at(-1)), 'the last slot of the last day');
      // Bad queries.
      const from = localDate(t0, MX);
      expectProblem(await getSlots(server, type.id, { from: addDays(from, 2), to: addDays(from, 1) }), 400, { what: 'from after to' });
      expectProblem(await getSlots(server, type.id, { from: isoZ(t0), to: isoZ(t0) }), 400, { what: 'from equal to to' });
      expectProblem(await getSlots(server, type.id, { from, to: addDays(from, 63) }), 400, { what: 'more than 62 days' });
      expectProblem(await getSlots(server, type.id, { from: 'tomorrow' }), 400, { what: 'from not a date' });
      expectProblem(await getSlots(server, type.id, { to: '2026-13-45' }), 400, { what: 'to not a date' });
      expectProblem(await getSlots(server, type.id, { timezone: 'Mars/Olympus_Mons' }), 400, { what: 'unknown display zone' });
      expectProblem(await getSlots(server, type.id, { assigneeId: user.id }), 400, { what: 'assigneeId not an assignee' });
      expectProblem(await getSlots(server, randomUUID()), 404, { what: 'unknown type' });
      expectProblem(await getSlots(server, 'not-a-uuid'), [400, 404], { what: 'type id not a UUID' });
    });

    test('slots: choice mode lists who is free per slot, assigneeId filters; the daily cap', async () => {
      const jo = await assignee('Jo Choice');
      const kim = await assignee('Kim Choice');
      const type = await createType(server, admin, typeBody([jo, kim], { assignmentMode: 'choice' }));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      await server.createEvent(jo, { name: 'Jo at nine', startDatetime: isoZ(at('09:00')), endDatetime: isoZ(at('09:30')) });
      let res = await getSlots(server, type.id, { from: monday, to: monday });
      expectStatus(res, 200);
      const who = Object.fromEntries(res.json.slots.map((s) => [localHhmm(Date.parse(s.start), MX), sorted(s.assigneeIds)]));
      assert.deepEqual(who['09:00'], [kim.id], 'only Kim at 09:00');
      assert.deepEqual(who['09:30'], sorted([jo.id, kim.id]), 'both at 09:30');
      res = await getSlots(server, type.id, { from: monday, to: monday, assigneeId: jo.id });
      expectStatus(res, 200, 'assigneeId filter');
      assert.deepEqual(res.json.slots.map((s) => localHhmm(Date.parse(s.start), MX)), ['09:30', '10:00', '10:30', '11:00', '11:30']);
      const b = await bookOk(bookBody(type, at('09:00'), { assigneeId: kim.id }), 'Kim at 09:00');
      assert.equal(b.assignee.id, kim.id);
      assert.ok(!(await slotStarts(server, type.id, monday)).includes(isoZ(at('09:00'))), 'nobody left at 09:00');

      // maxBookingsPerDay 1: once Lou has a booking that day, the day is full; the next Monday is not.
      const lou = await assignee('Lou Cap');
      const capped = await createType(server, admin, typeBody([lou], { maxBookingsPerDay: 1 }));
      await bookOk(bookBody(capped, at('10:00')), 'the first booking of the day');
      assert.deepEqual(await slotStarts(server, capped.id, monday), [], 'the day is full');
      assert.equal((await slotStarts(server, capped.id, addDays(monday, 7))).length, 6, 'the next Monday is not');
      expectProblem(await book(server, bookBody(capped, at('11:00'))), 409, { code: 'slot_taken', what: 'over the daily cap' });
    });

    // --------------------------------------------------------- bad bookings

    test('bad bookings are 4xx problem+json and book nothing', async () => {
      const max = await assignee('Max Bad');
      const ned = await assignee('Ned Bad');
      const ora = await assignee('Ora Bad');
      const type = await createType(server, admin, typeBody([max], { scheduleRangeDays: 21 }));
      const choice = await createType(server, admin, typeBody([ned, ora], { assignmentMode: 'choice' }));
      const hidden = await createType(server, admin, typeBody([max], { isPublished: false }));
      const monday = nextMonday(MX);
      const at = (hhmm, d = monday) => zoned(d, hhmm, MX);
      await server.createEvent(ora, { name: 'Ora busy', startDatetime: isoZ(at('09:00')), endDatetime: isoZ(at('09:30')) });
      const good = () => bookBody(type, at('09:00'));
      const with_ = (o) => ({ ...good(), ...o });
      const drop = (k) => { const b = good(); delete b[k]; return b; };
      const cases = [
        // [what, body, status, fields (400) or code]
        ['not on the grid', with_({ startDatetime: isoZ(at('09:10')) }), 400, ['startDatetime']],
        ['outside the availability (13:00)', with_({ startDatetime: isoZ(at('13:00')) }), 400, ['startDatetime']],
        ['outside the availability (Tuesday)', with_({ startDatetime: isoZ(at('09:00', addDays(monday, 1))) }), 400, ['startDatetime']],
        ['after the booking window', with_({ startDatetime: isoZ(at('09:00', addDays(monday, 35))) }), 400, ['startDatetime']],
        ['in the past', with_({ startDatetime: isoZ(at('09:00', addDays(monday, -21))) }), 400, ['startDatetime']],
        ['a start without an offset', with_({ startDatetime: `${monday}T09:00:00` }), 400, ['startDatetime']],
        ['a date as the start', with_({ startDatetime: monday }), 400, ['startDatetime']],
        ['no start', drop('startDatetime'), 400, ['startDatetime']],
        ['no type', drop('appointmentTypeId'), 400, ['appointmentTypeId']],
        ['a type id that is not a UUID', with_({ appointmentTypeId: 'consulta' }), [400, 404], ['appointmentTypeId']],
        ['an unknown type', with_({ appointmentTypeId: randomUUID() }), 404, 'not_found'],
        ['an unpublished type', with_({ appointmentTypeId: hidden.id }), 404, 'not_found'],
        ['no name', drop('customerName'), 400, ['customerName']],
        ['an empty name', with_({ customerName: '' }), 400, ['customerName']],
        ['a name of 201 characters', with_({ customerName: 'n'.repeat(201) }), 400, ['customerName']],
        ['no e-mail', drop('customerEmail'), 400, ['customerEmail']],
        ['an e-mail without @', with_({ customerEmail: 'ana.example.com' }), 400, ['customerEmail']],
        ['an e-mail with two @', with_({ customerEmail: 'ana@x@example.com' }), 400, ['customerEmail']],
        ['an e-mail with a space', with_({ customerEmail: 'ana maria@example.com' }), 400, ['customerEmail']],
        ['an e-mail with CR LF', with_({ customerEmail: 'ana@example.com\r\nBcc: evil@attacker.example' }), 400, ['customerEmail']],
        ['an e-mail of 255 characters', with_({ customerEmail: `${'a'.repeat(243)}@example.com` }), 400, ['customerEmail']],
        ['a phone of 5 digits', with_({ customerPhone: '12345' }), 400, ['customerPhone']],
        ['a phone of 21 digits', with_({ customerPhone: `+${'1'.repeat(21)}` }), 400, ['customerPhone']],
        ['a phone with letters', with_({ customerPhone: '+52 55 CALL ME' }), 400, ['customerPhone']],
        ['a phone with a + inside', with_({ customerPhone: '55+12345678' }), 400, ['customerPhone']],
        ['notes of 2001 characters', with_({ notes: 'x'.repeat(2001) }), 400, ['notes']],
        ['an unknown field', with_({ colour: 'red' }), 400, ['colour']],
        ['status is not writable', with_({ status: 'cancelled' }), 400, ['status']],
        ['lang fr', with_({ lang: 'fr' }), 400, ['lang']],
        ['an unknown customer zone', with_({ timezone: 'Mars/Olympus_Mons' }), 400, ['timezone']],
        ['assigneeId in auto mode', with_({ assigneeId: max.id }), 400, ['assigneeId']],
        ['choice mode without assigneeId', bookBody(choice, at('09:00')), 400, ['assigneeId']],
        ['choice mode with someone not an assignee', bookBody(choice, at('09:00'), { assigneeId: max.id }), 400, ['assigneeId']],
        ['choice mode with an unknown assigneeId', bookBody(choice, at('09:00'), { assigneeId: randomUUID() }), 400, ['assigneeId']],
        ['choice mode with a busy assignee', bookBody(choice, at('09:00'), { assigneeId: ora.id }), 409, 'slot_taken'],
      ];
      const failures = [];
      for (const [what, body, status, expect] of cases) {
        const res = await book(server, body);
        try {
          if (Array.isArray(status)) expectProblem(res, status, { what });
          else if (Array.isArray(expect)) expectInvalid(res, expect, what);
          else expectProblem(res, status, { code: expect, what });
        } catch (e) {
          failures.push(e.message);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n\n')}`);
      for (const [what, raw, contentType] of [['malformed JSON', '{"appointmentTypeId": ', undefined], ['a JSON list', '[]', undefined],
        ['a form post', `appointmentTypeId=${type.id}`, 'application/x-www-form-urlencoded']]) {
        const res = await server.api('POST', `${API}/book`, { raw, contentType });
        assert.ok(res.status >= 400 && res.status < 500, `${what}: 4xx\n${describeRes(res)}`);
        expectProblem(res, res.status, { what });
      }
      // Nothing was booked: every slot still there, no events.
      assert.equal((await slotStarts(server, type.id, monday)).length, 6, 'the auto type\'s slots are all free');
      const choiceSlots = await getSlots(server, choice.id, { from: monday, to: monday });
      const nine = choiceSlots.json?.slots?.find((s) => s.start === isoZ(at('09:00')));
      assert.deepEqual(nine?.assigneeIds, [ned.id], 'Ned is still free at 09:00 in choice mode');
      for (const u of [max, ned]) {
        assert.deepEqual(await eventsOf(server, u, at('00:00', addDays(monday, -28)), at('00:00', addDays(monday, 42))), [], `${u.name} has no events`);
      }
      const rows = await sql(server, `SELECT count(*) FROM appointment_bookings WHERE appointment_type_id IN ('${type.id}', '${choice.id}', '${hidden.id}')`);
      assert.equal(Number(rows[0][0]), 0, 'no booking rows');
      // The limits themselves are fine.
      const ok = await bookOk(bookBody(type, at('11:30'), { customerName: 'n'.repeat(200), notes: 'x'.repeat(2000), customerPhone: '+1 (555) 010.9999' }), 'the longest name and notes');
      assert.equal(ok.customerPhone, '+15550109999');
      assert.equal(ok.notes.length, 2000);
    });

    // ----------------------------------------------------- idempotency, leads

    test('Idempotency-Key: the same key answers the first booking again; another key for the slot is 409', async () => {
      const pat = await assignee('Pat Idem');
      const type = await createType(server, admin, typeBody([pat]));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      const key = `idem-${rand(10)}`;
      const body = bookBody(type, at('09:00'));
      const first = await book(server, body, { headers: { 'Idempotency-Key': key } });
      expectStatus(first, 201, 'first');
      assert.ok(!first.headers['idempotent-replayed'], 'the first answer is not a replay');
      const again = await book(server, body, { headers: { 'Idempotency-Key': key } });
      expectStatus(again, 201, 'the same key again');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.json, first.json, 'the same body');
      assert.equal(again.headers.location, first.headers.location);
      // The same key with another start: the first booking again, or a refusal; never a new booking.
      const other = await book(server, { ...body, startDatetime: isoZ(at('10:00')) }, { headers: { 'Idempotency-Key': key } });
      if (other.status === 201) {
        assert.equal(other.headers['idempotent-replayed'], 'true', describeRes(other));
        assert.equal(other.json.id, first.json.id, 'answers the first booking');
      } else {
        expectProblem(other, [409, 422], { what: 'the same key with another start' });
      }
      expectProblem(await book(server, body, { headers: { 'Idempotency-Key': `idem-${rand(10)}` } }), 409, { code: 'slot_taken', what: 'another key, the same slot' });
      expectProblem(await book(server, body), 409, { code: 'slot_taken', what: 'no key, the same slot' });
      const evs = await eventsOf(server, pat, at('00:00'), at('23:59'));
      assert.equal(evs.length, 1, `one event only: ${JSON.stringify(evs.map((e) => e.startDatetime))}`);
      assert.ok((await slotStarts(server, type.id, monday)).includes(isoZ(at('10:00'))), 'the replay booked nothing at 10:00');
      const rows = await sql(server, `SELECT count(*) FROM appointment_bookings WHERE appointment_type_id = '${type.id}'`);
      assert.equal(Number(rows[0][0]), 1, 'one booking row');
      for (const bad of ['x'.repeat(201), 'clé']) {
        const res = await book(server, bookBody(type, at('11:00')), { headers: { 'Idempotency-Key': bad } });
        expectProblem(res, 400, { what: `Idempotency-Key ${JSON.stringify(bad.slice(0, 20))}` });
      }
      assert.ok((await slotStarts(server, type.id, monday)).includes(isoZ(at('11:00'))), 'a bad key booked nothing');
    });

    test('createOpportunity: a crm_leads row (source appointment) linked to the event, leadId set', async () => {
      const quinn = await assignee('Quinn Lead');
      const type = await createType(server, admin, typeBody([quinn], { createOpportunity: true }));
      const plain = await createType(server, admin, typeBody([quinn], { availability: { monday: [{ from: '15:00', to: '16:00' }] } }));
      const monday = nextMonday(MX);
      const b = await bookOk(bookBody(type, zoned(monday, '09:00', MX), { customerPhone: '+34 600 123 456' }));
      assert.match(b.leadId || '', UUID_RE, `leadId set: ${b.leadId}`);
      const rows = await sql(server, `SELECT company_id, source, email, contact_name, phone, calendar_event_id, name FROM crm_leads WHERE id = '${b.leadId}'`);
      assert.equal(rows.length, 1, 'the lead row exists');
      const [companyId, source, email, contact, phone, eventId, name] = rows[0];
      assert.equal(companyId, co.id);
      assert.equal(source, 'appointment');
      assert.equal(email, b.customerEmail);
      assert.equal(contact, b.customerName);
      assert.equal(phone, b.customerPhone);
      assert.equal(b.customerPhone, '+34600123456');
      assert.equal(eventId, b.eventId);
      assert.ok(name.length > 0);
      const res = await manage(b);
      assert.equal(res.json.leadId, b.leadId, 'the manage link shows the lead too');
      const p = await bookOk(bookBody(plain, zoned(monday, '15:00', MX)));
      assert.equal(p.leadId, null, 'no lead without createOpportunity');
      const none = await sql(server, `SELECT count(*) FROM crm_leads WHERE email = '${p.customerEmail}'`);
      assert.equal(Number(none[0][0]), 0);
    });

    // ------------------------------------------------------- assignment

    test('auto assignment: the fewest bookings that day wins, ties spread; a busy assignee is passed over; a reschedule keeps the assignee', async () => {
      const rob = await assignee('Rob Auto');
      const sue = await assignee('Sue Auto');
      const type = await createType(server, admin, typeBody([rob, sue], { scheduleRangeDays: 150 }));
      const monday = nextMonday(MX);
      const at = (hhmm, d = monday) => zoned(d, hhmm, MX);
      const count = (list) => ({ rob: list.filter((x) => x.assignee.id === rob.id).length, sue: list.filter((x) => x.assignee.id === sue.id).length });
      const got = [];
      got.push(await bookOk(bookBody(type, at('09:00'))));
      got.push(await bookOk(bookBody(type, at('10:00'))));
      assert.deepEqual(count(got), { rob: 1, sue: 1 }, 'the second goes to the one without bookings');
      got.push(await bookOk(bookBody(type, at('10:30'))));
      got.push(await bookOk(bookBody(type, at('11:00'))));
      assert.deepEqual(count(got), { rob: 2, sue: 2 }, 'and again');
      for (const b of got) {
        const u = b.assignee.id === rob.id ? rob : sue;
        const evs = await eventsOf(server, u, Date.parse(b.startDatetime), Date.parse(b.endDatetime));
        assert.deepEqual(evs.map((e) => e.id), [b.eventId], `the booking is in ${u.name}'s calendar`);
      }
      // Ties are spread: each day's first booking (0 against 0) goes to either; over 16 days
      // both must show up (a fair coin fails this once in 32768 runs).
      const firsts = [];
      for (let w = 1; w <= 16; w++) firsts.push((await bookOk(bookBody(type, at('09:00', addDays(monday, 7 * w))))).assignee.id);
      assert.equal(new Set(firsts).size, 2, `ties are not always won by the same assignee: ${firsts.map((id) => (id === rob.id ? 'rob' : 'sue'))}`);
      // A busy assignee is passed over whatever the load.
      const d2 = addDays(monday, 7 * 18);
      await server.createEvent(sue, { name: 'Sue busy', startDatetime: isoZ(at('09:00', d2)), endDatetime: isoZ(at('12:00', d2)) });
      const r1 = await bookOk(bookBody(type, at('09:00', d2)));
      const r2 = await bookOk(bookBody(type, at('10:00', d2)));
      assert.deepEqual([r1.assignee.id, r2.assignee.id], [rob.id, rob.id], 'only Rob is free');
      expectProblem(await book(server, bookBody(type, at('09:00', d2))), 409, { code: 'slot_taken', what: 'both taken' });
      // Reschedule keeps the assignee (the event is theirs): 409 where they are busy, even if the other is free.
      const d3 = addDays(monday, 7 * 17);
      const x = await bookOk(bookBody(type, at('09:00', d3)));
      const mineU = x.assignee.id === rob.id ? rob : sue;
      let res = await manage(x, { action: 'reschedule', startDatetime: isoZ(at('09:30', d3)) });
      expectStatus(res, 200, 'reschedule where the assignee is free');
      assert.equal(res.json.assignee.id, mineU.id, 'the same assignee');
      await server.createEvent(mineU, { name: 'Now busy', startDatetime: isoZ(at('11:00', d3)), endDatetime: isoZ(at('11:30', d3)) });
      expectProblem(await manage(x, { action: 'reschedule', startDatetime: isoZ(at('11:00', d3)) }), 409, { code: 'slot_taken', what: 'reschedule where only the other assignee is free' });
      res = await manage(x);
      assert.equal(res.json.startDatetime, isoZ(at('09:30', d3)), 'the refused reschedule left it where it was');
      assert.equal(res.json.assignee.id, mineU.id);
      // Bad reschedules.
      expectInvalid(await manage(x, { action: 'reschedule', startDatetime: isoZ(at('11:10', d3)) }), ['startDatetime'], 'reschedule off the grid');
      expectProblem(await manage(x, { action: 'reschedule', startDatetime: isoZ(at('09:00', d2)) }), 409, { code: 'slot_taken', what: 'reschedule to a full slot' });
      expectProblem(await manage(x, { action: 'snooze' }), 400, { what: 'unknown action' });
      expectProblem(await manage(x, { action: 'reschedule' }), 400, { what: 'reschedule without a start' });
    });

    test('the calendar side: a reschedule may overlap its own time; moving the event moves the booking; deleting it cancels the booking', async () => {
      const uli = await assignee('Uli Calendar');
      const type = await createType(server, admin, typeBody([uli], { durationMinutes: 60, slotIntervalMinutes: 30 }));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      const hhmms = async () => (await slotStarts(server, type.id, monday)).map((x) => localHhmm(Date.parse(x), MX));
      const b1 = await bookOk(bookBody(type, at('09:00')));
      assert.deepEqual(await hhmms(), ['10:00', '10:30', '11:00']);
      let res = await manage(b1, { action: 'reschedule', startDatetime: isoZ(at('09:30')) });
      expectStatus(res, 200, 'a reschedule half an hour later, over its own current time');
      assert.equal(res.json.startDatetime, isoZ(at('09:30')));
      assert.deepEqual(await hhmms(), ['10:30', '11:00']);
      // Uli moves the event in the calendar: the booking follows.
      const etok = await uli.token();
      res = await server.api('PATCH', `/api/v1/calendar/events/${b1.eventId}?notify=false`, { token: etok,
        body: { startDatetime: isoZ(at('11:00')), endDatetime: isoZ(at('12:00')) } });
      expectStatus(res, 200, 'the assignee moves the event');
      res = await manage(b1);
      assert.equal(res.json.startDatetime, isoZ(at('11:00')), 'the booking followed its event');
      assert.equal(res.json.endDatetime, isoZ(at('12:00')));
      assert.deepEqual(await hhmms(), ['09:00', '09:30', '10:00']);
      // Moving it over another booking of Uli's is refused.
      const b2 = await bookOk(bookBody(type, at('09:00')));
      expectProblem(await server.api('PATCH', `/api/v1/calendar/events/${b1.eventId}?notify=false`, { token: etok,
        body: { startDatetime: isoZ(at('09:30')), endDatetime: isoZ(at('10:30')) } }), 409, { code: 'slot_taken', what: 'moving the event over another booking' });
      res = await manage(b1);
      assert.equal(res.json.startDatetime, isoZ(at('11:00')), 'the refused move changed nothing');
      // Uli deletes the event: the booking is cancelled, its time free.
      res = await server.api('DELETE', `/api/v1/calendar/events/${b1.eventId}?notify=false`, { token: etok });
      expectStatus(res, 204, 'the assignee deletes the event');
      res = await manage(b1);
      assert.equal(res.json.status, 'cancelled', 'deleting the event cancelled the booking');
      assert.deepEqual(await hhmms(), ['10:00', '10:30', '11:00']);
      expectProblem(await manage(b1, { action: 'reschedule', startDatetime: isoZ(at('11:00')) }), 410, { code: 'gone', what: 'reschedule a booking whose event was deleted' });
      assert.equal((await manage(b2)).json.status, 'confirmed', 'the other booking is untouched');
    });

    test('the manage page: forms that post without a body, GET changes nothing, what people typed is escaped (page and mail)', async () => {
      const vic = await assignee('Vic Page');
      const hostile = '<img src=x onerror=alert(1)>';
      const type = await createType(server, admin, typeBody([vic], { name: `Cita <b>"${rand(4)}"</b> & más`, location: `Sala ${hostile}` }));
      const monday = nextMonday(MX);
      const at = (hhmm) => zoned(monday, hhmm, MX);
      const b = await bookOk(bookBody(type, at('09:00'), { lang: 'en', customerName: `Eve ${hostile}`, notes: `<script>alert(2)</script>` }));
      const token = managePath(b).split('/').pop();
      const html = { Accept: 'text/html,application/xhtml+xml' };
      let res = await manage(b, undefined, { headers: html });
      expectStatus(res, 200, 'the page');
      assert.match(res.text, /<html lang="en"/, 'in the customer\'s language');
      assert.ok(!res.text.includes(hostile) && !res.text.includes('<b>"'), `what people typed is escaped on the page\n${res.text}`);
      assert.ok(res.text.includes('&lt;b&gt;'), 'the type name shows escaped');
      const cancelAction = `/appointments/manage/${token}/cancel`;
      assert.ok(res.text.includes(`action="${cancelAction}"`), 'a cancel form');
      const offers = [...res.text.matchAll(/action="(\/appointments\/manage\/[^"]+\/reschedule\?start=[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
      assert.ok(offers.length > 0, 'reschedule forms with the start in the action');
      // A GET of a form's action changes nothing (mail scanners follow links).
      res = await server.api('GET', cancelAction, { headers: html });
      assert.ok([404, 405].includes(res.status), `GET of the cancel action: ${res.status}`);
      res = await server.api('GET', offers[0], { headers: html });
      assert.ok([404, 405].includes(res.status), `GET of a reschedule action: ${res.status}`);
      assert.equal((await manage(b)).json.status, 'confirmed');
      assert.equal((await manage(b)).json.startDatetime, b.startDatetime);
      // The buttons, as a browser posts them: a form with an empty body.
      const form = { raw: '', contentType: 'application/x-www-form-urlencoded', headers: html };
      const target = new URL(offers[0], 'http://x').searchParams.get('start');
      res = await server.api('POST', offers[0], form);
      expectStatus(res, 200, 'the reschedule button');
      assert.match(res.headers['content-type'], /^text\/html/);
      assert.equal((await manage(b)).json.startDatetime, isoZ(Date.parse(target)), 'moved to the offered time');
      res = await server.api('POST', cancelAction, form);
      expectStatus(res, 200, 'the cancel button');
      assert.match(res.headers['content-type'], /^text\/html/);
      assert.equal((await manage(b)).json.status, 'cancelled');
      res = await server.api('POST', cancelAction, form);
      expectStatus(res, 410, 'the cancel button again');
      assert.match(res.headers['content-type'], /^text\/html/);
      res = await server.api('POST', cancelAction.replace(token, `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`), form);
      expectStatus(res, 404, 'a forged token on the page');
      // The mails' HTML parts escape it too.
      await sink.waitFor((all) => all.some((m) => to(m) === b.customerEmail) && all.some((m) => to(m) === vic.email));
      for (const m of [...mailsTo(b.customerEmail), ...mailsTo(vic.email)]) {
        assert.ok(!(m.html || '').includes(hostile) && !(m.html || '').includes('<script>alert(2)'), `${to(m)} ${m.subject}: the HTML part escapes what people typed`);
      }
    });

    test('manage refusals: forged token 404, allowCancel/allowReschedule false 403, past the deadline 409 conflict', async () => {
      const tia = await assignee('Tia Manage');
      const monday = nextMonday(MX);
      const at = (hhmm, d = monday) => zoned(d, hhmm, MX);
      const locked = await createType(server, admin, typeBody([tia], { allowCancel: false, allowReschedule: false }));
      const late = await createType(server, admin, typeBody([tia], { cancelHoursBefore: 8760, availability: { monday: [{ from: '14:00', to: '16:00' }] } }));
      const a = await bookOk(bookBody(locked, at('09:00')));
      assert.equal(a.canCancel, false);
      assert.equal(a.canReschedule, false);
      expectProblem(await manage(a, { action: 'cancel' }), 403, { code: 'forbidden', what: 'allowCancel false' });
      expectProblem(await manage(a, { action: 'reschedule', startDatetime: isoZ(at('10:00')) }), 403, { code: 'forbidden', what: 'allowReschedule false' });
      const b = await bookOk(bookBody(late, at('14:00')));
      assert.equal(b.changeDeadline, isoZ(at('14:00') - 8760 * HOUR));
      assert.equal(b.canCancel, false, 'past the deadline');
      assert.equal(b.canReschedule, false);
      expectProblem(await manage(b, { action: 'cancel' }), 409, { code: 'conflict', what: 'cancel past the deadline' });
      expectProblem(await manage(b, { action: 'reschedule', startDatetime: isoZ(at('15:00')) }), 409, { code: 'conflict', what: 'reschedule past the deadline' });
      for (const x of [a, b]) {
        const res = await manage(x);
        assert.equal(res.json.status, 'confirmed', 'still confirmed');
      }
      const path = managePath(a);
      const token = path.split('/').pop();
      const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      const fpath = path.replace(token, forged);
      expectProblem(await server.api('GET', fpath), 404, { what: 'forged token GET' });
      expectProblem(await server.api('POST', fpath, { body: { action: 'cancel' } }), 404, { what: 'forged token POST' });
      expectProblem(await server.api('GET', `${API}/bookings/${a.id}`), 404, { what: 'the booking id is not a token' });
    });

    // ------------------------------------------------------------ reminder

    test('the customer\'s reminder e-mail, with the server\'s clock moved; a cancelled booking gets none', async () => {
      const rsink = await startSmtpSink();
      const s = await startServer(store, { ...PUBLIC_ENV, SMTP_URL: rsink.url, SMTP_TLS: 'off', CALENDARD_CLOCK_OFFSET_SECONDS: '0',
        CALENDARD_PUBLIC_URL: 'http://calendar.example' });
      try {
        const rco = await s.company(`Rem ${rand(4)}`);
        const radmin = await s.user(rco, { name: 'Rae Admin', admin: true });
        const u1 = await s.user(rco, { name: 'Uno Rem' });
        const u2 = await s.user(rco, { name: 'Dos Rem' });
        const all = Object.fromEntries(DAYS.map((d) => [d, [{ from: '00:00', to: '24:00' }]]));
        const type = await createType(s, radmin, typeBody([u1, u2], { availability: all, durationMinutes: 60, reminderHoursBefore: 1, cancelHoursBefore: 0 }));
        // The first slot at least 90 minutes ahead: its reminder is at least 30 minutes ahead.
        const res = await getSlots(s, type.id, { from: isoZ(Date.now() + 90 * MIN), to: isoZ(Date.now() + 4 * HOUR) });
        expectStatus(res, 200);
        const start = Date.parse(res.json.slots[0].start);
        const keep = await book(s, bookBody(type, start, { lang: 'en' }));
        expectStatus(keep, 201, 'booking kept');
        const drop = await book(s, bookBody(type, start, { lang: 'en' }));
        expectStatus(drop, 201, 'booking cancelled (the other assignee)');
        expectStatus(await s.api('POST', managePath(drop.json), { body: { action: 'cancel' } }), 200, 'cancel');
        const reminders = (addr) => rsink.messages().filter((m) => to(m) === addr && /^(Reminder|Recordatorio)/.test(m.subject || ''));
        await sleep(1000);
        assert.equal(reminders(keep.json.customerEmail).length, 0, 'nothing before it is due');
        // Five minutes past the reminder time: late, still useful.
        await s.restart({ CALENDARD_CLOCK_OFFSET_SECONDS: String(Math.round((start - 55 * MIN - Date.now()) / 1000)) });
        await rsink.waitFor(() => reminders(keep.json.customerEmail).length >= 1, 20_000);
        await sleep(1500);
        const got = reminders(keep.json.customerEmail);
        assert.equal(got.length, 1, 'one reminder');
        assert.ok(got[0].subject.includes(type.name), got[0].subject);
        assert.equal(reminders(drop.json.customerEmail).length, 0, 'none for the cancelled booking');
      } finally {
        await s.stop();
        await rsink.stop();
      }
    });
  });
}

for (const store of STORES) forStore(store);
