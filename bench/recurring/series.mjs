// The recurring benchmark's dataset model: the single events of
// bench/gen-dataset (its own code, loaded from the file so the two never
// drift apart) plus a deterministic mix of recurring series, and the
// expected content of every (user, week) of both.
//
// Series j depends only on (seed, j), so a dataset with N series is exactly
// the first N series of any larger one with the same seed and user count
// (the 1k-series store is the first 10% of the 10k-series one), as
// gen-dataset does for single events.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const GEN_DATASET = path.join(HERE, '..', 'gen-dataset');

// bench/gen-dataset is a script, not a module: evaluate its source without
// the final main() call and export what we reuse. Fails loudly when the
// script changes shape.
const NEEDED = ['makeEvent', 'chooseWeek', 'zoneOffset', 'formatLocal', 'formatDate', 'userZone',
  'userEmail', 'hash32', 'mulberry32', 'pick', 'cli', 'inParallel', 'ZONES', 'WORDS', 'LOCATIONS',
  'LOREM', 'DAY', 'RANGE_START', 'RANGE_DAYS', 'FIRST_MONDAY', 'LAST_MONDAY'];
async function loadGenDataset() {
  const src = fs.readFileSync(GEN_DATASET, 'utf8').replace(/^#!.*\n/, '');
  const cut = src.lastIndexOf('\nmain().catch(');
  if (cut < 0) throw new Error(`${GEN_DATASET}: cannot find its final "main().catch(" call; series.mjs must be adapted`);
  for (const name of NEEDED) {
    if (!new RegExp(`(^|\\n)(async )?(function|const|let) ${name}\\b`).test(src)) {
      throw new Error(`${GEN_DATASET} no longer defines ${name}; series.mjs must be adapted`);
    }
  }
  const code = `${src.slice(0, cut)}\nexport { ${NEEDED.join(', ')} };\n`;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
export const G = await loadGenDataset();
const { DAY, RANGE_START, RANGE_DAYS, FIRST_MONDAY, LAST_MONDAY } = G;
export const N_WEEKS = Math.round((LAST_MONDAY - FIRST_MONDAY) / (7 * DAY)) + 1;

// Series draw from their own streams, far from gen-dataset's event indexes.
const SERIES_STREAM = 0x40000000;
const WD = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function pad(n, w = 2) { return String(n).padStart(w, '0'); }
function utcStamp(ms) { // 20270104T090000Z
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
function dateStamp(dayMs) { // 20270104
  const d = new Date(dayMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}
// UTC instant of a local wall clock (dayMs: the date at UTC midnight), the
// way gen-dataset places its events (settled across a DST change). The
// series' times (07:00..20:45) are never inside a DST gap or overlap.
function localToUtc(dayMs, minuteOfDay, zone) {
  const localMs = dayMs + minuteOfDay * 60000;
  let t = localMs - G.zoneOffset(zone, localMs) * 60000;
  t = localMs - G.zoneOffset(zone, t) * 60000;
  return t;
}
function addMonths(dayMs, n) { const d = new Date(dayMs); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1); }
function daysInMonth(monthMs) { const d = new Date(monthMs); return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(); }

// Series j: the rule, the event body and everything needed to expand it.
//   frequency  WEEKLY 55 % (one day 70 %, two days 20 %, every other week 10 %)
//              DAILY 15 % (weekdays 60 %, every day 40 %)
//              MONTHLY 30 % (by date 50 %, "2nd Tuesday"/"last Friday" 50 %)
//   end        COUNT 60 %, UNTIL 36 %, forever 4 % (a forever DAILY rule
//              becomes an UNTIL one: endless daily series would swamp every week)
//   length     COUNT 2..5 days, 2..7 weeks, 2..6 months; UNTIL 2..8 days,
//              2..8 weeks, 2..6 months after the start. The mix is tuned so a
//              typical one-week window lists about as many occurrences as
//              half the single events (see bench/RECURRING.md).
//   all-day    5 %;  EXDATE on 10 %;  one moved occurrence on 5 % (timed only)
//   organizer, attendees (0..3), zone (the organizer's), privacy, showAs,
//   texts and alarms drawn like gen-dataset's single events.
export function makeSeries(seed, users, j) {
  const rnd = G.mulberry32(G.hash32(seed, SERIES_STREAM + j));
  const organizer = Math.floor(rnd() * users);
  const zone = G.userZone(organizer);
  let day = Math.floor(rnd() * RANGE_DAYS);
  const nAtt = Math.floor(rnd() * 4);
  const att = [];
  for (let k = 0; k < nAtt; k++) {
    let u;
    for (let tries = 0; tries < 16; tries++) {
      u = Math.floor(rnd() * users);
      if (u !== organizer && !att.includes(u)) break;
      u = -1;
    }
    if (u >= 0) att.push(u);
  }
  const pr = rnd();
  const privacy = pr < 0.70 ? 'public' : pr < 0.90 ? 'private' : 'confidential';
  const sr = rnd();
  const showAs = sr < 0.70 ? 'busy' : sr < 0.90 ? 'free' : 'tentative';
  const name = `${G.pick(rnd, G.WORDS)} ${G.pick(rnd, G.WORDS)} (series) #s${j}`;
  const descWords = Math.floor(rnd() * 30);
  const description = Array.from({ length: descWords }, () => G.pick(rnd, G.LOREM)).join(' ');
  const location = G.pick(rnd, G.LOCATIONS);
  const alarms = [];
  const ar = rnd();
  if (ar < 0.5) alarms.push({ type: 'notification', intervalValue: 15, intervalUnit: 'minutes' });
  if (ar < 0.1) alarms.push({ type: 'email', intervalValue: 1, intervalUnit: 'days' });
  const allDay = rnd() < 0.05;
  const minuteOfDay = 7 * 60 + 15 * Math.floor(rnd() * 52);
  const minutes = 15 * (1 + Math.floor(rnd() * 4));
  const fr = rnd();
  const freq = fr < 0.55 ? 'WEEKLY' : fr < 0.70 ? 'DAILY' : 'MONTHLY';
  const variant = rnd();
  const er = rnd();
  let end = er < 0.60 ? 'count' : er < 0.96 ? 'until' : 'forever';
  if (end === 'forever' && freq === 'DAILY') end = 'until';
  const endDraw = rnd();
  const otherDay = 1 + Math.floor(rnd() * 5);
  const exRoll = rnd();
  const exPick = rnd();
  const moveRoll = rnd();
  const movePick = rnd();

  // Meetings start on a weekday (every-day DAILY rules and all-day ones may
  // fall on a weekend); a monthly date stays <= 28 so no month is skipped.
  const weekdayOnly = !(freq === 'DAILY' && variant >= 0.6) && !allDay;
  let dayMs = RANGE_START + day * DAY;
  if (weekdayOnly) {
    const wd = new Date(dayMs).getUTCDay();
    if (wd === 6) dayMs += 2 * DAY; else if (wd === 0) dayMs += DAY;
  }
  if (freq === 'MONTHLY') {
    const dom = new Date(dayMs).getUTCDate();
    if (dom > 28) dayMs -= 7 * DAY; // same weekday, a week earlier
  }
  if (dayMs >= RANGE_START + RANGE_DAYS * DAY) dayMs -= 7 * DAY;
  const wd = new Date(dayMs).getUTCDay();
  const dom = new Date(dayMs).getUTCDate();

  const s = { j, forever: end === 'forever', organizer, participants: [organizer, ...att], zone, allDay, dayMs, minuteOfDay, minutes,
    freq, interval: 1, byday: null, monthly: null, end, count: null, untilMs: null, untilDay: null };
  let rule = `FREQ=${freq}`;
  if (freq === 'WEEKLY') {
    if (variant < 0.7) s.byday = [wd];
    else if (variant < 0.9) {
      const other = otherDay === wd ? (wd % 5) + 1 : otherDay; // another of MO..FR
      s.byday = [wd, other].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
    } else { s.byday = [wd]; s.interval = 2; }
  } else if (freq === 'DAILY') {
    if (variant < 0.6 && !allDay) s.byday = [1, 2, 3, 4, 5];
  } else if (variant >= 0.5) {
    const n = Math.ceil(dom / 7);
    s.monthly = { n: n === 5 ? -1 : n, wd };
  }
  if (s.interval > 1) rule += `;INTERVAL=${s.interval}`;
  if (end === 'count') {
    const [lo, hi] = freq === 'DAILY' ? [2, 5] : freq === 'WEEKLY' ? [2, 7] : [2, 6];
    s.count = lo + Math.floor(endDraw * (hi - lo + 1));
    rule += `;COUNT=${s.count}`;
  } else if (end === 'until') {
    let untilDay;
    if (freq === 'DAILY') untilDay = dayMs + (2 + Math.floor(endDraw * 7)) * DAY;
    else if (freq === 'WEEKLY') untilDay = dayMs + (2 + Math.floor(endDraw * 7)) * 7 * DAY;
    else untilDay = dayMs + Math.round((2 + Math.floor(endDraw * 5)) * 30.44) * DAY;
    s.untilDay = untilDay;
    if (allDay) rule += `;UNTIL=${dateStamp(untilDay)}`;
    else {
      // The end of that local day, as RFC 5545 wants it with a TZID: in UTC.
      s.untilMs = localToUtc(untilDay, 23 * 60 + 59, zone);
      rule += `;UNTIL=${utcStamp(s.untilMs)}`;
    }
  }
  if (s.byday) rule += `;BYDAY=${s.byday.map((d) => WD[d]).join(',')}`;
  if (s.monthly) rule += `;BYDAY=${s.monthly.n}${WD[s.monthly.wd]}`;
  s.rrule = rule;

  // Occurrences up to the end of the last benchmark week (all of a finite
  // series that ends before). Starts and ends in UTC ms; all-day ones from
  // local midnight in the series' zone, as calendard places them.
  const horizon = LAST_MONDAY + 7 * DAY;
  const occ = [];
  const push = (d) => {
    if (s.untilDay !== null && d > s.untilDay) return false;
    const start = allDay ? localToUtc(d, 0, zone) : localToUtc(d, minuteOfDay, zone);
    if (s.untilMs !== null && start > s.untilMs) return false;
    if (s.count !== null && occ.length >= s.count) return false;
    if (start >= horizon) return false;
    const endMs = allDay ? localToUtc(d + DAY, 0, zone) : start + minutes * 60000;
    occ.push({ day: d, start, end: endMs });
    return true;
  };
  if (freq === 'DAILY') {
    for (let d = dayMs; ; d += DAY) {
      const w = new Date(d).getUTCDay();
      if (s.byday && !s.byday.includes(w)) continue;
      if (!push(d)) break;
    }
  } else if (freq === 'WEEKLY') {
    const monday = dayMs - ((wd + 6) % 7) * DAY;
    outer: for (let k = 0; ; k++) {
      const m = monday + k * s.interval * 7 * DAY;
      for (const bd of s.byday) {
        const d = m + ((bd + 6) % 7) * DAY;
        if (d < dayMs) continue;
        if (!push(d)) break outer;
      }
    }
  } else {
    for (let k = 0; ; k++) {
      const month = addMonths(dayMs, k);
      let d;
      if (!s.monthly) d = month + (dom - 1) * DAY;
      else if (s.monthly.n > 0) {
        const first = (s.monthly.wd - new Date(month).getUTCDay() + 7) % 7;
        d = month + (first + 7 * (s.monthly.n - 1)) * DAY;
      } else {
        const lastDay = month + (daysInMonth(month) - 1) * DAY;
        d = lastDay - ((new Date(lastDay).getUTCDay() - s.monthly.wd + 7) % 7) * DAY;
      }
      if (d < dayMs) continue;
      if (!push(d)) break;
    }
  }
  s.occurrences = occ;

  // Exceptions: one EXDATE (the 2nd..4th occurrence) and one moved
  // occurrence (an hour later, renamed), never the same one.
  s.exdate = null;
  s.move = null;
  if (exRoll < 0.10) {
    const k = 1 + Math.floor(exPick * 3);
    if (k < occ.length) s.exdate = k;
  }
  if (moveRoll < 0.05 && !allDay) {
    const k = 1 + Math.floor(movePick * 4);
    if (k < occ.length && k !== s.exdate) s.move = k;
  }
  const fmtLocal = (ms) => G.formatLocal(ms, zone);
  const first = occ.length ? occ[0] : null;
  const startMs = allDay ? null : localToUtc(dayMs, minuteOfDay, zone);
  s.body = {
    name, description, location,
    ...(allDay
      ? { startDatetime: G.formatDate(dayMs), endDatetime: G.formatDate(dayMs + DAY), allDay: true }
      : { startDatetime: fmtLocal(startMs), endDatetime: fmtLocal(startMs + minutes * 60000) }),
    timezone: zone, privacy, showAs, rrule: s.rrule,
    attendees: att.map((u) => ({ userId: null, _u: u })),
    alarms,
  };
  if (s.exdate !== null) {
    const o = occ[s.exdate];
    s.body.exdates = [allDay ? G.formatDate(o.day) : new Date(o.start).toISOString().replace('.000Z', 'Z')];
  }
  if (s.move !== null) {
    const o = occ[s.move];
    s.moveBody = { name: `${name} (moved)`, startDatetime: fmtLocal(o.start + 3600000), endDatetime: fmtLocal(o.end + 3600000) };
    s.moveOccurrence = utcStamp(o.start); // the occurrence id's suffix
  }
  // What a window sees: every occurrence but the EXDATE'd one, the moved
  // one at its new time.
  s.visible = occ.flatMap((o, k) => (k === s.exdate ? [] : k === s.move
    ? [{ start: o.start + 3600000, end: o.end + 3600000 }] : [{ start: o.start, end: o.end }]));
  // The series' span as the store sees it (from its first occurrence to the
  // end of its last; a forever series never ends).
  s.spanStart = first ? first.start : null;
  s.spanEnd = s.forever || !occ.length ? Infinity : occ[occ.length - 1].end + 3600000;
  return s;
}

function weekRange(start, end) {
  const w0 = Math.max(0, Math.floor((start - FIRST_MONDAY) / (7 * DAY)));
  const w1 = Math.min(N_WEEKS - 1, Math.floor((end - 1 - FIRST_MONDAY) / (7 * DAY)));
  return [w0, w1];
}

// Per (user, week) counts of the items a one-week window lists: single
// events among the first nSingles of gen-dataset's sequence, occurrences of
// the first nSeries series, the series with an occurrence listed in it, and
// the series whose span covers the week (what the server has to expand).
// Index u * N_WEEKS + w.
export function countWeeks({ seed, users, nSingles, nSeries }) {
  const singles = new Uint32Array(users * N_WEEKS);
  const occ = new Uint32Array(users * N_WEEKS);
  const seriesIn = new Uint32Array(users * N_WEEKS);
  const spans = new Uint32Array(users * N_WEEKS);
  for (let i = 0; i < nSingles; i++) {
    const e = G.makeEvent(seed, users, i);
    const [w0, w1] = weekRange(e.startMs, e.endMs);
    for (let w = w0; w <= w1; w++) for (const u of e.participants) singles[u * N_WEEKS + w]++;
  }
  for (let j = 0; j < nSeries; j++) {
    const s = makeSeries(seed, users, j);
    const weeks = new Set();
    for (const o of s.visible) {
      const [w0, w1] = weekRange(o.start, o.end);
      for (let w = w0; w <= w1; w++) {
        weeks.add(w);
        for (const u of s.participants) occ[u * N_WEEKS + w]++;
      }
    }
    for (const w of weeks) for (const u of s.participants) seriesIn[u * N_WEEKS + w]++;
    if (s.spanStart === null) continue;
    const [w0, w1] = weekRange(s.spanStart, Math.min(s.spanEnd, FIRST_MONDAY + N_WEEKS * 7 * DAY));
    for (let w = w0; w <= w1; w++) for (const u of s.participants) spans[u * N_WEEKS + w]++;
  }
  return { singles, occ, seriesIn, spans };
}

export function weekBounds(w) {
  const from = FIRST_MONDAY + w * 7 * DAY;
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { from: iso(from), to: iso(from + 7 * DAY) };
}
