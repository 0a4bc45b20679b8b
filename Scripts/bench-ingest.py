#!/usr/bin/env python3
"""Scripts/bench ingest: our ingestion path beside C baselines measured in the same run.

1. Receive rate on one core: a C recvmmsg drain loop vs our full UDP path (MAC, de-duplication, routing, SQLite
   insert, acknowledgement) with store.synchronous=off, both pinned to CPU 1, the same C sender on CPU 0.
   a) flat out; b) under the same live sender at a fixed rate.
2. Durable acknowledged alerts per second (synchronous=FULL group commit) vs the same rows inserted by C into
   SQLite WAL synchronous=FULL in batches of 100, and one transaction per alert.
3. Acknowledgement latency at 1,000 alerts per second (boton alert load, retries included).

Nothing here reads outside the repository; everything is written under a temporary directory.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# Every server a phase starts, so that a failing phase never leaves one running (see main's finally).
SERVERS = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json(cmd, **kw):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """boton serve on ephemeral ports, synchronised on its own log lines."""

    def __init__(self, boton, db, workdir, extra, cpus=None):
        cmd = [boton, "serve", "--database", db,
               "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
               "--set", "ingest.tls_port=0", "--set", "http.port=0", "--set", "http.tls_port=0",
               "--set", "http.metrics_port=0",
               "--set", f"ingest.tls_certificate={workdir}/cert.pem", "--set", f"ingest.tls_key={workdir}/key.pem",
               ] + extra
        if cpus:
            cmd = ["taskset", "-c", cpus] + cmd
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        self.log = ""
        self.ports = {}
        SERVERS.append(self)
        while "event=ready" not in self.log:
            line = self.proc.stderr.readline()
            if not line:
                raise SystemExit("server did not start:\n" + self.log)
            self.log += line
            m = re.search(r"transport=(\w+) address=\S+ port=(\d+)", line)
            if m:
                self.ports[m.group(1)] = int(m.group(2))
        # Keep reading what the server logs (escalations of a database full of open alerts write thousands of
        # lines): a pipe nobody reads would fill and stop the server, and the benchmark would measure that.
        self.tail = []
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.tail.append(line)
            if len(self.tail) > 2000:
                del self.tail[:1000]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=10)
        if self in SERVERS:
            SERVERS.remove(self)
        self.log += "".join(self.tail)
        return self.log


def blast(bin_dir, port, frames, cpus, duration=None, rate=None, once=False):
    cmd = ["taskset", "-c", cpus, f"{bin_dir}/udp_blast", f"127.0.0.1:{port}", "--frames", frames,
           "--count-replies", "--reply-wait", "1.0", "--rcvbuf", str(4 << 20)]
    if duration:
        cmd += ["--duration", str(duration)]
    if rate:
        cmd += ["--rate", str(rate)]
    if once:
        cmd += ["--once"]
    return run_json(cmd)


def free_udp_port():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def drain_with_sender(bin_dir, frames, duration, rate=None):
    port = free_udp_port()
    drain = subprocess.Popen(["taskset", "-c", "1", f"{bin_dir}/udp_drain", str(port), str(duration),
                              "--rcvbuf", str(4 << 20), "--idle", "1"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)  # benchmark only: let the drain bind before the sender starts
    cmd = ["taskset", "-c", "0", f"{bin_dir}/udp_blast", f"127.0.0.1:{port}", "--frames", frames,
           "--duration", str(duration)]
    if rate:
        cmd += ["--rate", str(rate)]
    sent = run_json(cmd)
    received = json.loads(drain.communicate(timeout=60)[0].strip().splitlines()[-1])
    return sent, received


def stored_rate(result):
    stored = result.get("aceptada", 0) + result.get("duplicada", 0)
    seconds = result.get("last_stored_reply_s", 0) or 1e-9
    return stored, stored / seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boton", required=True)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--live-rate", type=int, default=10000)
    ap.add_argument("--frames", type=int, default=600000)
    ap.add_argument("--sqlite-alerts", type=int, default=20000)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="boton-bench-ingest-")
    bin_dir = os.path.join(work, "bin")
    subprocess.run(["sh", os.path.join(root, "Scripts/bench-ingest/build.sh"), bin_dir], check=True,
                   stdout=subprocess.DEVNULL)
    boton = args.boton
    db = os.path.join(work, "bench.sqlite")
    config = ["--config", os.path.join(root, "Config/boton.conf")]
    subprocess.run([boton, "db", "migrate", "--database", db] + config, check=True, capture_output=True)
    subprocess.run([boton, "territory", "import", "--database", db] + config, check=True, capture_output=True)
    subprocess.run([boton, "tls", "generate", "--host", "bench", "--set", f"ingest.tls_certificate={work}/cert.pem",
                    "--set", f"ingest.tls_key={work}/key.pem"] + config, check=True, capture_output=True)

    def frames_file(name, count):
        path = os.path.join(work, name)
        subprocess.run([boton, "alert", "frames", "--database", db, "--devices", "10000", "--count", str(count),
                        "--out", path] + config, check=True, capture_output=True)
        return path

    results = {}
    nproc = os.cpu_count() or 1
    if nproc < 2:
        log("warning: one CPU: the sender and the receiver share it")
    fast = ["--set", "store.synchronous=off", "--set", "ingest.merge_window_s=0"]

    # 1a. Flat out, receiver on one core.
    log(f"1a. flat out for {args.seconds:.0f} s, receiver pinned to CPU 1, sender to CPU 0 …")
    frames = frames_file("flat.bin", args.frames)
    _, c_flat = drain_with_sender(bin_dir, frames, args.seconds)
    server = Server(boton, db, work, fast + config, cpus="1")
    ours_flat = blast(bin_dir, server.ports["udp"], frames, "0", duration=args.seconds)
    server.stop()
    stored, ours_rate = stored_rate(ours_flat)
    results["flat"] = (c_flat["rate"], ours_rate, ours_flat)

    # 1b. The same live sender at a fixed rate.
    log(f"1b. live sender at {args.live_rate}/s for {args.seconds:.0f} s …")
    frames = frames_file("live.bin", int(args.live_rate * args.seconds) + 1000)
    c_sent, c_live = drain_with_sender(bin_dir, frames, args.seconds, rate=args.live_rate)
    server = Server(boton, db, work, fast + config, cpus="1")
    ours_live = blast(bin_dir, server.ports["udp"], frames, "0", duration=args.seconds, rate=args.live_rate)
    server.stop()
    live_stored = ours_live.get("aceptada", 0) + ours_live.get("duplicada", 0)
    results["live"] = (c_live["received"], live_stored, c_sent["sent"], ours_live["sent"])

    # 2. Durable: group commit with synchronous=FULL vs C SQLite (same rows).
    sqlite = {}
    for key, batch, alerts, sync in (("full100", 100, args.sqlite_alerts, "full"),
                                     ("full1", 1, max(args.sqlite_alerts // 10, 500), "full"),
                                     ("off100", 100, args.sqlite_alerts, "off")):
        rates = []
        for attempt in range(4):
            copy = os.path.join(work, f"sqlite-{key}-{attempt}.sqlite")
            subprocess.run([boton, "db", "migrate", "--database", copy] + config, check=True, capture_output=True)
            r = run_json([f"{bin_dir}/sqlite_baseline", copy, "--alerts", str(alerts), "--batch", str(batch),
                          "--lines", "10000", "--merge-window-s", "0", "--synchronous", sync])
            if attempt > 0:  # the first run on a fresh file pays for growing it
                rates.append(r["rate"])
        sqlite[key] = statistics.median(rates)

    # Ours: a sender paced at the C batch-100 rate (a phone fleet backs off; a flood only measures how fast
    # we say "ocupado"), long enough for the group commit to settle.
    pace = int(sqlite["full100"])
    log(f"2. durable acknowledged alerts (synchronous=FULL), sender paced at {pace}/s …")
    frames = frames_file("durable.bin", pace * 5)
    server = Server(boton, db, work, ["--set", "ingest.merge_window_s=0"] + config)
    ours_durable = blast(bin_dir, server.ports["udp"], frames, "0", rate=pace, once=True)
    server.stop()
    _, durable_rate = stored_rate(ours_durable)
    # 3. Latency at 1,000 alerts per second, retries included.
    log("3. acknowledgement latency at 1000 alerts/s for 10 s …")
    server = Server(boton, db, work, config)
    load = json.loads(subprocess.run([boton, "alert", "load", "--database", db, "--port", str(server.ports["udp"]),
                                      "--rate", "1000", "--duration", "10", "--devices", "1000", "--grace", "10",
                                      "--json"] + config, check=True, capture_output=True, text=True).stdout)
    server.stop()

    c_rate, o_rate, flat = results["flat"]
    answered = flat.get("replies", 0) / max(flat.get("seconds", 1), 1e-9)
    c_recv, o_stored, c_sent_n, o_sent_n = results["live"]
    print()
    print("Ingestion benchmark (Scripts/bench ingest), one run, baselines beside ours")
    print(f"  machine: {nproc} CPUs; receivers pinned to CPU 1, sender to CPU 0")
    print()
    print("1a. UDP flat out, one core for the receiver (ours: store.synchronous=off)")
    print(f"    C recvmmsg drain (no answers):  {c_rate:>10,.0f} datagrams/s")
    print(f"    ours, every frame answered:     {answered:>10,.0f} frames/s received, checked and answered "
          f"(ratio {answered / c_rate:.2f}, target ≥ 0.40)")
    print(f"    ours, stored and acknowledged:  {o_rate:>10,.0f} alerts/s "
          f"(ratio {o_rate / c_rate:.2f}; the rest told ocupado-reintente: {flat.get('ocupado', 0):,})")
    print(f"    C, same rows into SQLite, synchronous=off, batches of 100: {sqlite['off100']:,.0f} alerts/s "
          f"(the storage ceiling: ours/C {o_rate / sqlite['off100']:.2f})")
    print(f"1b. the same live sender at {args.live_rate:,}/s for {args.seconds:.0f} s")
    print(f"    C drain received:            {c_recv:>12,} of {c_sent_n:,}")
    print(f"    ours stored + acknowledged:  {o_stored:>12,} of {o_sent_n:,}")
    print(f"    ratio ours / C:              {o_stored / max(c_recv, 1):>12.2f}   (target ≥ 0.90)")
    print()
    print("2. Durable acknowledged alerts per second (SQLite WAL, synchronous=FULL)")
    print(f"    ours, UDP, group commit:     {durable_rate:>12,.0f} /s, sender paced at {pace:,}/s "
          f"({ours_durable.get('aceptada', 0):,} accepted, {ours_durable.get('ocupado', 0):,} told ocupado)")
    print(f"    C, batches of 100:           {sqlite['full100']:>12,.0f} /s")
    print(f"    C, one transaction per alert:{sqlite['full1']:>12,.0f} /s")
    print(f"    ratio ours / C batch 100:    {durable_rate / sqlite['full100']:>12.2f}   (target ≥ 0.50)")
    print(f"    ratio ours / C per alert:    {durable_rate / sqlite['full1']:>12.1f}×  (target ≥ 10; "
          f"C's own batching gains {sqlite['full100'] / sqlite['full1']:.1f}× here)")
    print()
    print("3. Acknowledgement latency at 1,000 alerts/s for 10 s (durable, UDP, first send → verified answer)")
    print(f"    sent {load['sent']:,}, acknowledged {load['acknowledged']:,}, duplicates {load['duplicates']}, "
          f"lost {load['lost']}")
    print(f"    p50 {load['p50_ms']:.2f} ms   p90 {load['p90_ms']:.2f} ms   p99 {load['p99_ms']:.2f} ms   "
          f"p99.9 {load['p999_ms']:.2f} ms")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        for server in list(SERVERS):
            server.proc.kill()
            server.proc.wait()
