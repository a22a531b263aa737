#!/usr/bin/python3
"""A real SMTP server that keeps every message it accepts, for the
integration tests of calendard's outbox (src/notify/smtp.c, imip.c).

    /usr/bin/python3 tests/fakes/smtp_sink.py --dir DIR [--port N]
        [--fail-first N] [--delay-ms N] [--auth USER:PASS] [--exit-on-stdin-eof]

It listens on 127.0.0.1 only, prints one line of JSON, {"port": N}, once it
is listening, and serves until SIGTERM or SIGINT (exit 0).

Each accepted message becomes DIR/<seq>.eml (the bytes received after DATA)
and DIR/<seq>.json (the envelope and what the Python email package and
icalendar make of it; see analyse()). Both are written under a temporary
name and renamed, so a reader that sees <seq>.json also sees <seq>.eml. The
sequence number continues from the highest one already in DIR, so a sink
restarted on the same DIR keeps numbering. Every transaction that reaches
the end of DATA also appends one line to DIR/events.jsonl: accepted,
temp-fail (--fail-first) or aborted (the client went away during
--delay-ms; nothing is kept, as the client never saw the 250).

Uses the Debian packages python3-aiosmtpd and python3-icalendar, hence
/usr/bin/python3 rather than whatever python3 is first on PATH.
"""

import argparse
import asyncio
import datetime as dt
import email
import email.policy
import html
import json
import logging
import os
import re
import signal
import sys
import time
import traceback
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

try:
    import icalendar
except ImportError:  # still a useful sink without it; calendar.parsed says why
    icalendar = None

SEQ_WIDTH = 6
SEQ_RE = re.compile(r'^(\d+)\.(?:eml|json)$')
URL_RE = re.compile(r'''https?://[^\s<>"'`]+''', re.IGNORECASE)


def log(msg):
    print(f'smtp_sink: {msg}', file=sys.stderr, flush=True)


# ------------------------------------------------------------------ files

def next_seq(directory):
    """One more than the highest sequence number already in `directory`."""
    top = 0
    for name in os.listdir(directory):
        m = SEQ_RE.match(name)
        if m:
            top = max(top, int(m.group(1)))
    return top + 1


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), f'.{os.path.basename(path)}.tmp')
    with open(tmp, 'wb') as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def append_event(directory, event):
    with open(os.path.join(directory, 'events.jsonl'), 'a', encoding='utf-8') as f:
        f.write(json.dumps(event, ensure_ascii=False) + '\n')


# --------------------------------------------------------------- analysis

def raw_headers(raw):
    """[name, value] of the top-level header block as sent: unfolded, not
    RFC 2047-decoded, bytes read as UTF-8 (invalid bytes replaced)."""
    text = raw.decode('utf-8', errors='replace')
    m = re.search(r'\r?\n\r?\n', text)
    block = text[:m.start()] if m else text
    block = re.sub(r'\r?\n(?=[ \t])', '', block)  # unfold
    out = []
    for line in re.split(r'\r?\n', block):
        if not line:
            continue
        name, sep, value = line.partition(':')
        if not sep:
            continue  # not a header line; the parser's defects will say so
        out.append([name.strip(), value.strip(' \t')])
    return out


