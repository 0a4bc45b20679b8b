#!/usr/bin/env python3
"""Scripts/bench console: how long an alert takes from its datagram reaching the server to its frame on the
consoles' live feeds (GET /consola/eventos), at 1,000 alerts per second with 50 consoles connected.

1. A scratch database (migrated, the bundled territory) in a temporary directory; `boton serve` on ports 0.
2. 50 accounts, each signed in once through POST /api/v1/sesiones (a session each), each with one event stream
   read over a raw socket (selectors, one thread): 40 operadores of the 40 UPCs that the load's devices route to
   most, 8 supervisores of the 8 distritos with most devices, 2 administradores (the whole country). Which UPCs
   and distritos: the load's devices are placed by a seeded generator, so `boton alert frames` with the same seed
   in a throw-away copy of the database shows where they will be.
3. `boton alert load --transport udp --rate 1000 --duration S` with as many devices as alerts, so that every alert
   opens its own incident (a second press from the same line would join the open one).
4. Latency of each alert on each console that sees it = the time the console's socket received the `nueva`
   event's frame (the kernel's receive timestamp, SO_TIMESTAMPNS, of the last segment of the read that completed
   it) − the alert's `recibida_ms` (the incident's opened_at, which the writer takes from the instant the
   listener received the datagram). Both are this machine's wall clock; recibida_ms has millisecond resolution
   (truncated, so the figures read up to 1 ms high).
5. The target, from the issue: p99 ≤ 3 × (this machine's p99 fdatasync, measured in the same run beside the
   database, + the group-commit window ingest.batch_max_ms).

Nothing here reads outside the repository; everything is written under a temporary directory.
"""
import argparse
import http.client
import json
import math
import os
import re
import selectors
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "clave-de-banco-de-pruebas-1"
# Linux: SO_TIMESTAMPNS (= SCM_TIMESTAMPNS), absent from Python's socket module. With it, each read carries the
# kernel's arrival time of the last segment it returned: when the frame reached this machine's socket, not when
# this one-thread client got round to reading it (never earlier than the frame's own arrival).
SO_TIMESTAMPNS = 35
TIMESPEC = struct.Struct("@qq")


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(sorted_values, p):
    """Nearest rank, as `boton alert load` reports."""
    if not sorted_values:
        return float("nan")
    rank = max(math.ceil(p / 100 * len(sorted_values)) - 1, 0)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def fdatasync_p99(directory, count):
    """`count` writes of one 4 KiB page, each followed by fdatasync, in place over a preallocated file beside the
    database (as SQLite rewrites its WAL once checkpointed). Returns the sorted latencies in ms."""
    path = os.path.join(directory, "fdatasync-probe")
    page = os.urandom(4096)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.write(fd, page * 256)  # 1 MiB
        os.fsync(fd)
        samples = []
        for i in range(count):
            os.pwrite(fd, page, (i % 256) * 4096)
            start = time.perf_counter()
            os.fdatasync(fd)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return sorted(samples)


