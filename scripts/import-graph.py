#!/usr/bin/env python3
"""The import graph of src/, file by file: loops between files, and imports that run from a
layer up to a later one (docs/architecture.md lists the layers). Run from the repository's
root: `python3 scripts/import-graph.py`. Exits 1 when there is a loop."""

import os
import re
import sys

SRC = "src"

# Lowest first: a file may import from its own layer and the layers before it.
LAYERS = [
    ("foundations", ["error.rs", "slug.rs", "timing.rs", "progress.rs", "home.rs", "sealed.rs", "limits.rs", "config.rs",
                     "dates.rs", "markdown.rs", "content/", "signatures/keys.rs",
                     "signatures/statement.rs"]),
    ("load", ["load/"]),
    ("signatures", ["signatures/"]),
    ("tally", ["tally/"]),
    ("render", ["theme.rs", "render/"]),
    ("write", ["search/", "kept_pages.rs", "write.rs"]),
    ("pipeline", ["pipeline.rs"]),
    ("signing", ["signing/"]),
    ("commands", ["cmd/", "cli.rs", "main.rs", "lib.rs"]),
]


def layer(path):
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes):
            return i
    return None


def module_of(path):
    """src-relative file path -> module path as a tuple."""
    parts = path[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def main():
    files = {}
    for dirpath, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                rel = os.path.relpath(os.path.join(dirpath, n), SRC).replace(os.sep, "/")
                files[rel] = open(os.path.join(dirpath, n), encoding="utf-8").read()
    by_module = {module_of(f): f for f in files if f != "main.rs"}

    def resolve(mod):
        # The longest prefix of `mod` that is a file's module.
        for n in range(len(mod), 0, -1):
            if mod[:n] in by_module:
                return by_module[mod[:n]]
        return None

    edges = {}
    ref = re.compile(r"\b(crate|super|pnyx)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
    group = re.compile(r"\b(crate|pnyx)::\{([^}]*)\}")
    for f, text in files.items():
        here = module_of(f)
        targets = {}
        for lineno, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("//") or re.match(r"(pub(\(\w+\))? )?mod \w+;", stripped):
                continue
            found = []
            for m in ref.finditer(line):
                root, rest = m.group(1), m.group(2).split("::")[1:]
                if root == "super":
                    # `super` is the parent of this file's module; each more `super` one up.
                    base = list(here[:-1])
                    while rest and rest[0] == "super":
                        base = base[:-1]
                        rest = rest[1:]
                    found.append(tuple(base) + tuple(rest))
                elif root == "pnyx" and f != "main.rs":
                    continue
                else:
                    found.append(tuple(rest))
            for m in group.finditer(line):
                for item in m.group(2).split(","):
                    item = item.strip().split("::")
                    if item and item[0]:
                        found.append(tuple(item))
            for mod in found:
                t = resolve(mod)
                if t and t != f:
                    targets.setdefault(t, lineno)
        edges[f] = targets

    # Loops: strongly connected components of more than one file (Tarjan).
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)

    upward = []
    for f, targets in sorted(edges.items()):
        for t, lineno in sorted(targets.items()):
            if layer(t) is not None and layer(f) is not None and layer(t) > layer(f):
                lines = files[f].splitlines()
                context = "\n".join(lines[max(0, lineno - 4):lineno])
                reason = "upward:" in context
                upward.append((f, lineno, t, reason))

    unplaced = sorted(f for f in files if layer(f) is None)
    for f in unplaced:
        print(f"src/{f}: in no layer; add it to LAYERS in this script and to docs/architecture.md")
    n_edges = sum(len(t) for t in edges.values())
    print(f"{len(files)} files, {n_edges} imports between them")
    print(f"loops: {len(sccs)}")
    for c in sccs:
        print("  " + " <-> ".join(c))
    print(f"upward imports: {len(upward)}")
    for f, lineno, t, reason in upward:
        why = "" if reason else "  (no `upward:` comment giving the reason)"
        print(f"  src/{f}:{lineno} -> src/{t} ({LAYERS[layer(f)][0]} -> {LAYERS[layer(t)][0]}){why}")
    return 1 if sccs or unplaced or any(not r for *_, r in upward) else 0


if __name__ == "__main__":
    sys.exit(main())
