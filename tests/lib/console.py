#!/usr/bin/env python3
"""console.py - the SMP's web console as a client without a browser, for
tests: a cookie jar in a file, a request, and what came back.

  console.py PORT CERT JAR METHOD PATH [KEY=VALUE]... [--csrf] [--no-cookies]
      sends the request (a POST's KEY=VALUE pairs as a form; --csrf adds the
      csrf field, read from the last page fetched: JAR.page), keeps the
      cookies the answer sets in JAR, and prints the status, the headers
      (one "Name: value" line each) and, after an empty line, the body
"""
import http.client
import json
import os
import re
import ssl
import sys
import urllib.parse


def main():
    port, cert, jar, method, path = sys.argv[1:6]
    rest = sys.argv[6:]
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False
    cookies = json.load(open(jar)) if os.path.exists(jar) else {}
    form = []
    use_cookies = True
    for a in rest:
        if a == "--csrf":
            page = open(jar + ".page").read() if os.path.exists(jar + ".page") else ""
            m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
            form.append(("csrf", m.group(1) if m else ""))
        elif a == "--login-form":
            page = open(jar + ".page").read() if os.path.exists(jar + ".page") else ""
            m = re.search(r'name="form" value="([0-9a-f]+)"', page)
            form.append(("form", m.group(1) if m else ""))
        elif a == "--no-cookies":
            use_cookies = False
        else:
            k, _, v = a.partition("=")
            form.append((k, v))
    headers = {}
    if use_cookies and cookies:
        headers["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
    body = None
    if method == "POST":
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=30)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, val = v.split(";")[0].partition("=")
            if val:
                cookies[name.strip()] = val.strip()
            else:
                cookies.pop(name.strip(), None)
    json.dump(cookies, open(jar, "w"))
    if method == "GET" and r.status == 200:
        open(jar + ".page", "w").write(data)
    print(r.status)
    for k, v in r.getheaders():
        print("%s: %s" % (k, v))
    print()
    print(data)


main()
