// Invitations, updates, cancellations, signed RSVP links, answers to the
// organizer and reminders, end to end through the outbox to a real SMTP
// server (tests/fakes/smtp_sink.py) and a Twilio-shaped SMS fake. Every
// case runs on SQLite and on PostgreSQL.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STORES, startServer, startSmtpSink, startSmsFake, rand, expectStatus, sleep,
} from './lib/harness.js';

const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3600_000;

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    let server, sink, sms, co, org, en, partnerEmail, admin;
    before(async () => {
      sink = await startSmtpSink();
      sms = await startSmsFake({ accountSid: 'AC' + 'a'.repeat(32), authToken: 'tok' + rand(8) });
      server = await startServer(store, {
        SMTP_URL: sink.url, SMTP_TLS: 'off', MAIL_FROM: 'calendario@erp.example',
        SMS_BASE_URL: sms.url, SMS_ACCOUNT_SID: 'AC' + 'a'.repeat(32), SMS_AUTH_TOKEN: sms.authToken ?? '',
        SMS_FROM: '+15005550006', CALENDARD_PUBLIC_URL: 'http://calendar.example',
        CALENDARD_OUTBOX_RETRY_SECONDS: '1', CALENDARD_OUTBOX_RETRY_MAX_SECONDS: '2',
      });
      co = await server.company(`Inv ${rand(4)}`);
      org = await server.user(co, { name: 'Olga Organizadora', timezone: 'America/Mexico_City' });
      en = await server.user(co, { name: 'Eve English', lang: 'en', timezone: 'Europe/London', phone: '+447700900123' });
      admin = await server.user(co, { name: 'Ada Admin', admin: true });
      partnerEmail = `cliente.${rand(6)}@external.example`;
    });
    after(async () => {
      await server?.stop();
      await sink?.stop();
      await sms?.stop();
    });

    const to = (m) => (m.rcptTos || [])[0];
    const forEvent = (msgs, name) => msgs.filter((m) => m.calendar?.parsed?.events?.[0]?.summary === name || (m.subject || '').includes(name));

    async function create(body, query = '') {
      const res = await server.api('POST', `/api/v1/calendar/events${query}`, { token: await org.token(), body });
      expectStatus(res, 201, 'create');
      return res.json;
    }

    test('creating an event invites every attendee but the organizer, in their language, with iMIP', async () => {
      const name = `Kickoff ${rand(5)}`;
      const start = Date.now() + 48 * HOUR;
      const ev = await create({ name, location: 'Sala 3', startDatetime: iso(start), endDatetime: iso(start + HOUR),
        attendees: [{ userId: en.id }, { email: partnerEmail }] });
      const msgs = await sink.waitFor((all) => forEvent(all, name).length >= 2);
      const mine = forEvent(msgs, name);
      assert.equal(mine.length, 2, 'two invitations (not the organizer)');
      assert.deepEqual(mine.map(to).sort(), [en.email, partnerEmail].sort());
      for (const m of mine) {
        assert.equal(m.structure, 'multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)', m.structure);
        assert.equal(m.calendar.methodParam, 'REQUEST');
        const p = m.calendar.parsed;
        assert.equal(p.method, 'REQUEST');
        const v = p.events[0];
        assert.equal(v.uid, `${ev.id}@calendard`);
        assert.equal(v.organizer, org.email);
        assert.equal(v.dtstart, iso(start));
        const invitee = v.attendees.find((a) => a.email === to(m));
        assert.ok(invitee, 'the recipient is an ATTENDEE');
        assert.equal(String(invitee.rsvp).toUpperCase(), 'TRUE');
        assert.equal(invitee.partstat, 'NEEDS-ACTION');
        assert.equal(m.mailFrom, 'calendario@erp.example');
        assert.ok(m.links.some((l) => /\/rsvp\/[A-Za-z0-9_-]+\/accept$/.test(l)), 'an accept link');
      }
      const english = mine.find((m) => to(m) === en.email);
      const spanish = mine.find((m) => to(m) === partnerEmail);
      assert.match(english.subject, /Invitation/i);
      assert.match(spanish.subject, /Invitaci[oó]n/i);
      assert.match(english.text, /Europe\/London/);
    });

    test('a new time sends an update with a higher SEQUENCE; a new description sends nothing', async () => {
      const name = `Review ${rand(5)}`;
      const start = Date.now() + 72 * HOUR;
      const ev = await create({ name, startDatetime: iso(start), endDatetime: iso(start + HOUR), attendees: [{ email: partnerEmail }] });
      const first = (await sink.waitFor((all) => forEvent(all, name).length >= 1)).filter((m) => forEvent([m], name).length);
      const seq0 = Number(first[0].calendar.parsed.events[0].sequence ?? 0);
      let res = await server.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await org.token(), body: { description: 'agenda' } });
      expectStatus(res, 200);
      res = await server.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await org.token(),
        body: { startDatetime: iso(start + HOUR), endDatetime: iso(start + 2 * HOUR) } });
      expectStatus(res, 200);
      const msgs = forEvent(await sink.waitFor((all) => forEvent(all, name).length >= 2), name);
      await sleep(500);
      assert.equal(forEvent(sink.messages(), name).length, 2, 'the description change mailed nobody');
      const upd = msgs[1];
      assert.equal(upd.calendar.parsed.method, 'REQUEST');
      assert.equal(upd.calendar.parsed.events[0].uid, `${ev.id}@calendard`);
      assert.ok(Number(upd.calendar.parsed.events[0].sequence) > seq0, 'SEQUENCE grew');
      assert.match(upd.subject, /actualiz|cambi/i);
    });

    test('adding an attendee invites only them; removing one cancels only for them; deleting cancels for all', async () => {
      const name = `Team ${rand(5)}`;
      const start = Date.now() + 96 * HOUR;
      const a = `a.${rand(5)}@external.example`, b = `b.${rand(5)}@external.example`;
      const ev = await create({ name, startDatetime: iso(start), endDatetime: iso(start + HOUR), attendees: [{ email: a }] });
      await sink.waitFor((all) => forEvent(all, name).length >= 1);
      let res = await server.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await org.token(), body: { attendees: [{ email: a }, { email: b }] } });
      expectStatus(res, 200);
      await sink.waitFor((all) => forEvent(all, name).some((m) => to(m) === b));
      res = await server.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await org.token(), body: { attendees: [{ email: b }] } });
      expectStatus(res, 200);
      const cancelled = await sink.waitFor((all) => forEvent(all, name).some((m) => to(m) === a && m.calendar?.parsed?.method === 'CANCEL'));
      assert.equal(forEvent(cancelled, name).filter((m) => to(m) === a).length, 2, 'a: the invitation and the cancellation');
      assert.equal(forEvent(cancelled, name).filter((m) => to(m) === b).length, 1, 'b: only the invitation');
      res = await server.api('DELETE', `/api/v1/calendar/events/${ev.id}`, { token: await org.token() });
      expectStatus(res, 204);
      const all = forEvent(await sink.waitFor((x) => forEvent(x, name).some((m) => to(m) === b && m.calendar?.parsed?.method === 'CANCEL')), name);
      const cancel = all.find((m) => to(m) === b && m.calendar.parsed.method === 'CANCEL');
      assert.equal(cancel.calendar.parsed.events[0].status, 'CANCELLED');
      assert.match(cancel.structure, /text\/calendar/);
    });

    test('?notify=false mails nobody (no storms on bulk edits)', async () => {
      const name = `Quiet ${rand(5)}`;
      const start = Date.now() + 30 * HOUR;
      const ev = await create({ name, startDatetime: iso(start), endDatetime: iso(start + HOUR), attendees: [{ email: partnerEmail }] }, '?notify=false');
      const res = await server.api('DELETE', `/api/v1/calendar/events/${ev.id}?notify=false`, { token: await org.token() });
      expectStatus(res, 204);
      await sleep(1500);
      assert.equal(forEvent(sink.messages(), name).length, 0);
    });

    test('signed links: GET shows, POST answers; the organizer is told in-app and by e-mail', async () => {
      const name = `Lunch ${rand(5)}`;
      const start = Date.now() + 50 * HOUR;
      const ev = await create({ name, startDatetime: iso(start), endDatetime: iso(start + HOUR), attendees: [{ email: partnerEmail }] });
      const msg = forEvent(await sink.waitFor((all) => forEvent(all, name).length >= 1), name)[0];
      const accept = msg.links.find((l) => l.endsWith('/accept'));
      const path = new URL(accept).pathname;
      let res = await server.api('GET', path);
      expectStatus(res, 200);
      assert.match(res.headers['content-type'], /text\/html/);
      assert.match(res.text, new RegExp(name));
      let got = await server.api('GET', `/api/v1/calendar/events/${ev.id}`, { token: await org.token() });
      assert.equal(got.json.attendees.find((x) => x.email === partnerEmail).state, 'needs_action', 'GET changed nothing');
      res = await server.api('POST', path);
      expectStatus(res, 200);
      got = await server.api('GET', `/api/v1/calendar/events/${ev.id}`, { token: await org.token() });
      assert.equal(got.json.attendees.find((x) => x.email === partnerEmail).state, 'accepted');
      // The organizer hears of it.
      const answer = await sink.waitFor((all) => all.some((m) => to(m) === org.email && (m.subject || '').includes(name)));
      assert.ok(answer.find((m) => to(m) === org.email && (m.subject || '').includes(name)).text.includes(partnerEmail));
      let notes;
      for (let i = 0; i < 100; i++) {
        notes = await server.api('GET', '/api/v1/notifications', { token: await org.token() });
        if (notes.status === 200 && notes.json.items.some((n) => n.kind === 'answer' && n.title.includes(name))) break;
        await sleep(100);
      }
      assert.ok(notes.json.items.some((n) => n.kind === 'answer' && n.title.includes(name)), JSON.stringify(notes.json));
      // A forged or altered token is not found; the same link again is harmless.
      const token = path.split('/')[2];
      const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      res = await server.api('GET', `/rsvp/${forged}/accept`);
      expectStatus(res, 404);
      res = await server.api('POST', `/rsvp/${forged}/decline`);
      expectStatus(res, 404);
      res = await server.api('GET', `/rsvp/${token}/maybe`);
      expectStatus(res, 404);
      res = await server.api('POST', path);
      expectStatus(res, 200);
    });

    test('a link expires when the event is over', async () => {
      const name = `Past ${rand(5)}`;
      const start = Date.now() - 3 * HOUR;
      await create({ name, startDatetime: iso(start), endDatetime: iso(start + HOUR), attendees: [{ email: partnerEmail }] });
      const msg = forEvent(await sink.waitFor((all) => forEvent(all, name).length >= 1), name)[0];
      const res = await server.api('POST', new URL(msg.links.find((l) => l.endsWith('/decline'))).pathname);
      expectStatus(res, 410);
    });

    test('a title with CR LF and Bcc: is refused before anything is sent', async () => {
      const res = await server.api('POST', '/api/v1/calendar/events', { token: await org.token(),
        body: { name: 'Hola\r\nBcc: evil@attacker.example', startDatetime: iso(Date.now() + HOUR), endDatetime: iso(Date.now() + 2 * HOUR), attendees: [{ email: partnerEmail }] } });
      expectStatus(res, 400);
      await sleep(300);
      assert.ok(!sink.messages().some((m) => (m.rcptTos || []).includes('evil@attacker.example')));
    });

    test('reminders: in-app to users, e-mail to everyone not declined, SMS where a phone is known — once', async () => {
      const name = `Standup ${rand(5)}`;
      // Begins in 10 minutes with 15-minute alarms: due already, still useful.
      const start = Date.now() + 10 * 60_000;
      const ev = await create({ name, startDatetime: iso(start), endDatetime: iso(start + 30 * 60_000),
        attendees: [{ userId: en.id }, { email: partnerEmail }, { email: `declines.${rand(4)}@external.example`, state: 'declined' }],
        alarms: [{ type: 'notification', intervalValue: 15, intervalUnit: 'minutes' },
          { type: 'email', intervalValue: 15, intervalUnit: 'minutes' },
          { type: 'sms', intervalValue: 15, intervalUnit: 'minutes' }] }, '?notify=false');
      const reminders = (all) => all.filter((m) => (m.subject || '').includes(name));
      const msgs = reminders(await sink.waitFor((all) => reminders(all).length >= 3));
      assert.deepEqual(msgs.map(to).sort(), [org.email, en.email, partnerEmail].sort());
      for (let i = 0; i < 100 && !sms.messages().some((m) => m.body.includes(name)); i++) await sleep(100);
      const texts = sms.messages().filter((m) => m.body.includes(name));
      assert.equal(texts.length, 1, 'one SMS: only Eve has a phone');
      assert.equal(texts[0].to, en.phone ?? '+447700900123');
      let notes;
      for (let i = 0; i < 100; i++) {
        notes = await server.api('GET', '/api/v1/notifications', { token: await en.token() });
        if (notes.json?.items?.some((n) => n.kind === 'reminder' && n.title === name)) break;
        await sleep(100);
      }
      assert.equal(notes.json.items.filter((n) => n.kind === 'reminder' && n.title === name).length, 1);
      // An unrelated edit re-arms the alarms, but nothing is sent twice.
      const res = await server.api('PATCH', `/api/v1/calendar/events/${ev.id}?notify=false`, { token: await org.token(), body: { description: 'x' } });
      expectStatus(res, 200);
      await sleep(1500);
      assert.equal(reminders(sink.messages()).length, 3, 'no second reminder');
      assert.equal(sms.messages().filter((m) => m.body.includes(name)).length, 1);
    });

    test('the admin outbox lists what was sent; others may not read it', async () => {
      let res = await server.api('GET', '/api/v1/admin/outbox?limit=500', { token: await admin.token() });
      expectStatus(res, 200);
      assert.ok(res.json.items.length > 0);
      assert.ok(res.json.items.every((m) => ['pending', 'sending', 'sent', 'failed'].includes(m.status)));
      assert.ok(!res.text.includes('/rsvp/'), 'no payloads (signed links) in the listing');
      res = await server.api('GET', '/api/v1/admin/outbox', { token: await org.token() });
      expectStatus(res, 403);
      res = await server.api('GET', '/api/v1/admin/outbox?status=lost', { token: await admin.token() });
      expectStatus(res, 400);
    });
  });
}

for (const store of STORES) forStore(store);
