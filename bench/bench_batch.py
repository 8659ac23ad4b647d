"""Batch throughput and memory: articles/s and peak RSS of ``unspin batch`` runs.

    .venv/bin/python bench/bench_batch.py --articles 10000
    .venv/bin/python bench/bench_batch.py --articles 2000 --only local-sqlite --rss-steps 500,2000

The corpus is the PTC-SemEval2020 dev articles (``/work/shared/data/ptc-semeval2020/
dev-articles``) repeated to ``--articles`` records with unique ids, written as one gzip'd JSONL
file (streamed). Each configuration runs in a fresh subprocess against an empty database, so
its peak RSS (``ru_maxrss``) is its own:

* ``local-sqlite``: the local engine into SQLite;
* ``local-postgres``: the local engine into PostgreSQL (``--pg-url``, or a throwaway server
  started like the tests do);
* ``ray-1``, ``ray-2``: the Ray engine with 1 and 2 actors into SQLite.

``peak_rss_mb`` is the driver's own; ``children_peak_rss_mb`` and
``largest_child_peak_rss_mb`` sample its descendants every second (for Ray: the actors, the
raylet and GCS; for PostgreSQL the server is not a descendant and is not counted).

``--model`` is what ``Analyzer`` takes (default: the installed default model; ``none`` when no
model is installed); ``fixture`` builds the tiny random test model (real ONNX path, meaningless
weights); ``keywords`` uses the word-list stand-in (plumbing only). The model used is printed.
Nothing is asserted: this prints figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PTC_DEV = Path("/work/shared/data/ptc-semeval2020/dev-articles")
ROOT = Path(__file__).resolve().parent.parent


def make_corpus(n: int, out: Path) -> Path:
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(PTC_DEV.glob("*.txt"))]
    if not texts:
        sys.exit(f"no PTC dev articles in {PTC_DEV}")
    path = out / f"ptc-dev-x{n}.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(n):
            stem, text = texts[i % len(texts)]
            fh.write(
                json.dumps(
                    {
                        "id": f"{i:06d}-{stem}",
                        "text": text,
                        "source": f"outlet-{i % 7}",
                        "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    }
                )
                + "\n"
            )
    return path


def resolve_model(spec: str, tmp: Path) -> object:
    if spec == "none":
        return None
    if spec == "keywords":
        from unspin.batch.keywords import KeywordModel

        return KeywordModel()
    if spec == "fixture":
        target = tmp / "fixture-model"
        if not target.exists():
            from unspin.training.fixture import build_fixture_model

            build_fixture_model(target)
        return str(target)
    return spec


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


class TreeRss:
    """Samples, every second, the RSS of this process's descendants (Ray's actors, raylet
    and GCS run there): the peak of their sum and the peak of the largest one; and this
    process's own private (RssAnon) and shared-memory (RssShmem) resident sizes."""

    def __init__(self) -> None:
        import threading

        self.peak_sum_kb = self.peak_one_kb = 0
        self.own_peak_kb: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            rss = [_rss_kb(p) for p in _descendants(os.getpid())]
            self.peak_sum_kb = max(self.peak_sum_kb, sum(rss))
            self.peak_one_kb = max(self.peak_one_kb, max(rss, default=0))
            for line in Path("/proc/self/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssShmem"):
                    kb = int(value.split()[0])
                    self.own_peak_kb[key] = max(self.own_peak_kb.get(key, 0), kb)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def one(args: argparse.Namespace) -> None:
    """Child mode: one run, prints a JSON line with its figures."""
    from unspin.batch import run_batch
    from unspin.pipeline import Analyzer

    model = resolve_model(args.model, Path(args.tmp))
    tree = TreeRss()
    t0 = time.perf_counter()
    s = run_batch(
        [args.corpus],
        args.db,
        model=model,
        engine=args.engine,
        workers=args.workers,
        progress=False,
        chunk_size=args.chunk_size,
    )
    wall = time.perf_counter() - t0
    tree.stop()
    info = s.model if model is not None else Analyzer(None).info
    print(
        json.dumps(
            {
                "analysed": s.analysed,
                "already": s.already,
                "skipped": len(s.skipped),
                "failed": len(s.failed),
                "seconds": round(wall, 2),
                "articles_per_s": round(s.analysed / wall, 2) if wall else 0.0,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                # the driver's private memory and the shared memory it maps (Ray's object
                # store), peaks of the one-second samples
                "peak_rss_anon_mb": round(tree.own_peak_kb.get("RssAnon", 0) / 1024, 1),
                "peak_rss_shmem_mb": round(tree.own_peak_kb.get("RssShmem", 0) / 1024, 1),
                "children_peak_rss_mb": round(tree.peak_sum_kb / 1024, 1),
                "largest_child_peak_rss_mb": round(tree.peak_one_kb / 1024, 1),
                "model": f"{info.name} {info.version}".strip(),
            }
        )
    )