def part_text(part):
    """The decoded text of a text/* part, whatever its charset claims."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b''
        return payload.decode('utf-8', errors='replace')


def lf(text):
    """Line ends as \n, so that tests can match text and html without caring for CRLF."""
    return text.replace('\r\n', '\n')


def is_attachment(part):
    return part.get_content_disposition() == 'attachment'


def structure(part):
    ctype = part.get_content_type()
    if part.is_multipart():
        return f"{ctype}({','.join(structure(p) for p in part.iter_parts())})"
    return ctype


def leaves(msg):
    """Every non-multipart part, depth first, in document order."""
    if msg.is_multipart():
        for p in msg.iter_parts():
            yield from leaves(p)
    else:
        yield msg


def find_links(text, html_body):
    links = []
    seen = set()

    def add(url):
        url = url.rstrip('.,;:!?)]}')
        if url and url not in seen:
            seen.add(url)
            links.append(url)

    for m in URL_RE.finditer(text or ''):
        add(m.group(0))
    for m in URL_RE.finditer(html_body or ''):
        add(html.unescape(m.group(0)))
    return links


def iso_utc(prop):
    """DATE-TIME with a zone -> 2026-12-01T15:00:00Z; floating -> no Z; DATE -> 2026-12-01."""
    if prop is None:
        return None
    v = getattr(prop, 'dt', prop)
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            return v.replace(microsecond=0).isoformat()
        return v.astimezone(dt.timezone.utc).replace(microsecond=0).strftime('%Y-%m-%dT%H:%M:%SZ')
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def strip_mailto(addr):
    s = str(addr)
    return s[7:] if s.lower().startswith('mailto:') else s


def param(prop, name):
    params = getattr(prop, 'params', None)
    if not params:
        return None
    v = params.get(name)
    return None if v is None else str(v)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def text_or_none(v):
    return None if v is None else str(v)


def parse_vevent(ev):
    seq = ev.get('SEQUENCE')
    rrule = ev.get('RRULE')
    rsvp = lambda a: None if param(a, 'RSVP') is None else param(a, 'RSVP').upper() == 'TRUE'
    return {
        'uid': text_or_none(ev.get('UID')),
        'sequence': None if seq is None else int(seq),
        'summary': text_or_none(ev.get('SUMMARY')),
        'status': text_or_none(ev.get('STATUS')),
        'location': text_or_none(ev.get('LOCATION')),
        'description': text_or_none(ev.get('DESCRIPTION')),
        'dtstart': iso_utc(ev.get('DTSTART')),
        'dtend': iso_utc(ev.get('DTEND')),
        'dtstartTzid': param(ev.get('DTSTART'), 'TZID'),
        'dtendTzid': param(ev.get('DTEND'), 'TZID'),
        'dtstamp': iso_utc(ev.get('DTSTAMP')),
        'organizer': None if ev.get('ORGANIZER') is None else strip_mailto(ev.get('ORGANIZER')),
        'organizerCn': param(ev.get('ORGANIZER'), 'CN'),
        'attendees': [{
            'email': strip_mailto(a),
            'cn': param(a, 'CN'),
            'partstat': param(a, 'PARTSTAT'),
            'rsvp': rsvp(a),
            'role': param(a, 'ROLE'),
        } for a in as_list(ev.get('ATTENDEE'))],
        'recurrenceId': iso_utc(ev.get('RECURRENCE-ID')),
        'rrule': None if rrule is None else rrule.to_ical().decode(),
        'exdates': [iso_utc(d) for x in as_list(ev.get('EXDATE')) for d in getattr(x, 'dts', [x])],
    }


def parse_calendar(raw_text):
    if icalendar is None:
        return None, 'python3-icalendar is not installed'
    try:
        cal = icalendar.Calendar.from_ical(raw_text)
        return {
            'method': text_or_none(cal.get('METHOD')),
            'prodid': text_or_none(cal.get('PRODID')),
            'timezones': [str(tz.get('TZID')) for tz in cal.walk('VTIMEZONE')],
            'events': [parse_vevent(ev) for ev in cal.walk('VEVENT')],
        }, None
    except Exception as e:  # noqa: BLE001 - a broken calendar is a test finding, not a crash
        return None, f'{type(e).__name__}: {e}'


def header_str(msg, name):
    v = msg.get(name)
    return None if v is None else str(v)


def analyse(raw):
    """What the tests assert on: everything derived from the raw message."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        'messageId': header_str(msg, 'Message-ID'),
        'subject': header_str(msg, 'Subject'),
        'from': header_str(msg, 'From'),
        'to': header_str(msg, 'To'),
        'cc': header_str(msg, 'Cc'),
        'date': header_str(msg, 'Date'),
    }
    lang = header_str(msg, 'Content-Language')
    if lang is None:
        lang = next((header_str(p, 'Content-Language') for p in msg.walk() if p.get('Content-Language')), None)
    if lang is not None:
        out['contentLanguage'] = lang
        out['lang'] = lang.split(',')[0].strip()
    out['structure'] = structure(msg)

    text = html_body = None
    calendar = None
    attachments = []
    parts = []
    for p in leaves(msg):
        ctype = p.get_content_type()
        attached = is_attachment(p)
        filename = p.get_filename()
        payload = p.get_payload(decode=True) or b''
        parts.append({
            'contentType': ctype,
            'charset': p.get_content_charset(),
            'transferEncoding': p.get('Content-Transfer-Encoding') and str(p.get('Content-Transfer-Encoding')).lower(),
            'disposition': p.get_content_disposition(),
            'filename': filename,
            'size': len(payload),
        })
        if attached or filename:
            attachments.append({'contentType': ctype, 'filename': filename, 'size': len(payload)})
        if ctype == 'text/plain' and text is None and not attached:
            text = lf(part_text(p))
        elif ctype == 'text/html' and html_body is None and not attached:
            html_body = lf(part_text(p))
        if ctype == 'text/calendar' and calendar is None:
            raw_cal = part_text(p)
            parsed, err = parse_calendar(raw_cal)
            calendar = {'raw': raw_cal, 'methodParam': p.get_param('method'), 'parsed': parsed}
            if err:
                calendar['parseError'] = err
    out['text'] = text  # \n line ends; calendar.raw keeps its CRLF
    out['html'] = html_body
    out['calendar'] = calendar
    out['attachments'] = attachments
    out['parts'] = parts
    out['links'] = find_links(text, html_body)
    out['defects'] = [f'{type(d).__name__}: {d}' for p in msg.walk() for d in p.defects]
    return out


# ------------------------------------------------------------------ server

