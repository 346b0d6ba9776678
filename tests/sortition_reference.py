#!/usr/bin/env python3
"""Reference implementation of pnyx's two draw algorithms, written from docs/sortition.md alone.

Python 3 and its standard library only: anyone can recompute a draw without installing pnyx.

    python3 tests/sortition_reference.py pnyx-sha256 'SEED' 3 alice bob carol dave
    python3 tests/sortition_reference.py rfc3797 '9319 / 2 5 8 10 12 / 9 18 26 34 41 45' 2 001 002 003

prints the selected ids, one per line, in draw order. For rfc3797, SEED is the seed's `value`
(the numbers of each source, sources separated by `/`); the key string is built from it.

    python3 tests/sortition_reference.py FILE

reads a JSON list of instances, each

    {"algorithm": "pnyx-sha256" or "rfc3797", "seed": "...", "seats": 3,
     "pool": [{"id": "alice", "stratum": "nord" or null}, ...],
     "quotas": {"nord": 2, ...} or null}

and prints a JSON list with, per instance, {"selected": [ids in draw order], "key": the string
the algorithm was fed (the seed itself for pnyx-sha256, the key string for rfc3797)}.
tests/suite/sortition_reference.rs compares it with pnyx on random instances.
"""

import hashlib
import json
import os
import sys


def normalise(pool):
    """The pool sorted by the UTF-8 bytes of the ids; of equal ids, the first is kept."""
    out, seen = [], set()
    for c in sorted(pool, key=lambda c: c["id"].encode("utf-8")):  # sorted() is stable
        if c["id"] not in seen:
            seen.add(c["id"])
            out.append(c)
    return out


def pnyx_sha256_pick(seed, i, n):
    """Draw i among n: the first SHA-256(seed/i/j), j = 0, 1, ..., below the largest multiple of n."""
    limit = 2**256 - 2**256 % n
    j = 0
    while True:
        h = int.from_bytes(hashlib.sha256(f"{seed}/{i}/{j}".encode("utf-8")).digest(), "big")
        if h < limit:
            return h % n
        j += 1


def rfc3797_pick(key, i, n):
    """Selection i among n: MD5(i as 2 bytes, key, i as 2 bytes), big-endian, modulo n."""
    index = (i % 65536).to_bytes(2, "big")
    h = int.from_bytes(hashlib.md5(index + key.encode("utf-8") + index).digest(), "big")
    return h % n


def rfc3797_key(value):
    """The RFC 3797 key string: per source, its numbers in ascending order, each followed by
    ".", and the source followed by "/"."""
    key = ""
    for number, source in enumerate(value.strip().rstrip("/").split("/"), 1):
        words = source.replace(".", " ").replace(",", " ").split()
        if not words or not all(w.isascii() and w.isdigit() for w in words):
            raise ValueError(f"source {number} is not a list of whole numbers: {source!r}")
        key += "".join(f"{x}." for x in sorted(int(w) for w in words)) + "/"
    return key


def draw(algorithm, seed, seats, pool, quotas=None):
    """The selected ids, in draw order. `seed` is the key string for rfc3797."""
    pick = {"pnyx-sha256": pnyx_sha256_pick, "rfc3797": rfc3797_pick}[algorithm]
    remaining = normalise(pool)
    filled = {}
    selected = []
    while len(selected) < seats:
        if quotas is not None:
            # Only candidates whose stratum has a quota not yet reached can be drawn.
            remaining = [
                c
                for c in remaining
                if c.get("stratum") is not None
                and quotas.get(c["stratum"], 0) > filled.get(c["stratum"], 0)
            ]
        if not remaining:
            break
        chosen = remaining.pop(pick(seed, len(selected), len(remaining)))
        selected.append(chosen["id"])
        if chosen.get("stratum") is not None:
            filled[chosen["stratum"]] = filled.get(chosen["stratum"], 0) + 1
    return selected


def solve(instance):
    seed = instance["seed"]
    if instance["algorithm"] == "rfc3797":
        seed = rfc3797_key(seed)
    selected = draw(instance["algorithm"], seed, instance["seats"], instance["pool"], instance.get("quotas"))
    return {"selected": selected, "key": seed}


def main(argv):
    if len(argv) == 2 and os.path.isfile(argv[1]):
        with open(argv[1], encoding="utf-8") as f:
            instances = json.load(f)
        json.dump([solve(x) for x in instances], sys.stdout, ensure_ascii=False)
        print()
        return 0
    if len(argv) < 4 or argv[1] not in ("pnyx-sha256", "rfc3797"):
        print(__doc__, file=sys.stderr)
        return 2
    algorithm, seed, seats, ids = argv[1], argv[2], int(argv[3]), argv[4:]
    pool = [{"id": i, "stratum": None} for i in ids]
    for i in solve({"algorithm": algorithm, "seed": seed, "seats": seats, "pool": pool})["selected"]:
        print(i)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
