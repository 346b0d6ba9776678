#!/usr/bin/env python3
"""How long `pnyx serve` takes to show a saved edit: from the write of a file to the moment
the page, fetched again, carries the change. See docs/benchmarks.md.

    cargo build --release
    python3 scripts/serve-latency.py [SITE] [--runs 20] [--page debates/] [--file content/…]

SITE is a site folder in a git repository (the demo: this repository, cloned into a temporary
folder so that the checkout is never edited). Each run appends a unique word to FILE, waits on
the page's own live-reload request, then fetches PAGE and checks the word is there. Prints
the median, the fastest and the slowest run, and what pnyx printed for its rebuilds.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site", nargs="?", help="site folder (default: a clone of this repository)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--page", default="debates/")
    ap.add_argument("--file", default=None, help="the file edited, relative to the site")
    ap.add_argument("--pnyx", default=os.path.join(REPO, "target", "release", "pnyx"))
    args = ap.parse_args()
    if not os.access(args.pnyx, os.X_OK):
        sys.exit(f"serve-latency: {args.pnyx} is missing: run `cargo build --release` first")

    scratch = tempfile.mkdtemp(prefix="pnyx-serve-latency-")
    try:
        if args.site:
            site = os.path.abspath(args.site)
        else:
            site = os.path.join(scratch, "site")
            subprocess.run(["git", "clone", "-q", REPO, site], check=True)
        page = args.page.strip("/") + "/"
        edited = args.file
        if edited is None:
            # The first debate listed on the page: its title is on the page, its body is not,
            # so the edit goes into the title line of its front matter.
            folder = os.path.join(site, "content", "debates")
            first = sorted(f for f in os.listdir(folder) if f.endswith(".md"))[0]
            edited = os.path.join("content", "debates", first)
        path = os.path.join(site, edited)
        original = open(path, encoding="utf-8").read()
        if not re.search(r"^title: .*$", original, re.M):
            sys.exit(f"serve-latency: {edited} has no `title:` line to edit")

        port = free_port()
        env = dict(os.environ, PNYX_HOME=os.path.join(scratch, "home"), PNYX_PROGRESS="0")
        log = open(os.path.join(scratch, "serve.log"), "w+")
        server = subprocess.Popen(
            [args.pnyx, "serve", "--port", str(port), "--root", site],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
        base = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.time() + 600
            while True:
                try:
                    html = get(base + page)
                    break
                except Exception:
                    if server.poll() is not None or time.time() > deadline:
                        log.seek(0)
                        sys.exit("serve-latency: pnyx serve did not start:\n" + log.read())
                    time.sleep(0.05)
            times = []
            for run in range(args.runs):
                gen = int(re.search(r"var g=(\d+);", html).group(1))
                word = f"mesure{run}x{os.getpid()}"
                answer = {}

                def wait():
                    answer["text"] = get(f"{base}__pnyx/reload?since={gen}")

                poll = threading.Thread(target=wait)
                poll.start()
                time.sleep(0.3)  # the request is waiting before the edit is saved
                edited_text = re.sub(r"^(title: .*?)(\"?)$", lambda m: f"{m.group(1)} {word}{m.group(2)}",
                                     original, count=1, flags=re.M)
                start = time.perf_counter()
                with open(path, "w", encoding="utf-8") as f:
                    f.write(edited_text)
                poll.join()
                html = get(base + page)
                elapsed = time.perf_counter() - start
                if word not in html:
                    sys.exit(f"serve-latency: run {run}: the page does not show the edit")
                times.append(elapsed * 1000)
                time.sleep(0.3)
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        finally:
            server.terminate()
            server.wait()
        times.sort()
        print(f"serve latency over {len(times)} edits of {edited}, page /{page}:")
        print(f"  median {statistics.median(times):.0f} ms, fastest {times[0]:.0f} ms, slowest {times[-1]:.0f} ms")
        log.seek(0)
        builds = re.findall(r"built \d+ files in (\d+) ms", log.read())
        if builds:
            rebuilds = sorted(int(b) for b in builds[1:])
            if rebuilds:
                print(f"  pnyx's rebuild alone: median {statistics.median(rebuilds):.0f} ms")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
