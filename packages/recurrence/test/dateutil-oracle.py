"""The reference implementation for the differential test (differential.test.ts): python-dateutil's rrule.

Reads a JSON list of cases on stdin, {dtstart: "YYYY-MM-DDTHH:MM:SS", tzid, rrule, end: local
"YYYY-MM-DDTHH:MM:SS", cap}, and writes one answer per case on stdout: {"occurrences": [[local, utc], ...],
"capped": bool} or {"error": "..."} (dateutil raised, or took longer than the per-case limit). Occurrences
are dateutil's wall times with the zone attached (fold=0: an ambiguous time is the first, a nonexistent
one uses the offset before the gap) and their instants; iteration stops past `end` or after `cap`.
"""
import json
import signal
import sys
from datetime import datetime, timezone

from dateutil.rrule import rrulestr
from zoneinfo import ZoneInfo

LIMIT_S = 0.1


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, on_alarm)


def answer(case):
    zone = ZoneInfo(case["tzid"])
    dtstart = datetime.fromisoformat(case["dtstart"]).replace(tzinfo=zone)
    end = datetime.fromisoformat(case["end"])
    rule = rrulestr(case["rrule"], dtstart=dtstart)
    out = []
    capped = False
    for dt in rule:
        if dt.replace(tzinfo=None) > end:
            break
        instant = dt.astimezone(timezone.utc)
        out.append([dt.replace(tzinfo=None).isoformat(), instant.strftime("%Y-%m-%dT%H:%M:%SZ")])
        if len(out) >= case["cap"]:
            capped = True
            break
    return {"occurrences": out, "capped": capped}


def main():
    cases = json.load(sys.stdin)
    answers = []
    for case in cases:
        signal.setitimer(signal.ITIMER_REAL, LIMIT_S)
        try:
            answers.append(answer(case))
        except Timeout:
            answers.append({"error": "timeout"})
        except Exception as error:  # dateutil's ValueError for empty rules, and its own defects
            answers.append({"error": f"{type(error).__name__}: {error}"})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    json.dump(answers, sys.stdout)


main()
