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
      // 16 handler threads each (the default is one per core): more bookings in flight at once.
      a = await startServer(store, { ...PUBLIC_ENV, CALENDARD_THREADS: '16', SMTP_URL: sink.url, SMTP_TLS: 'off', CALENDARD_PUBLIC_URL: 'http://calendar.example' });
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

    /** Every answer is `okStatus` or the refusal (409 slot_taken); resolves to the winners. */
    function tally(results, okStatus, what, [noStatus, noCode] = [409, 'slot_taken']) {
      const counts = {};
      for (const r of results) {
        const k = `${r.res.status}${r.res.json?.code ? ` ${r.res.json.code}` : ''} via ${r.via}`;
        counts[k] = (counts[k] || 0) + 1;
      }
      const odd = results.filter((r) => r.res.status !== okStatus && !(r.res.status === noStatus && r.res.json?.code === noCode));
      assert.equal(odd.length, 0, `${what}: every answer is ${okStatus} or ${noStatus} ${noCode}; got ${JSON.stringify(counts)}\nfirst odd one (via ${odd[0]?.via}):\n${odd[0] ? describeRes(odd[0].res) : ''}`);
      for (const r of results.filter((x) => x.res.status === noStatus)) {
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

    /** A new assignee, a type of theirs that may be changed until the start, and one booking at `hhmm`. */
    async function oneBooking(name, hhmm) {
      const u = await assignee(name);
      const type = await createType(a, admin, typeBody([u], { cancelHoursBefore: 0 }));
      const res = await book(a, bookBody(type, at(hhmm)));
      assert.equal(res.status, 201, describeRes(res));
      return { u, type, bk: res.json };
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

    test('one Idempotency-Key sent 50 times at once over both processes: one booking, every answer that booking', async (t) => {
      const gus = await assignee('Gus Idem');
      const type = await createType(a, admin, typeBody([gus]));
      const body = bookBody(type, at('11:00'));
      const key = `race-${rand(12)}`;
      const results = await burst(Array.from({ length: 50 }, () => body), (s, x, opts) => book(s, x, { headers: { 'Idempotency-Key': key }, ...opts }));
      const counts = {};
      for (const r of results) {
        const k = `${r.res.status}${r.res.json?.code ? ` ${r.res.json.code}` : ''}${r.res.headers['idempotent-replayed'] ? ' replayed' : ''} via ${r.via}`;
        counts[k] = (counts[k] || 0) + 1;
      }
      t.diagnostic(`same key: ${JSON.stringify(counts)}`);
      const odd = results.filter((r) => r.res.status !== 201);
      assert.equal(odd.length, 0, `every answer is the booking (201); got ${JSON.stringify(counts)}\n${odd[0] ? describeRes(odd[0].res) : ''}`);
      assert.equal(new Set(results.map((r) => r.res.json.id)).size, 1, 'one booking id in every answer');
      assert.equal(results.filter((r) => r.res.headers['idempotent-replayed'] !== 'true').length, 1, 'one first answer, the rest replays');
      assert.equal((await confirmedOf(gus)).length, 1, 'one booking row');
      assert.equal((await eventsOf(a, gus, at('11:00'), at('11:30'))).length, 1, 'one event');
    });

    test('20 cancels of one booking at once over both processes: one 200, the rest 410, one CANCEL mail', async (t) => {
      const { u: hal, type, bk } = await oneBooking('Hal Cancel', '10:00');
      const { won, counts } = tally(await burst(Array.from({ length: 20 }, () => bk),
        (s, x, opts) => s.api('POST', managePath(x), { body: { action: 'cancel' }, ...opts })), 200, 'cancels', [410, 'gone']);
      t.diagnostic(`cancels: ${JSON.stringify(counts)}`);
      assert.equal(won.length, 1, `exactly one cancel wins; ${JSON.stringify(counts)}`);
      assert.equal((await confirmedOf(hal)).length, 0, 'no confirmed booking left');
      assert.deepEqual(await eventsOf(a, hal, at('10:00'), at('10:30')), [], 'the event is gone');
      const cancels = () => sink.messages().filter((m) => to(m) === bk.customerEmail && m.calendar?.parsed?.method === 'CANCEL');
      await sink.waitFor(() => cancels().length >= 1, 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(cancels().length, 1, 'one iMIP CANCEL to the customer');
      assert.ok((await slotStarts(a, type.id, monday)).includes(isoZ(at('10:00'))), 'the time is free again');
    });

    test('cancels and reschedules of one booking at once: one cancel wins, the booking ends cancelled with no event, both times free', async (t) => {
      const { u: ida, type, bk } = await oneBooking('Ida Mixed', '09:00');
      // Pairs of items alternate between a cancel and a move to 11:00, so that each kind reaches both processes.
      const actions = Array.from({ length: 20 }, (_, i) => ((i >> 1) % 2 ? { action: 'reschedule', startDatetime: isoZ(at('11:00')) } : { action: 'cancel' }));
      const results = await burst(actions, (s, body, opts) => s.api('POST', managePath(bk), { body, ...opts }));
      const counts = {};
      for (const r of results) {
        const k = `${r.item.action} ${r.res.status}${r.res.json?.code ? ` ${r.res.json.code}` : ''}`;
        counts[k] = (counts[k] || 0) + 1;
      }
      t.diagnostic(`cancel/reschedule: ${JSON.stringify(counts)}`);
      // The end state first (the invariant that matters most), then the answers.
      const now = await a.api('GET', managePath(bk));
      const state = `answers ${JSON.stringify(counts)}; the booking ${now.json?.status} at ${now.json?.startDatetime}`;
      assert.equal(now.json.status, 'cancelled', `the booking ends cancelled: ${state}`);
      assert.equal((await confirmedOf(ida)).length, 0, `no confirmed row: ${state}`);
      assert.deepEqual(await eventsOf(a, ida, at('08:00'), at('13:00')), [], `no event left: ${state}`);
      const free = await slotStarts(a, type.id, monday);
      assert.ok(free.includes(isoZ(at('09:00'))) && free.includes(isoZ(at('11:00'))), `both times free: ${state}`);
      const odd = results.filter((r) => !(r.res.status === 200 || (r.res.status === 410 && r.res.json?.code === 'gone')));
      assert.equal(odd.length, 0, `every answer is 200 or 410 gone; ${state}\n${odd[0] ? describeRes(odd[0].res) : ''}`);
      assert.equal(results.filter((r) => r.item.action === 'cancel' && r.res.status === 200).length, 1, `one cancel wins; ${state}`);
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
