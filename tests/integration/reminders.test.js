// Reminders over time, with the server's injectable clock
// (CALENDARD_CLOCK_OFFSET_SECONDS) instead of sleeping: after downtime a
// reminder still useful is sent once and a stale one is skipped; recurring
// alarms advance occurrence by occurrence; a moved occurrence is reminded
// at its new time, a cancelled one never; a deleted event's alarms are gone.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startServer, startSmtpSink, rand, expectStatus, sleep } from './lib/harness.js';

const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;
const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
// Whole minutes from a fixed origin, so the series' instants are exact.
const T = Math.ceil(Date.now() / MIN) * MIN;

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    let server, sink, co, org;
    before(async () => {
      sink = await startSmtpSink();
      server = await startServer(store, { SMTP_URL: sink.url, SMTP_TLS: 'off', CALENDARD_CLOCK_OFFSET_SECONDS: '0' });
      co = await server.company(`Rem ${rand(4)}`);
      org = await server.user(co, { name: 'Rita Reminders' });
    });
    after(async () => {
      await server?.stop();
      await sink?.stop();
    });

    const reminders = (name) => sink.messages().filter((m) => (m.subject || '').includes(name));
    async function create(body) {
      const res = await server.api('POST', '/api/v1/calendar/events?notify=false', { token: await org.token(), body });
      expectStatus(res, 201, 'create');
      return res.json;
    }
    const alarm = (minutes) => [{ type: 'email', intervalValue: minutes, intervalUnit: 'minutes' }];
    // The server's clock moved to T + ms (a restart: the server was down).
    const jump = (ms) => server.restart({ CALENDARD_CLOCK_OFFSET_SECONDS: String(Math.round((T + ms - Date.now()) / 1000)) });
    // Waits until the count holds for a while (nothing more arrives).
    async function settle(pred, what) {
      await sink.waitFor(() => pred(), 15_000).catch((e) => assert.fail(`${what}: ${e.message}`));
      await sleep(1200);
      assert.ok(pred(), `${what} (after settling)`);
    }

    const name1 = `Started ${rand(5)}`, name2 = `Useful ${rand(5)}`, name3 = `Daily ${rand(5)}`;
    const moved = `Moved ${rand(5)}`, gone = `Deleted ${rand(5)}`;

    test('nothing is sent before it is due', async () => {
      await create({ name: name1, startDatetime: iso(T + 30 * MIN), endDatetime: iso(T + 60 * MIN), alarms: alarm(10) });
      await create({ name: name2, startDatetime: iso(T + 2 * HOUR), endDatetime: iso(T + 3 * HOUR), alarms: alarm(90) });
      await create({ name: name3, startDatetime: iso(T + HOUR), endDatetime: iso(T + HOUR + 15 * MIN),
        recurring: true, recurrenceConfig: { rruleType: 'daily', interval: 1, endType: 'count', count: 5 }, alarms: alarm(30) });
      const m = await create({ name: moved, startDatetime: iso(T + 2 * HOUR), endDatetime: iso(T + 3 * HOUR),
        recurring: true, recurrenceConfig: { rruleType: 'daily', interval: 1, endType: 'count', count: 4 }, alarms: alarm(30) });
      const d = await create({ name: gone, startDatetime: iso(T + 2 * HOUR), endDatetime: iso(T + 3 * HOUR), alarms: alarm(60) });
      // Move the second occurrence three hours later, cancel the third.
      const second = `${m.id}_${iso(T + DAY + 2 * HOUR).replace(/[-:]/g, '')}`;
      const third = `${m.id}_${iso(T + 2 * DAY + 2 * HOUR).replace(/[-:]/g, '')}`;
      let res = await server.api('PATCH', `/api/v1/calendar/events/${second}?scope=this&notify=false`, { token: await org.token(),
        body: { startDatetime: iso(T + DAY + 5 * HOUR), endDatetime: iso(T + DAY + 6 * HOUR) } });
      expectStatus(res, 200, 'move one occurrence');
      res = await server.api('DELETE', `/api/v1/calendar/events/${third}?scope=this&notify=false`, { token: await org.token() });
      expectStatus(res, 204, 'cancel one occurrence');
      res = await server.api('DELETE', `/api/v1/calendar/events/${d.id}?notify=false`, { token: await org.token() });
      expectStatus(res, 204, 'delete');
      await sleep(1500);
      for (const n of [name1, name2, name3, moved, gone]) assert.equal(reminders(n).length, 0, n);
    });

    test('after 50 minutes of downtime: useful reminders once, the started event skipped', async () => {
      await jump(50 * MIN);
      await settle(() => reminders(name2).length === 1 && reminders(name3).length === 1, 'one each for the useful ones');
      assert.equal(reminders(name1).length, 0, 'its event began 20 minutes ago: skipped');
      assert.deepEqual(reminders(name2).map((m) => m.rcptTos[0]), [org.email]);
      assert.equal(reminders(gone).length, 0, 'a deleted event keeps no alarm');
    });

    test('a recurring alarm moves to the next occurrence; a moved one is reminded at its new time, a cancelled one never', async () => {
      await jump(DAY + 50 * MIN);
      await settle(() => reminders(name3).length === 2, 'the daily series: its second occurrence');
      assert.equal(reminders(moved).length, 0, 'the first began long ago; the second was moved to 5 h');
      await jump(DAY + 4 * HOUR + 40 * MIN);
      await settle(() => reminders(moved).length === 1, 'the moved occurrence, 30 minutes before its new time');
      await jump(2 * DAY + 2 * HOUR + 5 * MIN);
      await sleep(1500);
      assert.equal(reminders(moved).length, 1, 'the cancelled third occurrence is never reminded');
      await jump(3 * DAY + 1 * HOUR + 40 * MIN);
      await settle(() => reminders(moved).length === 2, 'the fourth occurrence');
      assert.equal(reminders(name1).length + reminders(gone).length, 0);
      assert.equal(reminders(name2).length, 1, 'never twice');
    });
  });
}

for (const store of STORES) forStore(store);
