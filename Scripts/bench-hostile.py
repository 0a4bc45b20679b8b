#!/usr/bin/env python3
"""Scripts/bench hostile: does the service stay available for legitimate alerts while one client attacks it?

Issue 13, "Benchmark (`Scripts/bench hostile`, not a test)". One release `boton serve` on a fresh prepared database
in a temporary directory (every port 0, read back from its `event=listening` lines, its log drained). A quiet
baseline, then each attack in turn for --phase-seconds (default 10):

  udp-unknown    UDP flood of well-shaped alert frames with random unknown device ids and random MACs, as fast
                 as one sender process goes (Scripts/bench-hostile/udp_flood.c), from 127.0.0.2
  udp-wrong-mac  the same with a known device id and wrong MACs (ids travel in clear)
  idle           1,000 idle TCP connections to the alert port + 1,000 idle HTTP connections, from 127.0.0.2
                 (the per-address caps refuse some: that is the defence; how many were held is reported)
  slow-readers   150 connections from 127.0.0.2, each pipelining 150 `GET /static/consola.js`, never reading
  sign-ins       50 wrong-password sign-ins (POST /api/v1/sesiones over HTTPS) from 10 addresses 127.0.0.10-19,
                 5 each, all at once; one answered 503 (every password-check slot busy) is retried after its
                 Retry-After until it gets a final answer or the phase ends
  replay         100 event streams (GET /consola/eventos, `Last-Event-ID: 0`) by one operator, an administrador
                 (whole country: the widest replay), spread over --replay-sessions sessions (one session may hold
                 only console.streams_per_session streams); each stream that finishes its replay (`sincronizado`)
                 is opened again with `Last-Event-ID: 0` until the phase ends. The replay window holds the
                 --seed-alerts alerts loaded before the baseline plus everything the phases before sent.
  storm          escalation storm: a second server on a copy of the database taken right after the seed
                 (--seed-alerts open alerts, 20,000 by default), console.sla_s=--storm-sla-s so every one of them
                 is past its SLA (all three levels due); its stdout and stderr are pipes nobody reads after the
                 `event=ready` line (as Scripts/bench ingest did when finding 13 was found).

Throughout every phase, the legitimate traffic (from 127.0.0.1):
  - `boton alert load --transport udp --rate 200` and `--transport tcp --rate 200` (two processes, 200 devices
    each, fresh devices per phase), every answered alert written to an --acknowledged file;
  - one HTTPS alert every 100 ms (POST /api/v1/alertas, a new TLS connection per alert as a phone would, retried
    like the app: after Retry-After on 503, 250 ms doubling to 4 s when refused or cut, for at most 60 s), from a
    device provisioned at --lat/--lon; latency = first send → 201/200;
  - one console: an operador_upc of that device's UPC signed in (POST /api/v1/sesiones over HTTPS) reading
    /consola/eventos; console latency = the HTTPS alert's first send → its `nueva` frame read on the console.

Every server runs with ingest.merge_window_s=0 (every alert opens its own incident, so every HTTPS alert has its
own `nueva` frame) and, apart from the storm, console.sla_s=86400 (no escalation outside the storm phase).

Per phase: legitimate ack p50/p99 per transport, console frame p99, server RSS (VmRSS of /proc/PID/status every
100 ms) before the attack / peak during the attack and --settle-seconds after it / after, and acknowledged alerts
lost: after every server stopped, each alert acknowledged `aceptada` (load and HTTPS) must have its receipt in the
database naming the incident its answer named. Targets: 0 lost; every legitimate p99 ≤ 3 × its quiet p99; RSS peak
≤ before + 64 MB and after ≤ before + 16 MB. A benchmark, not a test: the exit status is 0 when targets are missed
(non-zero only when the benchmark itself could not run).

Every process started here (servers, load generators, the flooder, attack workers) is stopped by its PID on any
failure, Ctrl-C or SIGTERM; children also get SIGTERM if this script dies (PR_SET_PDEATHSIG).

Attack workers are this script run again with --attack NAME (a process of their own, so that their threads do not
hold the measuring client's interpreter): they set up, print `ready`, wait for a line on stdin, attack for the
given seconds and print one JSON line.
"""
import argparse
import atexit
import base64
import collections
import ctypes
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "clave-de-banco-de-pruebas-1"
ALL_PHASES = ["quiet", "udp-unknown", "udp-wrong-mac", "idle", "slow-readers", "sign-ins", "replay", "storm"]
PHASE_TITLES = {
    "quiet": "quiet baseline",
    "udp-unknown": "UDP flood, unknown ids",
    "udp-wrong-mac": "UDP flood, wrong MACs",
    "idle": "1,000 idle TCP + 1,000 idle HTTP",
    "slow-readers": "150 slow readers",
    "sign-ins": "50 bad sign-ins, 10 addresses",
    "replay": "100 replaying event streams",
    "storm": "escalation storm, log pipe unread",
}
ATTACKER = "127.0.0.2"
MB = 1024 * 1024


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest rank, as `boton alert load` reports."""
    values = sorted(values)
    if not values:
        return float("nan")
    rank = max(math.ceil(p / 100 * len(values)) - 1, 0)
    return values[min(rank, len(values) - 1)]


def udp_receive_buffer_errors():
    """Udp RcvbufErrors of /proc/net/snmp: datagrams the kernel dropped for want of room in a receive buffer
    (the whole machine's, all sockets)."""
    try:
        rows = [line.split() for line in open("/proc/net/snmp") if line.startswith("Udp:")]
        return int(rows[1][rows[0].index("RcvbufErrors")])
    except (OSError, IndexError, ValueError):
        return None


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def tls_client_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the benchmark's own self-signed certificate
    return context


# ---------------------------------------------------------------------------------------------------------------
# Processes: every child is recorded and stopped by its PID, whatever happens.

PROCESSES = []
_LIBC = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: the child gets SIGTERM if this script dies


def spawn(cmd, **kw):
    """Starts a child (from the main thread only: PR_SET_PDEATHSIG follows the spawning thread)."""
    proc = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kw)
    PROCESSES.append(proc)
    return proc


