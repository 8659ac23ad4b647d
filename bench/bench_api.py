"""Load benchmark of the REST API: N concurrent clients on loopback against POST /v1/analyze.

Starts ``unspin serve`` in a subprocess (the real ``Analyzer()``: the default technique model
when one is installed, otherwise model "none"), builds ~1,000-word articles from the PTC dev
articles, and runs two phases for a bounded time each:

1. load: ``--clients`` clients (default 8), each sending one request after another;
2. overload: ``--overload-clients`` clients (default 64) against the same server, to see
   whether requests beyond the admission capacity (UNSPIN_MAX_CONCURRENCY) are refused quickly
   with 503 instead of queueing.

It prints throughput, p50/p90/p99/max latency, errors, and the share and latency of 503s.
Nothing is asserted: these are figures for docs/api.md.

    .venv/bin/python bench/bench_api.py                      # 8 clients, 20 s + 10 s
    .venv/bin/python bench/bench_api.py --clients 16 --duration 30 --model none
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path("/work/shared/data/ptc-semeval2020/dev-articles")
HEALTH: list[float] = []  # GET /v1/health latencies during the last phase


def build_articles(words: int, count: int) -> list[str]:
    """``count`` articles of about ``words`` words, made of whole lines of PTC dev articles."""
    files = sorted(ARTICLES.glob("*.txt")) if ARTICLES.is_dir() else []
    lines: list[str] = []
    for f in files:
        lines.extend(x for x in f.read_text(encoding="utf-8").splitlines() if x.strip())
    if not lines:  # no data set here: the bundled sample, repeated
        lines = [x for x in (ROOT / "examples" / "sample.txt").read_text().splitlines() if x]
    out, pos = [], 0
    for _ in range(count):
        chunk: list[str] = []
        n = 0
        while n < words:
            line = lines[pos % len(lines)]
            pos += 1
            chunk.append(line)
            n += len(re.findall(r"\S+", line))
        out.append("\n".join(chunk) + "\n")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, args: argparse.Namespace, db: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        UNSPIN_MAX_CONCURRENCY=str(args.max_concurrency),
        UNSPIN_WORKERS=str(args.workers),
        UNSPIN_TIMEOUT=str(args.timeout),
    )
    env.pop("UNSPIN_API_TOKEN", None)
    cmd = [
        sys.executable,
        "-m",
        "unspin.cli.main",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--db",
        db,
    ]
    if args.model:
        cmd += ["--model", args.model]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"the server exited: {err.strip()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v1/health")
            resp = conn.getresponse()
            if resp.status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer /v1/health within 120 s")


def get_json(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    return json.loads(conn.getresponse().read())


def run_phase(
    port: int, clients: int, duration: float, bodies: list[bytes]
) -> list[tuple[float, int]]:
    """(latency seconds, status) per request; status 0 is a connection error or timeout."""
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[float, int]] = []
        n = 0
        while time.monotonic() < stop:
            body = bodies[(k * 7919 + n) % len(bodies)]
            body = body.replace(b'"id": ""', f'"id": "bench-{k}-{n}"'.encode())
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST", "/v1/analyze", body=body, headers={"Content-Type": "application/json"}
                )
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append((time.perf_counter() - t0, status))
            if status == 503:
                time.sleep(0.05)  # a polite client backs off a little
        conn.close()
        with lock:
            results.extend(mine)

    def probe() -> None:  # is the event loop free while analyses run?
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/v1/health")
                conn.getresponse().read()
                health.append(time.perf_counter() - t0)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            time.sleep(0.2)
        conn.close()

    health: list[float] = []
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    threads.append(threading.Thread(target=probe))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    HEALTH[:] = health
    return results


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def report(name: str, results: list[tuple[float, int]], duration: float, words: int) -> None:
    ok = [t for t, s in results if s == 200]
    busy = [t for t, s in results if s == 503]
    statuses = Counter(s for _, s in results)
    errors = sum(n for s, n in statuses.items() if s not in (200, 503))
    print(f"\n== {name}")
    print(f"requests        {len(results)}  ({dict(sorted(statuses.items()))})")
    print(
        f"throughput      {len(ok) / duration:.1f} analyses/s  "
        f"({len(ok) * words / duration:,.0f} words/s)"
    )
    ms = [t * 1000 for t in ok]
    print(
        f"latency (200)   p50 {pct(ms, 0.5):.0f} ms  p90 {pct(ms, 0.9):.0f} ms  "
        f"p99 {pct(ms, 0.99):.0f} ms  max {max(ms, default=float('nan')):.0f} ms"
    )
    print(f"errors          {errors} (not 200 or 503)")
    hms = [t * 1000 for t in HEALTH]
    print(
        f"GET /v1/health  p50 {pct(hms, 0.5):.1f} ms  p99 {pct(hms, 0.99):.1f} ms during the "
        "phase (the event loop stays free)"
    )
    share = len(busy) / len(results) if results else 0.0
    if busy:
        bms = [t * 1000 for t in busy]
        print(
            f"503 (overload)  {share:.1%} of requests; p50 {pct(bms, 0.5):.1f} ms  "
            f"p99 {pct(bms, 0.99):.1f} ms"
        )
    else:
        print("503 (overload)  none")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of the load phase")
    ap.add_argument("--overload-clients", type=int, default=64, help="0 skips the phase")
    ap.add_argument("--overload-duration", type=float, default=10.0)
    ap.add_argument("--words", type=int, default=1000, help="words per article")
    ap.add_argument("--model", default=None, help="default: UNSPIN_MODEL or 'default'")
    ap.add_argument("--max-concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument(
        "--threads",
        type=int,
        default=0,
        help="ONNX Runtime threads per analysis (UNSPIN_THREADS; 0: all cores)",
    )
    args = ap.parse_args()

    articles = build_articles(args.words, 24)
    bodies = [json.dumps({"text": a, "id": ""}).encode() for a in articles]
    mean_words = sum(len(a.split()) for a in articles) // len(articles)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(port, args, f"sqlite:///{tmp}/bench.db")
        try:
            health = get_json(port, "/v1/health")
            model = health["model"]
            print(
                f"server   unspin {health['version']}, model {model['name']} "
                f"{model['version']}".rstrip()
                + f", workers {args.workers}, "
                f"max concurrency {health['capacity']}, store on"
            )
            print(
                f"articles {len(articles)} x ~{mean_words} words "
                f"({sum(map(len, bodies)) // len(bodies):,} bytes of JSON each)"
            )
            print(f"machine  {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
            run_phase(port, 2, 2.0, bodies)  # warm up
            results = run_phase(port, args.clients, args.duration, bodies)
            report(
                f"load: {args.clients} clients, {args.duration:g} s",
                results,
                args.duration,
                mean_words,
            )
            if args.overload_clients:
                results = run_phase(port, args.overload_clients, args.overload_duration, bodies)
                report(
                    f"overload: {args.overload_clients} clients, {args.overload_duration:g} s",
                    results,
                    args.overload_duration,
                    mean_words,
                )
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
