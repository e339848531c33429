#!/usr/bin/env python3
"""metrics.py - what the tests ask of `tsi smp serve --metrics-listen`.

  metrics.py fetch PORT PATH METHOD OUT
      a plain HTTP request to 127.0.0.1:PORT: prints "STATUS", the
      Content-Type and the Allow header (or "-") on three lines, the body
      goes to OUT; exits 1, printing "no answer: WHY", when none came
  metrics.py tls PORT
      exits 0 when a TLS handshake with 127.0.0.1:PORT succeeds, else 1
  metrics.py check FILE NAME...
      FILE is Prometheus' text format 0.0.4: every line a HELP or TYPE
      comment or a sample NAME{LABEL="VALUE",...} FLOAT, every sample's
      metric with HELP and TYPE, each NAME among them; else exits 1 saying
      what is wrong
  metrics.py sum FILE NAME [LABEL=VALUE...]
      the sum of NAME's samples whose labels include those (0 when none)
  metrics.py has FILE NAME [LABEL=VALUE...]
      exits 0 when such a sample exists
  metrics.py grew OLD NEW
      every sample of a counter or histogram in OLD is in NEW, not lower
  metrics.py listening PID
      how many TCP sockets PID listens on
"""
import http.client
import math
import os
import re
import socket
import ssl
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s(?:,%s)*,?)?\})? (\S+)( -?[0-9]+)?$" % (NAME, LABEL, LABEL))
COMMENT = re.compile(r"^# (HELP|TYPE) (%s)(?: (.*))?$" % NAME)
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)


def parse(path):
    """[(name, {labels}, value)], {name: type}, {name: help}; fails on a bad line."""
    samples, types, helps = [], {}, {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        fail("%s: the last line has no newline" % path)
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            m = COMMENT.match(line)
            if not m:
                fail("%s:%d: a comment that is neither HELP nor TYPE: %r" % (path, n, line))
            if m.group(1) == "TYPE":
                if m.group(3) not in TYPES:
                    fail("%s:%d: unknown type %r" % (path, n, m.group(3)))
                if m.group(2) in types:
                    fail("%s:%d: a second TYPE for %s" % (path, n, m.group(2)))
                types[m.group(2)] = m.group(3)
            else:
                helps[m.group(2)] = m.group(3) or ""
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("%s:%d: not a sample: %r" % (path, n, line))
        try:
            value = float(m.group(3))
        except ValueError:
            fail("%s:%d: %r is not a float" % (path, n, m.group(3)))
        labels = {k: unescape(v) for k, v in
                  re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or "")}
        samples.append((m.group(1), labels, value))
    return samples, types, helps


def family(name, types):
    """The metric a sample belongs to: a histogram's _bucket/_sum/_count too."""
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[:-len(suffix)]) == "histogram":
            return name[:-len(suffix)]
    return None


def check(path, names):
    samples, types, helps = parse(path)
    for name, labels, value in samples:
        f = family(name, types)
        if f is None or f not in helps:
            fail("%s: sample %s has no HELP or TYPE line" % (path, name))
        if math.isnan(value):
            fail("%s: %s is NaN" % (path, name))
    for name in names:
        if name not in types or name not in helps:
            fail("%s: no HELP and TYPE for %s" % (path, name))
    print("%d samples of %d metrics" % (len(samples), len(types)))


def select(path, name, pairs):
    want = dict(p.split("=", 1) for p in pairs)
    samples, _, _ = parse(path)
    return [v for n, labels, v in samples
            if n == name and all(labels.get(k) == x for k, x in want.items())]


def show(v):
    return str(int(v)) if v == int(v) else repr(v)


def grew(old, new):
    o, types, _ = parse(old)
    n, _, _ = parse(new)
    now = {(name, tuple(sorted(labels.items()))): v for name, labels, v in n}
    for name, labels, v in o:
        if types.get(family(name, types)) not in ("counter", "histogram"):
            continue
        key = (name, tuple(sorted(labels.items())))
        if key not in now:
            fail("%s%s is gone from %s" % (name, labels, new))
        if now[key] < v:
            fail("%s%s went down: %s then %s" % (name, labels, v, now[key]))


def fetch(port, path, method, out):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = b"x" if method in ("POST", "PUT") else None
        c.request(method, path, body=body)
        r = c.getresponse()
        data = r.read()
    except (OSError, http.client.HTTPException) as e:
        print("no answer: %s" % (e.__class__.__name__ + (": %s" % e if str(e) else "")))
        sys.exit(1)
    with open(out, "wb") as f:
        f.write(data)
    print(r.status)
    print(r.getheader("Content-Type", "-"))
    print(r.getheader("Allow", "-"))


def tls(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            with ctx.wrap_socket(s):
                return 0
    except (OSError, ssl.SSLError):
        return 1


def listening(pid):
    inodes = set()
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if t.startswith("socket:["):
            inodes.add(t[8:-1])
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                n += cols[3] == "0A" and cols[9] in inodes     # 0A: LISTEN
    return n


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "fetch":
        fetch(int(args[0]), args[1], args[2], args[3])
    elif cmd == "tls":
        sys.exit(tls(int(args[0])))
    elif cmd == "check":
        check(args[0], args[1:])
    elif cmd == "sum":
        print(show(sum(select(args[0], args[1], args[2:]))))
    elif cmd == "has":
        sys.exit(0 if select(args[0], args[1], args[2:]) else 1)
    elif cmd == "grew":
        grew(args[0], args[1])
    elif cmd == "listening":
        print(listening(args[0]))
    else:
        fail("metrics.py: unknown command %r" % cmd)


if __name__ == "__main__":
    main(sys.argv)