def reap(proc, timeout=30.0, sig=signal.SIGTERM):
    """Stops one child: `sig`, up to `timeout` s, then SIGKILL. Returns its exit status."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc in PROCESSES:
        PROCESSES.remove(proc)
    return proc.returncode


def cleanup():
    for proc in list(reversed(PROCESSES)):
        if proc.poll() is None:
            try:
                proc.terminate()
            except ProcessLookupError:
                pass
    deadline = time.time() + 10
    for proc in list(PROCESSES):
        try:
            proc.wait(timeout=max(deadline - time.time(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        PROCESSES.remove(proc)


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ---------------------------------------------------------------------------------------------------------------
# The server.

class Server:
    """boton serve on ports 0, synchronised on its own log lines. With `drain` its stderr is read to the end by a
    thread (the last lines kept); without, stdout and stderr are pipes nobody reads once it is ready."""

    def __init__(self, boton, db, work, config, extra, drain=True, name="serve"):
        self.name = name
        cmd = [boton, "serve", "--database", db] + config + [
            "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
            "--set", "ingest.tls_port=0", "--set", "http.host=127.0.0.1", "--set", "http.port=0",
            "--set", "http.tls_port=0",
            "--set", f"ingest.tls_certificate={work}/cert.pem", "--set", f"ingest.tls_key={work}/key.pem",
        ] + extra
        self.drain = drain
        self.proc = spawn(cmd, stdout=subprocess.DEVNULL if drain else subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace")
        self.pid = self.proc.pid
        self.head = ""
        self.ports = {}
        self.tail = collections.deque(maxlen=2000)
        self.lines = 0
        self.errors = []
        # Until `ready`: a thread reads (so the deadline holds), the caller waits on it.
        ready = threading.Event()

        def until_ready():
            for line in self.proc.stderr:
                self.head += line
                m = re.search(r"event=listening transport=(\w+) address=\S+ port=(\d+)", line)
                if m:
                    self.ports[m.group(1)] = int(m.group(2))
                if "event=ready" in line:
                    break
            ready.set()
            if self.drain:
                self._drain()

        self.reader = threading.Thread(target=until_ready, daemon=True)
        self.reader.start()
        if not ready.wait(90) or "event=ready" not in self.head:
            reap(self.proc, 5, signal.SIGKILL)
            raise SystemExit(f"{name} did not start:\n{self.head}")

    def _drain(self):
        for line in self.proc.stderr:
            self.lines += 1
            self.tail.append(line)
            if "level=error" in line and len(self.errors) < 20:
                self.errors.append(line.rstrip())

    def cpu_s(self):
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def rss_kb(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def stop(self):
        """SIGTERM (queued alerts are committed and answered first), then SIGKILL after 60 s. An undrained server
        gets its pipes drained from now on, so that one blocked on a full pipe can still finish."""
        if not self.drain and self.proc.poll() is None:
            for stream in (self.proc.stdout, self.proc.stderr):
                threading.Thread(target=lambda s=stream: [None for _ in iter(lambda: s.read(65536), "")],
                                 daemon=True).start()
        status = reap(self.proc, 60)
        if self.drain:
            self.reader.join(timeout=10)
        return status


class RSSSampler:
    """VmRSS of the current server every 100 ms (kB), with the time of each sample."""

    def __init__(self):
        self.server = None
        self.samples = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.wait(0.1):
            server = self.server
            if server is not None:
                kb = server.rss_kb()
                if kb is not None:
                    with self.lock:
                        self.samples.append((time.time(), server.pid, kb))

    def now(self, server):
        return server.rss_kb()

    def peak(self, server, start, end):
        with self.lock:
            values = [kb for t, pid, kb in self.samples if pid == server.pid and start <= t <= end]
        return max(values) if values else None


# ---------------------------------------------------------------------------------------------------------------
# Officers over HTTPS.

def https_connection(port, source="127.0.0.1", timeout=30):
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls_client_context(),
                                       source_address=(source, 0))


def sign_in(port, username, password=PASSWORD, source="127.0.0.1", retries=120):
    """POST /api/v1/sesiones over HTTPS; returns (status, cookie or None). A 503 (every password-check slot taken)
    is retried after its Retry-After, as a user would."""
    status = None
    for _ in range(retries):
        connection = https_connection(port, source)
        try:
            connection.request("POST", "/api/v1/sesiones",
                               body=json.dumps({"usuario": username, "contrasena": password}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        status = response.status
        if status == 503:
            time.sleep(float(response.getheader("Retry-After") or "1"))
            continue
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("boton_sesion="):
                return status, value.split(";", 1)[0]
        return status, None
    return status, None


def open_event_stream(port, cookie, last_event_id=None, source="127.0.0.1", timeout=30):
    """GET /consola/eventos over TLS; returns (ssl socket, status code, bytes after the head)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    sock = tls_client_context().wrap_socket(raw, server_hostname="bench")
    request = (f"GET /consola/eventos HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
               f"Accept: text/event-stream\r\n")
    if last_event_id is not None:
        request += f"Last-Event-ID: {last_event_id}\r\n"
    sock.sendall((request + "\r\n").encode())
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            sock.close()
            return None, 0, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return sock, status, rest


class Console:
    """The legitimate console: reads the event stream in a thread of its own and notes when each alert's `nueva`
    frame was read (wall clock). A stream that ends is reopened with the last event id seen."""

    def __init__(self, port, cookie):
        self.port, self.cookie = port, cookie
        self.arrivals = {}
        self.last_id = None
        self.synchronised = threading.Event()
        self.reconnects = 0
        self.refusals = collections.Counter()
        self.stopped = False
        self.sock = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                self.sock, status, buffer = open_event_stream(self.port, self.cookie, self.last_id)
                if status != 200:
                    self.refusals[status] += 1
                    if self.sock:
                        self.sock.close()
                    time.sleep(0.5)
                    continue
                self.sock.settimeout(None)
                self._now_ms = time.time() * 1000
                while not self.stopped:
                    while True:
                        end = buffer.find(b"\n\n")
                        if end < 0:
                            break
                        self._frame(buffer[:end])
                        buffer = buffer[end + 2:]
                    chunk = self.sock.recv(1 << 20)
                    if not chunk:
                        break
                    now_ms = time.time() * 1000
                    buffer += chunk
                    self._now_ms = now_ms
            except (OSError, ValueError):
                pass
            if not self.stopped:
                self.reconnects += 1
                time.sleep(0.2)

    _now_ms = 0.0

    def _frame(self, frame):
        if frame.startswith(b":"):
            return
        for line in frame.split(b"\n"):
            if line.startswith(b"id: "):
                self.last_id = int(line[4:])
        if b"event: sincronizado" in frame:
            self.synchronised.set()
            return
        if b'"tipo":"nueva"' not in frame:
            return
        data = next((line[6:] for line in frame.split(b"\n") if line.startswith(b"data: ")), None)
        if data:
            alert = json.loads(data)["alerta"]
            self.arrivals.setdefault(alert["id"], self._now_ms)

    def stop(self):
        self.stopped = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


