#!/usr/bin/env python3
"""Scripts/bench http: wrk with keep-alive against our GET /salud, beside a Hummingbird 2 hello-world.

The baseline is built in a scratch directory from the machine's package mirror (hummingbird 2.28.1); it is never a
dependency of the project. Both servers run on this machine with the same wrk settings, one after the other. Ours
runs as shipped: log.level=info, so it writes its access-log line for every request (the hello-world writes none),
and its middleware (request id, security headers, metrics) and the /salud JSON are all in. Both servers' output goes
to /dev/null, never to a terminal.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HUMMINGBIRD_PACKAGE = """// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "HelloHummingbird",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1")],
    targets: [.executableTarget(name: "hello", dependencies: [.product(name: "Hummingbird", package: "hummingbird")])]
)
"""

HUMMINGBIRD_MAIN = """import Hummingbird
let port = Int(CommandLine.arguments[1])!
let router = Router()
router.get("/salud") { _, _ in "{\\"estado\\":\\"ok\\"}" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for_http(port, deadline=120):
    end = time.time() + deadline
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"GET /salud HTTP/1.1\r\nHost: x\r\n\r\n")
                if c.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)  # benchmark only: waiting for a server process to come up
    raise SystemExit(f"nothing answered on port {port}")


def wrk(port, seconds, connections, threads):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                          f"http://127.0.0.1:{port}/salud"], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        latency[pct] = float(value) * factor
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, latency, int(errors.group(1)) if errors else 0, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boton", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="boton-bench-http-")
    scratch = os.path.join(tempfile.gettempdir(), "boton-bench-hummingbird")
    os.makedirs(os.path.join(scratch, "Sources", "hello"), exist_ok=True)
    with open(os.path.join(scratch, "Package.swift"), "w") as f:
        f.write(HUMMINGBIRD_PACKAGE)
    with open(os.path.join(scratch, "Sources", "hello", "main.swift"), "w") as f:
        f.write(HUMMINGBIRD_MAIN)
    log("Building the Hummingbird 2 hello-world (release; the first build takes a few minutes)…")
    subprocess.run(["swift", "build", "-c", "release", "--package-path", scratch], check=True,
                   stdout=subprocess.DEVNULL)
    hello = os.path.join(scratch, ".build", "release", "hello")

    config = ["--config", os.path.join(root, "Config", "boton.conf")]
    db = os.path.join(work, "bench.sqlite")
    subprocess.run([args.boton, "db", "migrate", "--database", db] + config, check=True, capture_output=True)
    subprocess.run([args.boton, "territory", "import", "--database", db] + config, check=True, capture_output=True)
    tls = ["--set", f"ingest.tls_certificate={work}/cert.pem", "--set", f"ingest.tls_key={work}/key.pem"]
    subprocess.run([args.boton, "tls", "generate", "--host", "bench"] + tls + config, check=True, capture_output=True)

    results = {}
    ours_port, theirs_port = free_port(), free_port()
    servers = {
        "ours": [args.boton, "serve", "--database", db] + config + tls + [
            "--set", "ingest.host=127.0.0.1", "--set", "ingest.udp_port=0", "--set", "ingest.tcp_port=0",
            "--set", "ingest.tls_port=0", "--set", "http.host=127.0.0.1", "--set", f"http.port={ours_port}",
            "--set", "http.tls_port=0", "--set", "http.metrics_port=0", "--set", "log.level=info"],
        "hummingbird": [hello, str(theirs_port)],
    }
    ports = {"ours": ours_port, "hummingbird": theirs_port}
    for name in ("hummingbird", "ours", "hummingbird", "ours"):
        proc = subprocess.Popen(servers[name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_http(ports[name])
            wrk(ports[name], 2, args.connections, args.threads)  # warm-up
            log(f"wrk {args.seconds} s, {args.connections} connections, {args.threads} threads → {name}")
            rate, latency, errors, _ = wrk(ports[name], args.seconds, args.connections, args.threads)
            best = results.get(name)
            if best is None or rate > best[0]:
                results[name] = (rate, latency, errors)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    shutil.rmtree(work, ignore_errors=True)

    ours, theirs = results["ours"], results["hummingbird"]
    print()
    print("HTTP benchmark (Scripts/bench http): wrk keep-alive GET /salud, best of two runs each")
    print(f"  wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, both servers on this machine; "
          "ours with its access log on (to /dev/null)")
    print(f"  {'':14}{'requests/s':>14}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, (rate, latency, errors) in (("hummingbird 2", theirs), ("ours", ours)):
        print(f"  {name:14}{rate:>14,.0f}{latency.get('50', 0):>10.2f}{latency.get('90', 0):>10.2f}"
              f"{latency.get('99', 0):>10.2f}{errors:>10}")
    print(f"  ratio ours / hummingbird: {ours[0] / theirs[0]:.2f}× requests/s (target ≥ 1.0); "
          f"p99 {ours[1].get('99', 0):.2f} ms vs {theirs[1].get('99', 0):.2f} ms (target: no worse)")


if __name__ == "__main__":
    main()
