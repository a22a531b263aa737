// Concurrent bookings of one assignee's time, on SQLite and PostgreSQL,
// with TWO calendard processes on the same database and the requests split
// between them: of every burst for one slot (or for overlapping starts, or
// across two types sharing the assignee) exactly one booking wins, the rest
// are 409 slot_taken, and the store holds no overlapping confirmed
// bookings or events; with two free assignees exactly two win, one each;
// concurrent reschedules into one slot: one wins. Only winners' customers
// get a confirmation e-mail.
//
// The bursts are real: every request has its own connection, opened
// before the burst (keep-alive agents warmed with /livez), and all are sent
// at once with Promise.all.

import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { STORES, startServer, startSmtpSink, describeRes, rand, isoZ } from './lib/harness.js';
import {
  MIN, HOUR, PUBLIC_ENV, zoned, nextMonday, typeBody, createType, bookBody, book, managePath,
  slotStarts, bookingRows, overlaps, eventsOf, secondProcess,
} from './lib/appointments.js';

const N = 200;
const MX = 'America/Mexico_City';
const to = (m) => (m.rcptTos || [])[0];

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    let a, b, sink, co, admin, agents;
    const monday = nextMonday(MX);
    const at = (hhmm, d = monday) => zoned(d, hhmm, MX);

    before(async () => {
      sink = await startSmtpSink();
      a = await startServer(store, { ...PUBLIC_ENV, SMTP_URL: sink.url, SMTP_TLS: 'off', CALENDARD_PUBLIC_URL: 'http://calendar.example' });
      b = await secondProcess(a);
      agents = new Map([a, b].map((s) => [s, new http.Agent({ keepAlive: true, maxSockets: N })]));
      co = await a.company(`Race ${rand(4)}`);
      admin = await a.user(co, { name: 'Rae Admin', admin: true });
    });
    after(async () => {
      for (const ag of agents?.values() || []) ag.destroy();
      await b?.stop();
      await a?.stop();
      await sink?.stop();
    });

    const assignee = (name) => a.user(co, { name: `${name} ${rand(3)}`, timezone: MX });

    /** Opens `n` connections to each process, so that the burst does not wait for handshakes. */
    async function warm(n) {
      await Promise.all([a, b].flatMap((s) => Array.from({ length: n }, () => s.api('GET', '/livez', { agent: agents.get(s) }))));
    }

    /**
     * Sends every request at once, even ones to process a, odd ones to b.
     * send(server, item, opts) makes one request; resolves to [{res, via, item}].
     */
    async function burst(items, send) {
      await warm(Math.ceil(items.length / 2));
      return Promise.all(items.map(async (item, i) => {
        const s = i % 2 ? b : a;
        const res = await send(s, item, { agent: agents.get(s), timeoutMs: 120_000 });
        return { res, via: i % 2 ? 'b' : 'a', item };
      }));
    }

    /** Every answer is `okStatus` or 409 slot_taken; resolves to the winners. */
    function tally(results, okStatus, what) {
      const counts = {};
      for (const r of results) {
        const k = `${r.res.status}${r.res.json?.code ? ` ${r.res.json.code}` : ''} via ${r.via}`;
        counts[k] = (counts[k] || 0) + 1;
      }
      const odd = results.filter((r) => r.res.status !== okStatus && !(r.res.status === 409 && r.res.json?.code === 'slot_taken'));
      assert.equal(odd.length, 0, `${what}: every answer is ${okStatus} or 409 slot_taken; got ${JSON.stringify(counts)}\nfirst odd one (via ${odd[0]?.via}):\n${odd[0] ? describeRes(odd[0].res) : ''}`);
      for (const r of results.filter((x) => x.res.status === 409)) {
        assert.match(r.res.headers['content-type'] || '', /^application\/problem\+json/, describeRes(r.res));
      }
      return { won: results.filter((r) => r.res.status === okStatus), counts };
    }

    /** The confirmed booking rows of a user: no two overlap. */
    async function confirmedOf(u) {
      const rows = await bookingRows(a, `assignee_id = '${u.id}' AND status = 'confirmed'`);
      const bad = overlaps(rows);
      assert.deepEqual(bad.map(([x, y]) => `${isoZ(x.start)}..${isoZ(x.end)} / ${isoZ(y.start)}..${isoZ(y.end)}`), [],
        `${u.name}: no overlapping confirmed bookings in the store`);
      return rows;
    }

    /** Winners' customers get one confirmation, losers' none. */
    async function mailsSettle(bodies, winners, what) {
      const winMails = new Set(winners.map((w) => w.res.json.customerEmail));
      await sink.waitFor((all) => [...winMails].every((e) => all.some((m) => to(m) === e)), 20_000)
        .catch((e) => assert.fail(`${what}: the winners' confirmations: ${e.message}`));
      await new Promise((r) => setTimeout(r, 1000));
      const losers = new Set(bodies.map((x) => x.customerEmail).filter((e) => !winMails.has(e)));
      const leaked = sink.messages().filter((m) => losers.has(to(m)));
      assert.equal(leaked.length, 0, `${what}: a refused booking sent mail: ${leaked.map((m) => `${to(m)} ${m.subject}`).join(', ')}`);
      for (const e of winMails) assert.equal(sink.messages().filter((m) => to(m) === e).length, 1, `${what}: one confirmation to ${e}`);
    }

    test(`one slot, ${N} concurrent bookings over two processes, 5 rounds: exactly one wins each time`, async (t) => {
      const ana = await assignee('Ana Race');
      const type = await createType(a, admin, typeBody([ana], { durationMinutes: 60, availability: { monday: [{ from: '09:00', to: '17:00' }] } }));
      const hours = ['09:00', '10:00', '11:00', '12:00', '13:00'];
      for (const [round, h] of hours.entries()) {
        const bodies = Array.from({ length: N }, (_, i) => bookBody(type, at(h), { customerEmail: `race${round}.${i}.${rand(4)}@customer.example` }));
        const t0 = Date.now();
        const { won, counts } = tally(await burst(bodies, (s, body, opts) => book(s, body, opts)), 201, `round ${round} (${h})`);
        t.diagnostic(`round ${round} (${h}): ${JSON.stringify(counts)} in ${Date.now() - t0} ms`);
        assert.equal(won.length, 1, `round ${round} (${h}): exactly one 201; ${JSON.stringify(counts)}`);
        const w = won[0].res.json;
        assert.equal(w.startDatetime, isoZ(at(h)));
        const evs = await eventsOf(a, ana, at(h), at(h) + HOUR);
        assert.deepEqual(evs.map((e) => e.id), [w.eventId], `round ${round}: one event in Ana's calendar at ${h}`);
        const rows = (await confirmedOf(ana)).filter((r) => r.start < at(h) + HOUR && r.end > at(h));
        assert.deepEqual(rows.map((r) => r.id), [w.id], `round ${round}: one confirmed booking row for the slot`);
        await mailsSettle(bodies, won, `round ${round}`);
      }
      assert.equal((await confirmedOf(ana)).length, hours.length, 'one booking per round, no more');
      const left = await slotStarts(a, type.id, monday);
      assert.deepEqual(left, ['14:00', '15:00', '16:00'].map((h) => isoZ(at(h))), 'the booked hours are gone from the slots');
    });

    test(`overlapping starts (60 minutes every 15): ${N} requests for 10:00, 10:15, 10:30, 10:45 — exactly one wins`, async (t) => {
      const bo = await assignee('Bo Overlap');
      const type = await createType(a, admin, typeBody([bo], { durationMinutes: 60, slotIntervalMinutes: 15, availability: { monday: [{ from: '09:00', to: '17:00' }] } }));
      for (const [round, base] of ['10:00', '14:00'].entries()) {
        const t0 = at(base);
        const starts = [0, 15, 30, 45].map((m) => t0 + m * MIN);
        const bodies = Array.from({ length: N }, (_, i) => bookBody(type, starts[i % 4], { customerEmail: `overlap${round}.${i}.${rand(4)}@customer.example` }));
        const { won, counts } = tally(await burst(bodies, (s, body, opts) => book(s, body, opts)), 201, `overlap round ${round}`);
        t.diagnostic(`overlap round ${round} (${base}): ${JSON.stringify(counts)}`);
        assert.equal(won.length, 1, `overlap round ${round}: exactly one 201 of the four starts; ${JSON.stringify(counts)}`);
        const w = won[0].res.json;
        const evs = await eventsOf(a, bo, t0, t0 + 105 * MIN);
        assert.deepEqual(evs.map((e) => e.id), [w.eventId], `overlap round ${round}: one event between ${base} and +1:45`);
        const rows = (await confirmedOf(bo)).filter((r) => r.start < t0 + 105 * MIN && r.end > t0);
        assert.deepEqual(rows.map((r) => r.id), [w.id], `overlap round ${round}: one booking row`);
        const ws = Date.parse(w.startDatetime);
        const clash = (await slotStarts(a, type.id, monday)).filter((s) => Date.parse(s) < ws + HOUR && Date.parse(s) + HOUR > ws);
        assert.deepEqual(clash, [], 'no listed slot overlaps the winner');
        await mailsSettle(bodies, won, `overlap round ${round}`);
      }
    });

    test(`one assignee shared by two types: ${N} requests split over both types, one time — exactly one wins`, async (t) => {
      const cy = await assignee('Cy Shared');
      const x = await createType(a, admin, typeBody([cy], { durationMinutes: 30 }));
      const y = await createType(a, admin, typeBody([cy], { durationMinutes: 60 }));
      // i % 4: even i go to process a, odd to b; types alternate every two.
      const bodies = Array.from({ length: N }, (_, i) => bookBody((i >> 1) % 2 ? y : x, at('10:00'), { customerEmail: `shared.${i}.${rand(4)}@customer.example` }));
      const { won, counts } = tally(await burst(bodies, (s, body, opts) => book(s, body, opts)), 201, 'two types');
      t.diagnostic(`two types: ${JSON.stringify(counts)}`);
      assert.equal(won.length, 1, `exactly one 201 across both types; ${JSON.stringify(counts)}`);
      assert.deepEqual((await eventsOf(a, cy, at('10:00'), at('11:00'))).map((e) => e.id), [won[0].res.json.eventId]);
      assert.equal((await confirmedOf(cy)).length, 1);
      await mailsSettle(bodies, won, 'two types');
    });

    test(`two free assignees in auto mode: ${N} requests for one slot — exactly two win, one each`, async (t) => {
      const dee = await assignee('Dee Pair');
      const eli = await assignee('Eli Pair');
      const type = await createType(a, admin, typeBody([dee, eli]));
      const bodies = Array.from({ length: N }, (_, i) => bookBody(type, at('09:30'), { customerEmail: `pair.${i}.${rand(4)}@customer.example` }));
      const { won, counts } = tally(await burst(bodies, (s, body, opts) => book(s, body, opts)), 201, 'two assignees');
      t.diagnostic(`two assignees: ${JSON.stringify(counts)}`);
      assert.equal(won.length, 2, `exactly two 201; ${JSON.stringify(counts)}`);
      assert.deepEqual(won.map((w) => w.res.json.assignee.id).sort(), [dee.id, eli.id].sort(), 'one each');
      for (const u of [dee, eli]) {
        assert.equal((await eventsOf(a, u, at('09:30'), at('10:00'))).length, 1, `${u.name}: one event`);
        assert.equal((await confirmedOf(u)).length, 1, `${u.name}: one booking`);
      }
      assert.ok(!(await slotStarts(a, type.id, monday)).includes(isoZ(at('09:30'))), 'the slot is gone');
      await mailsSettle(bodies, won, 'two assignees');
    });

    test('concurrent reschedules of 16 bookings into one free slot: exactly one moves', async (t) => {
      const flo = await assignee('Flo Move');
      const type = await createType(a, admin, typeBody([flo], { availability: { monday: [{ from: '08:00', to: '20:00' }] }, cancelHoursBefore: 0 }));
      const booked = [];
      for (let i = 0; i < 16; i++) {
        const res = await book(a, bookBody(type, at('08:00') + i * 30 * MIN));
        assert.equal(res.status, 201, describeRes(res));
        booked.push(res.json);
      }
      const target = isoZ(at('19:00'));
      const { won, counts } = tally(await burst(booked, (s, bk, opts) => s.api('POST', managePath(bk), { body: { action: 'reschedule', startDatetime: target }, ...opts })), 200, 'reschedules');
      t.diagnostic(`reschedules: ${JSON.stringify(counts)}`);
      assert.equal(won.length, 1, `exactly one reschedule wins; ${JSON.stringify(counts)}`);
      const moved = won[0].item;
      const rows = await confirmedOf(flo);
      assert.equal(rows.length, 16, 'every booking still confirmed');
      assert.deepEqual(rows.filter((r) => r.start === at('19:00')).map((r) => r.id), [moved.id], 'one booking at 19:00');
      for (const bk of booked.filter((x) => x.id !== moved.id)) {
        const res = await a.api('GET', managePath(bk));
        assert.equal(res.json.startDatetime, bk.startDatetime, `a refused reschedule left ${bk.id} where it was`);
      }
      const evs = await eventsOf(a, flo, at('19:00'), at('19:30'));
      assert.deepEqual(evs.map((e) => e.id), [moved.eventId], 'one event at 19:00');
      const free = await slotStarts(a, type.id, monday);
      assert.ok(free.includes(moved.startDatetime), 'the winner\'s old time is free again');
      assert.ok(!free.includes(target), 'the target is taken');
    });
  });
}

for (const store of STORES) forStore(store);