# ---------------------------------------------------------------------------------------------------------------
# The legitimate HTTPS alerts.

def device_frame(device, secret, sequence, timestamp_ms, lat, lon):
    """A 68-byte `alerta` with position (Sources/BotonWire/BotonWire.docc): big-endian fields, MAC = the first 16
    bytes of HMAC-SHA256(secret, bytes 0..<52)."""
    body = (b"BS" + bytes([1, 1, 1, 87]) + b"\0\0" + device + struct.pack(">Qq", sequence, timestamp_ms)
            + struct.pack(">iiHH", round(lat * 1e7), round(lon * 1e7), 10, 0))
    return body + hmac.new(secret, body, hashlib.sha256).digest()[:16]


class HTTPSAlerts:
    """One alert every `interval` s over HTTPS, each from a new connection, retried like the app until answered."""

    def __init__(self, port, device_hex, secret_hex, lat, lon, interval=0.1, budget=60.0):
        self.port, self.device_hex = port, device_hex
        self.device, self.secret = bytes.fromhex(device_hex), bytes.fromhex(secret_hex)
        self.lat, self.lon, self.interval, self.budget = lat, lon, interval, budget
        self.sequence = int(time.time() * 1000)
        self.lock = threading.Lock()
        self.results = []  # dicts: sequence, sent (wall s), latency_ms, status, incident, attempts
        self.pool = ThreadPoolExecutor(max_workers=96)
        self.running = False

    def _send(self, sequence, started):
        frame = device_frame(self.device, self.secret, sequence, int(started * 1000), self.lat, self.lon)
        delay, attempts, result = 0.25, 0, None
        while time.time() - started < self.budget:
            attempts += 1
            connection = https_connection(self.port, timeout=15)
            try:
                connection.request("POST", "/api/v1/alertas", body=frame,
                                   headers={"Content-Type": "application/octet-stream",
                                            "X-Boton-Dispositivo": self.device_hex})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                time.sleep(delay * random.uniform(0.5, 1.0))  # benchmark: the app's backoff, with jitter
                delay = min(delay * 2, 4.0)
                continue
            finally:
                connection.close()
            if response.status in (200, 201):
                answer = json.loads(body)
                result = {"status": answer["estado"], "incident": answer.get("incidente")}
                break
            if response.status == 503:
                time.sleep(float(response.getheader("Retry-After") or "1"))  # benchmark: as the server asked
                continue
            result = {"status": f"http_{response.status}", "incident": None}
            break
        with self.lock:
            self.results.append({"sequence": sequence, "sent": started, "attempts": attempts,
                                 "latency_ms": (time.time() - started) * 1000 if result else None,
                                 "status": result["status"] if result else "unanswered",
                                 "incident": result["incident"] if result else None})

    def _schedule(self):
        start, k = time.time(), 0
        while self.running:
            k += 1
            with self.lock:
                self.sequence += 1
                sequence = self.sequence
            try:
                self.pool.submit(self._send, sequence, time.time())
            except RuntimeError:  # the interpreter is shutting down (Ctrl-C)
                return
            self.submitted += 1
            time.sleep(max(start + k * self.interval - time.time(), 0))  # benchmark: the 100 ms schedule

    def start(self):
        with self.lock:
            self.results = []
        self.submitted = 0
        self.running = True
        self.thread = threading.Thread(target=self._schedule, daemon=True)
        self.thread.start()

    def stop(self, wait=75):
        """Stops sending; waits for the alerts in flight (each has its budget) and returns this phase's results."""
        self.running = False
        self.thread.join()
        deadline = time.time() + wait
        while time.time() < deadline:
            with self.lock:
                done = len(self.results)
            if done >= self.submitted:
                break
            time.sleep(0.05)  # benchmark: waiting for the senders' threads
        with self.lock:
            return list(self.results)


# ---------------------------------------------------------------------------------------------------------------
# Attack workers (this script again, with --attack).

def worker_ready_then_go():
    print("ready", flush=True)
    sys.stdin.readline()


def attack_idle(args):
    """1,000 TCP connections to the alert port and 1,000 to the HTTP port that never send a byte."""
    raise_fd_limit()
    worker_ready_then_go()
    start = time.time()
    conns = []  # [kind, socket, state]: state "pending", "open", "closed", "failed"
    poller = select.epoll()
    by_fd = {}
    for kind, port in (("tcp", args.tcp_port), ("http", args.http_port)):
        for _ in range(args.count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((ATTACKER, 0))
            s.setblocking(False)
            err = s.connect_ex(("127.0.0.1", port))
            entry = [kind, s, "pending" if err in (115, 0) else "failed", None]
            conns.append(entry)
            if entry[2] == "pending":
                by_fd[s.fileno()] = entry
                poller.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN | select.EPOLLRDHUP)
    opened_at = time.time() - start
    counts_at = {}
    mark = time.time() + 1.0
    deadline = start + args.seconds
    while time.time() < deadline:
        for fd, events in poller.poll(0.05):
            entry = by_fd.get(fd)
            if entry is None:
                continue
            s = entry[1]
            if entry[2] == "pending" and events & select.EPOLLOUT:
                entry[2] = "open" if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 else "failed"
                entry[3] = time.time()
                poller.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
            if events & (select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP | select.EPOLLERR):
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    entry[2] = "closed" if entry[2] == "open" else "failed"
                    poller.unregister(fd)
                    del by_fd[fd]
        if time.time() >= mark and not counts_at:
            counts_at = {k: sum(1 for e in conns if e[0] == k and e[2] == "open") for k in ("tcp", "http")}
    held_end = {k: sum(1 for e in conns if e[0] == k and e[2] == "open") for k in ("tcp", "http")}
    result = {}
    for kind in ("tcp", "http"):
        result[kind] = {"opened": args.count, "held_1s": counts_at.get(kind, 0), "held_end": held_end[kind],
                        "closed_by_server": sum(1 for e in conns if e[0] == kind and e[2] == "closed"),
                        "failed": sum(1 for e in conns if e[0] == kind and e[2] == "failed")}
    result["open_seconds"] = round(opened_at, 2)
    for e in conns:
        e[1].close()
    print(json.dumps(result), flush=True)


