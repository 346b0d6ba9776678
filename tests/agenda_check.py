"""Reads every calendar file of a built site with Python's icalendar, an independent RFC 5545
parser, and prints what it found as JSON for tests/suite/agenda.rs: per file, each event's UID,
start in UTC (through the file's own VTIMEZONE), time zone, URL, location, GEO, SEQUENCE and
LAST-MODIFIED; every UID in a sorted list; and any physical line longer than 75 octets.

python3 tests/agenda_check.py SITE
"""

import json
import pathlib
import sys
from datetime import timezone

import icalendar


def main(site):
    root = pathlib.Path(site)
    files, uids, long_lines = {}, [], []
    for path in sorted(root.glob("calendar/**/*.ics")):
        raw = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(raw.split(b"\r\n")):
            if len(line) > 75:
                long_lines.append(f"{rel}:{n + 1}")
        cal = icalendar.Calendar.from_ical(raw)
        zones = {tz["TZID"]: tz.to_tz(lookup_tzid=False) for tz in cal.walk("VTIMEZONE")}
        events = []
        for e in cal.walk("VEVENT"):
            start = e["DTSTART"]
            tzid = start.params.get("TZID")
            local = start.dt.replace(tzinfo=None)
            utc = zones[tzid].localize(local) if hasattr(zones[tzid], "localize") else local.replace(tzinfo=zones[tzid])
            geo = e.get("GEO")
            events.append({
                "uid": str(e["UID"]),
                "start_utc": utc.astimezone(timezone.utc).isoformat(),
                "tzid": tzid,
                "url": str(e.get("URL", "")),
                "location": str(e.get("LOCATION", "")),
                "geo": [geo.latitude, geo.longitude] if geo else None,
                "sequence": int(e["SEQUENCE"]),
                "last_modified": e.decoded("LAST-MODIFIED").isoformat(),
            })
            uids.append(str(e["UID"]))
        files[rel] = {"name": str(cal.get("X-WR-CALNAME", "")), "events": events}
    print(json.dumps({"files": files, "uids": sorted(uids), "long_lines": long_lines}))


if __name__ == "__main__":
    main(sys.argv[1])
