#!/usr/bin/env python3
"""Scripts/bench dc09: SIA DC-09 events acknowledged per second beside our binary alert protocol, same run.

One release `boton serve` (durable: store.synchronous=full, the group commit) on a fresh database with the
national territory. Then, one after the other against the same server:

- DC-09 over TCP: --accounts sites (registered with `boton dc09 account add`), one connection each, each sending
   panics (SIA-DCS `Nri1/PA501`, with the timestamp, in clear, built by the independent `siadc09` package) one at a
   time, the next as soon as the ACK came, for --seconds.
- Our binary protocol over TCP (2-byte length prefix): as many phones (`boton alert frames`, signed frames),
   one connection each, one alert at a time, for --seconds.

alternated --rounds times (binary first), so that neither always runs on the smaller database.

Both clients are the same asyncio loop over pre-built messages (building them is not measured; DC-09's are built
just before each of its rounds, their timestamps must be within the receiver's 40 s window). Printed: events
acknowledged per second for each, the ratio DC-09 / binary (target ≥ 0.5), and p50/p99 from writing a message to
reading its answer. Every process it starts is stopped on exit, also on failure; everything is written under a
temporary directory.
"""
import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

PROCESSES = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Server:
    """boton serve on ephemeral ports, synchronised on its own log lines."""

    def __init__(self, boton, db, work, config):
        cmd = [boton, "serve", "--database", db,
               "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
               "--set", "ingest.tls_port=0", "--set", "http.port=0", "--set", "http.tls_port=0",
               "--set", "http.metrics_port=0", "--set", "dc09.host=127.0.0.1", "--set", "dc09.port=0",
               "--set", f"ingest.tls_certificate={work}/cert.pem", "--set", f"ingest.tls_key={work}/key.pem",
               # Many connections from one address (this machine), as behind a carrier's NAT.
               "--set", "dc09.max_connections_per_address=100000",
               "--set", "ingest.max_connections_per_address=100000",
               "--set", "ingest.queue_share_per_address=1000000"] + config
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        PROCESSES.append(self.proc)
        self.log = ""
        self.ports = {}
        while "event=ready" not in self.log:
            line = self.proc.stderr.readline()
            if not line:
                raise SystemExit("the server did not start:\n" + self.log)
            self.log += line
            m = re.search(r"transport=([\w-]+) address=\S+ port=(\d+)", line)
            if m:
                self.ports[m.group(1)] = int(m.group(2))
        # Keep reading its log so that it never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def closed_loop(port, streams, seconds, answer):
    """One connection per stream, one message in flight each; `answer(reader)` reads one answer. Returns the
    count of answers and the latencies (seconds)."""
    latencies = []
    deadline = time.monotonic() + seconds
    exhausted = []

    async def one(messages):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for message in messages:
                if time.monotonic() >= deadline:
                    return
                began = time.perf_counter()
                writer.write(message)
                ok = await answer(reader)
                if not ok:
                    raise SystemExit("an answer other than the acknowledgement: the bench measures only ACKs")
                latencies.append(time.perf_counter() - began)
            exhausted.append(1)
        finally:
            writer.close()

    began = time.monotonic()
    await asyncio.gather(*(one(m) for m in streams))
    elapsed = min(time.monotonic(), deadline) - began
    if exhausted:
        log(f"   warning: {len(exhausted)} streams ran out of pre-built messages before the end")
    return len(latencies), elapsed, latencies


async def dc09_answer(reader):
    frame = await reader.readuntil(b"\r")
    return b'"ACK"' in frame