def attack_slow_readers(args):
    """150 connections each pipelining 150 GET /static/consola.js and never reading an answer."""
    raise_fd_limit()
    worker_ready_then_go()
    request = f"GET /static/consola.js HTTP/1.1\r\nHost: 127.0.0.1:{args.http_port}\r\n\r\n".encode()
    socks, sent = [], 0
    for _ in range(args.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the attacker takes as little as it can
        s.bind((ATTACKER, 0))
        try:
            s.connect(("127.0.0.1", args.http_port))
            s.setblocking(False)
            try:
                sent += s.send(request * args.requests)
            except BlockingIOError:
                pass
            socks.append(s)
        except OSError:
            s.close()
    time.sleep(max(args.seconds - 0.0, 0))  # benchmark: the attacker holds its connections for the phase
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    closed = sum(1 for _, ev in poller.poll(0) if ev & (select.POLLRDHUP | select.POLLHUP | select.POLLERR))
    for s in socks:
        s.close()
    print(json.dumps({"connections": len(socks), "request_bytes_sent": sent, "closed_by_server": closed}),
          flush=True)


def attack_sign_ins(args):
    """50 wrong-password sign-ins from 10 addresses, 5 each, all at once; a 503 is retried after Retry-After."""
    worker_ready_then_go()
    deadline = time.time() + args.seconds
    statuses = collections.Counter()
    lock = threading.Lock()
    latencies = []

    def one(i):
        source = f"127.0.0.{10 + i % 10}"
        started = time.time()
        while time.time() < deadline:
            connection = https_connection(args.https_port, source, timeout=max(deadline - time.time(), 0.5))
            try:
                connection.request("POST", "/api/v1/sesiones",
                                   body=json.dumps({"usuario": args.username, "contrasena": f"incorrecta-{i}-xx"}),
                                   headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    statuses[type(error).__name__] += 1
                return
            finally:
                connection.close()
            with lock:
                statuses[response.status] += 1
            if response.status != 503:
                with lock:
                    latencies.append((time.time() - started) * 1000)
                return
            time.sleep(min(float(response.getheader("Retry-After") or "1"), max(deadline - time.time(), 0)))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(args.count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"answers": {str(k): v for k, v in sorted(statuses.items(), key=str)},
                      "final_answers": len(latencies),
                      "final_p50_ms": percentile(latencies, 50) if latencies else None}), flush=True)


