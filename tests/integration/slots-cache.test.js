// The slot pages keep each assignee's busy time in memory (service/busy_cache.c)
// and trust it only while the user's busy_version — moved by the database on
// every change to the user's attendee rows — is unchanged. These tests fill
// process a's cache, change the calendar through process b, through the
// event's other paths (answer, show-as, delete, series EXDATE) and straight
// in SQL, and check that a's very next answer already shows the change.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startServer, rand, isoZ } from './lib/harness.js';
import {
  PUBLIC_ENV, zoned, nextMonday, typeBody, createType, slotStarts, secondProcess, localDate, sql,
} from './lib/appointments.js';

const MX = 'America/Mexico_City';

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    let a, b, co, admin;
    const monday = nextMonday(MX);
    const at = (hhmm, d = monday) => zoned(d, hhmm, MX);
    const day = localDate(at('09:00'), MX);

    before(async () => {
      a = await startServer(store, PUBLIC_ENV);
      b = await secondProcess(a);
      co = await a.company(`Cache ${rand(4)}`);
      admin = await a.user(co, { name: 'Cy Admin', admin: true });
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
    });

    async function setup() {
      const ann = await a.user(co, { name: `Ann ${rand(3)}`, timezone: MX });
      const type = await createType(a, admin, typeBody([ann]));
      return { ann, type };
    }
    const free = (server, type) => slotStarts(server, type.id, day);

    test('an event written by another process shows at once; so does its move and its delete', async () => {
      const { ann, type } = await setup();
      const before = await free(a, type); // fills a's cache
      assert.ok(before.includes(isoZ(at('10:00'))), 'the 10:00 slot is free at first');
      const ev = await b.createEvent(ann, { name: 'Busy', startDatetime: isoZ(at('10:00')), endDatetime: isoZ(at('10:30')) });
      assert.ok(!(await free(a, type)).includes(isoZ(at('10:00'))), 'a sees b\'s new event');
      let res = await b.api('PATCH', `/api/v1/calendar/events/${ev.id}`, {
        token: await ann.token(), body: { startDatetime: isoZ(at('11:00')), endDatetime: isoZ(at('11:30')) },
      });
      assert.equal(res.status, 200, res.text);
      const moved = await free(a, type);
      assert.ok(moved.includes(isoZ(at('10:00'))) && !moved.includes(isoZ(at('11:00'))), 'a sees the move');
      res = await b.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await ann.token(), body: { showAs: 'free' } });
      assert.equal(res.status, 200, res.text);
      assert.ok((await free(a, type)).includes(isoZ(at('11:00'))), 'shown free: the slot is back');
      res = await b.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token: await ann.token(), body: { showAs: 'busy' } });
      assert.equal(res.status, 200, res.text);
      assert.ok(!(await free(a, type)).includes(isoZ(at('11:00'))), 'busy again');
      res = await b.api('DELETE', `/api/v1/calendar/events/${ev.id}`, { token: await ann.token() });
      assert.equal(res.status, 204, res.text);
      assert.deepEqual(await free(a, type), before, 'deleted: every slot is back');
    });

    test('declining an invitation frees the time; an EXDATE on a series frees one week', async () => {
      const { ann, type } = await setup();
      const org = await a.user(co, { name: `Org ${rand(3)}`, timezone: MX });
      await free(a, type);
      const inv = await b.createEvent(org, {
        name: 'Invite', startDatetime: isoZ(at('09:00')), endDatetime: isoZ(at('09:30')),
        attendees: [{ userId: ann.id }],
      });
      assert.ok(!(await free(a, type)).includes(isoZ(at('09:00'))), 'an unanswered invitation blocks');
      let res = await b.api('POST', `/api/v1/calendar/events/${inv.id}/respond`, { token: await ann.token(), body: { response: 'declined' } });
      assert.equal(res.status, 200, res.text);
      assert.ok((await free(a, type)).includes(isoZ(at('09:00'))), 'declined: free again');

      const series = await b.createEvent(ann, {
        name: 'Weekly', startDatetime: isoZ(at('11:30')), endDatetime: isoZ(at('12:00')), timezone: MX,
        recurring: true, rrule: 'FREQ=WEEKLY;COUNT=4',
      });
      assert.ok(!(await free(a, type)).includes(isoZ(at('11:30'))), 'the series blocks');
      res = await b.api('PATCH', `/api/v1/calendar/events/${series.id}`, {
        token: await ann.token(), body: { exdates: [isoZ(at('11:30'))] },
      });
      assert.equal(res.status, 200, res.text);
      assert.ok((await free(a, type)).includes(isoZ(at('11:30'))), 'EXDATE: that week is free');
    });

    test('more live series than a search reads: a 400 that says so, not a bare one', async () => {
      const small = await startServer(store, { ...PUBLIC_ENV, CALENDARD_LIMIT_SERIES_MAX: '1' });
      try {
        const c2 = await small.company(`Many ${rand(4)}`);
        const boss = await small.user(c2, { name: 'Boss', admin: true });
        const sam = await small.user(c2, { name: 'Sam', timezone: MX });
        const type = await createType(small, boss, typeBody([sam]));
        for (let i = 0; i < 5; i++) {
          await small.createEvent(sam, {
            name: `Weekly ${i}`, startDatetime: isoZ(at(`0${i + 1}:00`)), endDatetime: isoZ(at(`0${i + 1}:30`)),
            timezone: MX, recurring: true, rrule: 'FREQ=WEEKLY',
          });
        }
        const res = await small.api('GET', `/api/v1/calendar/appointments/types/${type.id}/slots?from=${day}&to=${day}`);
        assert.equal(res.status, 400, res.text);
        assert.match(res.json.detail, /CALENDARD_LIMIT_SERIES_MAX/);
      } finally {
        await small.stop();
      }
    });

    test('a change made straight in the database (no calendard involved) is seen too', async () => {
      const { ann, type } = await setup();
      const ev = await a.createEvent(ann, { name: 'Busy', startDatetime: isoZ(at('10:00')), endDatetime: isoZ(at('10:30')) });
      assert.ok(!(await free(a, type)).includes(isoZ(at('10:00'))));
      await sql(a, `UPDATE calendar_attendees SET state = 'declined' WHERE event_id = '${ev.id}'`);
      assert.ok((await free(a, type)).includes(isoZ(at('10:00'))), 'the trigger moved the version');
    });
  });
}

for (const store of STORES) forStore(store);
