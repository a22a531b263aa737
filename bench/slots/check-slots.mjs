#!/usr/bin/env node
// Cross-check for the slots benchmark: recomputes one assignee's free slots
// from that assignee's calendar as GET /api/v1/calendar/events lists it
// (occurrences expanded by the server), with the contract's rules, and
// compares them with what the slots route answers for a one-assignee type.
//
//   node bench/slots/check-slots.mjs --url URL --token JWT --type ID \
//       --from YYYY-MM-DD --to YYYY-MM-DD [--display Europe/Madrid]
//
// The type must be the benchmark's: Mon–Fri 09:00–13:00 and 14:00–18:00 in
// its zone, 30-minute slots, no buffers, and a window that lies inside its
// booking window (from tomorrow on). Busy: every listed event with showAs
// busy or tentative in which the caller has not declined; all-day events
// block their whole days in the event's zone. On stdout one JSON object:
// {"match": true|false, "expected": N, "got": N, "missing": [...], "extra": [...]}.
import process from 'node:process';
import { G } from '../recurring/series.mjs';

const o = { display: 'Europe/Madrid' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (process.argv[i + 1] === undefined) throw new Error(`--${k} needs a value`);
  o[k] = process.argv[i + 1];
}
for (const k of ['url', 'token', 'type', 'from', 'to']) if (!o[k]) throw new Error(`--${k} is required`);

const DAY = 86400000;
const RANGES = [[9 * 60, 13 * 60], [14 * 60, 18 * 60]];
const SLOT = 30;

// UTC instant of a wall clock in zone (dayMs: the date at UTC midnight).
function utcOf(dayMs, minute, zone) {
  const wall = dayMs + minute * 60000;
  let t = wall - G.zoneOffset(zone, wall) * 60000;
  t = wall - G.zoneOffset(zone, t) * 60000;
  return t;
}
const dateMs = (s) => Date.parse(`${s}T00:00:00Z`);

async function get(p) {
  const res = await fetch(`${o.url}${p}`, { headers: { Authorization: `Bearer ${o.token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${p}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function main() {
  const answer = await get(`/api/v1/calendar/appointments/types/${o.type}/slots?from=${o.from}&to=${o.to}` +
    `&timezone=${o.display}`);
  const zone = answer.typeTimezone;
  const winFrom = utcOf(dateMs(o.from), 0, o.display);
  const winTo = utcOf(dateMs(o.to) + DAY, 0, o.display);
  const me = JSON.parse(Buffer.from(o.token.split('.')[1], 'base64url').toString());

  const busy = [];
  let cursor = null;
  const pad = DAY; // events starting a day early may reach into the window
  do {
    const page = await get(`/api/v1/calendar/events?from=${new Date(winFrom - pad).toISOString()}` +
      `&to=${new Date(winTo + pad).toISOString()}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    for (const e of page.items) {
      const mine = (e.attendees || []).find((a) => a.userId === me.sub);
      if (e.showAs === 'free' || (mine && mine.state === 'declined')) continue;
      if (e.allDay) busy.push([utcOf(dateMs(e.startDatetime), 0, e.timezone), utcOf(dateMs(e.endDatetime), 0, e.timezone)]);
      else busy.push([Date.parse(e.startDatetime), Date.parse(e.endDatetime)]);
    }
    cursor = page.nextCursor;
  } while (cursor);

  const expected = [];
  for (let d = dateMs(o.from) - DAY; d <= dateMs(o.to) + DAY; d += DAY) {
    const wd = new Date(d).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    for (const [a, b] of RANGES) {
      for (let m = a; m + SLOT <= b; m += SLOT) {
        const s = utcOf(d, m, zone);
        const e = s + SLOT * 60000;
        if (s < winFrom || e > winTo) continue;
        if (!busy.some(([bs, be]) => bs < e && s < be)) expected.push(new Date(s).toISOString().replace('.000Z', 'Z'));
      }
    }
  }
  const got = answer.slots.map((s) => s.start);
  const gs = new Set(got);
  const es = new Set(expected);
  const missing = expected.filter((s) => !gs.has(s));
  const extra = got.filter((s) => !es.has(s));
  const out = { match: !missing.length && !extra.length, expected: expected.length, got: got.length,
    busyIntervals: busy.length, missing: missing.slice(0, 20), extra: extra.slice(0, 20) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`check-slots: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
