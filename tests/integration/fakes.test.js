// Self-test of the delivery fakes the integration tests use instead of a real
// mail server and a real SMS provider: tests/fakes/smtp_sink.py (through the
// harness's startSmtpSink) and tests/fakes/sms_fake.mjs. No calendard here:
// mail goes in through a small SMTP client written below, SMS through fetch.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, startSmsFake, startSmtpSink } from './lib/harness.js';

// ------------------------------------------------------------ SMTP client

/** Just enough SMTP to drive the sink: replies are {code, text, lines}. */
class SmtpClient {
  static connect(port) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('error', reject);
      sock.once('connect', async () => {
        const c = new SmtpClient(sock);
        const greeting = await c.read();
        assert.equal(greeting.code, 220, `greeting: ${greeting.text}`);
        resolve(c);
      });
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.buf = '';
    this.lines = [];
    this.replies = [];
    this.waiting = null;
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\r\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 2);
        this.lines.push(line);
        if (/^\d{3}(?: |$)/.test(line)) {
          const lines = this.lines;
          this.lines = [];
          this.replies.push({ code: Number(line.slice(0, 3)), text: line.slice(4), lines });
          this.wake();
        }
      }
    });
    sock.on('close', () => { this.closed = true; this.wake(); });
  }

  wake() {
    if (this.waiting) { const w = this.waiting; this.waiting = null; w(); }
  }

  async read() {
    while (!this.replies.length) {
      if (this.closed) throw new Error('connection closed while waiting for a reply');
      await new Promise((resolve) => { this.waiting = resolve; });
    }
    return this.replies.shift();
  }

  cmd(line) {
    this.sock.write(`${line}\r\n`);
    return this.read();
  }

  /** DATA, then the message dot-stuffed; resolves to the reply after the final dot. */
  async data(raw) {
    const go = await this.cmd('DATA');
    assert.equal(go.code, 354, `DATA: ${go.code} ${go.text}`);
    let text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
    if (!text.endsWith('\r\n')) text += '\r\n';
    this.sock.write(Buffer.from(text.replace(/^\./gm, '..') + '.\r\n', 'utf8'));
    return this.read();
  }

  async quit() {
    if (!this.closed) { await this.cmd('QUIT').catch(() => {}); this.sock.destroy(); }
  }
}

function expectCode(reply, code, what) {
  assert.equal(reply.code, code, `${what}: expected ${code}, got ${reply.code} ${reply.lines.join(' | ')}`);
}

/** One whole session: EHLO, optional AUTH PLAIN, MAIL, RCPT..., DATA. Resolves to the DATA reply. */
async function sendMail(port, { from, to, raw, auth }) {
  const c = await SmtpClient.connect(port);
  try {
    expectCode(await c.cmd('EHLO client.test'), 250, 'EHLO');
    if (auth) {
      const token = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
      expectCode(await c.cmd(`AUTH PLAIN ${token}`), 235, 'AUTH PLAIN');
    }
    expectCode(await c.cmd(`MAIL FROM:<${from}> BODY=8BITMIME`), 250, 'MAIL FROM');
    for (const r of to) expectCode(await c.cmd(`RCPT TO:<${r}>`), 250, `RCPT TO ${r}`);
    return await c.data(raw);
  } finally {
    await c.quit();
  }
}

function simpleMail(subject, body = 'hello') {
  return [
    'From: sender@acme.test', 'To: rcpt@example.org', `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@acme.test>`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', '', body, '',
  ].join('\r\n');
}

// ------------------------------------------------------------ the invitation

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const SUBJECT = 'Invitación: Reunión';
const TEXT = 'Hola Bob,\r\n\r\nAna te invita a «Reunión».\r\nResponder: https://cal.acme.test/r/abc?answer=yes&t=1.\r\n.Una línea con punto inicial.\r\n';
const HTML = '<p>Hola Bob,</p><p><a href="https://cal.acme.test/r/abc?answer=yes&amp;t=1">Sí</a> '
  + '<a href="https://cal.acme.test/r/abc?answer=no&amp;t=1">No</a> <img src="http://img.acme.test/logo.png"></p>';
