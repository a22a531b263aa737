// Who sees what. Two companies; an organizer, an attendee, a colleague and an
// admin in one, an outsider in the other. Events of every privacy carry
// unique MARKER strings in every private field; for every (viewer, route)
// pair the raw response text must contain the markers where the rules allow
// and must not where they forbid.
//
//   public        full to every user of the company
//   private       full to organizer and attendees; others in the company get
//                 only {id, companyId, startDatetime, endDatetime, allDay,
//                 timezone, privacy, showAs, restricted: true}
//   confidential  organizer and attendees only; others: absent / 404
//   other company never visible: 404, absent, exactly like a random UUID

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { eachStore, describeRes, rand, randomUUID } from './lib/harness.js';

const RESTRICTED_KEYS = ['allDay', 'companyId', 'endDatetime', 'id', 'privacy', 'restricted', 'showAs', 'startDatetime', 'timezone'];
const VIEWERS = ['org', 'att', 'col', 'adm', 'out'];
const WINDOW = { from: '2026-08-01T00:00:00Z', to: '2026-09-01T00:00:00Z' };

// view of each fixture event by each viewer
const VIEW = {
  public: { org: 'full', att: 'full', col: 'full', adm: 'full', out: 'none' },
  private: { org: 'full', att: 'full', col: 'restricted', adm: 'restricted', out: 'none' },
  confidential: { org: 'full', att: 'full', col: 'none', adm: 'none', out: 'none' },
  foreign: { org: 'none', att: 'none', col: 'none', adm: 'none', out: 'full' },
};
const ATTENDS = { // organizer or attendee (own list, respond)
  public: ['org', 'att'], private: ['org', 'att'], confidential: ['org', 'att'], foreign: ['out'],
};

