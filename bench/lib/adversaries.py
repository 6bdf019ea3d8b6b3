#!/usr/bin/env python3
"""The clients of bench/soak that are not the legitimate load: abusive and slow ones, and a canary.

Runs until --seconds have passed (or SIGTERM), against one Guidepost server, and keeps three files
up to date for bench/soak to read between intervals:

  --counters FILE  cumulative counters, `name value` lines, rewritten every second (atomically);
  --canary FILE    one line per canary request: unix time, milliseconds, status (0: failed);
  --log FILE       (stderr) what went wrong that a counter cannot say.

Abusive clients (each kind from its own X-Forwarded-For address, N clients a kind), paced to
--rate requests/s each (sitemaps 40 % of it, oversized requests 20 %), never backing off on 429.
Those marked (member) are signed in as the abusive member whose session --member names:
  search       GET /search with random words, operators, orders and pages
  membersearch the same, signed in (member), from a new random address every request: only a
               limit per account can tell it is one client
  similar      GET /questions/similar?title= random words
  preview      POST /preview with 2-20 KB of Markdown (member)
  sitemap    GET /sitemap.xml, /sitemaps/tags.xml and random /sitemaps/questions-N.xml, read whole
  badcsrf    POSTs (answers, votes, sign-in, preview) with a missing or forged CSRF token
  garbage    odd paths, methods and query strings
  oversized  an 8 MB declared body or a 2 MB chunked one to /preview (member), a 64 KB header,
             200 headers

Slow clients (addresses from 192.0.2.0/24, one a connection), each reconnecting when dropped:
  loris      request headers trickled one byte per --trickle seconds, never finished
  slowbody   POST /login with Content-Length 20,000, its body trickled the same way
  reader     a big answer (a sitemap file, or 20 pipelined question pages) read 1 KB per 5 s
             through a 4 KB receive buffer

Canary: once a second, a new connection from a random 10.x address asks for a random sampled
question page and times the whole answer (timeout 10 s): what a newcomer sees while slow clients
hold connections.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import string
import sys
import time
import urllib.parse
from collections import defaultdict

COUNTERS = defaultdict(int)  # cumulative; gauges are set, not added
GAUGES = {}


def count(name, n=1):
    COUNTERS[name] += n


def log(*args):
    print(f"[adversaries {time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)


class Closed(Exception):
    """The server closed the connection before a whole answer arrived."""


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise Closed(f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
    return int(parts[1]), headers


async def read_body(reader, headers, sink=None):
    """Reads a response body into `sink` (a bytearray) or drops it; returns its length in bytes."""
    total = 0
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers from actix
                return total
            chunk = await reader.readexactly(size + 2)
            if sink is not None:
                sink += chunk[:-2]
            total += size
    if "content-length" in headers:
        left = int(headers["content-length"][0])
        while left:
            chunk = await reader.read(min(left, 65536))
            if not chunk:
                raise Closed("body cut short")
            if sink is not None:
                sink += chunk
            left -= len(chunk)
            total += len(chunk)
        return total
    while True:  # until close
        chunk = await reader.read(65536)
        if not chunk:
            return total
        if sink is not None:
            sink += chunk
        total += len(chunk)


def keeps_alive(headers):
    return "close" not in ",".join(headers.get("connection", [])).lower()


class Target:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host = url.hostname
        self.port = url.port or 80
        self.hostport = f"{self.host}:{self.port}"

    async def connect(self, rcvbuf=None):
        if rcvbuf is None:
            return await asyncio.open_connection(self.host, self.port)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (self.host, self.port))
        return await asyncio.open_connection(sock=sock, limit=rcvbuf)


def request(method, path, target, address, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {target.hostport}", f"X-Forwarded-For: {address}",
             "User-Agent: guidepost-soak-adversary"]
    lines += [f"{k}: {v}" for k, v in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Pace:
    """Spaces requests of one client (shared by its connections) to `rate` a second."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate > 0 else None
        self.next = time.monotonic()

    async def wait(self):
        if self.interval is None:
            await asyncio.sleep(3600)
            return
        now = time.monotonic()
        if self.next < now - 1.0:  # fallen behind (a slow answer): no burst to catch up
            self.next = now
        delay = self.next - now
        self.next += self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class Site:
    """What the clients ask for: sampled questions and words from their slugs."""

    def __init__(self, questions_file):
        self.questions = []
        words = set()
        with open(questions_file) as f:
            for line in f:
                qid, _, slug = line.strip().partition("|")
                if qid:
                    self.questions.append((qid, slug))
                    words.update(w for w in slug.split("-") if len(w) > 2)
        self.words = sorted(words) or ["error", "install", "config"]
        self.sitemap_files = 1
        self.csrf = None  # (cookie, token) of the abusive member's session

    def question_path(self):
        qid, slug = random.choice(self.questions)
        return f"/questions/{qid}/{slug}"

    def some_words(self, low, high):
        return " ".join(random.choice(self.words) for _ in range(random.randint(low, high)))


