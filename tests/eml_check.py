"""Reads an .eml written by `pnyx newsletter` with Python's email package and prints what it
found as JSON for tests/suite/newsletter.rs: the decoded headers, the content type of the
message and of each part, and the plain-text and HTML bodies.

python3 tests/eml_check.py FILE
"""

import json
import sys
from email import policy
from email.parser import BytesParser


def main(path):
    with open(path, "rb") as f:
        m = BytesParser(policy=policy.default).parse(f)
    parts = [
        {"type": p.get_content_type(), "charset": p.get_content_charset(), "encoding": p["Content-Transfer-Encoding"]}
        for p in m.walk()
    ]
    print(json.dumps({
        "subject": str(m["Subject"]),
        "from": str(m["From"]),
        "to": str(m["To"]),
        "date": str(m["Date"]),
        "message_id": str(m["Message-ID"]),
        "mime_version": str(m["MIME-Version"]),
        "type": m.get_content_type(),
        "parts": parts,
        "text": m.get_body(("plain",)).get_content(),
        "html": m.get_body(("html",)).get_content(),
        "defects": [str(d) for p in m.walk() for d in p.defects],
    }))


if __name__ == "__main__":
    main(sys.argv[1])
