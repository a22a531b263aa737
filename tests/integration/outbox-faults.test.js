// The outbox under faults: an SMTP server that is down and comes back, a
// temporary refusal, the attempt limit, kill -9 while messages are on the
// wire, and two calendard processes delivering from one database. What is
// checked is the stated guarantee (src/jobs/outbox.c): e-mail at least once,
// with at most one extra copy per message in flight at a crash, the copy
// carrying the same Message-ID; in-app notifications exactly once; a
// reminder is written once whichever process fires it.
//
// Every case starts its own calendard (short retry and lease settings) and
// its own tests/fakes/smtp_sink.py, and runs on each store.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STORES, Server, startServer, startSmtpSink, freePort, expectStatus, eventBody, pool, rand, isoZ, sleep,
} from './lib/harness.js';

const MINUTE = 60_000;

/** Short timings, so that retries and lease expiry happen within seconds. */
const FAST = {
  CALENDARD_OUTBOX_RETRY_SECONDS: '1',
  CALENDARD_OUTBOX_RETRY_MAX_SECONDS: '2',
  CALENDARD_SEND_TIMEOUT_SECONDS: '2',
  CALENDARD_OUTBOX_LEASE_SECONDS: '4',
  SMTP_TLS: 'off',
  MAIL_FROM: 'calendario@faults.example',
};

// ------------------------------------------------------------------ helpers

/**
 * Polls fn every 100 ms until it returns a truthy value (resolved to), for at
 * most timeoutMs. A throw whose error has .fatal ends the wait at once; any
 * other throw counts as "not yet". describe() says where things stood.
 */
async function waitUntil(fn, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  let lastErr = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      lastErr = null;
    } catch (e) {
      if (e.fatal) throw e;
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      let state = '';
      try { state = await describe(); } catch (e) { state = `(could not describe: ${e.message})`; }
      throw new Error(`not within ${timeoutMs} ms${lastErr ? ` (last error: ${lastErr.message})` : ''}\n${state}`);
    }
    await sleep(100);
  }
}

function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

/** The company's outbox rows (newest first), as an admin sees them. */
async function outbox(server, admin, query = {}) {
  const qs = new URLSearchParams({ limit: '500', ...query }).toString();
  const res = await server.api('GET', `/api/v1/admin/outbox?${qs}`, { token: await admin.token() });
  expectStatus(res, 200, 'admin outbox');
  assert.ok(Array.isArray(res.json?.items), `outbox answer has items[]: ${res.text.slice(0, 500)}`);
  return res.json.items;
}

const rowLine = (r) => `  ${r.channel} ${r.kind} ${r.recipient}: ${r.status}, attempts ${r.attempts}, next ${r.nextAttemptAt}, sent ${r.sentAt}, error ${JSON.stringify(r.lastError)}`;

/** Every notification of a user (all pages). */
async function notifications(server, user) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const qs = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) }).toString();
    const res = await server.api('GET', `/api/v1/notifications?${qs}`, { token: await user.token() });
    expectStatus(res, 200, 'notifications');
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages of notifications');
}

const rcptOf = (m) => (m.rcptTos || [])[0];

/** Messages to any of `rcpts`, grouped: rcpt -> [messages], in arrival order. */
function byRcpt(msgs, rcpts) {
  const out = new Map(rcpts.map((r) => [r, []]));
  for (const m of msgs) if (out.has(rcptOf(m))) out.get(rcptOf(m)).push(m);
  return out;
}

function sinkSummary(sink) {
  const lines = sink.messages().map((m) => `  #${m.seq} -> ${rcptOf(m)} ${m.messageId} ${JSON.stringify(m.subject)}`);
  const evs = sink.events().map((e) => `  ${e.event} -> ${(e.rcptTos || []).join(',')} at ${e.at}`);
  return `sink messages:\n${lines.join('\n')}\nsink events:\n${evs.join('\n')}`;
}

/** Log lines (JSON) of a server's stderr whose msg is `msg`. */
function logLines(stderr, msg) {
  const out = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line);
      if (j.msg === msg) out.push(j);
    } catch { /* not a log line */ }
  }
  return out;
}

/**
 * Stops a server: the harness's strict stop (SIGTERM, exit 0, no sanitizer
 * report) unless its process is one this file killed on purpose and did not
 * restart (a test that failed in between): then only the store is dropped.
 */
async function stopServer(s) {
  if (!s) return;
  if (s.exit && s.exit.signal === 'SIGKILL' && s.killedOnPurpose) {
    s.agent?.destroy();
    await s.dropStore();
    return;
  }
  await s.stop();
}