async def binary_answer(reader):
    head = await reader.readexactly(2)
    body = await reader.readexactly(struct.unpack(">H", head)[0])
    # Kind 0x80 (acknowledgement), status 0 (aceptada) or 1 (duplicada).
    return len(body) >= 5 and body[3] == 0x80 and body[4] in (0, 1)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    # SIGTERM (and SIGINT) unwind through `finally`, which stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--boton", required=True)
    ap.add_argument("--accounts", type=int, default=64, help="DC-09 sites, and phones (one connection each)")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--rounds", type=int, default=2, help="alternated runs of each protocol")
    ap.add_argument("--per-stream", type=int, default=2500, help="messages pre-built per connection and round")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="boton-bench-dc09-")
    boton = args.boton
    db = os.path.join(work, "bench.sqlite")
    config = ["--config", os.path.join(root, "Config/boton.conf")]
    server = None
    try:
        from siadc09 import message, util, account as sacct
        from siadc09.xdata import Data

        subprocess.run([boton, "db", "migrate", "--database", db] + config, check=True, capture_output=True)
        subprocess.run([boton, "territory", "import", "--database", db] + config, check=True, capture_output=True)
        subprocess.run([boton, "tls", "generate", "--host", "bench", "--set", f"ingest.tls_certificate={work}/cert.pem",
                        "--set", f"ingest.tls_key={work}/key.pem"] + config, check=True, capture_output=True)
        log(f"Registering {args.accounts} DC-09 sites …")
        accounts = ["%X" % (0xB000 + i) for i in range(args.accounts)]
        for i, acct in enumerate(accounts):
            # Spread over Quito, Guayaquil and Cuenca.
            lat, lon = [(-0.2202, -78.5123), (-2.1894, -79.8862), (-2.9001, -79.0059)][i % 3]
            subprocess.run([boton, "dc09", "account", "add", "--database", db, "--cuenta", acct,
                            "--nombre", f"Sitio {acct}", "--direccion", "Av. de prueba", "--lat", str(lat),
                            "--lon", str(lon), "--contacto", "099 765 4321"] + config, check=True, capture_output=True)
        log(f"Provisioning {args.accounts} phones and signing their frames …")
        frames_path = os.path.join(work, "frames.bin")
        subprocess.run([boton, "alert", "frames", "--database", db, "--devices", str(args.accounts), "--count",
                        str(args.accounts * args.per_stream * args.rounds), "--out", frames_path] + config,
                       check=True, capture_output=True)
        with open(frames_path, "rb") as f:
            raw = f.read()
        by_device = {}
        for i in range(0, len(raw) - 67, 68):
            frame = raw[i:i + 68]
            by_device.setdefault(frame[8:24], []).append(struct.pack(">H", 68) + frame)
        binary_streams = list(by_device.values())

        server = Server(boton, db, work, config)

        def dc09_round(r):
            """Each site's messages of round `r` (sequences of their own), stamped now: DC-09's window is 40 s."""
            now = util.now()
            streams = []
            for acct in accounts:
                a = sacct.Account(acct=int(acct, 16), key=None, rcvr=None, pref=None)
                streams.append([message.Message(a, config={
                    "idtoken": "SIA-DCS", "seqno": (r * args.per_stream + seq - 1) % 9999 + 1,
                    "data": Data(content=f"#{acct}|Nri1/PA501".encode()), "xdata": []}).encode(timestamp=now,
                                                                                            encrypt=False)
                    for seq in range(1, args.per_stream + 1)])
            return streams

        # Alternated, binary first, --rounds times each: the database grows as they go, so neither always runs on
        # the smaller one. Each protocol's figures are over all its rounds.
        dc_count = bin_count = 0
        dc_elapsed = bin_elapsed = 0.0
        dc_lat, bin_lat = [], []
        for r in range(args.rounds):
            log(f"{r + 1}a. binary protocol over TCP: {len(binary_streams)} phones, one alert in flight each, "
                f"{args.seconds:.0f} s …")
            count, elapsed, lat = asyncio.run(closed_loop(
                server.ports["tcp"], [s[r * args.per_stream:(r + 1) * args.per_stream] for s in binary_streams],
                args.seconds, binary_answer))
            log(f"    {count / elapsed:.0f}/s")
            bin_count, bin_elapsed, bin_lat = bin_count + count, bin_elapsed + elapsed, bin_lat + lat
            log(f"{r + 1}b. DC-09 over TCP: {args.accounts} sites, one panic in flight each, {args.seconds:.0f} s …")
            streams = dc09_round(r)
            count, elapsed, lat = asyncio.run(closed_loop(server.ports["dc09-tcp"], streams, args.seconds,
                                                          dc09_answer))
            log(f"    {count / elapsed:.0f}/s")
            dc_count, dc_elapsed, dc_lat = dc_count + count, dc_elapsed + elapsed, dc_lat + lat
        server.stop()

        dc_rate = dc_count / dc_elapsed
        bin_rate = bin_count / bin_elapsed
        ratio = dc_rate / bin_rate if bin_rate else float("nan")
        print(f"DC-09 (TCP, {args.accounts} accounts, durable): {dc_rate:9.0f} events ACKed/s   "
              f"p50 {percentile(dc_lat, 50) * 1000:6.2f} ms   p99 {percentile(dc_lat, 99) * 1000:6.2f} ms   "
              f"({dc_count} in {dc_elapsed:.1f} s)")
        print(f"binary  (TCP, {len(binary_streams)} phones,   durable): {bin_rate:9.0f} alerts ACKed/s   "
              f"p50 {percentile(bin_lat, 50) * 1000:6.2f} ms   p99 {percentile(bin_lat, 99) * 1000:6.2f} ms   "
              f"({bin_count} in {bin_elapsed:.1f} s)")
        print(f"ratio DC-09 / binary: {ratio:.2f} (target ≥ 0.5) {'OK' if ratio >= 0.5 else 'BELOW TARGET'}")
    finally:
        for proc in PROCESSES:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