def q(s):
    return urllib.parse.quote_plus(s)


def random_markdown(site):
    parts = []
    target = random.randint(2000, 20000)
    size = 0
    while size < target:
        kind = random.randrange(6)
        words = site.some_words(5, 40)
        if kind == 0:
            chunk = f"## {site.some_words(2, 6)}\n\n{words}\n\n"
        elif kind == 1:
            chunk = "```rust\nfn main() {\n    println!(\"" + words + "\");\n}\n```\n\n"
        elif kind == 2:
            chunk = "".join(f"- **{w}** [link](https://example.com/{w}) `{w}`\n" for w in words.split()[:8]) + "\n"
        elif kind == 3:
            chunk = "| a | b |\n|---|---|\n" + "".join(f"| {w} | *{w}* |\n" for w in words.split()[:10]) + "\n"
        elif kind == 4:
            chunk = "> " + words + "\n>\n> > nested " + words[:80] + "\n\n"
        else:
            chunk = words + " <script>alert(1)</script> <b>bold</b> ![img](https://example.com/x.png)\n\n"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


GARBAGE = [
    "/wp-login.php", "/.env", "/.git/config", "/admin.php", "/cgi-bin/test.cgi", "/phpmyadmin/",
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/../../Cargo.toml",
    "/assets/%2e%2e%2fCargo.toml", "/questions/abc", "/questions/99999999999999999999999",
    "/questions/-1", "/questions/0/x", "/questions?page=-1", "/questions?page=99999999999",
    "/questions?page=abc", "/questions?sort=%00", "/search?q=%", "/search?q=%ff%fe", "/search?page=-5&q=a",
    "/users/0", "/users/99999999", "/tags/%00", "/feeds/tags/no-such-tag.atom", "/feeds/questions/0.atom",
    "/sitemaps/questions-0.xml", "/sitemaps/questions-999999.xml", "/a/0", "/posts/0", "/%ff",
    "/questions/1/edit", "/mod/flags", "/admin/users", "/staff", "/notifications", "/password/reset/abc",
    "/verify-email/garbage", "/unsubscribe/1.x", "/ask/suggested/1?title=x", "/search/click/1/2",
]


