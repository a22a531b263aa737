#!/usr/bin/python3
"""An independent reader for calendard's iCalendar exports (test_ics.c).

Usage: ics_check.py EXPORT.ics EXPECT.json

Loads EXPORT.ics with the python `icalendar` package (Debian's
python3-icalendar) and checks it against EXPECT.json, which test_ics.c
writes from the neutral values it exported:

  {"vevents": N, "vtimezones": M,
   "events": [{"uid", "summary", "description", "location",
               "start", "end", "recurrence_id": time or null,
               "exdates": [time...], "rrule": text or null,
               "attendees": [{"email", "cn"}...], "alarms": N}]}

where a time is {"utc": epoch} for UTC and zoned times, {"floating":
epoch} for a wall clock read as UTC, or {"date": "YYYY-MM-DD"}. Zoned
times are converted with the file's own VTIMEZONE (Timezone.to_tz), not
with the zone database, so this also checks the generated VTIMEZONEs.
It also checks the raw text: CRLF line ends and lines of at most 75 octets.
Prints every mismatch and exits 1 if there was any.

TEXT values (UID, SUMMARY, DESCRIPTION, LOCATION) are unfolded, split and
unescaped here instead: python-icalendar 4 unescapes by chained
str.replace (in unescape_char and again in Contentline.parts), so an
escaped backslash followed by "n" or "," comes out wrong.
"""
import calendar
import datetime
import json
import re
import sys

import icalendar
from icalendar.prop import vRecur

errors = []


def fail(msg):
    errors.append(msg)


def check_raw(data):
    if not data.endswith(b"\r\n"):
        fail("the text does not end with CRLF")
    for no, line in enumerate(data.split(b"\r\n")[:-1], 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d: bare CR or LF" % no)
        if len(line) > 75:
            fail("line %d: %d octets" % (no, len(line)))
        if line.startswith(b" ") and len(line) > 1 and (line[1] & 0xC0) == 0x80:
            fail("line %d: folded inside a UTF-8 sequence" % no)


def rfc6868(s):
    """python-icalendar 4 does not decode RFC 6868 parameter values."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "^" and i + 1 < len(s) and s[i + 1] in "^n'":
            out.append({"^": "^", "n": "\n", "'": '"'}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def time_value(prop, zones):
    """A DTSTART-like property as the JSON form of test_ics.c."""
    dt = prop.dt
    if isinstance(dt, datetime.datetime):
        tzid = prop.params.get("TZID")
        naive = dt.replace(tzinfo=None)
        if tzid:
            if tzid not in zones:
                fail("TZID %s has no VTIMEZONE" % tzid)
                return None
            aware = zones[tzid].localize(naive)
            return {"utc": calendar.timegm(aware.utctimetuple())}
        if dt.tzinfo is not None:
            return {"utc": calendar.timegm(dt.utctimetuple())}
        return {"floating": calendar.timegm(naive.timetuple())}
    return {"date": dt.isoformat()}


def exdates(ev, zones):
    out = []
    for prop in as_list(ev.get("EXDATE")):
        tzid = prop.params.get("TZID")
        for leaf in prop.dts:
            if tzid:
                leaf.params["TZID"] = tzid
            out.append(time_value(leaf, zones))
    return out


def unescape(raw):
    """RFC 5545 section 3.3.11, one escape at a time."""
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            c = raw[i + 1]
            out.append("\n" if c in "nN" else c)
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def split_value(line):
    """NAME;params:value -> (NAME, value); ':' inside quotes is no split."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            return line[:i].split(";", 1)[0].upper(), line[i + 1:]
    return line.upper(), ""


def raw_texts(data):
    """The TEXT values of each VEVENT (not of its VALARMs), in order."""
    unfolded = re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))
    events, stack = [], []
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        name, value = split_value(line)
        if name == "BEGIN":
            stack.append(value.upper())
            if stack[-1] == "VEVENT":
                events.append({})
        elif name == "END":
            stack.pop()
        elif stack and stack[-1] == "VEVENT" and name in ("UID", "SUMMARY", "DESCRIPTION", "LOCATION"):
            events[-1][name] = unescape(value)
    return events


def text(raw, name):
    return raw.get(name)


def same_rrule(got, want):
    if got is None or want is None:
        return got is None and want is None
    return dict(got) == dict(vRecur.from_ical(want))


def check_event(no, ev, raw, want, zones):
    where = "event %d" % no
    for key in ("uid", "summary", "description", "location"):
        got = text(raw, key.upper())
        if got != want.get(key):
            fail("%s: %s is %r, expected %r" % (where, key, got, want.get(key)))
    for key, name in (("start", "DTSTART"), ("end", "DTEND"), ("recurrence_id", "RECURRENCE-ID")):
        got = time_value(ev[name], zones) if name in ev else None
        if key == "end" and got is None:
            got = want.get("start")  # no DTEND: ends when it starts
        if got != want.get(key):
            fail("%s: %s is %r, expected %r" % (where, key, got, want.get(key)))
    if exdates(ev, zones) != want.get("exdates", []):
        fail("%s: exdates %r, expected %r" % (where, exdates(ev, zones), want.get("exdates")))
    if not same_rrule(ev.get("RRULE"), want.get("rrule")):
        fail("%s: rrule %r, expected %r" % (where, ev.get("RRULE"), want.get("rrule")))
    people = [{"email": str(a)[len("mailto:"):] if str(a).lower().startswith("mailto:") else None,
               "cn": rfc6868(a.params["CN"]) if "CN" in a.params else None}
              for a in as_list(ev.get("ATTENDEE"))]
    if people != want.get("attendees", []):
        fail("%s: attendees %r, expected %r" % (where, people, want.get("attendees")))
    alarms = [c for c in ev.subcomponents if c.name == "VALARM"]
    if len(alarms) != want.get("alarms", 0):
        fail("%s: %d alarms, expected %d" % (where, len(alarms), want.get("alarms", 0)))


def main():
    data = open(sys.argv[1], "rb").read()
    want = json.load(open(sys.argv[2], encoding="utf-8"))
    check_raw(data)
    cal = icalendar.Calendar.from_ical(data)
    vtz = cal.walk("VTIMEZONE")
    events = cal.walk("VEVENT")
    zones = {str(z["TZID"]): z.to_tz() for z in vtz}
    if len(events) != want["vevents"]:
        fail("%d VEVENTs, expected %d" % (len(events), want["vevents"]))
    if len(vtz) != want["vtimezones"]:
        fail("%d VTIMEZONEs, expected %d" % (len(vtz), want["vtimezones"]))
    raws = raw_texts(data)
    if len(raws) != len(events):
        fail("the content lines hold %d VEVENTs, the parser %d" % (len(raws), len(events)))
    for no, (ev, raw, w) in enumerate(zip(events, raws, want["events"])):
        check_event(no, ev, raw, w, zones)
    for e in errors:
        print("ics_check: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