const ICS = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//calendard//fakes test//ES', 'METHOD:REQUEST',
  'BEGIN:VEVENT', 'UID:evt-123@calendard.test', 'SEQUENCE:1', 'DTSTAMP:20261101T120000Z',
  'DTSTART;TZID=America/Mexico_City:20261201T090000', 'DTEND;TZID=America/Mexico_City:20261201T100000',
  'RRULE:FREQ=WEEKLY;COUNT=3', 'SUMMARY:Reunión', 'STATUS:CONFIRMED',
  'ORGANIZER;CN=Ana Martínez:mailto:ana@acme.test',
  'ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:bob@example.org',
  'ATTENDEE;CN="Carla Díaz";PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=OPT-PARTICIPANT:MAILTO:carla@example.org',
  'END:VEVENT',
  'BEGIN:VEVENT', 'UID:evt-123@calendard.test', 'SEQUENCE:1', 'DTSTAMP:20261101T120000Z',
  'RECURRENCE-ID;TZID=America/Mexico_City:20261208T090000',
  'DTSTART:20261208T170000Z', 'DTEND:20261208T180000Z', 'SUMMARY:Reunión (movida)',
  'ORGANIZER:mailto:ana@acme.test', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

const INVITE = [
  `Subject: =?UTF-8?B?${b64(SUBJECT)}?=`,
  'From: =?UTF-8?Q?Ana_Mart=C3=ADnez?= <ana@acme.test>',
  'To: Bob <bob@example.org>,',
  ' =?UTF-8?Q?Carla_D=C3=ADaz?= <carla@example.org>',
  'Message-ID: <invite-123@acme.test>',
  'Date: Sun, 01 Nov 2026 12:00:00 +0000',
  'Content-Language: es-MX',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="mixed-1"',
  '',
  '--mixed-1',
  'Content-Type: multipart/alternative; boundary="alt-1"',
  '',
  '--alt-1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  TEXT.replace(/[^\x20-\x7e\r\n]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `=${b.toString(16).toUpperCase()}`).join('')).replace(/=(?!\r|[0-9A-F]{2})/g, '=3D'),
  '--alt-1',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  b64(HTML).replace(/.{76}/g, '$&\r\n'),
  '--alt-1',
  'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
  'Content-Transfer-Encoding: 8bit',
  '',
  ICS,
  '--alt-1--',
  '',
  '--mixed-1',
  'Content-Type: application/ics; name="invite.ics"',
  'Content-Disposition: attachment; filename="invite.ics"',
  'Content-Transfer-Encoding: base64',
  '',
  b64(ICS).replace(/.{76}/g, '$&\r\n'),
  '--mixed-1--',
  '',
].join('\r\n');

// ------------------------------------------------------------------ SMTP

