#!/usr/bin/env python3
"""layout.py - checks that the source tree keeps the floors of DESIGN.md.

    python3 tests/lib/layout.py TOP BUILD_DIR

TOP is the checkout, BUILD_DIR the folder holding its object files (the
Makefile's build/).  Prints one line per problem and exits 1 if there is
any; prints "layout: N files, N links between files, no problem" else.

What it checks:
  * imports go down the floors only: a folder may include the headers of,
    and call the functions of, the folders below it (FLOORS), never above
    or beside it;
  * a folder's internal header (*-int.h) is included only inside it;
  * no circle of files: file A calling file B which (through others) calls
    A, read off the object files' symbols (nm), so it sees calls and not
    only #include lines;
  * no .c file is over 800 lines;
  * SQL is written in one place: smp/db*.c.
"""
import os
import re
import subprocess
import sys

# folder -> the folders it may import (itself always)
FLOORS = {
    "lib": [],
    "interp": ["lib"],
    "store": ["lib"],
    "migrate": ["lib", "store"],
    "smp": ["lib", "store"],
    "steps": ["lib", "interp", "store", "migrate", "smp"],
    "import": ["lib", "interp"],
    "cli": ["lib", "interp", "store", "migrate", "smp", "steps", "import"],
}
MAX_LINES = 800
SQL = re.compile(r'"[^"\n]*\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|'
                 r'CREATE TABLE|CREATE INDEX)\b')


def sources(top):
    for folder in FLOORS:
        d = os.path.join(top, folder)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith((".c", ".h")):
                yield folder + "/" + f


def folder_of(rel):
    return rel.split("/", 1)[0]


def may_import(a, b):
    return a == b or b in FLOORS.get(a, [])


def check_includes(top, files, problems):
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for rel in files:
        with open(os.path.join(top, rel), encoding="utf-8") as fp:
            for n, line in enumerate(fp, 1):
                m = inc.match(line)
                if not m:
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1)))
                tf = folder_of(target)
                if tf not in FLOORS:
                    continue
                if not may_import(folder_of(rel), tf):
                    problems.append("%s:%d: includes %s: %s/ may not import %s/"
                                    % (rel, n, target, folder_of(rel), tf))
                if target.endswith("-int.h") and tf != folder_of(rel):
                    problems.append("%s:%d: includes %s, the internal header of "
                                    "another folder" % (rel, n, target))


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True,
                         text=True, check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True,
                         check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, used


def check_links(top, build, files, problems):
    cfiles = [f for f in files if f.endswith(".c")]
    defined_in, uses = {}, {}
    for rel in cfiles:
        obj = os.path.join(build, rel[:-2] + ".o")
        if not os.path.exists(obj):
            problems.append("%s: no object file %s (build first)" % (rel, obj))
            continue
        d, u = symbols(obj)
        for s in d:
            defined_in[s] = rel
        uses[rel] = u
    edges = {f: set() for f in uses}
    for f, used in uses.items():
        for s in used:
            g = defined_in.get(s)
            if g is None or g == f:
                continue
            edges[f].add(g)
            if not may_import(folder_of(f), folder_of(g)):
                problems.append("%s: calls %s() of %s: %s/ may not import %s/"
                                % (f, s, g, folder_of(f), folder_of(g)))
    for scc in strongly_connected(edges):
        if len(scc) > 1:
            problems.append("a circle of files: " + " -> ".join(circle(scc, edges)))
    return sum(len(e) for e in edges.values())


def strongly_connected(edges):
    """Tarjan's algorithm, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    scc = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        scc.append(w)
                        if w == v:
                            break
                    out.append(sorted(scc))
    return out


def circle(scc, edges):
    """One circle through the first file of scc, for the message."""
    members, start = set(scc), scc[0]
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return scc


def check_sizes_and_sql(top, files, problems):
    for rel in files:
        with open(os.path.join(top, rel), encoding="utf-8") as fp:
            lines = fp.readlines()
        if rel.endswith(".c") and len(lines) > MAX_LINES:
            problems.append("%s: %d lines, over %d: it holds two things"
                            % (rel, len(lines), MAX_LINES))
        if re.match(r"smp/db[-\w]*\.c$", rel):
            continue
        for n, line in enumerate(lines, 1):
            if SQL.search(line):
                problems.append("%s:%d: SQL outside smp/db*.c" % (rel, n))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: layout.py TOP BUILD_DIR")
    top, build = sys.argv[1], sys.argv[2]
    files = list(sources(top))
    problems = []
    check_includes(top, files, problems)
    links = check_links(top, build, files, problems)
    check_sizes_and_sql(top, files, problems)
    for p in problems:
        print("layout: " + p)
    if problems:
        sys.exit(1)
    print("layout: %d files, %d links between files, no problem" % (len(files), links))


if __name__ == "__main__":
    main()