def garbage_request(site, target, address):
    r = random.random()
    if r < 0.55:
        return request("GET", random.choice(GARBAGE), target, address)
    if r < 0.65:
        return request("GET", "/" + "".join(random.choices(string.ascii_letters + "/%.-_", k=random.randint(200, 3000))),
                       target, address)
    if r < 0.75:
        query = "&".join(f"{random.choice(site.words)}={random.randint(0, 10**9)}" for _ in range(200))
        return request("GET", "/?" + query, target, address)
    if r < 0.85:
        method = random.choice(["PROPFIND", "DELETE", "PUT", "PATCH", "OPTIONS", "TRACE", "BREW"])
        return request(method, random.choice(["/", site.question_path(), "/login", "/preview"]), target, address)
    if r < 0.92:
        return request("GET", site.question_path(), target, address,
                       headers=[("Accept-Encoding", "gzip;q=nonsense, br, zstd, *;q=0"), ("Range", "bytes=5-1,x"),
                                ("If-None-Match", "W/\"" + "x" * 500 + "\""), ("Cookie", "gp_session=" + "A" * 3000)])
    return request("POST", "/questions/1/answers", target, address,
                   headers=[("Content-Type", "application/json")], body=b"{\"body\": [1,2,")


def badcsrf_request(site, target, address):
    qid, _ = random.choice(site.questions)
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    r = random.randrange(5)
    if r == 0:
        return request("POST", f"/questions/{qid}/answers", target, address, form,
                       b"body=" + q("spam " * 20).encode() + b"&csrf_token=forged")
    if r == 1:
        return request("POST", f"/posts/{qid}/vote", target, address,
                       form + [("Cookie", "gp_csrf=forged-cookie"), ("X-CSRF-Token", "forged-cookie")], b"value=up")
    if r == 2:
        return request("POST", "/login", target, address, form, b"login=admin&password=hunter2&csrf_token=x")
    if r == 3:
        return request("POST", "/preview", target, address, form, b"body=hello")
    return request("POST", f"/questions/{qid}/close", target, address, form, b"reason=spam")


def search_request(site, target, address):
    r = random.random()
    if r < 0.6:
        query = site.some_words(1, 4)
    elif r < 0.7:
        query = '"' + site.some_words(2, 3) + '"'
    elif r < 0.8:
        query = site.some_words(1, 2) + " tag:" + random.choice(site.words)
    elif r < 0.9:
        query = "".join(random.choices(string.ascii_lowercase, k=random.randint(3, 12))) + "~"
    else:
        query = site.some_words(20, 60)
    path = "/search?q=" + q(query)
    if random.random() < 0.3:
        path += "&sort=" + random.choice(["newest", "votes", "relevance", "active"])
    if random.random() < 0.2:
        path += f"&page={random.randint(2, 50)}"
    return request("GET", path, target, address)


def similar_request(site, target, address):
    return request("GET", "/questions/similar?title=" + q(site.some_words(3, 12)), target, address)


def preview_request(site, target, address):
    cookie, token = site.csrf
    body = ("body=" + q(random_markdown(site))).encode()
    return request("POST", "/preview", target, address,
                   [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie),
                    ("X-CSRF-Token", token)], body)


def sitemap_request(site, target, address):
    r = random.random()
    if r < 0.15:
        path = "/sitemap.xml"
    elif r < 0.3:
        path = "/sitemaps/tags.xml"
    else:
        path = f"/sitemaps/questions-{random.randint(1, site.sitemap_files)}.xml"
    return request("GET", path, target, address)


def member_search_request(site, target, address):
    cookie, _ = site.csrf
    raw = search_request(site, target, random_address("198.18"))
    return raw.replace(b"\r\n", f"\r\nCookie: {cookie}\r\n".encode(), 1)


def random_address(prefix):
    return f"{prefix}.{random.randint(0, 255)}.{random.randint(1, 254)}"


KINDS = {
    "search": (search_request, 1.0),
    "membersearch": (member_search_request, 1.0),
    "similar": (similar_request, 1.0),
    "preview": (preview_request, 1.0),
    "sitemap": (sitemap_request, 0.4),
    "badcsrf": (badcsrf_request, 1.0),
    "garbage": (garbage_request, 1.0),
}


def record_status(kind, status, headers):
    count(f"abuse.{kind}.status.{status}")
    if status == 429 and "retry-after" not in headers:
        count(f"abuse.{kind}.429_without_retry_after")