def child(
    corpus: Path, db: str, engine: str, workers: int, args: argparse.Namespace, tmp: Path
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        "--corpus",
        str(corpus),
        "--db",
        db,
        "--engine",
        engine,
        "--workers",
        str(workers),
        "--model",
        args.model,
        "--tmp",
        str(tmp),
        "--chunk-size",
        str(args.chunk_size),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--model", default="default")
    ap.add_argument(
        "--only",
        default="local-sqlite,local-postgres,ray-1,ray-2",
        help="comma-separated configurations to run",
    )
    ap.add_argument(
        "--rss-steps",
        default="",
        help="comma-separated corpus sizes for the RSS-vs-size table "
        "(local engine, SQLite); default: a quarter, half and all of --articles",
    )
    ap.add_argument("--pg-url", default=None)
    ap.add_argument("--chunk-size", type=int, default=64)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args)
        return

    tmp = Path(tempfile.mkdtemp(prefix="unspin-bench-"))
    tmp.chmod(0o755)  # the throwaway PostgreSQL runs as another user and must reach its dir
    resolve_model(args.model, tmp)  # build the fixture model once, outside the timings
    print(
        f"machine: {os.cpu_count()} CPUs; corpus: PTC dev articles repeated; tmp {tmp}", flush=True
    )
    configs = [c.strip() for c in args.only.split(",") if c.strip()]
    corpus = make_corpus(args.articles, tmp)
    pg = None
    rows = []
    try:
        for name in configs:
            db = f"sqlite:///{tmp / (name + '.db')}"
            engine, workers = "local", 1
            if name == "local-postgres":
                db = args.pg_url
                if db is None:
                    sys.path.insert(0, str(ROOT / "tests"))
                    from _pg import PgServer, _bindir

                    bindir = _bindir()
                    if bindir is None:
                        print("local-postgres: PostgreSQL not installed, skipped")
                        continue
                    (tmp / "pg").mkdir()
                    pg = PgServer(bindir, tmp / "pg")
                    pg.start()
                    db = pg.create_db()
            elif name.startswith("ray-"):
                engine, workers = "ray", int(name.split("-")[1])
            r = child(corpus, db, engine, workers, args, tmp)
            rows.append((name, r))
            print(f"{name:15s} {json.dumps(r)}", flush=True)
        steps = [int(s) for s in args.rss_steps.split(",") if s.strip()] or sorted(
            {max(1, args.articles // 4), max(1, args.articles // 2), args.articles}
        )
        print("\npeak RSS as the corpus grows (local engine, SQLite):", flush=True)
        for n in steps:
            c = make_corpus(n, tmp)
            r = child(c, f"sqlite:///{tmp / f'rss-{n}.db'}", "local", 1, args, tmp)
            print(
                f"  {n:7d} articles: {r.get('peak_rss_mb')} MB peak RSS, "
                f"{r.get('articles_per_s')} art/s",
                flush=True,
            )
    finally:
        if pg is not None:
            pg.stop()
    print(
        "\n| configuration | articles | seconds | articles/s | peak RSS (MB) "
        "| children: sum / largest (MB) | model |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        if "error" in r:
            print(f"| {name} | error: {r['error']} | | | | | |")
        else:
            print(
                f"| {name} | {r['analysed']} | {r['seconds']} | {r['articles_per_s']} | "
                f"{r['peak_rss_mb']} | {r.get('children_peak_rss_mb')} / "
                f"{r.get('largest_child_peak_rss_mb')} | {r['model']} |"
            )


if __name__ == "__main__":
    main()