eachStore((ctx) => {
  const U = {}; // viewer -> user
  const E = {}; // kind -> { event, markers[] }
  let failures;
  const S = () => ctx.server;

  function fail(msg, res) {
    failures.push(`${msg}${res ? `\n  ${describeRes(res).replace(/\n/g, '\n  ')}` : ''}`);
  }

  function finish(what) {
    const f = failures;
    failures = [];
    assert.deepEqual(f, [], `${what}: ${f.length} access violations:\n\n${f.join('\n\n')}`);
  }

  before(async () => {
    const s = ctx.server;
    failures = [];
    const acme = await s.company('Acme Access', 'acme');
    const globex = await s.company('Globex Access', 'globex');
    [U.org, U.att, U.col, U.adm, U.out] = await Promise.all([
      s.user(acme, { name: 'Olga Organizer', email: 'olga@acme.test' }),
      s.user(acme, { name: 'Artur Attendee', email: 'artur@acme.test' }),
      s.user(acme, { name: 'Celia Colleague', email: 'celia@acme.test' }),
      s.user(acme, { name: 'Adam Admin', email: 'adam@acme.test', admin: true }),
      s.user(globex, { name: 'Otto Outsider', email: 'otto@globex.test' }),
    ]);
    const kinds = ['public', 'private', 'confidential', 'foreign'];
    for (const [i, kind] of kinds.entries()) {
      const tag = `MK${kind.toUpperCase()}${rand(6)}`;
      const m = {
        name: `${tag}NAME`, description: `${tag}DESC`, location: `${tag}LOC`,
        guestName: `${tag}GUEST`, guestEmail: `${tag.toLowerCase()}guest@example.com`,
        partnerName: `${tag}PARTNER`, partnerEmail: `${tag.toLowerCase()}partner@example.org`,
        resId: randomUUID(),
      };
      const company = kind === 'foreign' ? globex : acme;
      const organizer = kind === 'foreign' ? U.out : U.org;
      const partner = await s.partner(company, { name: m.partnerName, email: m.partnerEmail });
      const attendees = [{ partnerId: partner.id }, { email: m.guestEmail, displayName: m.guestName }];
      if (kind !== 'foreign') attendees.unshift({ userId: U.att.id });
      const event = await s.createEvent(organizer, {
        name: m.name, description: m.description, location: m.location,
        startDatetime: `2026-08-10T${String(9 + i).padStart(2, '0')}:00:00Z`,
        endDatetime: `2026-08-10T${String(10 + i).padStart(2, '0')}:00:00Z`,
        privacy: kind === 'foreign' ? 'public' : kind, showAs: 'busy',
        attendees, alarms: [{ type: 'email', intervalValue: 30, intervalUnit: 'minutes' }],
        resModel: 'crm.lead', resId: m.resId,
      }, `create ${kind} fixture`);
      E[kind] = { kind, event, markers: Object.values(m) };
    }
  });

  /** Checks one response showing `ev` in `view` (full|restricted|none); item is the JSON of the event if any. */
  function judgeEvent(res, ev, view, item, what) {
    if (view === 'full') {
      const missing = ev.markers.filter((mk) => !res.text.includes(mk));
      if (missing.length) fail(`${what}: ${ev.kind} event visible in full but markers missing: ${missing.join(' ')}`, res);
      if (item && item.restricted) fail(`${what}: ${ev.kind} event must not be restricted`, res);
      if (item && item.organizerId !== ev.event.organizerId) fail(`${what}: ${ev.kind} organizerId`, res);
    } else {
      const leaked = ev.markers.filter((mk) => res.text.includes(mk));
      if (leaked.length) fail(`${what}: ${ev.kind} event is ${view} but markers leaked: ${leaked.join(' ')}`, res);
    }
    if (view === 'restricted' && item) {
      const keys = Object.keys(item).sort();
      if (JSON.stringify(keys) !== JSON.stringify(RESTRICTED_KEYS)) {
        fail(`${what}: restricted ${ev.kind} event must have exactly ${RESTRICTED_KEYS.join(',')}; got ${keys.join(',')}`, res);
      }
      if (item.restricted !== true || item.privacy !== 'private') fail(`${what}: restricted view needs restricted:true, privacy:"private"`, res);
      for (const k of ['id', 'companyId', 'startDatetime', 'endDatetime', 'allDay', 'timezone', 'showAs']) {
        if (item[k] !== ev.event[k]) fail(`${what}: restricted ${ev.kind} ${k} is ${JSON.stringify(item[k])}, want ${JSON.stringify(ev.event[k])}`, res);
      }
    }
  }

  function noMarkersAtAll(res, what, except = []) {
    for (const ev of Object.values(E)) {
      if (except.includes(ev.kind)) continue;
      for (const mk of ev.markers) if (res.text.includes(mk)) { fail(`${what}: marker ${mk} of the ${ev.kind} event leaked`, res); break; }
    }
  }

  function comparable404(res, id) {
    const { requestId, ...rest } = res.json || {};
    if (typeof rest.detail === 'string') rest.detail = rest.detail.split(id).join('<id>');
    return JSON.stringify(rest);
  }

  async function random404(viewer, method, suffix = '', body) {
    const id = randomUUID();
    const r = await S().api(method, `/api/v1/calendar/events/${id}${suffix}`, { token: await U[viewer].token(), body });
    return { status: r.status, shape: comparable404(r, id) };
  }

  /** A 404 that must look exactly like the one for a random UUID. */
  async function judgeHidden(res, ev, viewer, method, suffix, body, what) {
    if (res.status !== 404) { fail(`${what}: expected 404 (hidden), got ${res.status}`, res); return; }
    if (!/^application\/problem\+json/.test(res.headers['content-type'] || '')) fail(`${what}: 404 must be problem+json`, res);
    const rnd = await random404(viewer, method, suffix, body);
    const shape = comparable404(res, ev.event.id);
    if (rnd.status !== 404 || rnd.shape !== shape) fail(`${what}: 404 differs from a random UUID's: ${shape} vs ${rnd.shape}`, res);
  }

  it('GET /events/{id}', async () => {
    for (const viewer of VIEWERS) {
      const token = await U[viewer].token();
      for (const ev of Object.values(E)) {
        const view = VIEW[ev.kind][viewer];
        const what = `${viewer} GET ${ev.kind}`;
        const r = await S().api('GET', `/api/v1/calendar/events/${ev.event.id}`, { token });
        if (view === 'none') {
          judgeEvent(r, ev, 'none', null, what);
          await judgeHidden(r, ev, viewer, 'GET', '', undefined, what);
        } else {
          if (r.status !== 200) { fail(`${what}: expected 200, got ${r.status}`, r); continue; }
          judgeEvent(r, ev, view, r.json, what);
          noMarkersAtAll(r, what, [ev.kind]);
        }
      }
    }
    finish('GET by id');
  });

  async function judgeList(viewer, query, expect, what) {
    // expect: kind -> view ('full'|'restricted'|'none')
    const qs = new URLSearchParams({ ...WINDOW, ...query });
    const r = await S().api('GET', `/api/v1/calendar/events?${qs}`, { token: await U[viewer].token() });
    if (r.status !== 200) { fail(`${what}: expected 200, got ${r.status}`, r); noMarkersAtAll(r, what); return; }
    const items = r.json.items || [];
    const ids = items.map((x) => x.id);
    if (new Set(ids).size !== ids.length) fail(`${what}: duplicate items`, r);
    for (const ev of Object.values(E)) {
      const view = expect[ev.kind] || 'none';
      const item = items.find((x) => x.id === ev.event.id);
      if (view === 'none' && item) fail(`${what}: ${ev.kind} event must be absent`, r);
      if (view !== 'none' && !item) fail(`${what}: ${ev.kind} event must be listed (${view})`, r);
      judgeEvent(r, ev, view, item, what);
    }
  }

  it('GET /events (own list)', async () => {
    for (const viewer of VIEWERS) {
      const expect = {};
      for (const kind of Object.keys(E)) if (ATTENDS[kind].includes(viewer)) expect[kind] = 'full';
      await judgeList(viewer, {}, expect, `${viewer} own list`);
    }
    finish('own list');
  });

  it('GET /events?userIds=', async () => {
    for (const viewer of ['org', 'att', 'col', 'adm']) {
      for (const whose of [['org'], ['att'], ['org', 'att'], ['col'], ['org', 'col', 'adm']]) {
        const expect = {};
        for (const kind of ['public', 'private', 'confidential']) {
          if (whose.some((w) => ATTENDS[kind].includes(w))) expect[kind] = VIEW[kind][viewer];
        }
        await judgeList(viewer, { userIds: whose.map((w) => U[w].id).join(',') }, expect, `${viewer} list userIds=${whose}`);
      }
    }
    // across companies: a 400 that reveals nothing
    for (const [viewer, whose] of [['out', 'org'], ['out', 'att'], ['col', 'out'], ['org', 'out']]) {
      const qs = new URLSearchParams({ ...WINDOW, userIds: U[whose].id });
      const r = await S().api('GET', `/api/v1/calendar/events?${qs}`, { token: await U[viewer].token() });
      if (r.status !== 400) fail(`${viewer} list userIds=${whose} (other company): expected 400, got ${r.status}`, r);
      noMarkersAtAll(r, `${viewer} list userIds=${whose}`);
    }
    finish('userIds lists');
  });

  it('GET /events?resModel=&resId=', async () => {
    for (const viewer of VIEWERS) {
      for (const ev of Object.values(E)) {
        const qs = new URLSearchParams({ ...WINDOW, resModel: 'crm.lead', resId: ev.markers[ev.markers.length - 1] });
        const r = await S().api('GET', `/api/v1/calendar/events?${qs}`, { token: await U[viewer].token() });
        const what = `${viewer} list by resId of ${ev.kind}`;
        if (r.status !== 200) { fail(`${what}: expected 200, got ${r.status}`, r); continue; }
        const attends = ATTENDS[ev.kind].includes(viewer);
        const item = (r.json.items || []).find((x) => x.id === ev.event.id);
        if (attends && !item) fail(`${what}: must list it`, r);
        if (!attends && item) fail(`${what}: must not list it (not the viewer's event)`, r);
        judgeEvent(r, ev, attends ? 'full' : 'none', item, what);
      }
    }
    finish('resModel lists');
  });

  it('PATCH /events/{id}', async () => {
    for (const viewer of VIEWERS) {
      const token = await U[viewer].token();
      for (const ev of Object.values(E)) {
        const view = VIEW[ev.kind][viewer];
        const body = { showAs: 'busy' }; // the current value: harmless
        const what = `${viewer} PATCH ${ev.kind}`;
        const r = await S().api('PATCH', `/api/v1/calendar/events/${ev.event.id}`, { token, body });
        const organizer = ATTENDS[ev.kind][0] === viewer;
        if (view === 'none') {
          judgeEvent(r, ev, 'none', null, what);
          await judgeHidden(r, ev, viewer, 'PATCH', '', body, what);
        } else if (organizer || viewer === 'adm') {
          if (r.status !== 200) { fail(`${what}: expected 200, got ${r.status}`, r); continue; }
          judgeEvent(r, ev, view, r.json, what);
        } else {
          if (r.status !== 403) fail(`${what}: expected 403, got ${r.status}`, r);
          if (view !== 'full') judgeEvent(r, ev, 'none', null, what);
        }
        noMarkersAtAll(r, what, [ev.kind]);
      }
    }
    finish('PATCH');
  });

  it('POST /events/{id}/respond', async () => {
    for (const viewer of VIEWERS) {
      const token = await U[viewer].token();
      for (const ev of Object.values(E)) {
        const view = VIEW[ev.kind][viewer];
        const body = { response: 'accepted' };
        const what = `${viewer} respond ${ev.kind}`;
        const r = await S().api('POST', `/api/v1/calendar/events/${ev.event.id}/respond`, { token, body });
        if (view === 'none') {
          judgeEvent(r, ev, 'none', null, what);
          await judgeHidden(r, ev, viewer, 'POST', '/respond', body, what);
        } else if (ATTENDS[ev.kind].includes(viewer)) {
          if (r.status !== 200) { fail(`${what}: expected 200, got ${r.status}`, r); continue; }
          judgeEvent(r, ev, view, r.json, what);
        } else {
          if (r.status !== 403) fail(`${what}: expected 403, got ${r.status}`, r);
          if (view !== 'full') judgeEvent(r, ev, 'none', null, what);
        }
        noMarkersAtAll(r, what, [ev.kind]);
      }
    }
    finish('respond');
  });

  it('DELETE /events/{id} by those who may not', async () => {
    for (const viewer of ['att', 'col', 'out', 'org', 'adm']) {
      const token = await U[viewer].token();
      for (const ev of Object.values(E)) {
        const view = VIEW[ev.kind][viewer];
        const organizer = ATTENDS[ev.kind][0] === viewer;
        if (organizer || (viewer === 'adm' && view !== 'none')) continue; // allowed: not exercised here
        const what = `${viewer} DELETE ${ev.kind}`;
        const r = await S().api('DELETE', `/api/v1/calendar/events/${ev.event.id}`, { token });
        if (view === 'none') {
          await judgeHidden(r, ev, viewer, 'DELETE', '', undefined, what);
        } else if (r.status !== 403) {
          fail(`${what}: expected 403, got ${r.status}`, r);
        }
        if (view !== 'full') judgeEvent(r, ev, 'none', null, what);
        noMarkersAtAll(r, what, [ev.kind]);
      }
    }
    // everything is still there
    for (const ev of Object.values(E)) {
      const owner = ev.kind === 'foreign' ? U.out : U.org;
      const g = await S().api('GET', `/api/v1/calendar/events/${ev.event.id}`, { token: await owner.token() });
      if (g.status !== 200) fail(`${ev.kind} event was deleted by someone who may not`, g);
    }
    finish('DELETE');
  });

  it('inviting an outsider\'s e-mail does not open the event to the other company', async () => {
    const s = S();
    const mk = `MKINVITE${rand(8)}`;
    const ev = await s.createEvent(U.org, {
      name: `${mk}NAME`, description: `${mk}DESC`, privacy: 'public',
      startDatetime: '2026-08-20T09:00:00Z', endDatetime: '2026-08-20T10:00:00Z',
      attendees: [{ email: U.out.email }],
    }, 'create an event inviting the outsider by e-mail');
    const token = await U.out.token();
    const own = await s.api('GET', `/api/v1/calendar/events?${new URLSearchParams(WINDOW)}`, { token });
    if (own.status !== 200 || own.text.includes(mk)) fail('outsider invited by e-mail: own list must be 200 without the event', own);
    const g = await s.api('GET', `/api/v1/calendar/events/${ev.id}`, { token });
    if (g.status !== 404 || g.text.includes(mk)) fail('outsider invited by e-mail: GET must be 404', g);
    const r = await s.api('POST', `/api/v1/calendar/events/${ev.id}/respond`, { token, body: { response: 'accepted' } });
    if (r.status !== 404 || r.text.includes(mk)) fail('outsider invited by e-mail: respond must be 404', r);
    const p = await s.api('PATCH', `/api/v1/calendar/events/${ev.id}`, { token, body: { name: 'hijacked' } });
    if (p.status !== 404 || p.text.includes(mk)) fail('outsider invited by e-mail: PATCH must be 404', p);
    await s.api('DELETE', `/api/v1/calendar/events/${ev.id}`, { token: await U.org.token() });
    finish('outsider invited by e-mail');
  });

  it('the organizer still sees everything in full after the other viewers\' attempts', async () => {
    const expect = { public: 'full', private: 'full', confidential: 'full' };
    await judgeList('org', {}, expect, 'org own list at the end');
    await judgeList('att', {}, expect, 'att own list at the end');
    await judgeList('out', {}, { foreign: 'full' }, 'out own list at the end');
    finish('final lists');
  });
});
