// Recurring events over HTTP, on both stores: expansion in the event's zone
// across DST (northern, southern, half-hour, Mexico City after it dropped
// DST), §3.3.5 gaps and overlaps, validation of rules, windows in the middle
// of long series, paging across series and single events, and the scoped
// edits of occurrences (this / following / all).

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { eachStore, expectStatus, expectProblem } from './lib/harness.js';

const H = (t) => ({ token: t });

async function create(s, token, body) {
  const r = await s.api('POST', '/api/v1/calendar/events', { token, body });
  expectStatus(r, 201, 'create series');
  return r.json;
}

async function window(s, token, from, to, extra = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 200; page++) {
    const qs = new URLSearchParams({ from, to, limit: String(extra.limit || 100), ...(extra.userIds ? { userIds: extra.userIds } : {}), ...(cursor ? { cursor } : {}) });
    const r = await s.api('GET', `/api/v1/calendar/events?${qs}`, H(token));
    expectStatus(r, 200, `list ${qs}`);
    items.push(...r.json.items);
    cursor = r.json.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('paging did not end');
}

const startsOf = (items, seriesId) => items.filter((e) => e.seriesId === seriesId).map((e) => e.startDatetime);

eachStore((ctx) => {
  let ana, token, bob, bobToken;
  it('fixtures', async () => {
    const s = ctx.server;
    const co = await s.company(`Rec ${ctx.store}`, `rec-${ctx.store}`);
    ana = await s.user(co, { email: `ana-rec-${ctx.store}@rec.test`, name: 'Ana', timezone: 'America/New_York' });
    bob = await s.user(co, { email: `bob-rec-${ctx.store}@rec.test`, name: 'Bob' });
    token = await ana.token();
    bobToken = await bob.token();
  });

  it('09:00 stays 09:00 across DST in New York, Madrid, Sydney and Lord Howe', async () => {
    const s = ctx.server;
    const cases = [
      ['America/New_York', '2024-03-04T09:00:00-05:00', ['2024-03-04T14:00:00Z', '2024-03-11T13:00:00Z']],
      ['Europe/Madrid', '2024-03-25T09:00:00+01:00', ['2024-03-25T08:00:00Z', '2024-04-01T07:00:00Z']],
      ['Australia/Sydney', '2024-04-01T09:00:00+11:00', ['2024-03-31T22:00:00Z', '2024-04-07T23:00:00Z']],
      ['Australia/Lord_Howe', '2024-04-01T09:00:00+11:00', ['2024-03-31T22:00:00Z', '2024-04-07T22:30:00Z']],
    ];
    for (const [tz, start, want] of cases) {
      const end = start.replace('T09:00', 'T09:30');
      const e = await create(s, token, { name: `dst ${tz}`, startDatetime: start, endDatetime: end, timezone: tz, rrule: 'FREQ=WEEKLY;COUNT=2' });
      const items = await window(s, token, '2024-03-01T00:00:00Z', '2024-04-20T00:00:00Z');
      assert.deepEqual(startsOf(items, e.id), want, tz);
    }
  });

  it('Mexico City keeps 09:00 at 15:00Z after it dropped DST in 2022', async () => {
    const s = ctx.server;
    const e = await create(s, token, { name: 'mx', startDatetime: '2022-10-03T09:00:00-05:00', endDatetime: '2022-10-03T10:00:00-05:00',
      timezone: 'America/Mexico_City', recurrenceConfig: { rruleType: 'monthly', interval: 1, endType: 'forever', monthBy: 'date', dayOfMonth: 3 } });
    const items = await window(s, token, '2022-10-01T00:00:00Z', '2023-08-01T00:00:00Z');
    const got = startsOf(items, e.id);
    assert.equal(got[0], '2022-10-03T14:00:00Z', 'CDT before the change');
    assert.ok(got.slice(1).every((t) => t.endsWith('T15:00:00Z')), JSON.stringify(got));
    assert.equal(got.length, 10);
  });

  it('a time in the spring gap takes the offset from before it; an overlap is its first occurrence', async () => {
    const s = ctx.server;
    const gap = await create(s, token, { name: 'gap', startDatetime: '2024-03-09T02:30:00-05:00', endDatetime: '2024-03-09T03:00:00-05:00',
      timezone: 'America/New_York', rrule: 'FREQ=DAILY;COUNT=3' });
    assert.deepEqual(startsOf(await window(s, token, '2024-03-09T00:00:00Z', '2024-03-12T00:00:00Z'), gap.id),
      ['2024-03-09T07:30:00Z', '2024-03-10T07:30:00Z', '2024-03-11T06:30:00Z']);
    const overlap = await create(s, token, { name: 'overlap', startDatetime: '2024-11-02T01:30:00-04:00', endDatetime: '2024-11-02T02:00:00-04:00',
      timezone: 'America/New_York', rrule: 'FREQ=DAILY;COUNT=3' });
    assert.deepEqual(startsOf(await window(s, token, '2024-11-02T00:00:00Z', '2024-11-05T00:00:00Z'), overlap.id),
      ['2024-11-02T05:30:00Z', '2024-11-03T05:30:00Z', '2024-11-04T06:30:00Z']);
  });

  it('rules are validated with clear messages and nothing is stored', async () => {
    const s = ctx.server;
    const base = { name: 'bad', startDatetime: '2026-01-05T09:00:00Z', endDatetime: '2026-01-05T10:00:00Z' };
    const bad = [
      { rrule: 'FREQ=DAILY;INTERVAL=0' },
      { rrule: 'FREQ=SECONDLY' },
      { rrule: 'FREQ=MINUTELY;COUNT=3' },
      { rrule: 'FREQ=DAILY;COUNT=5001' },
      { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' },
      { rrule: 'FREQ=WEEKLY;BYDAY=XX' },
      { rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20260110T000000Z' },
      { rrule: 'not a rule' },
      { recurrenceConfig: { rruleType: 'hourly' } },
      { recurrenceConfig: { rruleType: 'weekly', interval: 0 } },
      { recurrenceConfig: { rruleType: 'daily', endType: 'count' } },
      { recurrenceConfig: { rruleType: 'daily', endType: 'until', until: '2025-01-01' } },
      { recurring: true },
      { rrule: 'FREQ=DAILY', exdates: ['yesterday'] },
    ];
    for (const extra of bad) {
      const r = await s.api('POST', '/api/v1/calendar/events', { token, body: { ...base, ...extra } });
      expectProblem(r, 400, { code: 'validation_failed', what: JSON.stringify(extra) });
      assert.ok(r.json.errors?.length, `names a field: ${r.text}`);
    }
    const items = await window(s, token, '2025-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
    assert.equal(items.filter((e) => e.name === 'bad').length, 0);
  });

  it('a daily series started 30 years ago answers for this week, every instance, none twice', async () => {
    const s = ctx.server;
    const e = await create(s, token, { name: 'old daily', startDatetime: '1996-11-25T08:00:00-05:00', endDatetime: '1996-11-25T08:15:00-05:00',
      timezone: 'America/New_York', rrule: 'FREQ=DAILY' });
    const got = startsOf(await window(s, token, '2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z'), e.id);
    assert.equal(got.length, 7, JSON.stringify(got));
    assert.equal(new Set(got).size, 7);
    assert.ok(got.every((t) => t.endsWith('T13:00:00Z')), JSON.stringify(got));
  });

  it('pages across series and single events without gaps or repeats', async () => {
    const s = ctx.server;
    const co2 = await s.company(`Page ${ctx.store}`, `page-${ctx.store}`);
    const pager = await s.user(co2, { email: `pager-${ctx.store}@rec.test`, name: 'Pager', timezone: 'UTC' });
    const pt = await pager.token();
    const a = await create(s, pt, { name: 'A', startDatetime: '2027-01-01T09:00:00Z', endDatetime: '2027-01-01T10:00:00Z', timezone: 'UTC', rrule: 'FREQ=DAILY;COUNT=40' });
    const b = await create(s, pt, { name: 'B', startDatetime: '2027-01-01T09:00:00Z', endDatetime: '2027-01-01T09:30:00Z', timezone: 'UTC', rrule: 'FREQ=DAILY;INTERVAL=2' });
    for (let d = 1; d <= 30; d++) {
      const day = String(d).padStart(2, '0');
      await create(s, pt, { name: `S${d}`, startDatetime: `2027-01-${day}T09:00:00Z`, endDatetime: `2027-01-${day}T09:05:00Z`, timezone: 'UTC' });
    }
    const all = await window(s, pt, '2027-01-01T00:00:00Z', '2027-01-31T00:00:00Z', { limit: 7 });
    const ids = all.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no repeats');
    assert.equal(startsOf(all, a.id).length, 30);
    assert.equal(startsOf(all, b.id).length, 15);
    assert.equal(all.filter((e) => !e.seriesId).length, 30);
    const keys = all.map((e) => `${e.startDatetime} ${e.id}`);
    assert.deepEqual(keys, [...keys].sort(), 'sorted by start then id');
  });

  it('this / following / all on occurrences', async () => {
    const s = ctx.server;
    const e = await create(s, token, { name: 'Weekly', startDatetime: '2025-01-06T09:00:00-05:00', endDatetime: '2025-01-06T09:30:00-05:00',
      timezone: 'America/New_York', recurrenceConfig: { rruleType: 'weekly', interval: 1, endType: 'count', count: 6, weekdays: 1 } });
    assert.equal(e.rrule, 'FREQ=WEEKLY;COUNT=6;BYDAY=MO');
    const occ = (d) => `${e.id}_202501${d}T140000Z`;
    // GET an occurrence
    let r = await s.api('GET', `/api/v1/calendar/events/${occ('13')}`, H(token));
    expectStatus(r, 200);
    assert.equal(r.json.seriesId, e.id);
    assert.equal(r.json.originalStartDatetime, '2025-01-13T14:00:00Z');
    expectProblem(await s.api('GET', `/api/v1/calendar/events/${e.id}_20250114T140000Z`, H(token)), 404, {});
    // this: move the 13th to the 14th; its id stays
    r = await s.api('PATCH', `/api/v1/calendar/events/${occ('13')}?scope=this`, { token, body: { startDatetime: '2025-01-14T10:00:00-05:00', endDatetime: '2025-01-14T10:30:00-05:00', name: 'Moved' } });
    expectStatus(r, 200);
    assert.equal(r.json.id, occ('13'));
    // this: cancel the 20th
    expectStatus(await s.api('DELETE', `/api/v1/calendar/events/${occ('20')}?scope=this`, H(token)), 204);
    expectProblem(await s.api('GET', `/api/v1/calendar/events/${occ('20')}`, H(token)), 404, {});
    let items = await window(s, token, '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z');
    let mine = items.filter((x) => x.seriesId === e.id);
    assert.deepEqual(mine.map((x) => [x.id, x.startDatetime, x.name]), [
      [occ('06'), '2025-01-06T14:00:00Z', 'Weekly'],
      [occ('13'), '2025-01-14T15:00:00Z', 'Moved'],
      [occ('27'), '2025-01-27T14:00:00Z', 'Weekly'],
      [`${e.id}_20250203T140000Z`, '2025-02-03T14:00:00Z', 'Weekly'],
      [`${e.id}_20250210T140000Z`, '2025-02-10T14:00:00Z', 'Weekly'],
    ]);
    // all: rename the series; the moved exception keeps its own name
    r = await s.api('PATCH', `/api/v1/calendar/events/${occ('27')}?scope=all`, { token, body: { name: 'Team' } });
    expectStatus(r, 200);
    assert.equal(r.json.id, e.id);
    // following from the 27th: a new series takes the rest
    r = await s.api('PATCH', `/api/v1/calendar/events/${occ('27')}?scope=following`, { token, body: { location: 'Room B' } });
    expectStatus(r, 200);
    const next = r.json;
    assert.notEqual(next.id, e.id);
    items = await window(s, token, '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z');
    const old = items.filter((x) => x.seriesId === e.id).map((x) => x.startDatetime);
    const fresh = items.filter((x) => x.seriesId === next.id).map((x) => [x.startDatetime, x.location]);
    assert.deepEqual(old, ['2025-01-06T14:00:00Z', '2025-01-14T15:00:00Z']);
    assert.deepEqual(fresh, [['2025-01-27T14:00:00Z', 'Room B'], ['2025-02-03T14:00:00Z', 'Room B'], ['2025-02-10T14:00:00Z', 'Room B']]);
    // delete following from the second occurrence of the new series
    expectStatus(await s.api('DELETE', `/api/v1/calendar/events/${next.id}_20250203T140000Z?scope=following`, H(token)), 204);
    items = await window(s, token, '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z');
    assert.deepEqual(items.filter((x) => x.seriesId === next.id).map((x) => x.startDatetime), ['2025-01-27T14:00:00Z']);
    // changing the first series' rule drops the exception that no longer fits
    r = await s.api('PATCH', `/api/v1/calendar/events/${e.id}`, { token, body: { rrule: 'FREQ=WEEKLY;COUNT=2;BYDAY=TU' } });
    expectStatus(r, 200);
    items = await window(s, token, '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z');
    assert.deepEqual(items.filter((x) => x.seriesId === e.id).map((x) => [x.startDatetime, x.name]),
      [['2025-01-07T14:00:00Z', 'Team'], ['2025-01-14T14:00:00Z', 'Team']]);
    // bad scope
    expectProblem(await s.api('PATCH', `/api/v1/calendar/events/${next.id}_20250127T140000Z?scope=some`, { token, body: { name: 'x' } }), 400, { fields: ['scope'] });
    // only the organizer changes occurrences
    expectProblem(await s.api('PATCH', `/api/v1/calendar/events/${next.id}_20250127T140000Z`, { token: bobToken, body: { name: 'x' } }), 403, {});
    // all: delete the series
    expectStatus(await s.api('DELETE', `/api/v1/calendar/events/${next.id}_20250127T140000Z?scope=all`, H(token)), 204);
    expectProblem(await s.api('GET', `/api/v1/calendar/events/${next.id}`, H(token)), 404, {});
  });

  it("an occurrence's ETag is its series': If-Match guards occurrences against series changes", async () => {
    const s = ctx.server;
    const e = await create(s, token, { name: 'Tagged', startDatetime: '2025-06-02T09:00:00Z', endDatetime: '2025-06-02T10:00:00Z', timezone: 'UTC', rrule: 'FREQ=DAILY;COUNT=5' });
    const occ = `${e.id}_20250603T090000Z`;
    const got = await s.api('GET', `/api/v1/calendar/events/${occ}`, H(token));
    expectStatus(got, 200);
    const series = await s.api('GET', `/api/v1/calendar/events/${e.id}`, H(token));
    assert.equal(got.headers.etag, series.headers.etag);
    let r = await s.api('PATCH', `/api/v1/calendar/events/${occ}`, { token, headers: { 'If-Match': got.headers.etag }, body: { name: 'One' } });
    expectStatus(r, 200);
    r = await s.api('PATCH', `/api/v1/calendar/events/${occ}`, { token, headers: { 'If-Match': r.headers.etag }, body: { name: 'Two' } });
    expectStatus(r, 200, 'the exception changed, the series did not');
    expectStatus(await s.api('PATCH', `/api/v1/calendar/events/${e.id}`, { token, body: { location: 'Elsewhere' } }), 200);
    expectProblem(await s.api('PATCH', `/api/v1/calendar/events/${occ}`, { token, headers: { 'If-Match': r.headers.etag }, body: { name: 'Three' } }), 412, {});
  });

  it('all-day series stay on their dates; EXDATEs by date; private series are busy blocks to colleagues', async () => {
    const s = ctx.server;
    const e = await create(s, token, { name: 'Cierre', allDay: true, startDatetime: '2025-01-31', endDatetime: '2025-02-01',
      timezone: 'America/New_York', rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4', exdates: ['2025-02-28'], privacy: 'private' });
    const items = await window(s, token, '2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z');
    assert.deepEqual(items.filter((x) => x.seriesId === e.id).map((x) => [x.startDatetime, x.endDatetime]),
      [['2025-01-31', '2025-02-01'], ['2025-03-31', '2025-04-01'], ['2025-04-30', '2025-05-01']]);
    const seen = await window(s, bobToken, '2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z', { userIds: ana.id });
    const blocks = seen.filter((x) => x.seriesId === e.id);
    assert.equal(blocks.length, 3);
    assert.ok(blocks.every((x) => x.restricted === true && !('name' in x)), JSON.stringify(blocks));
    assert.ok(!JSON.stringify(seen).includes('Cierre'));
  });
});
