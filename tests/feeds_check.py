"""Reads every Atom feed of a built site with feedparser, an independent parser, and prints
what it found as JSON for tests/suite/feeds.rs: per feed, whether feedparser found it
malformed (`bozo`), its title, its self and alternate links, and each entry's id, title,
link, date and summary; and every entry id in a sorted list.

python3 tests/feeds_check.py SITE
"""

import json
import pathlib
import sys

import feedparser


def main(site):
    root = pathlib.Path(site)
    feeds, ids = {}, []
    for path in sorted(root.glob("feeds/**/*.atom")):
        d = feedparser.parse(path.read_bytes())
        links = {l.get("rel"): l.get("href") for l in d.feed.get("links", [])}
        entries = []
        for e in d.entries:
            entries.append({
                "id": e.id,
                "title": e.title,
                "link": e.link,
                "updated": e.updated,
                "summary": e.get("summary", ""),
                "category": e.tags[0].term if e.get("tags") else None,
            })
            ids.append(e.id)
        feeds[path.relative_to(root).as_posix()] = {
            "bozo": bool(d.bozo),
            "version": d.version,
            "title": d.feed.get("title", ""),
            "links": links,
            "entries": entries,
        }
    print(json.dumps({"feeds": feeds, "ids": sorted(ids)}))


if __name__ == "__main__":
    main(sys.argv[1])
