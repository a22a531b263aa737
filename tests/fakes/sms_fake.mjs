// A Twilio-shaped SMS provider for calendard's integration tests
// (src/notify/sms.c): the one route calendard uses,
//
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json
//        application/x-www-form-urlencoded: To, From or MessagingServiceSid, Body
//
// with HTTP Basic auth AccountSid:AuthToken, Twilio's error bodies
// ({code, message, more_info, status}) and status codes, and the
// I-Twilio-Idempotency-Token header (a repeated token gets the first answer
// again and records nothing). GET on the same path lists what was recorded.
// Node 20 http only; listens on 127.0.0.1.
//
//   import { startSmsFake } from '../fakes/sms_fake.mjs';
//   const sms = await startSmsFake({ accountSid, authToken });
//
// or by hand: node tests/fakes/sms_fake.mjs [--port N] [--account-sid AC…]
// [--auth-token T] prints {"port":N,"accountSid":…,"authToken":…} and logs
// each message on stderr until SIGTERM/SIGINT.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const API_VERSION = '2010-04-01';
const ROUTE_RE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164_RE = /^\+[1-9]\d{7,14}$/;
const MAX_BODY_CHARS = 1600;
// The GSM 03.38 basic set; the extension set costs two septets each.
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXT = new Set('^{}\\[~]|€\f');
const FAIL_CODES = { 429: [20429, 'Too Many Requests'], 500: [20500, 'Internal Server Error'], 503: [20503, 'Service Unavailable'] };

const hex = (n) => randomBytes(n).toString('hex');

function twilioError(status, code, message) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** Segments as Twilio counts them: GSM-7 160/153 septets, else UCS-2 70/67 code units. */
export function smsSegments(body) {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXT.has(ch)) septets += 2;
    else { gsm = false; break; }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}

/** `Thu, 24 Aug 2023 05:01:45 +0000`, as Twilio writes dates. */
function rfc2822(d) {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function basicAuth(header) {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header || '');
  if (!m) return null;
  const s = Buffer.from(m[1], 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? null : { user: s.slice(0, i), pass: s.slice(i + 1) };
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the fake. Options: accountSid (default AC + 32 random hex), authToken
 * (default 32 random hex), port (default 0 = any free one), log (a function
 * for one line per request, default none).
 * Resolves to { url, port, accountSid, authToken, messages(), requests(),
 * failNext(n, status = 503), stop() }.
 */
export async function startSmsFake({ accountSid = `AC${hex(16)}`, authToken = hex(16), port = 0, log = null } = {}) {
  const recorded = [];   // accepted messages, in order
  const requests = [];   // every request to the Messages route: {method, path, status, code, idempotencyToken, at}
  const byToken = new Map(); // idempotency token -> {status, body} of the first success
  let failLeft = 0;
  let failStatus = 503;

  function handleCreate(req, params) {
    const token = req.headers['i-twilio-idempotency-token'];
    if (token && byToken.has(token)) return { ...byToken.get(token), replayed: true };

    const to = params.get('To');
    const from = params.get('From');
    const service = params.get('MessagingServiceSid');
    const body = params.get('Body');
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!from && !service) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(400, 21602, 'Message body is required.');
    if (!E164_RE.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if ([...body].length > MAX_BODY_CHARS) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }

    const sid = `SM${hex(16)}`;
    const now = rfc2822(new Date());
    const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
    const out = {
      status: 201,
      body: {
        account_sid: accountSid,
        api_version: API_VERSION,
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from || null,
        messaging_service_sid: service || null,
        num_media: '0',
        num_segments: String(smsSegments(body)),
        price: null,
        price_unit: 'USD',
        sid,
        status: from ? 'queued' : 'accepted',
        subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
        to,
        uri,
      },
    };
    recorded.push({
      to, from: from || null, messagingServiceSid: service || null, body, sid,
      idempotencyToken: token || null, receivedAt: Date.now(),
    });
    if (token) byToken.set(token, out);
    return out;
  }

  async function answer(req) {
    const url = new URL(req.url, 'http://x');
    const m = ROUTE_RE.exec(url.pathname);
    if (!m) return twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (failLeft > 0) {
      failLeft--;
      const [code, message] = FAIL_CODES[failStatus] || [20500, 'Internal Server Error'];
      return twilioError(failStatus, code, message);
    }
    const cred = basicAuth(req.headers.authorization);
    if (!cred || cred.user !== accountSid || cred.pass !== authToken || m[1] !== accountSid) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (req.method === 'GET') {
      return { status: 200, body: { messages: recorded.map((r) => ({ sid: r.sid, to: r.to, from: r.from, body: r.body })) } };
    }
    if (req.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
    const raw = await readBody(req);
    const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] || '');
    return handleCreate(req, new URLSearchParams(form ? raw : ''));
  }

  const server = http.createServer(async (req, res) => {
    let out;
    try {
      out = await answer(req);
    } catch (e) {
      out = twilioError(400, 20001, `bad request: ${e.message}`);
    }
    requests.push({
      method: req.method, path: req.url, status: out.status, code: out.body.code ?? null,
      idempotencyToken: req.headers['i-twilio-idempotency-token'] || null, replayed: !!out.replayed, at: Date.now(),
    });
    if (log) log(`${req.method} ${req.url} -> ${out.status}${out.body.code ? ` ${out.body.code}` : ''}${out.replayed ? ' (replayed)' : ''}`);
    const text = JSON.stringify(out.body);
    res.writeHead(out.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Twilio-Request-Id': `RQ${hex(16)}`,
      ...(out.status === 401 ? { 'WWW-Authenticate': 'Basic realm="Twilio API"' } : {}),
    });
    res.end(text);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    accountSid,
    authToken,
    /** Accepted messages: [{to, from, messagingServiceSid, body, sid, idempotencyToken, receivedAt}]. */
    messages: () => recorded.map((r) => ({ ...r })),
    /** Every request to the route, including refused and replayed ones. */
    requests: () => requests.map((r) => ({ ...r })),
    /** The next n requests get `status` (503, 500 or 429) with Twilio's error body; nothing is recorded. */
    failNext(n, status = 503) { failLeft = n; failStatus = status; },
    stop: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function cliArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--port') { o.port = Number(v); i++; } else if (k === '--account-sid') { o.accountSid = v; i++; } else if (k === '--auth-token') { o.authToken = v; i++; } else {
      console.error('usage: node sms_fake.mjs [--port N] [--account-sid AC...] [--auth-token T]');
      process.exit(2);
    }
  }
  return o;
}

const isMain = process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
if (isMain) {
  const fake = await startSmsFake({ ...cliArgs(process.argv.slice(2)), log: (l) => console.error(`sms_fake: ${l}`) });
  console.log(JSON.stringify({ port: fake.port, accountSid: fake.accountSid, authToken: fake.authToken }));
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, async () => { await fake.stop(); process.exit(0); });
  }
}
