#!/usr/bin/python3
"""The python-dateutil side of bench/bench_expansion.c: the same rules, zones,
starts and window, done the way a Python calendar server would do it.

Each series is a dateutil.rrule on a naive (wall-clock) DTSTART, so the rule
iterates in local time like calendard's engine; each instance is then given
its zone with zoneinfo (fold=0: a time in a gap takes the offset from before
it, a repeated time is its first occurrence, as RFC 5545 3.3.5 says) and
turned into a UTC instant. Instances that overlap [2024-01-01Z, 2034-01-01Z)
with a one-hour duration are counted. dateutil has no way to start a rule
near a window, so it iterates from DTSTART (2024-01-01, the window's start,
so that costs nothing here).

Usage: /usr/bin/python3 bench/expansion_dateutil.py [seconds per case, default 1]
       bench_expansion --dump | /usr/bin/python3 bench/expansion_dateutil.py --check
           checks that both produce the same instants, case by case
Needs Debian's python3-dateutil (apt-get install python3-dateutil).
"""
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

RULES = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
]
ZONES = ["America/New_York", "Europe/Madrid", "Australia/Sydney"]
WINDOW_FROM = 1704067200  # 2024-01-01T00:00:00Z
WINDOW_TO = 2019686400  # 2034-01-01T00:00:00Z
DURATION = 3600


def expand(rule, zone):
    """UTC starts of the instances overlapping the window."""
    # Wall-clock bounds wide enough for any UTC offset.
    lo = datetime(2023, 12, 30)
    hi = datetime(2034, 1, 3)
    out = []
    for wall in rule.between(lo, hi, inc=True):
        start = int(wall.replace(tzinfo=zone).timestamp())
        if start < WINDOW_TO and start + DURATION > WINDOW_FROM:
            out.append(start)
    return out


# CPU time of this process, like bench_expansion: the host may be shared.
clock = time.process_time


def rate(rule, zone, seconds):
    n = calls = 0
    t0 = clock()
    while True:
        n += len(expand(rule, zone))
        calls += 1
        elapsed = clock() - t0
        if elapsed >= seconds:
            return n / elapsed, n // calls


def mix_rate(cases, seconds):
    """Rounds of one expansion of every case."""
    n = rounds = 0
    t0 = clock()
    while True:
        for rule, zone in cases:
            n += len(expand(rule, zone))
        rounds += 1
        elapsed = clock() - t0
        if elapsed >= seconds:
            return n / elapsed, n // rounds


def check(lines):
    """Compares bench_expansion --dump with dateutil, case by case."""
    bad = 0
    for line in lines:
        text, name, starts = line.rstrip("\n").split("|")
        theirs = [int(x) for x in starts.split(",") if x]
        rule = rrulestr(text, dtstart=datetime(2024, 1, 1, 9, 0, 0), cache=False)
        ours = expand(rule, ZoneInfo(name))
        same = ours == theirs
        bad += not same
        print(f"{text:34} {name:18} {len(theirs):5d} {'same' if same else 'DIFFERENT'}")
    return 1 if bad else 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        sys.exit(check(sys.stdin))
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    print(f"{'rule':34} {'zone':18} {'instances':>9} {'instances/s':>14}")
    cases = []
    for text in RULES:
        for name in ZONES:
            zone = ZoneInfo(name)
            rule = rrulestr(text, dtstart=datetime(2024, 1, 1, 9, 0, 0), cache=False)
            cases.append((rule, zone))
            r, per_call = rate(rule, zone, seconds)
            print(f"{text:34} {name:18} {per_call:9d} {r:14.0f}")
    r, per_round = mix_rate(cases, seconds * 3)
    print(f"{'mix (rounds of all 12)':34} {'':18} {per_round:9d} {r:14.0f}")

    # A daily series from 1996, asked about one week of 2026: dateutil must
    # iterate the 30 years before the window.
    zone = ZoneInfo("America/New_York")
    rule = rrulestr("FREQ=DAILY", dtstart=datetime(1996, 1, 1, 9, 0, 0), cache=False)
    lo, hi = datetime(2026, 5, 31), datetime(2026, 6, 9)
    frm, to = 1780272000, 1780876800
    calls = 0
    t0 = clock()
    while True:
        n = sum(1 for w in rule.between(lo, hi, inc=True)
                if frm - DURATION < int(w.replace(tzinfo=zone).timestamp()) < to)
        calls += 1
        if clock() - t0 >= seconds:
            break
    per = (clock() - t0) / calls * 1e6
    print(f"30-year-old daily series, one week: {n} instances in {per:.2f} us per query")


if __name__ == "__main__":
    main()