async def abusive_client(kind, site, target, address, pace, stop):
    make, _ = KINDS[kind]
    reader = writer = None
    while not stop.is_set():
        await pace.wait()
        if stop.is_set():
            break
        try:
            if writer is None:
                reader, writer = await target.connect()
            count(f"abuse.{kind}.sent")
            writer.write(make(site, target, address))
            await writer.drain()
            status, headers = await asyncio.wait_for(read_head(reader), 30)
            await asyncio.wait_for(read_body(reader, headers), 60)
            record_status(kind, status, headers)
            if not keeps_alive(headers):
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError, Closed,
                ValueError) as e:
            count(f"abuse.{kind}.socket_error")
            count(f"abuse.{kind}.error.{type(e).__name__}")
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def oversized_client(site, target, address, pace, stop):
    """Each attempt on a fresh connection; the server should refuse without reading it all."""
    kind = "oversized"
    attempts = ["declared", "chunked", "header", "headers"]
    while not stop.is_set():
        await pace.wait()
        if stop.is_set():
            break
        which = random.choice(attempts)
        count(f"abuse.{kind}.sent")
        writer = None
        sender = None
        try:
            reader, writer = await target.connect()
            cookie, token = site.csrf
            auth = [("Cookie", cookie), ("X-CSRF-Token", token), ("Content-Type", "application/x-www-form-urlencoded")]
            if which == "declared":
                head = request("POST", "/preview", target, address, auth)
                head = head.replace(b"Content-Length: 0", b"Content-Length: 8388608")
                writer.write(head)
                sender = asyncio.ensure_future(send_filler(writer, 8388608))
            elif which == "chunked":
                lines = [f"POST /preview HTTP/1.1", f"Host: {target.hostport}", f"X-Forwarded-For: {address}",
                         "Transfer-Encoding: chunked"] + [f"{k}: {v}" for k, v in auth]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
                sender = asyncio.ensure_future(send_chunks(writer, 2 * 1024 * 1024))
            elif which == "header":
                writer.write(request("GET", "/", target, address, [("X-Big", "x" * 65536)]))
            else:
                writer.write(request("GET", "/", target, address, [(f"X-H{i}", "v") for i in range(200)]))
            await writer.drain()
            status, headers = await asyncio.wait_for(read_head(reader), 30)
            record_status(kind, status, headers)
            count(f"abuse.{kind}.{which}.answered.{status}")
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError, Closed,
                ValueError) as e:
            # A server may answer 413/431 and close, or just close: both refuse the body.
            count(f"abuse.{kind}.{which}.closed_without_answer")
            count(f"abuse.{kind}.error.{type(e).__name__}")
        finally:
            if sender is not None:
                sender.cancel()
            if writer is not None:
                writer.close()


async def send_filler(writer, total):
    block = b"body=" + b"a" * 65531
    sent = 0
    try:
        while sent < total:
            writer.write(block)
            await writer.drain()
            sent += len(block)
    except OSError:
        pass  # the server refused the rest: what it should do


async def send_chunks(writer, total):
    block = b"a" * 65536
    sent = 0
    try:
        while sent < total:
            writer.write(b"%x\r\n" % len(block) + block + b"\r\n")
            await writer.drain()
            sent += len(block)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except OSError:
        pass


def slow_address(n):
    return f"192.0.2.{n % 254 + 1}"