def attack_replay(args):
    """100 event streams with Last-Event-ID: 0 by one operator, spread over several sessions."""
    raise_fd_limit()
    cookies = []
    for i in range(args.sessions):
        status, cookie = sign_in(args.https_port, args.username, source=f"127.0.0.{30 + i // 5}")
        if cookie:
            cookies.append(cookie)
        else:
            log(f"replay attacker: sign-in {i} answered {status}")
    if not cookies:
        print("ready", flush=True)
        sys.stdin.readline()
        print(json.dumps({"sessions": 0, "error": "no session"}), flush=True)
        return
    worker_ready_then_go()
    deadline = time.time() + args.seconds
    lock = threading.Lock()
    stats = collections.Counter()
    replay_seconds = []

    def stream(i):
        cookie = cookies[i % len(cookies)]
        source = f"127.0.0.{30 + (i % len(cookies)) // 5}"
        while time.time() < deadline:
            started = time.time()
            try:
                sock, status, buffer = open_event_stream(args.https_port, cookie, 0, source,
                                                         timeout=max(deadline - time.time(), 0.5))
            except (OSError, ValueError) as error:
                with lock:
                    stats[f"open_{type(error).__name__}"] += 1
                time.sleep(0.2)
                continue
            with lock:
                stats[f"http_{status}"] += 1
            if status != 200:
                if sock:
                    sock.close()
                time.sleep(0.5)  # benchmark: the attacker tries again
                continue
            received = len(buffer)
            synced = b"event: sincronizado" in buffer
            try:
                while not synced and time.time() < deadline:
                    sock.settimeout(max(deadline - time.time(), 0.05))
                    chunk = sock.recv(1 << 20)
                    if not chunk:
                        break
                    received += len(chunk)
                    synced = b"event: sincronizado" in buffer[-64:] + chunk
                    buffer = chunk
            except (OSError, ValueError):
                pass
            finally:
                sock.close()
            with lock:
                stats["bytes"] += received
                if synced:
                    stats["replays_completed"] += 1
                    replay_seconds.append(time.time() - started)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(args.count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = dict(stats)
    result["sessions"] = len(cookies)
    result["replay_p50_s"] = percentile(replay_seconds, 50) if replay_seconds else None
    result["replay_max_s"] = max(replay_seconds) if replay_seconds else None
    print(json.dumps(result), flush=True)


def worker_main(args):
    real_print = print

    def print_with_cpu(text, **kw):
        # Every worker's last line is its JSON result: add the CPU seconds it used (it shares the machine).
        if text.startswith("{"):
            usage = resource.getrusage(resource.RUSAGE_SELF)
            result = json.loads(text)
            result["attacker_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
            text = json.dumps(result)
        real_print(text, **kw)
    globals()["print"] = print_with_cpu
    {"idle": attack_idle, "slow-readers": attack_slow_readers, "sign-ins": attack_sign_ins,
     "replay": attack_replay}[args.attack](args)


class Worker:
    """An attack worker process: started (set up) before the phase, told to go when it begins."""

    def __init__(self, script, kind, options):
        self.proc = spawn([sys.executable, script, "--attack", kind] + options, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            reap(self.proc, 5)
            raise SystemExit(f"attack worker {kind} did not start")

    def go(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def result(self, timeout):
        out = {}
        timer = threading.Timer(timeout, lambda: self.proc.poll() is None and self.proc.kill())
        timer.start()
        try:
            text = self.proc.stdout.read()
        finally:
            timer.cancel()
        reap(self.proc, 10)
        for line in text.strip().splitlines()[-1:]:
            try:
                out = json.loads(line)
            except ValueError:
                pass
        return out


class Flooder:
    def __init__(self, binary, port, seconds, device=None):
        cmd = [binary, f"127.0.0.1:{port}", "--source", ATTACKER, "--duration", str(seconds)]
        if device:
            cmd += ["--device", device]
        self.cmd = cmd
        self.proc = None

    def go(self):
        self.proc = spawn(self.cmd, stdout=subprocess.PIPE, text=True)

    def result(self, timeout):
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            reap(self.proc, 1, signal.SIGKILL)
            return {}
        reap(self.proc)
        return json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


# ---------------------------------------------------------------------------------------------------------------
# The benchmark.

class Bench:
    def __init__(self, args):
        self.args = args
        self.root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.script = os.path.abspath(__file__)
        self.boton = args.boton
        self.config = ["--config", os.path.join(self.root, "Config", "boton.conf")]
        self.work = tempfile.mkdtemp(prefix="boton-bench-hostile-")
        self.db = os.path.join(self.work, "main.sqlite")
        self.storm_db = os.path.join(self.work, "storm.sqlite")
        self.rss = RSSSampler()
        self.results = []
        self.acks = []  # (phase, database, [(device hex, sequence, incident)])
        self.seed_counter = 100

    def boton_run(self, *argv, **kw):
        return subprocess.run([self.boton] + list(argv) + self.config, check=True, capture_output=True, text=True,
                              **kw)

    # -- setup --------------------------------------------------------------------------------------------------

    def prepare(self):
        a = self.args
        bin_dir = os.path.join(self.work, "bin")
        os.makedirs(bin_dir)
        self.flooder = os.path.join(bin_dir, "udp_flood")
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", self.flooder,
                        os.path.join(self.root, "Scripts", "bench-hostile", "udp_flood.c")], check=True)
        db = self.db
        self.boton_run("db", "migrate", "--database", db)
        self.boton_run("territory", "import", "--database", db)
        self.boton_run("tls", "generate", "--host", "bench", "--set", f"ingest.tls_certificate={self.work}/cert.pem",
                       "--set", f"ingest.tls_key={self.work}/key.pem")
        out = self.boton_run("device", "provision", "--database", db, "--line", "0990000135", "--lat", str(a.lat),
                             "--lon", str(a.lon)).stdout
        fields = dict(re.findall(r"^(\w+):\s+(\S+)", out, re.M))
        self.device, self.secret = fields["dispositivo"], fields["clave"]
        self.upc = re.search(r"^upc:\s+(\S+)", out, re.M).group(1)
        # Wrong-MAC flood: a known id (another provisioned device, so the legitimate HTTPS device is not the one
        # whose id the attacker replays; ids travel in clear, any enrolled phone's will do).
        out = self.boton_run("device", "provision", "--database", db, "--line", "0990000136", "--lat", str(a.lat),
                             "--lon", str(a.lon)).stdout
        self.victim_device = re.search(r"^dispositivo:\s+(\S+)", out, re.M).group(1)
        log(f"Accounts: consola (operador_upc {self.upc}), replay (administrador), victima (operador_upc)…")
        for user, role in (("consola", ["--rol", "operador_upc", "--upc", self.upc]),
                           ("replay", ["--rol", "administrador"]),
                           ("victima", ["--rol", "operador_upc", "--upc", self.upc])):
            self.boton_run("operator", "add", "--database", db, "--usuario", user, "--nombre", f"Banco {user}",
                           "--password-stdin", *role, input=PASSWORD + "\n")

    def common_sets(self):
        return ["--set", "ingest.merge_window_s=0"]

    def seed(self):
        """--seed-alerts open alerts (the replay window, and the storm's database)."""
        a = self.args
        if a.seed_alerts <= 0:
            shutil.copyfile(self.db, self.storm_db)
            self.storm_open = 0
            return
        log(f"Seeding {a.seed_alerts:,} open alerts ({a.seed_rate:,}/s over UDP)…")
        server = Server(self.boton, self.db, self.work, self.config,
                        self.common_sets() + ["--set", "console.sla_s=86400"], name="seed server")
        try:
            duration = max(a.seed_alerts / a.seed_rate, 1)
            out = subprocess.run([self.boton, "alert", "load", "--database", self.db, "--transport", "udp",
                                  "--port", str(server.ports["udp"]), "--rate", str(a.seed_rate),
                                  "--duration", f"{duration:.2f}", "--devices", "2000", "--seed", "1",
                                  "--grace", "30", "--json"] + self.config, capture_output=True, text=True,
                                 timeout=duration + 120, preexec_fn=_die_with_parent)
            report = json.loads(out.stdout.strip().splitlines()[-1])
            log(f"  seeded: {report['acknowledged']:,} acknowledged, ack p99 {report['p99_ms']:.1f} ms")
        finally:
            server.stop()
        with sqlite3.connect(self.db) as src, sqlite3.connect(self.storm_db) as dst:
            src.backup(dst)
        with sqlite3.connect(self.storm_db) as c:
            self.storm_open = c.execute("SELECT count(*) FROM incident WHERE state IN ('recibida','notificada') "
                                        "AND is_test = 0").fetchone()[0]

    # -- one phase ----------------------------------------------------------------------------------------------

    def start_loads(self, server, phase):
        a = self.args
        loads = {}
        for transport in ("udp", "tcp"):
            self.seed_counter += 1
            ack_file = os.path.join(self.work, f"acks-{phase}-{transport}.txt")
            out = open(os.path.join(self.work, f"load-{phase}-{transport}.json"), "w")
            proc = spawn([self.boton, "alert", "load", "--database", server_db(server), "--transport", transport,
                          "--port", str(server.ports[transport]), "--rate", str(a.load_rate),
                          "--duration", str(a.phase_seconds + 1), "--devices", str(a.load_devices),
                          "--seed", str(self.seed_counter), "--grace", str(a.grace_seconds),
                          "--acknowledged", ack_file, "--json"] + self.config,
                         stdout=out, stderr=subprocess.STDOUT)
            loads[transport] = (proc, ack_file, out)
        # The phase starts once both are answered (device provisioning and the territory load are behind them).
        deadline = time.time() + 60
        while time.time() < deadline:
            if all(os.path.exists(f) and os.path.getsize(f) > 0 for _, f, _ in loads.values()):
                break
            if any(p.poll() is not None for p, _, _ in loads.values()):
                break
            time.sleep(0.05)  # benchmark: waiting for the load generators' first answers
        return loads

    def finish_loads(self, loads):
        a = self.args
        reports = {}
        for transport, (proc, ack_file, out) in loads.items():
            try:
                proc.wait(timeout=a.phase_seconds + a.grace_seconds + 60)
            except subprocess.TimeoutExpired:
                pass
            reap(proc, 5)
            out.close()
            text = open(out.name).read().strip()
            try:
                reports[transport] = json.loads(text.splitlines()[-1])
            except (ValueError, IndexError):
                reports[transport] = {"error": text[-500:]}
            acked = []
            for row in open(ack_file):
                f = row.split()
                if len(f) == 5 and f[2] == "aceptada":
                    acked.append((f[0], int(f[1]), int(f[3])))
            reports[transport]["acked"] = acked
        return reports

    def run_phase(self, phase, server, console, https):
        a = self.args
        log(f"Phase {phase}: {PHASE_TITLES[phase]} ({a.phase_seconds:g} s)…")
        attack = None
        if phase == "udp-unknown":
            attack = Flooder(self.flooder, server.ports["udp"], a.phase_seconds)
        elif phase == "udp-wrong-mac":
            attack = Flooder(self.flooder, server.ports["udp"], a.phase_seconds, device=self.victim_device)
        elif phase == "idle":
            attack = Worker(self.script, "idle", ["--tcp-port", str(server.ports["tcp"]), "--http-port",
                                                  str(server.ports["http"]), "--count", str(a.idle_connections),
                                                  "--seconds", str(a.phase_seconds)])
        elif phase == "slow-readers":
            attack = Worker(self.script, "slow-readers", ["--http-port", str(server.ports["http"]), "--count",
                                                          str(a.slow_readers), "--requests", str(a.slow_requests),
                                                          "--seconds", str(a.phase_seconds)])
        elif phase == "sign-ins":
            attack = Worker(self.script, "sign-ins", ["--https-port", str(server.ports["https"]), "--count",
                                                      str(a.bad_sign_ins), "--username", "victima", "--seconds",
                                                      str(a.phase_seconds)])
        elif phase == "replay":
            attack = Worker(self.script, "replay", ["--https-port", str(server.ports["https"]), "--count",
                                                    str(a.replay_streams), "--sessions", str(a.replay_sessions),
                                                    "--username", "replay", "--seconds", str(a.phase_seconds)])
        loads = self.start_loads(server, phase)
        https.start()
        rss_before = server.rss_kb()
        cpu_before = server.cpu_s()
        load_average = os.getloadavg()[0]
        drops_before = udp_receive_buffer_errors()
        started = time.time()
        if attack:
            attack.go()
        time.sleep(a.phase_seconds)  # benchmark: the phase runs for its time
        attack_result = attack.result(timeout=60) if attack else {}
        attack_end = time.time()
        cpu_phase = server.cpu_s()
        drops = udp_receive_buffer_errors()
        https_results = https.stop()
        reports = self.finish_loads(loads)
        # Console frames of this phase's HTTPS alerts: wait a little for the last ones.
        expected = [r for r in https_results if r["status"] == "aceptada" and r["incident"]]
        deadline = time.time() + 10
        while time.time() < deadline and not all(r["incident"] in console.arrivals for r in expected):
            time.sleep(0.05)  # benchmark: the console thread is still reading
        settle_until = max(attack_end + a.settle_seconds, time.time())
        time.sleep(max(settle_until - time.time(), 0))  # benchmark: memory after the attack
        rss_after = server.rss_kb()
        rss_peak = max(filter(None, [self.rss.peak(server, started, time.time()), rss_before, rss_after]))
        console_ms = [console.arrivals[r["incident"]] - r["sent"] * 1000 for r in expected
                      if r["incident"] in console.arrivals]
        https_ms = [r["latency_ms"] for r in https_results if r["status"] in ("aceptada", "duplicada")]
        result = {
            "phase": phase, "started": started, "ended": attack_end, "db": server_db(server),
            "udp": reports["udp"], "tcp": reports["tcp"],
            "https": {"sent": len(https_results), "acknowledged": len(https_ms),
                      "p50_ms": percentile(https_ms, 50), "p99_ms": percentile(https_ms, 99),
                      "statuses": dict(collections.Counter(r["status"] for r in https_results)),
                      "retried": sum(1 for r in https_results if r["attempts"] > 1)},
            "console": {"expected": len(expected), "received": len(console_ms),
                        "p50_ms": percentile(console_ms, 50), "p99_ms": percentile(console_ms, 99)},
            "rss_kb": (rss_before, rss_peak, rss_after),
            "load_average": load_average,
            "udp_dropped": drops - drops_before if drops is not None and drops_before is not None else None,
            "server_cpu_s": round(cpu_phase - cpu_before, 2) if cpu_phase is not None and cpu_before is not None
            else None,
            "attack": attack_result,
        }
        self.acks.append((phase, server_db(server),
                          reports["udp"]["acked"] + reports["tcp"]["acked"]
                          + [(self.device, r["sequence"], r["incident"]) for r in expected]))
        self.results.append(result)
        self.print_phase(result)
        return result

    # -- the run --------------------------------------------------------------------------------------------------

    def run(self):
        a = self.args
        phases = [p for p in ALL_PHASES if p in a.phases]
        self.prepare()
        self.seed()
        main_phases = [p for p in phases if p != "storm"]
        if main_phases:
            server = Server(self.boton, self.db, self.work, self.config,
                            self.common_sets() + ["--set", "console.sla_s=86400"], name="main server")
            server.database = self.db
            try:
                self.rss.server = server
                console, https = self.legitimate_clients(server)
                try:
                    for phase in main_phases:
                        self.run_phase(phase, server, console, https)
                finally:
                    console.stop()
            finally:
                self.rss.server = None
                status = server.stop()
                if server.errors:
                    log(f"main server logged {len(server.errors)} errors; first: {server.errors[0]}")
                log(f"main server stopped (exit {status})")
        if "storm" in phases:
            log(f"Escalation storm: {self.storm_open:,} open alerts, console.sla_s={a.storm_sla_s}; the server's "
                f"stdout and stderr are pipes nobody reads…")
            server = Server(self.boton, self.storm_db, self.work, self.config,
                            self.common_sets() + ["--set", f"console.sla_s={a.storm_sla_s}"], drain=False,
                            name="storm server")
            server.database = self.storm_db
            try:
                self.rss.server = server
                console, https = self.legitimate_clients(server)
                try:
                    result = self.run_phase("storm", server, console, https)
                finally:
                    console.stop()
            finally:
                self.rss.server = None
                status = server.stop()
                log(f"storm server stopped (exit {status})")
            with sqlite3.connect(self.storm_db) as c:
                result["attack"] = {
                    "open_alerts": self.storm_open,
                    "escalations_in_phase": c.execute(
                        "SELECT count(*) FROM incident_event WHERE kind = 'escalada' AND at BETWEEN ? AND ?",
                        (int(result["started"] * 1000), int(result["ended"] * 1000))).fetchone()[0],
                    "escalations_total": c.execute(
                        "SELECT count(*) FROM incident_event WHERE kind = 'escalada'").fetchone()[0]}
        self.check_losses()
        self.print_table()

    def legitimate_clients(self, server):
        status, cookie = sign_in(server.ports["https"], "consola")
        if not cookie:
            raise SystemExit(f"the console's sign-in answered {status}")
        console = Console(server.ports["https"], cookie)
        if not console.synchronised.wait(60):
            console.stop()
            raise SystemExit("the console got no `sincronizado` within 60 s")
        https = HTTPSAlerts(server.ports["https"], self.device, self.secret, self.args.lat, self.args.lon)
        return console, https

    def check_losses(self):
        """After every server stopped: each alert answered `aceptada` has its receipt, naming its incident."""
        for result in self.results:
            phase = result["phase"]
            acked = next(acks for p, _, acks in self.acks if p == phase)
            lost = []
            with sqlite3.connect(f"file:{result['db']}?mode=ro", uri=True) as c:
                for device, sequence, incident in acked:
                    if sequence >= 1 << 63:
                        sequence -= 1 << 64
                    row = c.execute("SELECT incident_id FROM frame_receipt WHERE sender_id = ? AND sequence = ? "
                                    "AND status = 'aceptada'", (bytes.fromhex(device), sequence)).fetchone()
                    exists = c.execute("SELECT count(*) FROM incident WHERE id = ?", (incident,)).fetchone()[0]
                    if not row or row[0] != incident or exists != 1:
                        lost.append((device, sequence, incident))
            result["acked"] = len(acked)
            result["lost"] = len(lost)
            if lost:
                log(f"{phase}: acknowledged but not stored: {lost[:5]}")

    # -- output ---------------------------------------------------------------------------------------------------

    def quiet(self):
        return next((r for r in self.results if r["phase"] == "quiet"), None)

    def targets(self, result):
        """(name, value, limit, holds) for each latency target of a phase, against the quiet baseline."""
        quiet = self.quiet()
        rows = []
        for key, label in (("udp", "UDP"), ("tcp", "TCP"), ("https", "HTTPS"), ("console", "console")):
            value = result[key].get("p99_ms", float("nan"))
            limit = 3 * quiet[key].get("p99_ms", float("nan")) if quiet else float("nan")
            rows.append((label, value, limit, value <= limit if not math.isnan(limit) else None))
        return rows

    def rss_holds(self, result):
        before, peak, after = result["rss_kb"]
        if before is None or peak is None or after is None:
            return None, None
        return peak <= before + 64 * 1024, after <= before + 16 * 1024

    def print_phase(self, r):
        udp, tcp, https, console = r["udp"], r["tcp"], r["https"], r["console"]
        before, peak, after = r["rss_kb"]
        print(f"\n== {r['phase']}: {PHASE_TITLES[r['phase']]}", flush=True)
        for label, rep in (("UDP", udp), ("TCP", tcp)):
            if "p99_ms" in rep:
                print(f"  {label:5} alert load: sent {rep['sent']:,}, acknowledged {rep['acknowledged']:,}, "
                      f"unanswered {rep['lost']}, ack p50 {rep['p50_ms']:.1f} ms p99 {rep['p99_ms']:.1f} ms")
            else:
                print(f"  {label:5} alert load failed: {rep.get('error', '')}")
        print(f"  HTTPS alerts: sent {https['sent']}, acknowledged {https['acknowledged']} "
              f"(retried {https['retried']}; {https['statuses']}), p50 {https['p50_ms']:.1f} ms "
              f"p99 {https['p99_ms']:.1f} ms")
        print(f"  console: {console['received']} of {console['expected']} `nueva` frames, p50 "
              f"{console['p50_ms']:.1f} ms p99 {console['p99_ms']:.1f} ms")
        if before and peak and after:
            print(f"  server RSS: before {before / 1024:.0f} MB, peak {peak / 1024:.0f} MB "
                  f"(+{(peak - before) / 1024:.0f}), after {after / 1024:.0f} MB (+{(after - before) / 1024:.0f})")
        if r["server_cpu_s"] is not None:
            print(f"  server CPU during the attack: {r['server_cpu_s']:.1f} s (the machine has "
                  f"{os.cpu_count() * self.args.phase_seconds:g} CPU-seconds in {self.args.phase_seconds:g} s); "
                  f"load average at its start {r['load_average']:.1f}; UDP datagrams dropped by the kernel "
                  f"(full receive buffers, whole machine): {r['udp_dropped']}")
        if r["attack"]:
            print(f"  attack: {json.dumps(r['attack'])}")
        if self.quiet() and r["phase"] != "quiet":
            print("  targets: " + "; ".join(
                f"{label} p99 {value:.1f} ≤ {limit:.1f} ms {'✓' if ok else '✗'}"
                for label, value, limit, ok in self.targets(r)), flush=True)

    def print_table(self):
        a = self.args
        print()
        print("Hostile-load benchmark (Scripts/bench hostile): legitimate traffic under each attack")
        print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; phases of "
              f"{a.phase_seconds:g} s; legitimate: alert load {a.load_rate}/s UDP + {a.load_rate}/s TCP, one HTTPS "
              f"alert every 100 ms, one console ({self.upc})")
        print("  targets: 0 lost; every p99 ≤ 3 × its quiet p99; RSS peak ≤ before + 64 MB, after ≤ before + 16 MB")
        print("  ✓/✗ beside each figure; latencies in ms; RSS in MB (before / peak / after); lost = acknowledged "
              "alerts not in the database / acknowledged aceptada; load = the machine's load average as the phase "
              "began (above ~2, other work competes with the server for the CPUs)")
        print()
        header = (f"  {'phase':15} {'UDP p50/p99':>16} {'TCP p50/p99':>16} {'HTTPS p50/p99':>17} "
                  f"{'console p99':>13} {'RSS MB':>16} {'lost':>9} {'load':>5}")
        print(header)
        print("  " + "-" * (len(header) - 2))
        quiet = self.quiet()
        for r in self.results:
            marks = {label: ok for label, _, _, ok in self.targets(r)} if quiet and r is not quiet else {}

            def mark(label):
                ok = marks.get(label)
                return " " if ok is None else ("✓" if ok else "✗")

            def pair(rep, label):
                if "p99_ms" not in rep:
                    return "failed"
                return f"{rep['p50_ms']:.1f}/{rep['p99_ms']:.1f}{mark(label)}"
            before, peak, after = r["rss_kb"]
            peak_ok, after_ok = self.rss_holds(r)
            rss = (f"{before / 1024:.0f}/{peak / 1024:.0f}{'✓' if peak_ok else '✗'}/"
                   f"{after / 1024:.0f}{'✓' if after_ok else '✗'}") if before and peak and after else "?"
            lost = f"{r['lost']}/{r['acked']:,}{'✓' if r['lost'] == 0 else '✗'}"
            console = f"{r['console']['p99_ms']:.1f}{mark('console')}"
            print(f"  {r['phase']:15} {pair(r['udp'], 'UDP'):>16} {pair(r['tcp'], 'TCP'):>16} "
                  f"{pair(r['https'], 'HTTPS'):>17} {console:>13} {rss:>16} {lost:>9} {r['load_average']:>5.1f}")
        print()
        # Which targets hold, in words.
        held, missed = [], []
        for r in self.results:
            if r["lost"]:
                missed.append(f"{r['phase']}: {r['lost']} acknowledged alerts lost")
            if quiet and r is not quiet:
                for label, value, limit, ok in self.targets(r):
                    if ok is False:
                        missed.append(f"{r['phase']}: {label} p99 {value:.1f} ms > {limit:.1f} ms (3 × quiet)")
            peak_ok, after_ok = self.rss_holds(r)
            before, peak, after = r["rss_kb"]
            if peak_ok is False:
                missed.append(f"{r['phase']}: RSS peak +{(peak - before) / 1024:.0f} MB > 64 MB")
            if after_ok is False:
                missed.append(f"{r['phase']}: RSS after +{(after - before) / 1024:.0f} MB > 16 MB")
            unanswered = sum(r[t].get("lost", 0) for t in ("udp", "tcp")) + r["https"]["statuses"].get("unanswered", 0)
            if unanswered:
                missed.append(f"{r['phase']}: {unanswered} legitimate alerts never answered")
            missing = r["console"]["expected"] - r["console"]["received"]
            if missing:
                missed.append(f"{r['phase']}: {missing} console frames missing")
        print("  every target holds" if not missed else "  targets missed:\n    " + "\n    ".join(missed))
        print()
        print("  per phase: server CPU seconds during the attack, UDP datagrams the kernel dropped (full receive "
              "buffers, whole machine), the attack's own figures")
        for r in self.results:
            print(f"  {r['phase']:15} server CPU {r['server_cpu_s']} s, UDP dropped {r['udp_dropped']}"
                  + (f"; {json.dumps(r['attack'])}" if r["attack"] else ""))


def server_db(server):
    return server.database


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--boton", help="the release boton binary (Scripts/bench builds it)")
    ap.add_argument("--phase-seconds", type=float, default=10, help="each phase, quiet included (default 10)")
    ap.add_argument("--settle-seconds", type=float, default=5, help="after each attack, before 'RSS after'")
    ap.add_argument("--phases", default=",".join(ALL_PHASES),
                    help="comma-separated subset of: " + ", ".join(ALL_PHASES) + " (quiet is always run first)")
    ap.add_argument("--load-rate", type=int, default=200, help="alerts/s of each alert load (UDP, TCP)")
    ap.add_argument("--load-devices", type=int, default=200, help="devices of each alert load, per phase")
    ap.add_argument("--grace-seconds", type=int, default=30, help="alert load: retrying after the last send")
    ap.add_argument("--seed-alerts", type=int, default=20000, help="open alerts loaded before the baseline")
    ap.add_argument("--seed-rate", type=int, default=2500, help="alerts/s of the seed load (UDP)")
    ap.add_argument("--storm-sla-s", type=int, default=5, help="console.sla_s of the storm's server")
    ap.add_argument("--idle-connections", type=int, default=1000)
    ap.add_argument("--slow-readers", type=int, default=150)
    ap.add_argument("--slow-requests", type=int, default=150)
    ap.add_argument("--bad-sign-ins", type=int, default=50)
    ap.add_argument("--replay-streams", type=int, default=100)
    ap.add_argument("--replay-sessions", type=int, default=25, help="sessions the replaying operator signs in")
    ap.add_argument("--lat", type=float, default=-0.2202, help="the HTTPS device's position (its UPC is the console's)")
    ap.add_argument("--lon", type=float, default=-78.5123)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    # Attack workers.
    ap.add_argument("--attack", help=argparse.SUPPRESS)
    for name in ("--tcp-port", "--http-port", "--https-port", "--count", "--requests", "--sessions"):
        ap.add_argument(name, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--username", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.attack:
        signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
        return worker_main(args)
    if not args.boton:
        ap.error("--boton is required")
    args.phases = ["quiet"] + [p.strip() for p in args.phases.split(",") if p.strip() and p.strip() != "quiet"]
    unknown = [p for p in args.phases if p not in ALL_PHASES]
    if unknown:
        ap.error(f"unknown phases: {', '.join(unknown)}")
    raise_fd_limit()
    atexit.register(cleanup)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    bench = Bench(args)
    try:
        bench.run()
    except KeyboardInterrupt as interrupted:
        log(f"interrupted ({interrupted}): stopping every process started")
        cleanup()
        sys.exit(130)
    finally:
        cleanup()
        if args.keep:
            log(f"kept {bench.work}")
        else:
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
