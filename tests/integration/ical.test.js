// iCalendar over HTTP on both stores: export (checked by an independent
// parser, Debian's python3-icalendar), import of files shaped like Google,
// Outlook, Apple and Thunderbird exports (idempotent by UID, updated by a
// higher SEQUENCE), broken files, text injection, the round trip, and the
// private subscription feed.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { eachStore, expectStatus, expectProblem, REPO_ROOT, STORES, Server } from './lib/harness.js';
import { describe } from 'node:test';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/ics');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** Parses with python3-icalendar; returns {events: [{uid, summary, description, rrule, exdates, rid, attendees, alarms}], zones}. */
function pyParse(text) {
  const script = `
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
out = {"events": [], "zones": []}
for c in cal.walk():
    if c.name == "VTIMEZONE":
        out["zones"].append(str(c.get("TZID")))
    if c.name == "VEVENT":
        ex = c.get("EXDATE")
        exl = ex if isinstance(ex, list) else ([ex] if ex else [])
        att = c.get("ATTENDEE")
        attl = att if isinstance(att, list) else ([att] if att else [])
        out["events"].append({
            "uid": str(c.get("UID")), "summary": str(c.get("SUMMARY")) if c.get("SUMMARY") is not None else None,
            "description": str(c.get("DESCRIPTION")) if c.get("DESCRIPTION") is not None else None,
            "rrule": c.get("RRULE").to_ical().decode() if c.get("RRULE") else None,
            "exdates": sum((len(e.dts) for e in exl), 0),
            "rid": str(c.get("RECURRENCE-ID").dt) if c.get("RECURRENCE-ID") else None,
            "attendees": [str(a) for a in attl],
            "alarms": len([s for s in c.subcomponents if s.name == "VALARM"]),
            "klass": str(c.get("CLASS")) if c.get("CLASS") else None,
            "start": str(c.get("DTSTART").dt)})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: text }).toString());
}

/** The text without the lines that change at every write. */
const stable = (text) => text.split('\r\n').filter((l) => !/^(DTSTAMP|LAST-MODIFIED)[:;]/.test(l)).join('\r\n');

eachStore((ctx) => {
  let ana, token, bob;
  it('fixtures', async () => {
    const s = ctx.server;
    const co = await s.company(`Ics ${ctx.store}`, `ics-${ctx.store}`);
    ana = await s.user(co, { email: `ana-ics-${ctx.store}@ics.test`, name: 'Ana', timezone: 'Europe/Madrid' });
    bob = await s.user(co, { email: `bob-ics-${ctx.store}@ics.test`, name: 'Bob' });
    token = await ana.token();
  });

  it('exports a series with its exceptions, EXDATEs, people, alarms and privacy; an independent parser agrees', async () => {
    const s = ctx.server;
    const desc = 'Agenda\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM; a, b \\ c';
    const r = await s.api('POST', '/api/v1/calendar/events', { token, body: {
      name: 'Comité; semanal, "sí"', description: desc, location: 'Sala 1',
      startDatetime: '2026-03-02T10:00:00+01:00', endDatetime: '2026-03-02T11:00:00+01:00', timezone: 'Europe/Madrid',
      privacy: 'private', rrule: 'FREQ=WEEKLY;COUNT=6;BYDAY=MO', exdates: ['2026-03-16'],
      attendees: [{ userId: bob.id }, { email: 'ext@example.com', displayName: 'Ext Ernal', role: 'optional' }],
      alarms: [{ type: 'email', intervalValue: 1, intervalUnit: 'hours' }] } });
    expectStatus(r, 201);
    const id = r.json.id;
    expectStatus(await s.api('PATCH', `/api/v1/calendar/events/${id}_20260323T090000Z?scope=this`, { token, body: { location: 'Sala 2' } }), 200);
    const ex = await s.api('GET', `/api/v1/calendar/events/${id}/ics`, { token });
    expectStatus(ex, 200);
    assert.match(ex.headers['content-type'], /^text\/calendar/);
    const text = ex.text;
    assert.ok(text.includes('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends');
    assert.ok(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'folded at 75 octets');
    for (const want of ['BEGIN:VTIMEZONE', 'TZID:Europe/Madrid', 'RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO', 'CLASS:PRIVATE', 'TRANSP:OPAQUE', `UID:${id}@calendard`, 'RECURRENCE-ID;TZID=Europe/Madrid:20260323T100000', 'BEGIN:VALARM', 'ACTION:EMAIL'])
      assert.ok(text.replace(/\r\n /g, '').includes(want), `missing ${want}\n${text}`);
    const py = pyParse(text);
    assert.deepEqual(py.zones, ['Europe/Madrid']);
    assert.equal(py.events.length, 2, 'the series and its exception');
    const [series, over] = py.events;
    assert.equal(series.summary, 'Comité; semanal, "sí"');
    assert.equal(series.description.replace(/\r\n/g, '\n'), desc.replace(/\r\n/g, '\n'), 'the injected text stays one DESCRIPTION');
    assert.equal(series.alarms, 1, 'no VALARM smuggled through the description');
    assert.equal(series.exdates, 1);
    assert.equal(series.klass, 'PRIVATE');
    assert.equal(series.attendees.length, 3);
    assert.equal(over.rid, '2026-03-23 10:00:00+01:00');
    // a colleague gets busy blocks only
    const seen = await s.api('GET', `/api/v1/calendar/events/${id}/ics`, { token: await bob.token() });
    expectStatus(seen, 200, 'an attendee sees it in full');
    const co2 = await s.company(`Other ${ctx.store}`, `other-ics-${ctx.store}`);
    const outsider = await s.user(co2, { email: `out-ics-${ctx.store}@ics.test`, name: 'Out' });
    expectProblem(await s.api('GET', `/api/v1/calendar/events/${id}/ics`, { token: await outsider.token() }), 404, {});
  });

  it('imports Google, Outlook, Apple and Thunderbird files; importing again changes nothing; a higher SEQUENCE updates', async () => {
    const s = ctx.server;
    const imp = (body) => s.api('POST', '/api/v1/calendar/import', { token, raw: body, contentType: 'text/calendar' });
    const expected = { 'google.ics': 3, 'outlook.ics': 6, 'apple.ics': 3, 'thunderbird.ics': 2 };
    for (const [name, created] of Object.entries(expected)) {
      const r = await imp(fixture(name));
      expectStatus(r, 200, name);
      assert.equal(r.json.created.length, created, `${name}: ${JSON.stringify(r.json)}`);
      const again = await imp(fixture(name));
      expectStatus(again, 200);
      assert.equal(again.json.created.length + again.json.updated.length, 0, `${name} twice: ${JSON.stringify(again.json)}`);
      assert.ok(again.json.skipped.every((x) => x.reason), 'every skip says why');
    }
    // Outlook's "Pacific Standard Time" at 09:00 in July is 16:00Z
    const july = await s.api('GET', '/api/v1/calendar/events?from=2024-07-01&to=2024-08-01&limit=500', { token });
    expectStatus(july, 200);
    assert.ok(july.json.items.some((e) => e.startDatetime.endsWith('T16:00:00Z') && e.timezone === 'America/Los_Angeles'),
      JSON.stringify(july.json.items.map((e) => [e.name, e.startDatetime, e.timezone])));
    // a newer SEQUENCE of the same UID updates
    const g = fixture('thunderbird.ics');
    const uid = /^UID:(.*)$/m.exec(g)[1].trim();
    const bumped = g.replace(/^SEQUENCE:\d+\r\n/mg, '').replace(/^UID:[^\r\n]*/mg, '$&\r\nSEQUENCE:9')
      .replace(/^SUMMARY:[^\r\n]*/m, 'SUMMARY:Renamed by import');
    const up = await imp(bumped);
    expectStatus(up, 200);
    assert.ok(up.json.updated.some((x) => x.uid === uid), JSON.stringify(up.json));
  });

  it('a broken file is a 400 that says where, and imports nothing; the wrong media type is 415', async () => {
    const s = ctx.server;
    const broken = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ok-1\r\nDTSTART:20260101T100000Z\r\nSUMMARY:fine\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:bad-1\r\nDTSTART:2026-99-01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const r = await s.api('POST', '/api/v1/calendar/import', { token, raw: broken, contentType: 'text/calendar' });
    expectProblem(r, 400, {});
    assert.match(r.json.detail + JSON.stringify(r.json.errors || []), /line \d+/);
    const list = await s.api('GET', '/api/v1/calendar/events?from=2025-12-31&to=2026-01-02', { token });
    assert.ok(!list.text.includes('fine'), 'nothing imported');
    expectProblem(await s.api('POST', '/api/v1/calendar/import', { token, raw: broken, contentType: 'application/json' }), 415, {});
  });

  it('export → import → export gives the same calendar', async () => {
    const s = ctx.server;
    const co = await s.company(`Trip ${ctx.store}`, `trip-ics-${ctx.store}`);
    const eva = await s.user(co, { email: `eva-ics-${ctx.store}@ics.test`, name: 'Eva', timezone: 'America/New_York' });
    const t = await eva.token();
    const mk = (body) => s.api('POST', '/api/v1/calendar/events', { token: t, body });
    const a = await mk({ name: 'Standup', startDatetime: '2026-05-04T09:00:00-04:00', endDatetime: '2026-05-04T09:15:00-04:00', timezone: 'America/New_York', rrule: 'FREQ=DAILY;COUNT=10', exdates: ['2026-05-06T09:00:00-04:00'] });
    await mk({ name: 'Feriado', allDay: true, startDatetime: '2026-05-25', endDatetime: '2026-05-26', timezone: 'America/New_York', showAs: 'free' });
    await mk({ name: 'Review', startDatetime: '2026-05-12T15:00:00Z', endDatetime: '2026-05-12T16:00:00Z', timezone: 'UTC', privacy: 'confidential', alarms: [{ type: 'notification', intervalValue: 2, intervalUnit: 'days' }] });
    expectStatus(await s.api('PATCH', `/api/v1/calendar/events/${a.json.id}_20260508T130000Z?scope=this`, { token: t, body: { name: 'Standup (late)', startDatetime: '2026-05-08T10:00:00-04:00', endDatetime: '2026-05-08T10:15:00-04:00' } }), 200);
    const q = '/api/v1/calendar/events.ics?from=2026-05-01&to=2026-06-01';
    const first = await s.api('GET', q, { token: t });
    expectStatus(first, 200);
    // delete everything, import the export, export again
    const items = await s.api('GET', '/api/v1/calendar/events?from=2026-05-01&to=2026-06-01&limit=500', { token: t });
    for (const id of new Set(items.json.items.map((e) => e.seriesId || e.id)))
      await s.api('DELETE', `/api/v1/calendar/events/${id}?notify=false`, { token: t });
    const imp = await s.api('POST', '/api/v1/calendar/import', { token: t, raw: first.text, contentType: 'text/calendar' });
    expectStatus(imp, 200);
    assert.equal(imp.json.skipped.length, 0, JSON.stringify(imp.json));
    const second = await s.api('GET', q, { token: t });
    assert.equal(stable(second.text), stable(first.text));
  });

  it('a private feed serves the calendar without login, and stops when replaced or revoked', async () => {
    const s = ctx.server;
    const made = await s.api('POST', '/api/v1/calendar/feed', { token });
    expectStatus(made, 201);
    const url = new URL(made.json.url);
    assert.match(url.pathname, /^\/ical\/[0-9a-f]{48}\.ics$/);
    assert.ok(made.json.webcal.startsWith('webcal://'));
    const feed = await s.api('GET', url.pathname, {});
    expectStatus(feed, 200);
    assert.match(feed.headers['content-type'], /^text\/calendar/);
    assert.ok(feed.text.startsWith('BEGIN:VCALENDAR'));
    pyParse(feed.text);
    assert.ok(!s.stderr.includes(url.pathname.slice(6, 30)), 'the secret is never logged');
    const again = await s.api('POST', '/api/v1/calendar/feed', { token });
    expectProblem(await s.api('GET', url.pathname, {}), 404, {});
    const url2 = new URL(again.json.url).pathname;
    expectStatus(await s.api('GET', url2, {}), 200);
    expectStatus(await s.api('DELETE', '/api/v1/calendar/feed', { token }), 204);
    expectProblem(await s.api('GET', url2, {}), 404, {});
    expectProblem(await s.api('GET', '/ical/nothing.ics', {}), 404, {});
  });
});

// A window with more series than the limit is refused, in the list and in
// the export alike: the export once returned a silently shorter calendar.
for (const store of STORES) {
  describe(`series limit [${store}]`, () => {
    it('past CALENDARD_LIMIT_SERIES_MAX a window is a 400, never a truncated calendar', async () => {
      const s = new Server(store);
      await s.init();
      s.env.CALENDARD_LIMIT_SERIES_MAX = '2';
      await s.start();
      try {
        const co = await s.company(`Lim ${store}`, `lim-ics-${store}`);
        const u = await s.user(co, { email: `lim-${store}@ics.test`, name: 'Lim' });
        const token = await u.token();
        for (let i = 0; i < 3; i++)
          expectStatus(await s.api('POST', '/api/v1/calendar/events', { token, body: {
            name: `S${i}`, startDatetime: '2026-01-05T09:00:00Z', endDatetime: '2026-01-05T10:00:00Z', timezone: 'UTC', rrule: 'FREQ=DAILY' } }), 201);
        const win = 'from=2026-02-01T00:00:00Z&to=2026-02-08T00:00:00Z';
        expectProblem(await s.api('GET', `/api/v1/calendar/events.ics?${win}`, { token }), 400, {});
        expectProblem(await s.api('GET', `/api/v1/calendar/events?${win}`, { token }), 400, {});
      } finally {
        await s.stop();
      }
    });
  });
}