describe('smtp sink', { concurrency: true }, () => {
  test('an iMIP invitation: every field of the JSON and the raw .eml', async () => {
    const sink = await startSmtpSink();
    try {
      assert.equal(sink.url, `smtp://127.0.0.1:${sink.port}`);
      const t0 = Date.now();
      expectCode(await sendMail(sink.port, { from: 'bounce@acme.test', to: ['bob@example.org', 'carla@example.org'], raw: INVITE }), 250, 'DATA');
      const [m] = await sink.waitFor((msgs) => msgs.length === 1, 5000);

      assert.equal(fs.readFileSync(path.join(sink.dir, '000001.eml'), 'utf8'), INVITE, '.eml holds the bytes sent, unstuffed');
      assert.equal(m.seq, 1);
      assert.equal(m.mailFrom, 'bounce@acme.test');
      assert.deepEqual(m.rcptTos, ['bob@example.org', 'carla@example.org']);
      assert.ok(m.receivedAt >= t0 - 1000 && m.receivedAt <= Date.now() + 1000, `receivedAt ${m.receivedAt}`);
      assert.equal(m.messageId, '<invite-123@acme.test>');
      assert.equal(m.subject, SUBJECT);
      assert.equal(m.from, 'Ana Martínez <ana@acme.test>');
      assert.equal(m.to, 'Bob <bob@example.org>, Carla Díaz <carla@example.org>');
      assert.deepEqual(m.headerNames, ['Subject', 'From', 'To', 'Message-ID', 'Date', 'Content-Language', 'MIME-Version', 'Content-Type']);
      assert.deepEqual(m.headers[0], ['Subject', `=?UTF-8?B?${b64(SUBJECT)}?=`], 'headers are raw, not decoded');
      assert.deepEqual(m.headers[2], ['To', 'Bob <bob@example.org>, =?UTF-8?Q?Carla_D=C3=ADaz?= <carla@example.org>'], 'headers are unfolded');
      assert.equal(m.contentLanguage, 'es-MX');
      assert.equal(m.lang, 'es-MX');
      assert.equal(m.structure, 'multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)');
      assert.equal(m.text, TEXT.replace(/\r\n/g, '\n'));
      assert.equal(m.html, HTML);
      assert.deepEqual(m.attachments, [{ contentType: 'application/ics', filename: 'invite.ics', size: Buffer.byteLength(ICS) }]);
      assert.deepEqual(m.links, [
        'https://cal.acme.test/r/abc?answer=yes&t=1',
        'https://cal.acme.test/r/abc?answer=no&t=1',
        'http://img.acme.test/logo.png',
      ]);
      assert.equal(m.parseError, undefined);
      assert.deepEqual(m.defects, []);

      const cal = m.calendar;
      assert.equal(cal.raw, ICS);
      assert.equal(cal.methodParam, 'REQUEST');
      assert.equal(cal.parsed.method, 'REQUEST');
      assert.equal(cal.parsed.events.length, 2);
      const [master, override] = cal.parsed.events;
      const { description, location, ...core } = master;
      assert.equal(description, null);
      assert.equal(location, null);
      assert.deepEqual(
        core,
        {
          uid: 'evt-123@calendard.test', sequence: 1, summary: 'Reunión', status: 'CONFIRMED',
          dtstart: '2026-12-01T15:00:00Z', dtend: '2026-12-01T16:00:00Z',
          dtstartTzid: 'America/Mexico_City', dtendTzid: 'America/Mexico_City', dtstamp: '2026-11-01T12:00:00Z',
          organizer: 'ana@acme.test', organizerCn: 'Ana Martínez',
          attendees: [
            { email: 'bob@example.org', cn: 'Bob', partstat: 'NEEDS-ACTION', rsvp: true, role: 'REQ-PARTICIPANT' },
            { email: 'carla@example.org', cn: 'Carla Díaz', partstat: 'NEEDS-ACTION', rsvp: true, role: 'OPT-PARTICIPANT' },
          ],
          recurrenceId: null, rrule: 'FREQ=WEEKLY;COUNT=3', exdates: [],
        },
      );
      assert.equal(override.recurrenceId, '2026-12-08T15:00:00Z');
      assert.equal(override.dtstart, '2026-12-08T17:00:00Z');
      assert.equal(override.rrule, null);
      assert.equal(override.status, null);
      assert.deepEqual(override.attendees, []);
      assert.deepEqual(sink.events().map((e) => e.event), ['accepted']);
    } finally {
      await sink.stop();
    }
  });

  test('--fail-first: 451 4.3.0, then the retry is accepted as seq 1', async () => {
    const sink = await startSmtpSink({ failFirst: 1 });
    try {
      const c = await SmtpClient.connect(sink.port);
      expectCode(await c.cmd('EHLO client.test'), 250, 'EHLO');
      expectCode(await c.cmd('MAIL FROM:<a@acme.test>'), 250, 'MAIL');
      expectCode(await c.cmd('RCPT TO:<b@example.org>'), 250, 'RCPT');
      const first = await c.data(simpleMail('first try'));
      expectCode(first, 451, 'first DATA');
      assert.equal(first.text, '4.3.0 try again later');
      assert.deepEqual(sink.messages(), [], 'a refused message is not kept');
      expectCode(await c.cmd('MAIL FROM:<a@acme.test>'), 250, 'MAIL again');
      expectCode(await c.cmd('RCPT TO:<b@example.org>'), 250, 'RCPT again');
      expectCode(await c.data(simpleMail('first try')), 250, 'retried DATA');
      await c.quit();
      const msgs = sink.messages();
      assert.deepEqual(msgs.map((m) => [m.seq, m.subject]), [[1, 'first try']]);
      assert.deepEqual(sink.events().map((e) => e.event), ['temp-fail', 'accepted']);
    } finally {
      await sink.stop();
    }
  });

  test('--auth: 530 before AUTH, 535 for a wrong password, 235 for PLAIN and LOGIN', async () => {
    const sink = await startSmtpSink({ auth: { user: 'mailer', pass: 's3cret' } });
    try {
      const c = await SmtpClient.connect(sink.port);
      const ehlo = await c.cmd('EHLO client.test');
      assert.ok(ehlo.lines.some((l) => /AUTH\b.*\bPLAIN\b/.test(l) && /\bLOGIN\b/.test(l)), `EHLO offers AUTH PLAIN LOGIN: ${ehlo.lines}`);
      const refused = await c.cmd('MAIL FROM:<a@acme.test>');
      expectCode(refused, 530, 'MAIL before AUTH');
      expectCode(await c.cmd(`AUTH PLAIN ${b64('\0mailer\0wrong')}`), 535, 'AUTH PLAIN, wrong password');
      expectCode(await c.cmd('AUTH LOGIN'), 334, 'AUTH LOGIN');
      expectCode(await c.cmd(b64('mailer')), 334, 'AUTH LOGIN user');
      expectCode(await c.cmd(b64('s3cret')), 235, 'AUTH LOGIN password');
      expectCode(await c.cmd('MAIL FROM:<a@acme.test>'), 250, 'MAIL after AUTH');
      expectCode(await c.cmd('RCPT TO:<b@example.org>'), 250, 'RCPT');
      expectCode(await c.data(simpleMail('with login')), 250, 'DATA');
      await c.quit();
      expectCode(await sendMail(sink.port, { from: 'a@acme.test', to: ['b@example.org'], raw: simpleMail('with plain'), auth: { user: 'mailer', pass: 's3cret' } }), 250, 'PLAIN session');
      const msgs = sink.messages();
      assert.deepEqual(msgs.map((m) => [m.subject, m.authenticated]), [['with login', true], ['with plain', true]]);
    } finally {
      await sink.stop();
    }
  });

  test('restart keeps the port, the dir and the numbering; waitFor explains a timeout', async () => {
    const sink = await startSmtpSink();
    try {
      const { port, dir } = sink;
      expectCode(await sendMail(port, { from: 'a@acme.test', to: ['b@example.org'], raw: simpleMail('before') }), 250, 'before restart');
      await sink.restart({ failFirst: 1 });
      assert.equal(sink.port, port);
      assert.equal(sink.dir, dir);
      expectCode(await sendMail(port, { from: 'a@acme.test', to: ['b@example.org'], raw: simpleMail('refused') }), 451, 'after restart, fail-first');
      expectCode(await sendMail(port, { from: 'a@acme.test', to: ['b@example.org'], raw: simpleMail('after') }), 250, 'after restart');
      const msgs = await sink.waitFor((ms) => ms.length === 2, 2000);
      assert.deepEqual(msgs.map((m) => [m.seq, m.subject]), [[1, 'before'], [2, 'after']]);
      assert.ok(fs.existsSync(path.join(dir, '000002.eml')));
      await assert.rejects(sink.waitFor((ms) => ms.length === 3, 200), (e) => {
        assert.match(e.message, /not met within 200 ms/);
        assert.match(e.message, /2 message\(s\) arrived/);
        assert.match(e.message, /"after"/);
        assert.match(e.message, /temp-fail a@acme\.test/);
        return true;
      });
    } finally {
      await sink.stop();
    }
  });

  test('--delay-ms: a client that leaves before the answer leaves nothing behind', async () => {
    const sink = await startSmtpSink({ delayMs: 400 });
    try {
      const c = await SmtpClient.connect(sink.port);
      expectCode(await c.cmd('EHLO client.test'), 250, 'EHLO');
      expectCode(await c.cmd('MAIL FROM:<a@acme.test>'), 250, 'MAIL');
      expectCode(await c.cmd('RCPT TO:<b@example.org>'), 250, 'RCPT');
      expectCode(await c.cmd('DATA'), 354, 'DATA');
      c.sock.write(`${simpleMail('killed')}.\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      c.sock.destroy();
      const t0 = Date.now();
      expectCode(await sendMail(sink.port, { from: 'a@acme.test', to: ['b@example.org'], raw: simpleMail('patient') }), 250, 'DATA');
      assert.ok(Date.now() - t0 >= 350, 'the answer to DATA is delayed');
      assert.deepEqual(sink.messages().map((m) => [m.seq, m.subject]), [[1, 'patient']]);
      assert.deepEqual(sink.events().map((e) => e.event), ['aborted', 'accepted']);
    } finally {
      await sink.stop();
    }
  });
});

// ------------------------------------------------------------------- SMS

describe('sms fake', { concurrency: true }, () => {
  const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = 'token-0123456789';
  const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  async function post(sms, fields, { auth = basic(accountSid, authToken), sid = accountSid, headers = {} } = {}) {
    const h = { 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
    if (auth) h.Authorization = auth;
    const res = await fetch(`${sms.url}/2010-04-01/Accounts/${sid}/Messages.json`, { method: 'POST', headers: h, body: new URLSearchParams(fields).toString() });
    return { status: res.status, json: await res.json(), headers: res.headers };
  }
  const twilioError = (status, code, message) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  test('Basic auth: missing, wrong token, wrong account all get 401 20003', async () => {
    const sms = await startSmsFake({ accountSid, authToken });
    try {
      const ok = { To: '+5215512345678', From: '+15005550006', Body: 'x' };
      for (const [what, opts] of [
        ['no Authorization', { auth: null }],
        ['wrong token', { auth: basic(accountSid, 'nope') }],
        ['wrong account in the URL', { sid: `AC${'f'.repeat(32)}` }],
        ['not Basic', { auth: `Bearer ${authToken}` }],
      ]) {
        const r = await post(sms, ok, opts);
        assert.equal(r.status, 401, what);
        assert.deepEqual(r.json, twilioError(401, 20003, 'Authenticate'), what);
      }
      assert.deepEqual(sms.messages(), []);
    } finally {
      await sms.stop();
    }
  });

  test('validation errors 21604, 21602, 21211; success is 201 in Twilio\'s shape', async () => {
    const sms = await startSmsFake({ accountSid, authToken });
    try {
      let r = await post(sms, { From: '+15005550006', Body: 'hola' });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, twilioError(400, 21604, "A 'To' phone number is required."));
      r = await post(sms, { To: '+5215512345678', From: '+15005550006' });
      assert.deepEqual(r.json, twilioError(400, 21602, 'Message body is required.'));
      for (const to of ['5512345678', '+12', '+1 555 123 4567', '+1234567890123456']) {
        r = await post(sms, { To: to, From: '+15005550006', Body: 'hola' });
        assert.equal(r.status, 400, to);
        assert.equal(r.json.code, 21211, to);
      }
      assert.deepEqual(sms.messages(), []);

      const t0 = Date.now();
      r = await post(sms, { To: '+5215512345678', From: '+15005550006', Body: 'Recordatorio: Reunión a las 9:00' });
      assert.equal(r.status, 201);
      const j = r.json;
      assert.match(j.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(j.account_sid, accountSid);
      assert.equal(j.to, '+5215512345678');
      assert.equal(j.from, '+15005550006');
      assert.equal(j.body, 'Recordatorio: Reunión a las 9:00');
      assert.equal(j.status, 'queued');
      assert.equal(j.num_segments, '1');
      assert.match(j.date_created, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/);
      assert.equal(j.api_version, '2010-04-01');
      assert.equal(j.uri, `/2010-04-01/Accounts/${accountSid}/Messages/${j.sid}.json`);
      const [m] = sms.messages();
      assert.deepEqual({ ...m, receivedAt: undefined }, {
        to: '+5215512345678', from: '+15005550006', messagingServiceSid: null, body: j.body, sid: j.sid, idempotencyToken: null, receivedAt: undefined,
      });
      assert.ok(m.receivedAt >= t0 && m.receivedAt <= Date.now());

      r = await post(sms, { To: '+5215512345678', MessagingServiceSid: `MG${'1'.repeat(32)}`, Body: 'short' });
      assert.equal(r.status, 201);
      assert.equal(r.json.from, null);
      assert.equal(r.json.num_segments, '1');
      // GSM-7: 160 septets in one segment, 153 per part beyond; ó forces UCS-2: 70, then 67 per part
      const segments = async (Body) => (await post(sms, { To: '+5215512345678', From: '+15005550006', Body })).json.num_segments;
      assert.equal(await segments('a'.repeat(160)), '1');
      assert.equal(await segments('a'.repeat(161)), '2');
      assert.equal(await segments('{'.repeat(80)), '1', 'an extension character costs two septets');
      assert.equal(await segments('{'.repeat(81)), '2');
      assert.equal(await segments('ó'.repeat(70)), '1');
      assert.equal(await segments('ó'.repeat(71)), '2');
      assert.equal(await segments('ó'.repeat(135)), '3');
      assert.equal(sms.messages().length, 9);
    } finally {
      await sms.stop();
    }
  });

  test('I-Twilio-Idempotency-Token: a repeat gets the first answer and records nothing', async () => {
    const sms = await startSmsFake({ accountSid, authToken });
    try {
      const fields = { To: '+5215512345678', From: '+15005550006', Body: 'uno' };
      const a = await post(sms, fields, { headers: { 'I-Twilio-Idempotency-Token': 'job-1' } });
      const b = await post(sms, { ...fields, Body: 'changed' }, { headers: { 'I-Twilio-Idempotency-Token': 'job-1' } });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.deepEqual(b.json, a.json);
      const c = await post(sms, fields, { headers: { 'I-Twilio-Idempotency-Token': 'job-2' } });
      assert.notEqual(c.json.sid, a.json.sid);
      assert.deepEqual(sms.messages().map((m) => [m.body, m.idempotencyToken, m.sid]), [['uno', 'job-1', a.json.sid], ['uno', 'job-2', c.json.sid]]);
      assert.deepEqual(sms.requests().map((q) => [q.status, q.replayed]), [[201, false], [201, true], [201, false]]);
    } finally {
      await sms.stop();
    }
  });

  test('failNext(n): n answers 503 20503, nothing recorded, then back to normal', async () => {
    const sms = await startSmsFake({ accountSid, authToken });
    try {
      sms.failNext(2);
      const fields = { To: '+5215512345678', From: '+15005550006', Body: 'dos' };
      const hdr = { headers: { 'I-Twilio-Idempotency-Token': 'job-9' } };
      for (let i = 0; i < 2; i++) {
        const r = await post(sms, fields, hdr);
        assert.equal(r.status, 503);
        assert.deepEqual(r.json, twilioError(503, 20503, 'Service Unavailable'));
      }
      assert.deepEqual(sms.messages(), []);
      const r = await post(sms, fields, hdr);
      assert.equal(r.status, 201, 'a failed request does not use up its idempotency token');
      assert.equal(sms.messages().length, 1);
      sms.failNext(1, 429);
      const busy = await post(sms, fields);
      assert.equal(busy.status, 429);
      assert.equal(busy.json.code, 20429);
    } finally {
      await sms.stop();
    }
  });

  test('as a CLI: prints its port and exits 0 on SIGTERM', async () => {
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'tests/fakes/sms_fake.mjs'), '--account-sid', accountSid, '--auth-token', authToken], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    for await (const chunk of proc.stdout) {
      out += chunk;
      if (out.includes('\n')) break;
    }
    const { port } = JSON.parse(out);
    const r = await post({ url: `http://127.0.0.1:${port}` }, { To: '+5215512345678', From: '+15005550006', Body: 'cli' });
    assert.equal(r.status, 201);
    proc.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
  });
});
