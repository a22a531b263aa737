// Helpers shared by the appointment suites (appointments.test.js,
// booking-race.test.js): wall-clock time in a zone (Intl, so the expected
// instants are computed independently of the server's tz code), the
// routes, type bodies and direct reads of the store.

import assert from 'node:assert/strict';
import { Server, run, rand, expectStatus, isoZ } from './harness.js';

export const API = '/api/v1/calendar/appointments';
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Public routes are rate-limited per client address: off for the tests (0 = off). */
export const PUBLIC_ENV = { CALENDARD_PUBLIC_RATE_PER_MINUTE: '0' };

// ------------------------------------------------------------ zones

const fmtCache = new Map();
function fmt(tz) {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    fmtCache.set(tz, f);
  }
  return f;
}

/** The wall clock of instant `t` (ms) in `tz`: {y, m, d, hh, mm, ss}. */
function wall(t, tz) {
  const p = Object.fromEntries(fmt(tz).formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour, mm: +p.minute, ss: +p.second };
}

/** UTC offset of `tz` at instant `t`, in minutes (east positive). */
export function offsetMinutes(t, tz) {
  const w = wall(t, tz);
  const secs = Math.floor(t / 1000) * 1000;
  return Math.round((Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss) - secs) / MIN);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** The instant (ms) of local date 'YYYY-MM-DD' at 'HH:MM' in `tz` (not in a DST gap). */
export function zoned(date, hhmm, tz) {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let t = guess - offsetMinutes(guess, tz) * MIN;
  const off2 = offsetMinutes(t, tz);
  t = guess - off2 * MIN;
  return t;
}

/** The local date of instant `t` in `tz`, 'YYYY-MM-DD'. */
export function localDate(t, tz) {
  const w = wall(t, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

/** RFC 3339 of instant `t` as seen in `tz`: 2026-12-01T16:00:00+01:00. */
export function localIso(t, tz) {
  const w = wall(t, tz);
  const off = offsetMinutes(t, tz);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** 'HH:MM' of instant `t` in `tz`. */
export function localHhmm(t, tz) {
  const w = wall(t, tz);
  return `${pad(w.hh)}:${pad(w.mm)}`;
}

export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The first Monday at least `minDays` days after today's date in `tz`. */
export function nextMonday(tz, minDays = 2) {
  let d = addDays(localDate(Date.now(), tz), minDays);
  while (weekday(d) !== 0) d = addDays(d, 1);
  return d;
}

/** Whole days from date a to date b. */
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
}

// ------------------------------------------------------------ API

/** A published type body: Mondays 09:00–12:00, 30 minutes, bookable from now on for 60 days. */
export function typeBody(assignees, overrides = {}) {
  return {
    name: `Consulta ${rand(6)}`,
    assigneeIds: assignees.map((u) => (typeof u === 'string' ? u : u.id)),
    availability: { monday: [{ from: '09:00', to: '12:00' }] },
    timezone: 'America/Mexico_City',
    minBookingHours: 0,
    scheduleRangeDays: 60,
    isPublished: true,
    ...overrides,
  };
}

export async function createType(server, admin, body, what = 'create appointment type') {
  const res = await server.api('POST', `${API}/types`, { token: await admin.token(), body });
  expectStatus(res, 201, what);
  return res.json;
}

/** GET …/slots (public); resolves to the response. */
export function getSlots(server, typeId, query = {}, opts = {}) {
  const qs = new URLSearchParams(query).toString();
  return server.api('GET', `${API}/types/${typeId}/slots${qs ? `?${qs}` : ''}`, opts);
}

/** The free slots' starts (UTC Z strings) of one local date of the type's zone (or of from..to dates). */
export async function slotStarts(server, typeId, from, to = from, extra = {}) {
  const res = await getSlots(server, typeId, { from, to, ...extra });
  expectStatus(res, 200, `slots ${from}..${to}`);
  assert.ok(Array.isArray(res.json?.slots), `slots answer has slots[]: ${res.text.slice(0, 500)}`);
  return res.json.slots.map((s) => s.start);
}

/** A booking body for `type` at instant `t` (ms). */
export function bookBody(type, t, overrides = {}) {
  const tag = rand(6);
  return {
    appointmentTypeId: type.id ?? type,
    startDatetime: isoZ(t),
    customerName: `Cliente ${tag}`,
    customerEmail: `cliente.${tag}@customer.example`,
    ...overrides,
  };
}

export function book(server, body, opts = {}) {
  return server.api('POST', `${API}/book`, { body, ...opts });
}

/** The path of a booking's manage link (manageUrl carries the server's public URL). */
export function managePath(booking) {
  return new URL(booking.manageUrl).pathname;
}

// ------------------------------------------------------------ the store

/** Runs SQL on the server's database; resolves to rows of '|'-separated columns. */
export async function sql(server, query) {
  const out = server.store === 'sqlite'
    ? await run('sqlite3', ['-bail', '-cmd', '.timeout 10000', server.dbUrl.slice('sqlite:'.length), query])
    : await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', server.dbUrl, '-c', query]);
  return out.stdout.split('\n').filter((l) => l.length).map((l) => l.split('|'));
}

/** A timestamp column as epoch seconds, in either store's SQL. */
export function epochOf(server, column) {
  return server.store === 'sqlite' ? column : `extract(epoch from ${column})::bigint`;
}

/** Booking rows matching an SQL condition: [{id, assigneeId, typeId, start, end, status}] (start/end in ms). */
export async function bookingRows(server, where) {
  const rows = await sql(server, `SELECT id, assignee_id, appointment_type_id, ${epochOf(server, 'start_datetime')}, ${epochOf(server, 'end_datetime')}, status FROM appointment_bookings WHERE ${where} ORDER BY 4`);
  return rows.map(([id, assigneeId, typeId, s, e, status]) => ({ id, assigneeId, typeId, start: Number(s) * 1000, end: Number(e) * 1000, status }));
}

/** Pairs of intervals ({start, end}) in a list that overlap. */
export function overlaps(list) {
  const out = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (list[i].start < list[j].end && list[j].start < list[i].end) out.push([list[i], list[j]]);
    }
  }
  return out;
}

/** The user's events (all pages) that overlap [from, to) ms. */
export async function eventsOf(server, user, from, to) {
  const items = await server.listAll(user, { from: isoZ(from), to: isoZ(to) }, `${user.name}'s events`);
  return items.filter((e) => Date.parse(e.startDatetime) < to && Date.parse(e.endDatetime) > from);
}

/** A second calendard process on the same database as `s` (same env, secret and tokens); its stop() drops nothing. */
export async function secondProcess(s) {
  const t = Object.assign(new Server(s.store, s.extraEnv), { env: s.env, jwtSecret: s.jwtSecret, tokens: s.tokens });
  await t.start();
  return t;
}