class Sink:
    """The aiosmtpd handler: the DATA hook and the authenticator."""

    def __init__(self, directory, fail_first, delay_ms, credentials):
        self.dir = directory
        self.fail_left = fail_first
        self.delay = delay_ms / 1000.0
        self.credentials = credentials  # (user bytes, password bytes) or None
        self.seq = next_seq(directory)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.credentials is not None
              and (auth_data.login, auth_data.password) == self.credentials)
        if not ok:
            log(f'AUTH {mechanism} refused')
        # handled=False: aiosmtpd then answers 535 itself (the default, handled=True, answers nothing)
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server, session, envelope):
        received_at = int(time.time() * 1000)
        base = {'mailFrom': envelope.mail_from, 'rcptTos': list(envelope.rcpt_tos), 'at': received_at}
        if self.delay > 0:
            try:
                await asyncio.sleep(self.delay)
            except asyncio.CancelledError:
                # The client left before our answer: by RFC 5321 the message is not ours.
                append_event(self.dir, {**base, 'event': 'aborted'})
                log(f'transaction cut off during --delay-ms (client left or sink stopping); '
                    f'message from {envelope.mail_from} dropped')
                raise
        if self.fail_left > 0:
            self.fail_left -= 1
            append_event(self.dir, {**base, 'event': 'temp-fail'})
            log(f'451 to message from {envelope.mail_from} ({self.fail_left} more to fail)')
            return '451 4.3.0 try again later'
        self.store(envelope, session, received_at)
        append_event(self.dir, {**base, 'event': 'accepted', 'seq': self.seq - 1})
        return '250 2.0.0 OK queued'

    def store(self, envelope, session, received_at):
        seq = self.seq
        self.seq += 1
        name = f'{seq:0{SEQ_WIDTH}d}'
        raw = envelope.original_content or envelope.content or b''
        if isinstance(raw, str):
            raw = raw.encode('utf-8', errors='surrogateescape')
        write_atomic(os.path.join(self.dir, f'{name}.eml'), raw)
        meta = {
            'seq': seq,
            'eml': f'{name}.eml',
            'mailFrom': envelope.mail_from,
            'rcptTos': list(envelope.rcpt_tos),
            'mailOptions': list(envelope.mail_options),
            'smtputf8': bool(envelope.smtp_utf8),
            'authenticated': bool(session.authenticated),
            'heloName': session.host_name,
            'receivedAt': received_at,
            'size': len(raw),
        }
        try:
            meta['headers'] = raw_headers(raw)
            meta['headerNames'] = [h[0] for h in meta['headers']]
            meta.update(analyse(raw))
        except Exception as e:  # noqa: BLE001 - the test must see the message anyway
            meta['parseError'] = f'{type(e).__name__}: {e}'
            meta['parseTraceback'] = traceback.format_exc()
            log(f'{name}: cannot parse: {meta["parseError"]}')
        data = json.dumps(meta, ensure_ascii=False, indent=1).encode('utf-8', errors='replace')
        write_atomic(os.path.join(self.dir, f'{name}.json'), data)
        log(f'{name}: from {envelope.mail_from} to {",".join(envelope.rcpt_tos)}')


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dir', required=True, help='where messages are written (created if missing)')
    ap.add_argument('--port', type=int, default=0, help='0 or absent: any free port')
    ap.add_argument('--fail-first', type=int, default=0, help='answer the first N messages 451')
    ap.add_argument('--delay-ms', type=int, default=0, help='wait this long before answering DATA')
    ap.add_argument('--auth', metavar='USER:PASS', help='require AUTH PLAIN/LOGIN with these credentials')
    ap.add_argument('--exit-on-stdin-eof', action='store_true',
                    help='stop when stdin closes (the harness passes a pipe, so that a killed test run leaves no sink)')
    return ap.parse_args(argv)


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    credentials = None
    if args.auth is not None:
        user, sep, password = args.auth.partition(':')
        if not sep:
            raise SystemExit('smtp_sink: --auth wants USER:PASS')
        credentials = (user.encode(), password.encode())
    sink = Sink(args.dir, args.fail_first, args.delay_ms, credentials)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(sink, hostname='smtp-sink.test', ident='calendard test sink',
                    decode_data=False, enable_SMTPUTF8=True,
                    auth_required=credentials is not None, auth_require_tls=False,
                    authenticator=sink.authenticate, loop=loop)

    server = await loop.create_server(factory, host='127.0.0.1', port=args.port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        def stdin_readable():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()
        loop.add_reader(sys.stdin.fileno(), stdin_readable)
    print(json.dumps({'port': port}), flush=True)
    log(f'listening on 127.0.0.1:{port}, dir {args.dir}, next seq {sink.seq}')
    await stop.wait()
    server.close()


def main(argv):
    args = parse_args(argv)
    # aiosmtpd warns (warnings and log) that AUTH without TLS is insecure: it is a test sink.
    warnings.filterwarnings('ignore', message='Requiring AUTH while not requiring TLS')
    logging.getLogger('mail.log').setLevel(logging.ERROR)
    asyncio.run(serve(args))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