def thread_cpu(pid):
    """CPU seconds (user + system) of each thread of `pid` by thread name (threads of one name summed)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            text = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


class Server:
    """boton serve on ephemeral ports; its log goes to a file, read for the listening ports."""

    def __init__(self, boton, db, work, config, extra):
        self.log_path = os.path.join(work, "serve.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [boton, "serve", "--database", db] + config + [
                "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
                "--set", "ingest.tls_port=0", "--set", "http.host=127.0.0.1", "--set", "http.port=0",
                "--set", "http.tls_port=0", "--set", "http.metrics_port=0",
                # The benchmark measures the feed, not TLS: its consoles sign in and stream over plain HTTP, which
                # the service otherwise redirects to HTTPS.
                "--set", "http.redirect_to_https=false",
                "--set", f"ingest.tls_certificate={work}/cert.pem", "--set", f"ingest.tls_key={work}/key.pem",
            ] + extra, stdout=subprocess.DEVNULL, stderr=self.log_file)
        self.ports = {}
        deadline = time.time() + 60
        while True:
            text = open(self.log_path).read()
            if "event=ready" in text:
                break
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("boton serve did not start:\n" + text)
            time.sleep(0.05)  # benchmark only: waiting for a server process to come up
        for name, port in re.findall(r"event=listening transport=(\w+) address=\S+ port=(\d+)", text):
            self.ports[name] = int(port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)
        self.log_file.close()
        return open(self.log_path).read()


def sign_in(port, username):
    """POST /api/v1/sesiones; returns the session cookie (name=value). A 503 (every password-check slot taken,
    http.login_concurrency) is retried after its Retry-After, as a browser's user would."""
    for attempt in range(60):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        body = json.dumps({"usuario": username, "contrasena": PASSWORD})
        connection.request("POST", "/api/v1/sesiones", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status == 503:
            time.sleep(float(response.getheader("Retry-After") or "1"))  # benchmark only: the server asked to wait
            continue
        break
    if response.status != 201:
        raise SystemExit(f"sign-in of {username} answered {response.status}")
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("boton_sesion="):
            return value.split(";", 1)[0]
    raise SystemExit(f"sign-in of {username} set no session cookie")


class Console:
    """One event stream over a raw socket: frames parsed as they arrive, each `nueva` timed at its arrival."""

    def __init__(self, name, scope, port, cookie):
        self.name, self.scope = name, scope
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall((f"GET /consola/eventos?simulacion=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                           f"Accept: text/event-stream\r\n\r\n").encode())
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.head = None
        self.synchronised = False
        self.arrivals = {}  # alert id -> receive time − recibida_ms, in ms
        self.frames = 0
        self.kernel_stamps = 0
        self.closed = False

    def on_readable(self, now_ms):
        try:
            chunk, ancillary, _, _ = self.sock.recvmsg(1 << 20, socket.CMSG_SPACE(TIMESPEC.size))
        except BlockingIOError:
            return
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= TIMESPEC.size:
                seconds, nanoseconds = TIMESPEC.unpack_from(data)
                now_ms = seconds * 1000 + nanoseconds / 1e6
                self.kernel_stamps += 1
        if not chunk:
            self.closed = True
            return
        self.buffer += chunk
        if self.head is None:
            if b"\r\n\r\n" not in self.buffer:
                return
            self.head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            if not self.head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"console {self.name}: " + self.head.split(b"\r\n")[0].decode(errors="replace"))
        while True:
            end = self.buffer.find(b"\n\n")
            if end < 0:
                return
            frame, self.buffer = self.buffer[:end], self.buffer[end + 2:]
            self.frames += 1
            if frame.startswith(b":"):
                continue  # heartbeat comment
            if b"event: sincronizado" in frame:
                self.synchronised = True
                continue
            if b'"tipo":"nueva"' not in frame:
                continue
            data = next(line[6:] for line in frame.split(b"\n") if line.startswith(b"data: "))
            alert = json.loads(data)["alerta"]
            self.arrivals.setdefault(alert["id"], now_ms - alert["recibida_ms"])


def pump(selector, consoles, until):
    """Reads every readable stream until `until()` is true."""
    while not until():
        for key, _ in selector.select(timeout=0.05):
            key.data.on_readable(time.time() * 1000)
        for console in consoles:
            if console.closed:
                raise SystemExit(f"console {console.name} was closed by the server")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boton", required=True)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--operators", type=int, default=40)
    ap.add_argument("--supervisors", type=int, default=8)
    ap.add_argument("--administrators", type=int, default=2)
    ap.add_argument("--fsyncs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    boton = args.boton
    config_file = os.path.join(root, "Config", "boton.conf")
    config = ["--config", config_file]
    work = tempfile.mkdtemp(prefix="boton-bench-console-")
    alerts = args.rate * args.seconds
    try:
        db = os.path.join(work, "bench.sqlite")
        for command in (["db", "migrate", "--database", db], ["territory", "import", "--database", db],
                        ["tls", "generate", "--host", "bench", "--set", f"ingest.tls_certificate={work}/cert.pem",
                         "--set", f"ingest.tls_key={work}/key.pem"]):
            subprocess.run([boton] + command + config, check=True, capture_output=True)

        # Where the load's devices will be: the same seed in a throw-away copy places the same points.
        scratch = os.path.join(work, "scratch.sqlite")
        shutil.copyfile(db, scratch)
        subprocess.run([boton, "alert", "frames", "--database", scratch, "--devices", str(alerts), "--count", "1",
                        "--seed", str(args.seed), "--out", os.path.join(work, "scratch.bin")] + config,
                       check=True, capture_output=True)
        with sqlite3.connect(scratch) as c:
            upcs = [row[0] for row in c.execute(
                "SELECT u.upc_code FROM phone_line p JOIN upc_subcircuit u ON u.subcircuit_code = p.home_subcircuit "
                "GROUP BY u.upc_code ORDER BY count(*) DESC, u.upc_code LIMIT ?", (args.operators,))]
            districts = [row[0] for row in c.execute(
                "SELECT substr(home_subcircuit, 1, 5) AS d FROM phone_line GROUP BY d ORDER BY count(*) DESC, d "
                "LIMIT ?", (args.supervisors,))]
        os.unlink(scratch)

        accounts = ([(f"op{i:02d}", ["--rol", "operador_upc", "--upc", upc], ("upc", upc))
                     for i, upc in enumerate(upcs)]
                    + [(f"sup{i:02d}", ["--rol", "supervisor_distrito", "--distrito", d], ("distrito", d))
                       for i, d in enumerate(districts)]
                    + [(f"adm{i:02d}", ["--rol", "administrador"], ("nacional", ""))
                       for i in range(args.administrators)])
        log(f"Creating {len(accounts)} accounts (600,000 PBKDF2 rounds each, two at a time)…")

        def add(account):
            name, role, _ = account
            subprocess.run([boton, "operator", "add", "--database", db, "--usuario", name, "--nombre",
                            f"Banco {name}", "--password-stdin"] + role + config, input=PASSWORD + "\n",
                           check=True, capture_output=True, text=True)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(add, accounts))

        window_ms = 2
        for line in open(config_file):
            m = re.match(r"\s*batch_max_ms\s*=\s*(\d+)", line)
            if m:
                window_ms = int(m.group(1))
        server = Server(boton, db, work, config,
                        ["--set", "http.login_rate_burst=1000", "--set", "http.login_rate_per_minute=100000"])
        try:
            log(f"Signing in {len(accounts)} consoles…")
            with ThreadPoolExecutor(max_workers=4) as pool:
                cookies = list(pool.map(lambda a: sign_in(server.ports["http"], a[0]), accounts))
            consoles = [Console(name, scope, server.ports["http"], cookie)
                        for (name, _, scope), cookie in zip(accounts, cookies)]
            selector = selectors.DefaultSelector()
            for console in consoles:
                selector.register(console.sock, selectors.EVENT_READ, console)
            deadline = time.time() + 60
            pump(selector, consoles, lambda: all(c.synchronised for c in consoles) or time.time() > deadline)
            if not all(c.synchronised for c in consoles):
                raise SystemExit("not every console got `sincronizado` within 60 s")

            log(f"fdatasync: {args.fsyncs} samples beside the database…")
            fsync = fdatasync_p99(work, args.fsyncs)

            cpu_before = thread_cpu(server.proc.pid)
            client_before = time.process_time()
            load_before = os.getloadavg()[0]
            log(f"Load: {args.rate} alerts/s for {args.seconds} s from {alerts} devices over UDP…")
            load_out = os.path.join(work, "load.json")
            with open(load_out, "w") as out:
                load = subprocess.Popen([boton, "alert", "load", "--database", db, "--transport", "udp",
                                         "--port", str(server.ports["udp"]), "--rate", str(args.rate),
                                         "--duration", str(args.seconds), "--devices", str(alerts),
                                         "--seed", str(args.seed), "--grace", "10", "--json"] + config,
                                        stdout=out, stderr=subprocess.DEVNULL)
                pump(selector, consoles, lambda: load.poll() is not None)
            report = json.loads(open(load_out).read().strip().splitlines()[-1])
            cpu_after = thread_cpu(server.proc.pid)
            client_cpu = time.process_time() - client_before
            load_after = os.getloadavg()[0]

            # Who should have seen what: every incident, by the consoles' scopes (nothing escalates this soon).
            with sqlite3.connect(db) as c:
                incidents = c.execute("SELECT id, upc_code, coalesce(substr(subcircuit_code, 1, 5), '') FROM incident"
                                      ).fetchall()
                # The writer stores each frame's receipt at its batch's time, the incident at the frame's arrival.
                batch_wait = sorted(row[0] for row in c.execute(
                    "SELECT min(r.received_at) - i.opened_at FROM incident i JOIN frame_receipt r "
                    "ON r.incident_id = i.id AND r.status = 'aceptada' GROUP BY i.id"))
            expected = {}
            for console in consoles:
                kind, code = console.scope
                expected[console.name] = {i for i, upc, district in incidents
                                          if kind == "nacional" or (kind == "upc" and upc == code)
                                          or (kind == "distrito" and district == code)}
            deadline = time.time() + 15
            pump(selector, consoles, lambda: time.time() > deadline or all(
                expected[c.name] <= c.arrivals.keys() for c in consoles))
            for console in consoles:
                console.sock.close()
            # The feed hands the alerts it showed to the ingestion writer, which marks them notificada with its next
            # batch: give it a moment after the last frame.
            owned = len({i for c in consoles if c.scope[0] == "upc" for i in expected[c.name]})
            deadline = time.time() + 10
            while True:
                with sqlite3.connect(db) as c:
                    notified = c.execute("SELECT count(*) FROM incident WHERE state = 'notificada'").fetchone()[0]
                if notified >= owned or time.time() > deadline:
                    break
                time.sleep(0.1)  # benchmark only: polling another process's database
        finally:
            server_log = server.stop()

        missing = {c.name: len(expected[c.name] - c.arrivals.keys()) for c in consoles}
        latencies = sorted(ms for c in consoles for i, ms in c.arrivals.items() if i in expected[c.name])
        by_kind = {}
        for c in consoles:
            by_kind.setdefault(c.scope[0], []).extend(ms for i, ms in c.arrivals.items() if i in expected[c.name])
        p99_fsync = percentile(fsync, 99)
        target = 3 * (p99_fsync + window_ms)
        p99 = percentile(latencies, 99)
        frames_expected = sum(len(v) for v in expected.values())

        print()
        print("Console benchmark (Scripts/bench console): datagram received → `nueva` frame received on each console")
        reads = sum(c.kernel_stamps for c in consoles)
        print("  from: recibida_ms, the listener's arrival instant stored as the incident's opened_at, truncated to the "
              "ms (figures read 0–1 ms high)")
        print(f"  to: the kernel's receive time of the console socket's read that completed the frame (SO_TIMESTAMPNS; "
              f"{reads:,} reads stamped), not when this one-thread client got round to it")
        print(f"  machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the load and {load_after:.1f} "
              f"after it (anything above ~2 is other work competing for the CPUs); store.synchronous=full; "
              f"ingest.batch_max_ms={window_ms}")
        print(f"  load: boton alert load, UDP, {args.rate:,}/s for {args.seconds} s, one device per alert: "
              f"sent {report['sent']:,}, acknowledged {report['acknowledged']:,}, lost {report['lost']}, "
              f"ack p50 {report['p50_ms']:.2f} ms p99 {report['p99_ms']:.2f} ms")
        print(f"  incidents opened: {len(incidents):,}")
        print(f"  consoles: {len(consoles)} event streams, one session each:")
        for kind, label in (("upc", "operador_upc (own UPC, the 40 busiest)"),
                            ("distrito", "supervisor_distrito (the busiest distritos)"),
                            ("nacional", "administrador (whole country)")):
            group = [c for c in consoles if c.scope[0] == kind]
            if not group:
                continue
            counts = [len(expected[c.name]) for c in group]
            print(f"    {len(group):>2} × {label:44} expected {min(counts):,}–{max(counts):,} alerts each, "
                  f"received {sum(len(expected[c.name] & c.arrivals.keys()) for c in group):,} "
                  f"of {sum(counts):,}")
        print(f"  frames: expected {frames_expected:,}, received {len(latencies):,}, missing {sum(missing.values())}"
              + ("" if not any(missing.values()) else
                 " (" + ", ".join(f"{k}: {v}" for k, v in missing.items() if v) + ")"))
        print("  latency (ms)           p50       p99     p99.9       max")
        rows = [("all consoles", latencies)] + [(k, sorted(v)) for k, v in by_kind.items()]
        for name, values in rows:
            print(f"    {name:18}{percentile(values, 50):>9.2f}{percentile(values, 99):>10.2f}"
                  f"{percentile(values, 99.9):>10.2f}{(values[-1] if values else float('nan')):>10.2f}")
        print(f"  of which arrival → the writer's batch began (queue and commit window; stored times, ms): "
              f"p50 {percentile(batch_wait, 50):.0f}, p99 {percentile(batch_wait, 99):.0f}, "
              f"max {batch_wait[-1] if batch_wait else float('nan'):.0f}")
        print(f"  fdatasync of a 4 KiB page beside the database ({len(fsync):,} samples): "
              f"p50 {percentile(fsync, 50):.2f} ms, p99 {p99_fsync:.2f} ms")
        print(f"  target: p99 ≤ 3 × (p99 fdatasync {p99_fsync:.2f} + commit window {window_ms}) = {target:.2f} ms")
        print(f"  result: p99 {p99:.2f} ms, ratio p99 / target {p99 / target:.2f} "
              f"({'met' if p99 <= target and not any(missing.values()) else 'NOT met'})")
        print(f"  marked notificada (shown to a console of their own UPC): {notified:,} of {owned:,}")
        cpu = sorted(((cpu_after[k] - cpu_before.get(k, 0), k) for k in cpu_after), reverse=True)
        print(f"  server CPU during the load: {sum(v for v, _ in cpu):.2f} s; by thread: "
              + ", ".join(f"{name} {seconds:.2f} s" for seconds, name in cpu if seconds >= 0.05)
              + f"; this client (50 streams, one thread): {client_cpu:.2f} s")
        failures = [line for line in server_log.splitlines() if "level=error" in line]
        if failures:
            print(f"  server errors logged: {len(failures)}; first: {failures[0]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