async def slow_client(kind, n, site, target, trickle, stop):
    address = slow_address(n)
    # Spread the first connections over a few seconds.
    await asyncio.sleep(random.random() * 5)
    while not stop.is_set():
        opened = time.monotonic()
        writer = None
        outcome = "closed_by_server"
        try:
            if kind == "reader":
                reader, writer = await target.connect(rcvbuf=4096)
            else:
                reader, writer = await target.connect()
            count(f"slow.{kind}.opened")
            GAUGES[f"slow.{kind}.open"] = GAUGES.get(f"slow.{kind}.open", 0) + 1
            try:
                if kind == "loris":
                    outcome = await loris(reader, writer, site, target, address, trickle, stop)
                elif kind == "slowbody":
                    outcome = await slowbody(reader, writer, site, target, address, trickle, stop)
                else:
                    outcome = await slow_reader(reader, writer, site, target, address, stop)
            finally:
                GAUGES[f"slow.{kind}.open"] -= 1
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, Closed, ValueError) as e:
            outcome = "closed_by_server" if isinstance(e, (ConnectionResetError, asyncio.IncompleteReadError,
                                                            BrokenPipeError, Closed)) else "error"
            if outcome == "error":
                count(f"slow.{kind}.error.{type(e).__name__}")
        finally:
            if writer is not None:
                writer.close()
        held = time.monotonic() - opened
        count(f"slow.{kind}.{outcome}")
        if outcome == "closed_by_server":
            count(f"slow.{kind}.held_ms_total", int(held * 1000))
            GAUGES[f"slow.{kind}.held_s_max"] = max(GAUGES.get(f"slow.{kind}.held_s_max", 0), int(held))
        if not stop.is_set():
            await asyncio.sleep(0.5)


async def watch_for_answer(reader, kind):
    """Returns when the server answers or closes; counts the status it sent."""
    try:
        status, headers = await read_head(reader)
        count(f"slow.{kind}.status.{status}")
    except (asyncio.IncompleteReadError, ConnectionResetError, Closed):
        pass


async def loris(reader, writer, site, target, address, trickle, stop):
    head = (f"GET {site.question_path()} HTTP/1.1\r\nHost: {target.hostport}\r\nX-Forwarded-For: {address}\r\n"
            f"User-Agent: guidepost-soak-loris\r\n").encode()
    writer.write(head)
    await writer.drain()
    answered = asyncio.ensure_future(watch_for_answer(reader, "loris"))
    padding = b"X-Padding-" + str(random.randint(0, 10**6)).encode() + b": " + b"a" * 1_000_000
    try:
        for byte in padding:
            if stop.is_set():
                return "stopped"
            done, _ = await asyncio.wait([answered], timeout=trickle)
            if done:
                return "closed_by_server"
            writer.write(bytes([byte]))
            await writer.drain()
        return "stopped"
    finally:
        answered.cancel()


async def slowbody(reader, writer, site, target, address, trickle, stop):
    # A sign-in form: anonymous, and its CSRF token is looked for in the body, so the server must
    # read the body before it can answer anything.
    length = 20000
    head = (f"POST /login HTTP/1.1\r\nHost: {target.hostport}\r\nX-Forwarded-For: {address}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {length}\r\n\r\nlogin=").encode()
    writer.write(head)
    await writer.drain()
    answered = asyncio.ensure_future(watch_for_answer(reader, "slowbody"))
    try:
        for _ in range(length - 6):
            if stop.is_set():
                return "stopped"
            done, _ = await asyncio.wait([answered], timeout=trickle)
            if done:
                return "closed_by_server"
            writer.write(b"a")
            await writer.drain()
        count("slow.slowbody.completed")
        return "completed"
    finally:
        answered.cancel()


async def slow_reader(reader, writer, site, target, address, stop):
    if random.random() < 0.5:
        writer.write(request("GET", f"/sitemaps/questions-{random.randint(1, site.sitemap_files)}.xml", target,
                             address))
    else:
        writer.write(b"".join(request("GET", site.question_path(), target, address) for _ in range(20)))
    await writer.drain()
    while not stop.is_set():
        await asyncio.sleep(5)
        chunk = await reader.read(1024)
        if not chunk:
            return "closed_by_server"
        count("slow.reader.bytes", len(chunk))
    return "stopped"


