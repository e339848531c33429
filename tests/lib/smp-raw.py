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
  smp-raw.py PORT CERT occupy ADDRESSES CONNECTIONS SECONDS
      tries to hold the server's slots without signing anything: from each
      of 127.0.0.2 .. 127.0.0.(1+ADDRESSES), CONNECTIONS connections (half
      of them idle after the handshake, half sending an unsigned
      GET /v1/hello every second on the same connection), each opened again
      a moment after the server closes it, for SECONDS; prints "opened N
      answered N kept N": connections made, hellos answered, and hellos
      answered on a connection that had been answered before
"""
import http.client
import socket
import ssl
import sys
import threading
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


def read_response(s):
    """A whole response (head and Content-Length body): its head."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = s.recv(4096)
        if not more:
            return data
        data += more
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        more = s.recv(4096)
        if not more:
            break
        body += more
    return head


def occupier(port, cert, source, talk, until, counts, lock):
    while time.time() < until:
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=5,
                                           source_address=(source, 0))
            s = context(cert).wrap_socket(raw)
        except OSError:
            time.sleep(0.2)
            continue
        with lock:
            counts["opened"] += 1
        answers = 0
        try:
            while time.time() < until:
                if talk:
                    s.sendall(b"GET /v1/hello HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.settimeout(5)
                    if not read_response(s).startswith(b"HTTP/1.1 200"):
                        break
                    answers += 1
                    with lock:
                        counts["answered"] += 1
                        counts["kept"] += answers > 1
                    time.sleep(1)
                else:
                    s.settimeout(max(0.1, until - time.time()))
                    if s.recv(1) == b"":
                        break
        except (OSError, ssl.SSLError):
            pass
        s.close()
        time.sleep(0.1)


def occupy(port, cert, addresses, connections, seconds):
    counts, lock = {"opened": 0, "answered": 0, "kept": 0}, threading.Lock()
    until = time.time() + seconds
    threads = [threading.Thread(target=occupier, args=(
        port, cert, "127.0.0.%d" % (2 + a), c % 2 == 1, until, counts, lock))
        for a in range(addresses) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("opened %(opened)d answered %(answered)d kept %(kept)d" % counts)


def main(argv):
    port, cert, what = int(argv[1]), argv[2], argv[3]
    if what == "idle":
        return idle(port, cert, float(argv[4]))
    if what == "drip":
        return drip(port, cert, float(argv[4]))
    if what == "occupy":
        return occupy(port, cert, int(argv[4]), int(argv[5]), float(argv[6]))
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