/** kill -9, and wait for the process to be gone. */
async function killHard(s) {
  s.killedOnPurpose = true;
  s.proc.kill('SIGKILL');
  const exit = await s.exited;
  assert.equal(exit.signal, 'SIGKILL', `calendard died of SIGKILL: ${JSON.stringify(exit)}`);
  s.stderrBeforeKill = (s.stderrBeforeKill || '') + s.stderr;
}

/** Starts the killed server again on the same store (same env, new port). */
async function restart(s) {
  s.agent?.destroy();
  await s.start();
}

/** A second calendard process on the same database as `s` (same env and secret). */
async function twin(s) {
  const t = new Server(s.store, s.extraEnv);
  t.env = s.env;
  t.jwtSecret = s.jwtSecret;
  t.tokens = s.tokens;
  // No dir and no dbName of its own: its stop() drops nothing; s's does.
  await t.start();
  return t;
}

function externals(n, tag) {
  return Array.from({ length: n }, (_, i) => `guest${i}.${tag}@external.example`);
}

/** An event starting `inMs` from now, one hour long. */
function soon(inMs, overrides) {
  const start = Date.now() + inMs;
  return eventBody({ startDatetime: isoZ(start), endDatetime: isoZ(start + 60 * MINUTE), ...overrides });
}

// -------------------------------------------------------------------- cases

