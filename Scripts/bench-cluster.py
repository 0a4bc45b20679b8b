#!/usr/bin/env python3
"""Scripts/bench cluster: several nodes on PostgreSQL with a synchronous standby (issue 14's benchmark).

Everything runs on loopback in one temporary directory: `Scripts/cluster up 0` starts a PostgreSQL primary and a
synchronous streaming standby (migrated, the bundled territory); this script starts the `boton serve` nodes itself.

1. Durable alerts per second into PostgreSQL: our pipeline (one node, UDP, group commit, acknowledged after COMMIT;
   its credential cache warmed by a first frame of each of the 10,000 devices; then a C sender paced at the
   baseline's rate, as `Scripts/bench ingest` does, then flat out at three times that rate to show the ceiling)
   beside `pg_baseline`, a C libpq program that runs the same rows, same SQL, in transactions of 100 against the
   same server in the same run. The ratio is the paced run's. Once with the standby asynchronous (`synchronous_standby_names = ''`), once synchronous (`'*'`: COMMIT waits for the standby).
   Target: ratio ≥ 0.8 in both.
2. Node failover, --kills rounds (default 20): node B runs throughout; each round starts node A, runs
   `boton alert load --server A --server B` over UDP, SIGKILLs A once answers flow, and times SIGKILL → the next
   acknowledgement read by the client (the first one read more than 5 ms after A was reaped: earlier ones are A's
   answers already in flight). Target: p99 ≤ 2 s. Every acknowledged alert must be stored (checked).
3. Console latency across nodes: `boton alert load` at --console-rate alerts/s to node A, every alert a new incident,
   administrador consoles streaming from node B (`?simulacion=1`: the load's alerts are simulacros); latency = the
   client's receive time of each `nueva` frame − the alert's recibida_ms (the instant A's listener received it; same
   machine clock). Target: p99 ≤ 3 × (commit p99 + ingest.batch_max_ms), the commit p99 being pg_baseline's COMMIT
   round trip with the synchronous standby, measured in this run.
4. Database failover: nodes A and B under load; SIGKILL of the primary's postmaster, then `pg_ctl promote` of the
   standby at once; times kill → first acknowledgement, promotion → first acknowledgement; lost alerts (must be 0).

Every process this starts (nodes, load generators, PostgreSQL) is stopped in `finally`, also on failure.
"""
import argparse
import importlib.util
import json
import os
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_module(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "Scripts", file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ingest = load_module("bench_ingest", "bench-ingest.py")    # udp_blast, stored_rate
console = load_module("bench_console", "bench-console.py")  # Console (SO_TIMESTAMPNS reader), pump, sign_in

NODES = []      # every node started, stopped in main's finally
PROCESSES = []  # every other child (load generators), killed in main's finally


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


class Node:
    """One `boton serve` on PostgreSQL, ports 0, its log in a file of its own."""

    def __init__(self, boton, name, work, settings, extra=()):
        self.name = name
        self.log_path = os.path.join(work, f"{name}.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [boton, "serve"] + settings + [
                "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
                "--set", "ingest.tls_port=0", "--set", "http.host=127.0.0.1", "--set", "http.port=0",
                "--set", "http.tls_port=0", "--set", "http.metrics_port=0", "--set", "dc09.host=127.0.0.1",
                "--set", "dc09.port=0", "--set", "http.redirect_to_https=false",
                "--set", "http.login_rate_burst=1000", "--set", "http.login_rate_per_minute=100000",
                "--set", f"store.path={work}/{name}.sqlite",
            ] + list(extra), stdout=subprocess.DEVNULL, stderr=self.log_file, stdin=subprocess.DEVNULL)
        NODES.append(self)
        deadline = time.time() + 90
        while True:
            text = open(self.log_path).read()
            if "event=ready" in text:
                break
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"node {name} did not start:\n{text[-3000:]}")
            time.sleep(0.05)  # benchmark only: waiting for a server process to come up
        self.ports = {k: int(v) for k, v in re.findall(r"event=listening transport=([\w-]+) address=\S+ port=(\d+)",
                                                      text)}

    def kill(self):
        """SIGKILL, reaped; returns the monotonic time at which the process was gone."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        gone = time.monotonic()
        self.close()
        return gone

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.close()

    def close(self):
        if self in NODES:
            NODES.remove(self)
        self.log_file.close()


class Load:
    """`boton alert load … --acknowledged -` whose answered alerts are read (and stamped) as they arrive."""

    def __init__(self, boton, settings, servers, rate, duration, devices, seed, grace=30):
        cmd = [boton, "alert", "load", "--rate", str(rate), "--duration", str(duration), "--devices", str(devices),
               "--seed", str(seed), "--grace", str(grace), "--acknowledged", "-", "--json"] + settings
        for host_port in servers:
            cmd += ["--server", host_port]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        PROCESSES.append(self.proc)
        self.acks = []  # (monotonic arrival, device, sequence, status, incident)
        self.report = None
        self.error = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.errors = threading.Thread(target=self._read_errors, daemon=True)
        self.errors.start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) >= 4:
                self.acks.append((time.monotonic(), parts[0], parts[1], parts[2], parts[3]))

    def _read_errors(self):
        for line in self.proc.stderr:
            self.error += line

    def wait(self, timeout=300):
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        self.errors.join(timeout=10)
        PROCESSES.remove(self.proc)
        for line in reversed(self.error.strip().splitlines()):
            if line.startswith("{"):
                self.report = json.loads(line)
                break
        return self.report

    def first_ack_after(self, instant):
        for arrival, *_ in self.acks:
            if arrival > instant:
                return arrival
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boton", required=True)
    ap.add_argument("--baseline-alerts", type=int, default=10000, help="alerts per pg_baseline run")
    ap.add_argument("--kills", type=int, default=20, help="node failover rounds (≥ 20 for a p99)")
    ap.add_argument("--console-rate", type=int, default=1000)
    ap.add_argument("--console-seconds", type=int, default=5)
    ap.add_argument("--consoles", type=int, default=5)
    ap.add_argument("--phases", default="throughput,node-failover,console,db-failover")
    args = ap.parse_args()
    phases = set(args.phases.split(","))
    boton = args.boton
    work = tempfile.mkdtemp(prefix="boton-bench-cluster-")
    state = os.path.join(work, "cluster")
    env = dict(os.environ, BOTON_CLUSTER_STATE=state, BOTON=boton)
    cluster = os.path.join(ROOT, "Scripts", "cluster")
    results = {}
    try:
        bin_dir = os.path.join(work, "bin")
        subprocess.run(["sh", os.path.join(ROOT, "Scripts/bench-ingest/build.sh"), bin_dir], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-I/usr/include/postgresql", "-o",
                        f"{bin_dir}/pg_baseline", os.path.join(ROOT, "Scripts/bench-cluster/pg_baseline.c"), "-lpq"],
                       check=True)
        log("Starting PostgreSQL: primary + synchronous standby (Scripts/cluster up 0)…")
        subprocess.run([cluster, "up", "0"], env=env, check=True, stdout=subprocess.DEVNULL)
        conninfo = open(os.path.join(state, "conninfo")).read().strip()
        settings = ["--set", "store.backend=postgresql", "--set", f"store.postgresql={conninfo}",
                    "--set", f"ingest.tls_certificate={state}/tls-cert.pem",
                    "--set", f"ingest.tls_key={state}/tls-key.pem"]
        window_ms = 2
        for line in open(os.path.join(ROOT, "Config", "boton.conf")):
            m = re.match(r"\s*batch_max_ms\s*=\s*(\d+)", line)
            if m:
                window_ms = int(m.group(1))

        def database(name, territory=True):
            """A fresh database of its own on the same cluster (each phase starts from an empty one: open alerts
            of an earlier phase would fill the consoles' snapshots and the escalator). Returns its (conninfo,
            settings)."""
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
            info = re.sub(r"dbname=\S+", f"dbname={name}", conninfo)
            own = settings[:3] + [f"store.postgresql={info}"] + settings[4:]
            subprocess.run([boton, "db", "migrate"] + own, check=True, capture_output=True)
            if territory:
                subprocess.run([boton, "territory", "import"] + own, check=True, capture_output=True)
            return info, own

        def psql(*sql, info=None):
            cmd = ["psql", "-X", "-qAt", info or conninfo]
            for statement in sql:
                cmd += ["-c", statement]
            return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()

        def synchronous(on):
            psql(f"ALTER SYSTEM SET synchronous_standby_names = '{'*' if on else ''}'", "SELECT pg_reload_conf()")
            want = "sync" if on else "async"
            deadline = time.time() + 30
            while psql("SELECT coalesce(string_agg(sync_state, ','), '') FROM pg_stat_replication") != want:
                if time.time() > deadline:
                    raise SystemExit(f"the standby did not become {want}")
                time.sleep(0.1)  # benchmark only: waiting for PostgreSQL to apply a reload

        def baseline():
            info, _ = database("boton_baseline", territory=False)
            rates, commits = [], []
            for attempt in range(3):
                out = subprocess.run([f"{bin_dir}/pg_baseline", info, "--alerts", str(args.baseline_alerts),
                                      "--batch", "100"], check=True, capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                if attempt > 0:  # the first run creates the fixtures and warms the caches
                    rates.append(r["rate"])
                    commits.append(r["commit_p99_ms"])
            return statistics.median(rates), max(commits)

        # 1. Throughput beside the C baseline, asynchronous then synchronous standby.
        if "throughput" in phases:
            for mode in ("async", "sync"):
                synchronous(mode == "sync")
                log(f"1. durable alerts/s, standby {mode}: C baseline (3 × {args.baseline_alerts:,} alerts)…")
                c_rate, commit_p99 = baseline()
                pace = max(int(c_rate), 100)

                def measure(rate, seed, label):
                    """Our node on a database of its own, its cache warmed, then a C sender at `rate` for 5 s."""
                    _, phase = database("boton_throughput")
                    frames = os.path.join(work, f"frames-{mode}-{label}.bin")
                    # 10,000 devices: their first frames warm the node's credential cache (C's program starts with
                    # its devices known, as a running writer has them), the rest are measured.
                    subprocess.run([boton, "alert", "frames", "--devices", "10000", "--count", str(10000 + rate * 5),
                                    "--seed", str(seed), "--out", frames] + phase, check=True, capture_output=True)
                    data = open(frames, "rb").read()
                    size = len(data) // (10000 + rate * 5)
                    warm = frames + ".warm"
                    open(warm, "wb").write(data[:10000 * size])
                    open(frames, "wb").write(data[10000 * size:])
                    # One sender address stands for a fleet of phones: the per-address budgets against hostile
                    # senders (credential lookups, queue share) would measure that address, not the pipeline.
                    node = Node(boton, f"throughput-{mode}-{label}", work, phase, [
                        "--set", "ingest.merge_window_s=0", "--set", "ingest.lookups_per_second=100000",
                        "--set", "ingest.lookups_per_address_per_second=100000",
                        "--set", "ingest.queue_share_per_address=8192"])
                    try:
                        ingest.blast(bin_dir, node.ports["udp"], warm, "0", rate=2000, once=True)
                        return ingest.blast(bin_dir, node.ports["udp"], frames, "0", rate=rate, once=True)
                    finally:
                        node.stop()

                log(f"   ours: one node, UDP, sender paced at {pace:,}/s for 5 s…")
                ours = measure(pace, 11 if mode == "async" else 12, "paced")
                stored, rate = ingest.stored_rate(ours)
                # The ceiling: a sender at three times C's rate (what is not taken is told ocupado, never lost).
                log(f"   ours flat out: sender at {3 * pace:,}/s for 5 s…")
                flat = measure(3 * pace, 13 if mode == "async" else 14, "flat")
                flat_stored, flat_rate = ingest.stored_rate(flat)
                results[f"throughput-{mode}"] = dict(c=c_rate, ours=rate, stored=stored, pace=pace,
                                                     ocupado=ours.get("ocupado", 0), commit_p99=commit_p99,
                                                     flat=flat_rate, flat_stored=flat_stored,
                                                     flat_ocupado=flat.get("ocupado", 0))
        synchronous(True)
        if "console" in phases and "throughput-sync" not in results:
            results["throughput-sync"] = dict(commit_p99=baseline()[1])

        # 2. Node failover: SIGKILL node A under load; the client moves to node B.
        if "node-failover" in phases:
            failover_info, failover = database("boton_failover")
            b = Node(boton, "failover-b", work, failover)
            gaps, lost, acknowledged, acked = [], 0, 0, []
            try:
                for round_ in range(args.kills):
                    a = Node(boton, f"failover-a{round_}", work, failover)
                    load = Load(boton, failover, [f"127.0.0.1:{a.ports['udp']}", f"127.0.0.1:{b.ports['udp']}"],
                                rate=200, duration=4, devices=50, seed=1000 + round_, grace=20)
                    deadline = time.time() + 60
                    while len(load.acks) < 100:  # answers flow through A
                        if load.proc.poll() is not None or time.time() > deadline:
                            raise SystemExit(f"round {round_}: the load got no answers from node A: {load.error}")
                        time.sleep(0.01)  # benchmark only: waiting for the load to be under way
                    gone = a.kill()
                    report = load.wait()
                    first = load.first_ack_after(gone + 0.005)
                    if first is None:
                        raise SystemExit(f"round {round_}: no acknowledgement after node A died: {load.error[-2000:]}")
                    gaps.append((first - gone) * 1000)
                    lost += report["lost"]
                    acked.append(load.acks)
                    log(f"   round {round_ + 1}/{args.kills}: next acknowledgement {gaps[-1]:.0f} ms after the "
                        f"SIGKILL; lost {report['lost']}")
                # Every acknowledged alert stored, with the incident its answer named.
                answered = {(device, sequence, incident) for load_acks in acked for _, device, sequence, _, incident
                            in load_acks}
                values = ",".join(f"('{d}',{s},{i})" for d, s, i in answered)
                stored = int(subprocess.run(
                    ["psql", "-X", "-qAt", failover_info], check=True, capture_output=True, text=True,
                    input=f"SELECT count(*) FROM frame_receipt r JOIN (VALUES {values}) AS a(device, seq, incident) "
                          "ON r.sender_id = decode(a.device, 'hex') AND r.sequence = a.seq "
                          "AND r.incident_id = a.incident;\n").stdout.strip())
                acknowledged = len(answered)
            finally:
                b.stop()
            results["node-failover"] = dict(gaps=gaps, lost=lost, acknowledged=acknowledged, stored=stored)

        # 3. Console latency across nodes.
        if "console" in phases:
            console_info, phase = database("boton_console")
            # The consoles at B, and one at A beside them: the same alerts seen on the node that ingested them
            # tells the cross-node share of the latency from the ingestion's own.
            names = [f"adm{i:02d}" for i in range(args.consoles + 1)]
            log(f"3. console across nodes: {len(names)} administrador consoles at node B, load at node A…")

            def add(name):
                subprocess.run([boton, "operator", "add", "--usuario", name, "--nombre", f"Banco {name}", "--rol",
                                "administrador", "--password-stdin"] + phase, input=console.PASSWORD + "\n",
                               check=True, capture_output=True, text=True)
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(add, names))
            a = Node(boton, "console-a", work, phase)
            b = Node(boton, "console-b", work, phase)
            try:
                at = [b] * args.consoles + [a]
                cookies = [console.sign_in(node.ports["http"], name) for name, node in zip(names, at)]
                streams = [console.Console(name, ("nacional", ""), node.ports["http"], cookie)
                           for name, cookie, node in zip(names, cookies, at)]
                selector = selectors.DefaultSelector()
                for stream in streams:
                    selector.register(stream.sock, selectors.EVENT_READ, stream)
                deadline = time.time() + 60
                console.pump(selector, streams, lambda: all(s.synchronised for s in streams) or time.time() > deadline)
                alerts = args.console_rate * args.console_seconds
                before = int(psql("SELECT coalesce(max(id), 0) FROM incident", info=console_info))
                load = subprocess.Popen([boton, "alert", "load", "--port", str(a.ports["udp"]), "--rate",
                                         str(args.console_rate), "--duration", str(args.console_seconds),
                                         "--devices", str(alerts), "--seed", "77", "--grace", "10", "--json"]
                                        + phase, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                PROCESSES.append(load)
                console.pump(selector, streams, lambda: load.poll() is not None)
                report = json.loads(load.stdout.read().strip().splitlines()[-1])
                PROCESSES.remove(load)
                expected = set(int(x) for x in psql(f"SELECT id FROM incident WHERE id > {before}",
                                                    info=console_info).split())
                deadline = time.time() + 15
                console.pump(selector, streams, lambda: time.time() > deadline
                             or all(expected <= s.arrivals.keys() for s in streams))
                latencies = [ms for s in streams[:-1] for i, ms in s.arrivals.items() if i in expected]
                local = [ms for i, ms in streams[-1].arrivals.items() if i in expected]
                missing = sum(len(expected - s.arrivals.keys()) for s in streams)
                if missing:
                    log("   missing per console: " + ", ".join(f"{s.name} {len(expected - s.arrivals.keys())} "
                                                              f"(synchronised {s.synchronised}, frames {s.frames})"
                                                              for s in streams))
                for s in streams:
                    s.sock.close()
            finally:
                a.stop()
                b.stop()
            results["console"] = dict(latencies=latencies, local=local, missing=missing, report=report,
                                      incidents=len(expected))

        # 4. Database failover: the primary dies, the standby is promoted.
        if "db-failover" in phases:
            log("4. database failover: SIGKILL of the primary under load, then the standby promoted…")
            a = Node(boton, "db-a", work, settings)
            b = Node(boton, "db-b", work, settings)
            try:
                load = Load(boton, settings, [f"127.0.0.1:{a.ports['udp']}", f"127.0.0.1:{b.ports['udp']}"],
                            rate=200, duration=15, devices=100, seed=4242, grace=60)
                deadline = time.time() + 60
                while len(load.acks) < 300:
                    if load.proc.poll() is not None or time.time() > deadline:
                        raise SystemExit(f"the load got no answers: {load.error}")
                    time.sleep(0.01)  # benchmark only: waiting for the load to be under way
                subprocess.run([cluster, "kill-primary"], env=env, check=True, capture_output=True)
                killed = time.monotonic()
                subprocess.run([cluster, "promote"], env=env, check=True, capture_output=True)
                promoted = time.monotonic()
                report = load.wait(timeout=600)
                first = load.first_ack_after(killed + 0.005)
                new_primary = json.loads(psql(
                    "SELECT json_build_object('recovery', pg_is_in_recovery(), 'aceptadas', "
                    "(SELECT count(*) FROM frame_receipt WHERE status = 'aceptada'))"))
            finally:
                a.stop()
                b.stop()
            results["db-failover"] = dict(kill_to_ack=(first - killed) * 1000 if first else None,
                                          promote_to_ack=(first - promoted) * 1000 if first else None,
                                          promote_ms=(promoted - killed) * 1000, report=report,
                                          new_primary=new_primary)
    except BaseException:
        # What the nodes said, before their logs go with the temporary directory.
        for name in sorted(os.listdir(work)) if os.path.isdir(work) else []:
            if name.endswith(".log"):
                lines = open(os.path.join(work, name), errors="replace").read().splitlines()
                warnings = [line for line in lines if "level=warning" in line or "level=error" in line
                            or "console" in line or "stream" in line]
                log(f"--- {name}: last warnings/errors ---\n" + "\n".join(warnings[-15:]))
        raise
    finally:
        for node in list(NODES):
            node.proc.kill()
            node.proc.wait()
            node.close()
        for proc in list(PROCESSES):
            proc.kill()
            proc.wait()
        subprocess.run([cluster, "down"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("Cluster benchmark (Scripts/bench cluster): nodes on PostgreSQL 15 with a streaming standby, loopback")
    print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (anything above ~2 is "
          f"other work competing for the CPUs)")
    for mode, label in (("async", "standby asynchronous"), ("sync", "standby synchronous (COMMIT on two hosts)")):
        r = results.get(f"throughput-{mode}")
        if not r or "ours" not in r:
            continue
        print(f"1. durable alerts/s, {label}")
        print(f"    C libpq, same rows, transactions of 100:  {r['c']:>9,.0f} /s (COMMIT p99 {r['commit_p99']:.2f} ms)")
        print(f"    ours, one node, UDP, group commit:        {r['ours']:>9,.0f} /s ({r['stored']:,} stored and "
              f"acknowledged, {r['ocupado']:,} told ocupado; sender paced at {r['pace']:,}/s)")
        print(f"    ratio ours / C:                           {r['ours'] / r['c']:>9.2f}   (target ≥ 0.80)")
        label = f"ours flat out, sender at {3 * r['pace']:,}/s:"
        print(f"    {label:<42}{r['flat']:>9,.0f} /s ({r['flat_stored']:,} stored and acknowledged, "
              f"{r['flat_ocupado']:,} told ocupado, the rest unanswered): {r['flat'] / r['c']:.2f} × C")
    r = results.get("node-failover")
    if r:
        print(f"2. node failover: SIGKILL of node A under load (200 alerts/s over UDP, client knows A and B), "
              f"{len(r['gaps'])} kills")
        print(f"    SIGKILL → next acknowledgement through B: p50 {percentile(r['gaps'], 50):.0f} ms, "
              f"p99 {percentile(r['gaps'], 99):.0f} ms, max {max(r['gaps']):.0f} ms   (target p99 ≤ 2,000 ms)")
        print(f"    acknowledged {r['acknowledged']:,} alerts, lost {r['lost']}; stored with the incident their answer "
              f"named: {r['stored']:,} ({'all' if r['stored'] == r['acknowledged'] else 'NOT all'})")
    r = results.get("console")
    if r:
        commit = results.get("throughput-sync", {}).get("commit_p99", float("nan"))
        target = 3 * (commit + window_ms)
        p99 = percentile(r["latencies"], 99)
        rep = r["report"]
        print(f"3. console across nodes: load at node A {args.console_rate:,}/s for {args.console_seconds} s "
              f"(sent {rep['sent']:,}, acknowledged {rep['acknowledged']:,}, lost {rep['lost']}), "
              f"{args.consoles} administrador consoles streaming from node B")
        print(f"    datagram at A → `nueva` frame at B (ms): p50 {percentile(r['latencies'], 50):.1f}, p99 {p99:.1f}, "
              f"max {max(r['latencies']) if r['latencies'] else float('nan'):.1f}; frames {len(r['latencies']):,}, "
              f"missing {r['missing']}")
        print(f"    the same alerts on one console at node A itself: p50 {percentile(r['local'], 50):.1f}, "
              f"p99 {percentile(r['local'], 99):.1f} ms")
        print(f"    target: p99 ≤ 3 × (COMMIT p99 {commit:.2f} ms with the synchronous standby + commit window "
              f"{window_ms} ms) = {target:.1f} ms → {'met' if p99 <= target and not r['missing'] else 'NOT met'}")
    r = results.get("db-failover")
    if r:
        rep = r["report"] or {}
        fmt = lambda v: "none" if v is None else f"{v:,.0f} ms"
        print("4. database failover: SIGKILL of the primary under load (200 alerts/s, two nodes), standby promoted")
        print(f"    kill → promoted: {r['promote_ms']:,.0f} ms; kill → first acknowledgement: "
              f"{fmt(r['kill_to_ack'])}; promotion → first acknowledgement: {fmt(r['promote_to_ack'])}"
              + (" (before `pg_ctl promote -w` returned: the nodes wrote to the new primary as soon as it took "
                 "writes)" if (r['promote_to_ack'] or 0) < 0 else ""))
        print(f"    acknowledged {rep.get('acknowledged', 0):,}, lost {rep.get('lost', '?')}; new primary: "
              f"in recovery {r['new_primary']['recovery']}, accepted receipts {r['new_primary']['aceptadas']:,}")


if __name__ == "__main__":
    main()
