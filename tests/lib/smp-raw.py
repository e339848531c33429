#!/usr/bin/env python3
"""smp-raw.py - raw requests to an SMP for tests, without tsi's client.

  smp-raw.py PORT CERT METHOD TARGET [HEADER: VALUE]... [--body-bytes N]
      prints "STATUS" and the body's first line
  smp-raw.py PORT CERT idle SECONDS
      opens a TLS connection, sends nothing, prints "closed after S" when
      the server closes it or "open" if it is still open after SECONDS
  smp-raw.py PORT CERT hold N SECONDS
      opens N connections at once and prints how many of them got an answer
  smp-raw.py PORT CERT drip SECONDS
      sends a request's headers a line a second for SECONDS; prints "closed
      after S" when the server closes the connection first, else "served"
"""
import http.client
import socket
import ssl
import sys
import time


def context(cert):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False      # tsi pins the certificate instead
    return ctx


def request(port, cert, method, target, headers, body):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=context(cert), timeout=20)
    c.putrequest(method, target, skip_accept_encoding=True)
    for k, v in headers:
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    if body:
        try:
            c.send(body)
        except OSError:
            pass
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    print(r.status)
    print(text.split("\n")[0])


def idle(port, cert, seconds):
    s = context(cert).wrap_socket(socket.create_connection(("127.0.0.1", port)))
    s.settimeout(seconds)
    start = time.time()
    try:
        data = s.recv(1)
        print("closed after %d" % round(time.time() - start) if data == b"" else "data")
    except (socket.timeout, TimeoutError):
        print("open")
    except (ssl.SSLError, ConnectionResetError):
        print("closed after %d" % round(time.time() - start))


def hold(port, cert, n, seconds):
    socks, answered = [], 0
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=seconds)
            socks.append(context(cert).wrap_socket(s))
        except OSError:
            pass
    for s in socks:
        try:
            s.settimeout(seconds)
            s.sendall(b"GET /v1/capacity HTTP/1.1\r\nHost: x\r\n\r\n")
            if s.recv(12).startswith(b"HTTP/1.1 401"):
                answered += 1
        except OSError:
            pass
    print(answered)


def drip(port, cert, seconds):
    s = context(cert).wrap_socket(socket.create_connection(("127.0.0.1", port)))
    start = time.time()
    try:
        s.sendall(b"GET /v1/capacity HTTP/1.1\r\n")
        while time.time() - start < seconds:
            time.sleep(1)
            s.sendall(b"X-Drip: 1\r\n")
        s.sendall(b"Host: x\r\n\r\n")
        s.settimeout(5)
        print("served" if s.recv(12) else "closed after %d" % round(time.time() - start))
    except (OSError, ssl.SSLError):
        print("closed after %d" % round(time.time() - start))


def main(argv):
    port, cert, what = int(argv[1]), argv[2], argv[3]
    if what == "idle":
        return idle(port, cert, float(argv[4]))
    if what == "drip":
        return drip(port, cert, float(argv[4]))
    if what == "hold":
        return hold(port, cert, int(argv[4]), float(argv[5]))
    headers, body, rest = [], None, argv[5:]
    i = 0
    while i < len(rest):
        if rest[i] == "--body-bytes":
            body = b"x" * int(rest[i + 1])
            i += 2
            continue
        k, v = rest[i].split(": ", 1)
        headers.append((k, v))
        i += 1
    request(port, cert, what, argv[4], headers, body)


main(sys.argv)