async def canary(site, target, path, stop):
    with open(path, "a", buffering=1) as out:
        while not stop.is_set():
            started = time.monotonic()
            address = random_address(f"10.{random.randint(0, 255)}")
            status = 0
            writer = None
            try:
                reader, writer = await asyncio.wait_for(target.connect(), 10)
                writer.write(request("GET", site.question_path(), target, address, [("Connection", "close")]))
                await writer.drain()
                status, headers = await asyncio.wait_for(read_head(reader), 10 - (time.monotonic() - started))
                await asyncio.wait_for(read_body(reader, headers), max(0.1, 10 - (time.monotonic() - started)))
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, Closed, ValueError) as e:
                status = 0
                log(f"canary failed: {type(e).__name__} {e}")
            finally:
                if writer is not None:
                    writer.close()
            ms = (time.monotonic() - started) * 1000
            out.write(f"{time.time():.3f}\t{ms:.1f}\t{status}\n")
            count("canary.requests")
            if status != 200:
                count("canary.failed")
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


async def count_sitemap_files(target):
    reader, writer = await target.connect()
    writer.write(request("GET", "/sitemap.xml", target, "198.51.100.251"))
    await writer.drain()
    _, headers = await read_head(reader)
    data = bytearray()
    await read_body(reader, headers, data)
    writer.close()
    return max(1, data.count(b"/sitemaps/questions-"))


def write_counters(path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for k in sorted(COUNTERS):
            f.write(f"{k} {COUNTERS[k]}\n")
        for k in sorted(GAUGES):  # values now, not totals: bench/soak reads them as they are
            f.write(f"gauge.{k} {GAUGES[k]}\n")
        f.write(f"time {time.time():.3f}\n")
    os.replace(tmp, path)


async def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True)
    p.add_argument("--questions", required=True, help="sample questions, id|slug lines")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--counters", required=True)
    p.add_argument("--canary", required=True)
    p.add_argument("--member", required=True, help="the abusive member's session: Cookie header TAB CSRF token")
    p.add_argument("--rate", type=float, default=10, help="requests/s of each abusive client (0: none)")
    p.add_argument("--clients", type=int, default=1, help="abusive clients of each kind")
    p.add_argument("--loris", type=int, default=150)
    p.add_argument("--slow-bodies", type=int, default=75)
    p.add_argument("--slow-readers", type=int, default=75)
    p.add_argument("--trickle", type=float, default=1.0, help="seconds between trickled bytes")
    args = p.parse_args()

    target = Target(args.base)
    log(f"starting against {args.base}")
    site = Site(args.questions)
    with open(args.member) as f:
        cookie, token = f.read().rstrip("\n").split("\t")
    site.csrf = (cookie, token)
    site.sitemap_files = await count_sitemap_files(target)
    log(f"{len(site.questions)} questions, {len(site.words)} words, {site.sitemap_files} sitemap files")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = []
    address = 0
    for kind, (_, share) in KINDS.items():
        for _ in range(args.clients):
            address += 1
            pace = Pace(args.rate * share)
            ip = f"198.51.100.{address}"
            # Two connections a client, sharing its pace: a slow answer does not stall the flood.
            tasks += [asyncio.ensure_future(abusive_client(kind, site, target, ip, pace, stop)) for _ in range(2)]
    for _ in range(args.clients):
        address += 1
        tasks.append(asyncio.ensure_future(
            oversized_client(site, target, f"198.51.100.{address}", Pace(args.rate * 0.2), stop)))
    n = 0
    for kind, how_many in (("loris", args.loris), ("slowbody", args.slow_bodies), ("reader", args.slow_readers)):
        for _ in range(how_many):
            tasks.append(asyncio.ensure_future(slow_client(kind, n, site, target, args.trickle, stop)))
            n += 1
    tasks.append(asyncio.ensure_future(canary(site, target, args.canary, stop)))

    deadline = time.monotonic() + args.seconds
    while not stop.is_set() and time.monotonic() < deadline:
        write_counters(args.counters)
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass
    stop.set()
    await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    write_counters(args.counters)


if __name__ == "__main__":
    asyncio.run(main())