function forStore(store) {
  describe(store, { concurrency: 1 }, () => {
    test('SMTP down for a while, then back on the same port: each invitation arrives once and is marked sent', async () => {
      const port = await freePort(); // nothing listens here until the sink starts
      let server, sink;
      try {
        server = await startServer(store, { ...FAST, SMTP_URL: `smtp://127.0.0.1:${port}`, CALENDARD_OUTBOX_MAX_ATTEMPTS: '30' });
        const co = await server.company(`Down ${rand(4)}`);
        const org = await server.user(co, { name: 'Olga Down', admin: true });
        const tag = rand(6);
        const rcpts = externals(5, tag);
        await server.createEvent(org, soon(2 * 24 * 60 * MINUTE, { name: `Down ${tag}`, attendees: rcpts.map((email) => ({ email })) }));

        const ours = async () => (await outbox(server, org)).filter((r) => r.kind === 'invitation' && rcpts.includes(r.recipient));
        await waitUntil(async () => {
          const rows = await ours();
          const done = rows.filter((r) => r.status === 'sent' || r.status === 'failed');
          if (done.length) throw fatal(`with no SMTP server a message ended ${done[0].status}:\n${rows.map(rowLine).join('\n')}`);
          return rows.length === 5 && rows.every((r) => r.status === 'pending' && r.attempts >= 2 && r.lastError);
        }, 20_000, async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}`);
        for (const r of await ours()) assert.match(r.lastError, /smtp/i, `lastError names the SMTP failure\n${rowLine(r)}`);

        sink = await startSmtpSink({ port });
        await waitUntil(async () => (await ours()).every((r) => r.status === 'sent'), 20_000,
          async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}\n${sinkSummary(sink)}`);

        // All sent: nothing more can arrive, so the counts are final.
        const got = byRcpt(sink.messages(), rcpts);
        for (const [rcpt, list] of got) assert.equal(list.length, 1, `${rcpt} got exactly one copy\n${sinkSummary(sink)}`);
        const ids = [...got.values()].map((l) => l[0].messageId);
        assert.ok(ids.every(Boolean), `every message has a Message-ID: ${ids}`);
        assert.equal(new Set(ids).size, 5, `five different Message-IDs: ${ids}`);
        for (const r of await ours()) {
          assert.ok(r.attempts >= 3, `delivered on a later attempt\n${rowLine(r)}`);
          assert.ok(r.sentAt, `sentAt set\n${rowLine(r)}`);
        }
      } finally {
        await stopServer(server);
        await sink?.stop();
      }
    });

    test('a temporary refusal (451) is retried, then delivered once', async () => {
      let server, sink;
      try {
        sink = await startSmtpSink({ failFirst: 2 });
        server = await startServer(store, { ...FAST, SMTP_URL: sink.url });
        const co = await server.company(`Tempfail ${rand(4)}`);
        const org = await server.user(co, { name: 'Olga Tempfail', admin: true });
        const tag = rand(6);
        const rcpts = externals(3, tag);
        await server.createEvent(org, soon(2 * 24 * 60 * MINUTE, { name: `Tempfail ${tag}`, attendees: rcpts.map((email) => ({ email })) }));

        const ours = async () => (await outbox(server, org)).filter((r) => r.kind === 'invitation' && rcpts.includes(r.recipient));
        await waitUntil(async () => {
          const rows = await ours();
          if (rows.some((r) => r.status === 'failed')) throw fatal(`a 451 made a message fail for good:\n${rows.map(rowLine).join('\n')}`);
          return rows.length === 3 && rows.every((r) => r.status === 'sent');
        }, 20_000, async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}\n${sinkSummary(sink)}`);

        const evs = sink.events();
        const refused = evs.filter((e) => e.event === 'temp-fail');
        assert.equal(refused.length, 2, `the sink refused two transactions\n${sinkSummary(sink)}`);
        assert.equal(evs.filter((e) => e.event === 'accepted').length, 3, `three accepted, no more\n${sinkSummary(sink)}`);
        const got = byRcpt(sink.messages(), rcpts);
        for (const [rcpt, list] of got) assert.equal(list.length, 1, `${rcpt} got exactly one copy\n${sinkSummary(sink)}`);
        const rows = await ours();
        for (const e of refused) {
          const r = rows.find((x) => x.recipient === e.rcptTos[0]);
          assert.ok(r && r.attempts >= 2, `the refused message was tried again\n${rows.map(rowLine).join('\n')}`);
        }
      } finally {
        await stopServer(server);
        await sink?.stop();
      }
    });

    test('after CALENDARD_OUTBOX_MAX_ATTEMPTS a message is failed, keeps its error, and is not tried again', async () => {
      const port = await freePort();
      let server, sink;
      try {
        server = await startServer(store, { ...FAST, SMTP_URL: `smtp://127.0.0.1:${port}`, CALENDARD_OUTBOX_MAX_ATTEMPTS: '2' });
        const co = await server.company(`Maxed ${rand(4)}`);
        const org = await server.user(co, { name: 'Olga Maxed', admin: true });
        const tag = rand(6);
        const rcpts = externals(2, tag);
        await server.createEvent(org, soon(2 * 24 * 60 * MINUTE, { name: `Maxed ${tag}`, attendees: rcpts.map((email) => ({ email })) }));

        const ours = async () => (await outbox(server, org)).filter((r) => r.kind === 'invitation' && rcpts.includes(r.recipient));
        await waitUntil(async () => {
          const rows = await ours();
          return rows.length === 2 && rows.every((r) => r.status === 'failed');
        }, 20_000, async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}`);
        for (const r of await ours()) {
          assert.equal(r.attempts, 2, `exactly the allowed attempts\n${rowLine(r)}`);
          assert.match(r.lastError || '', /smtp/i, `the last error is kept\n${rowLine(r)}`);
          assert.equal(r.sentAt, null, `never sent\n${rowLine(r)}`);
        }
        const failedList = await outbox(server, org, { status: 'failed' });
        assert.deepEqual(failedList.filter((r) => rcpts.includes(r.recipient)).map((r) => r.recipient).sort(), [...rcpts].sort(),
          'status=failed lists them');

        // Now a server is there: over more than the longest backoff and a
        // lease, nothing may come.
        sink = await startSmtpSink({ port });
        await sleep(3500);
        assert.equal(sink.events().length, 0, `a failed message was tried again\n${sinkSummary(sink)}`);
        for (const r of await ours()) {
          assert.equal(r.status, 'failed', rowLine(r));
          assert.equal(r.attempts, 2, rowLine(r));
        }
      } finally {
        await stopServer(server);
        await sink?.stop();
      }
    });

    test('kill -9 during delivery: every invitation at least once, extra copies only for messages in flight, same Message-ID; in-app exactly once', async (t) => {
      const WORKERS = 2;
      let server, sink;
      try {
        sink = await startSmtpSink({ delayMs: 1500 });
        server = await startServer(store, { ...FAST, SMTP_URL: sink.url, CALENDARD_OUTBOX_WORKERS: String(WORKERS) });
        const co = await server.company(`Crash ${rand(4)}`);
        const org = await server.user(co, { name: 'Olga Crash', admin: true });
        const tag = rand(6);
        const rcpts = externals(10, tag);
        const t0 = Date.now();
        await server.createEvent(org, soon(2 * 24 * 60 * MINUTE, { name: `Crash ${tag}`, attendees: rcpts.map((email) => ({ email })) }));

        // Meanwhile events whose in-app reminder is due at once (they start
        // in 20 minutes, the alarm is an hour before), created until the kill.
        const alarmNames = Array.from({ length: 16 }, (_, i) => `Ping ${tag} ${String(i).padStart(2, '0')}`);
        const token = await org.token();
        const creating = pool(alarmNames, 3, async (name) => {
          try {
            const res = await server.api('POST', '/api/v1/calendar/events', {
              token, timeoutMs: 10_000,
              body: soon(20 * MINUTE, { name, alarms: [{ type: 'notification', intervalValue: 1, intervalUnit: 'hours' }] }),
            });
            return res.status;
          } catch (e) {
            return e.message; // the server was killed under the request
          }
        });

        // Kill once a message is on the wire: a claim exists, and the sink
        // holds the first DATA for 1.5 s.
        const ours = async () => (await outbox(server, org)).filter((r) => r.kind === 'invitation' && rcpts.includes(r.recipient));
        await waitUntil(async () => (await ours()).some((r) => r.status === 'sending'), 10_000,
          async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}`);
        await sleep(Math.max(0, t0 + 1000 - Date.now()) + 300);
        const acceptedBeforeKill = sink.events().filter((e) => e.event === 'accepted').length;
        const beforeKill = await outbox(server, org);
        await killHard(server);
        const created = await creating;

        await restart(server);
        await waitUntil(async () => {
          const rows = await ours();
          return rows.length === 10 && rows.every((r) => r.status === 'sent');
        }, 45_000, async () => `outbox:\n${(await ours()).map(rowLine).join('\n')}\n${sinkSummary(sink)}`);

        // E-mail: at least once; extra copies at most one per message in flight.
        const got = byRcpt(sink.messages(), rcpts);
        const unrecorded = logLines(server.stderr, 'message sent but not recorded');
        const summary = `${sinkSummary(sink)}\n(accepted before the kill: ${acceptedBeforeKill}; after the restart, `
          + `${unrecorded.length} "message sent but not recorded": ${JSON.stringify(unrecorded.map((l) => [l.outbox_id?.slice(0, 8), l.attempt, l.error]))})`;
        let extra = 0;
        for (const [rcpt, list] of got) {
          assert.ok(list.length >= 1, `${rcpt} got the invitation\n${summary}`);
          extra += list.length - 1;
          const ids = new Set(list.map((m) => m.messageId));
          assert.equal(ids.size, 1, `the copies to ${rcpt} share one Message-ID\n${summary}`);
        }
        assert.ok(extra <= WORKERS, `${extra} extra copies; at most ${WORKERS} messages were in flight at the kill\n${summary}`);
        const allIds = [...got.values()].map((l) => l[0].messageId);
        assert.equal(new Set(allIds).size, 10, `ten different Message-IDs\n${summary}`);

        // In-app: each reminder of an event that exists exactly once, none
        // for an event whose creation the kill lost.
        const existing = (await server.listAll(org, { from: isoZ(Date.now() - 60 * MINUTE), to: isoZ(Date.now() + 3 * 24 * 60 * MINUTE) }))
          .map((e) => e.name).filter((n) => alarmNames.includes(n));
        assert.ok(existing.length >= 1, `some alarm events were created before the kill: ${JSON.stringify(created)}`);
        const inApp = async () => (await outbox(server, org)).filter((r) => r.channel === 'in_app' && r.kind === 'reminder');
        await waitUntil(async () => {
          const rows = await inApp();
          return rows.length === existing.length && rows.every((r) => r.status === 'sent');
        }, 20_000, async () => `existing alarm events: ${existing.length}\nin-app outbox:\n${(await inApp()).map(rowLine).join('\n')}`);
        const notes = (await notifications(server, org)).filter((n) => n.kind === 'reminder');
        for (const name of alarmNames) {
          const count = notes.filter((n) => n.title === name).length;
          assert.equal(count, existing.includes(name) ? 1 : 0,
            `"${name}" (${existing.includes(name) ? 'exists' : 'lost in the kill'}): ${count} notification(s)\n${notes.map((n) => `  ${n.id} ${n.title}`).join('\n')}`);
        }
        assert.equal(new Set(notes.map((n) => n.id)).size, notes.length, 'notification ids are unique');
        const states = (ch) => JSON.stringify(Object.fromEntries(['pending', 'sending', 'sent', 'failed']
          .map((st) => [st, beforeKill.filter((r) => r.channel === ch && r.status === st).length])));
        t.diagnostic(`just before the kill: e-mail ${states('email')}, in-app ${states('in_app')}; `
          + `alarm events kept ${existing.length}/${alarmNames.length}; extra e-mail copies ${extra}; `
          + `sink transactions aborted by the kill ${sink.events().filter((e) => e.event === 'aborted').length}`);
      } finally {
        await stopServer(server);
        await sink?.stop();
      }
    });

    test('two processes on one database: every reminder once, e-mail and in-app, and both deliver', async (t) => {
      const N = 30;
      let a, b, sink;
      try {
        sink = await startSmtpSink();
        a = await startServer(store, { ...FAST, SMTP_URL: sink.url });
        b = await twin(a);
        const co = await a.company(`Twins ${rand(4)}`);
        const org = await a.user(co, { name: 'Olga Twins', admin: true });
        const vic = await a.user(co, { name: 'Victor Twins' });
        const tag = rand(6);
        const [ext1, ext2] = externals(2, tag);
        const names = Array.from({ length: N }, (_, i) => `Twin ${tag} ${String(i).padStart(2, '0')}`);
        const token = await org.token();
        // Half through each process, so that each one's scheduler and workers are woken.
        await pool(names, 4, async (name, i) => {
          const s = i % 2 ? b : a;
          const res = await s.api('POST', '/api/v1/calendar/events', {
            token,
            body: soon(20 * MINUTE + i * 1000, {
              name,
              attendees: [{ userId: vic.id }, { email: ext1 }, { email: ext2 }],
              alarms: [{ type: 'email', intervalValue: 1, intervalUnit: 'hours' }, { type: 'notification', intervalValue: 1, intervalUnit: 'hours' }],
            }),
          });
          expectStatus(res, 201, `create ${name} on ${i % 2 ? 'b' : 'a'}`);
        });

        // 3 invitations (not the organizer) + 4 e-mail reminders + 2 in-app per event.
        const expected = { invitation: 3 * N, reminderMail: 4 * N, inApp: 2 * N };
        const rows = async () => (await outbox(a, org)).filter((r) => r.kind === 'invitation' || r.kind === 'reminder');
        await waitUntil(async () => {
          const all = await rows();
          return all.length === expected.invitation + expected.reminderMail + expected.inApp && all.every((r) => r.status === 'sent');
        }, 45_000, async () => {
          const all = await rows();
          const count = (st) => all.filter((r) => r.status === st).length;
          return `outbox: ${all.length} rows (want ${expected.invitation + expected.reminderMail + expected.inApp}); `
            + `pending ${count('pending')}, sending ${count('sending')}, sent ${count('sent')}, failed ${count('failed')}\n`
            + `sink: ${sink.messages().length} messages`;
        });

        const rcpts = [org.email, vic.email, ext1, ext2];
        const msgs = sink.messages().filter((m) => rcpts.includes(rcptOf(m)));
        const isInvite = (m) => m.calendar?.parsed?.method === 'REQUEST';
        const show = (list) => list.map((m) => `  -> ${rcptOf(m)} ${m.messageId} ${JSON.stringify(m.subject)}`).join('\n');
        const dupes = (list, key) => {
          const seen = new Map();
          for (const m of list) seen.set(key(m), (seen.get(key(m)) || 0) + 1);
          return [...seen].filter(([, n]) => n > 1);
        };
        const invites = msgs.filter(isInvite);
        const reminders = msgs.filter((m) => !isInvite(m));
        assert.deepEqual(dupes(msgs, (m) => `${rcptOf(m)} ${m.messageId}`), [], 'no message arrived twice');
        assert.deepEqual(dupes(reminders, (m) => `${rcptOf(m)} ${m.subject}`), [], `no reminder arrived twice\n${show(reminders)}`);
        assert.equal(invites.length, expected.invitation, `invitations\n${show(invites)}`);
        assert.equal(reminders.length, expected.reminderMail, `e-mail reminders\n${show(reminders)}`);
        for (const name of names) {
          const mine = reminders.filter((m) => (m.subject || '').includes(name));
          assert.deepEqual(mine.map(rcptOf).sort(), [...rcpts].sort(), `"${name}": one reminder to each attendee\n${show(mine)}`);
        }

        for (const u of [org, vic]) {
          const notes = (await notifications(a, u)).filter((n) => n.kind === 'reminder' && names.includes(n.title));
          assert.equal(notes.length, N, `${u.name}: one in-app reminder per event`);
          assert.deepEqual([...new Set(notes.map((n) => n.title))].sort(), [...names].sort(), `${u.name}: every event once`);
        }

        const sentA = logLines(a.stderr, 'message sent').length;
        const sentB = logLines(b.stderr, 'message sent').length;
        assert.equal(sentA + sentB, expected.invitation + expected.reminderMail + expected.inApp,
          `"message sent" lines: a ${sentA}, b ${sentB}`);
        t.diagnostic(`"message sent": process a ${sentA}, process b ${sentB}`);
        assert.ok(sentA > 0 && sentB > 0, `both processes delivered: a ${sentA}, b ${sentB}`);
      } finally {
        await stopServer(b);
        await stopServer(a);
        await sink?.stop();
      }
    });
  });
}

for (const store of STORES) forStore(store);
