"""The Ray engine: the same batch run on Ray Data, for many cores or a cluster.

Pipeline: one read task per input file (:func:`unspin.batch.readers.read_file`, streamed) ->
an actor pool of ``workers`` :class:`AnalyzeActor` s, each building its own
:class:`~unspin.pipeline.Analyzer` (so one ONNX session per actor) and analysing token-sized
groups -> the driver, which writes each chunk to the database and/or Parquet shards through the
same :class:`~unspin.batch.engine.Collector` as the local engine (one transaction per chunk).

Resuming: the driver reads the ids already stored for this model and ships them to the actors
(``ray.put``), which skip those articles; writes are idempotent besides, so a stale list can
cost time but never duplicates.

Each actor takes ``threads`` CPUs from Ray and runs ONNX Runtime on as many threads: on a
private local instance this machine's cores divided by ``workers``; on a cluster, 1 (or
``UNSPIN_THREADS``).

Without ``ray_address`` a private local Ray instance is started (``num_cpus = workers x threads
+ 1``,
a small object store, no dashboard) and shut down at the end; with it, the run joins that
cluster (``ray://host:10001`` or ``auto``).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from unspin.batch.engine import Collector, analyze_records
from unspin.batch.readers import Fields, Record, Skip, input_files, read_file
from unspin.errors import UnspinError, require
from unspin.types import Analysis, Article

OBJECT_STORE_BYTES = 256 * 1024**2
# Ray Data's default target block size is 128 MiB: a whole JSONL file of articles fits in one
# block, so a single actor got all of it (the others idled) and the driver received results in
# a few huge blocks at the end (its memory grew with the corpus). 1 MiB blocks hold about 200
# articles or 50 analyses: work spreads over the actors and results stream back chunk by chunk.
BLOCK_BYTES = 1024**2


def _read_rows(row: dict[str, Any], fields: dict[str, Any]) -> Any:
    """Ray read step: the items of one input file as flat rows (a generator: streamed)."""
    f = Fields(**fields)
    for item in read_file(row["path"], f, row["root"] or None):
        if isinstance(item, Skip):
            yield {"kind": "skip", "location": item.location, "article": "", "reason": item.reason}
        else:
            art = item.article.to_dict()
            yield {
                "kind": "article",
                "location": item.location,
                "article": json.dumps(art, ensure_ascii=False, default=str),
                "reason": "",
            }


class AnalyzeActor:
    """One per Ray worker: owns an Analyzer (and so one ONNX session) for its lifetime."""

    def __init__(
        self, model: Any, threshold: float | None, done: Any, max_tokens: int, threads: int = 1
    ) -> None:
        import ray

        from unspin.pipeline import Analyzer

        self.done = ray.get(done) if isinstance(done, ray.ObjectRef) else done
        self.analyzer = Analyzer(model, threshold=threshold, threads=threads)
        self.max_tokens = max_tokens

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from unspin.store.schema import analysis_key

        info = self.analyzer.info
        out: dict[str, list[Any]] = {
            k: [] for k in ("kind", "location", "key", "analysis", "article", "reason")
        }

        def emit(
            kind: str,
            loc: str,
            key: str = "",
            analysis: str = "",
            article: str = "",
            reason: str = "",
        ) -> None:
            for k, v in (
                ("kind", kind),
                ("location", loc),
                ("key", key),
                ("analysis", analysis),
                ("article", article),
                ("reason", reason),
            ):
                out[k].append(v)

        todo: list[Record] = []
        for kind, loc, art_json, reason in zip(
            batch["kind"], batch["location"], batch["article"], batch["reason"], strict=True
        ):
            if kind == "skip":
                emit("skip", str(loc), reason=str(reason))
                continue
            art = Article.from_dict(json.loads(str(art_json)))
            key = analysis_key(art.id, art.hash, info.name, info.version)
            if key in self.done:
                emit("already", str(loc), key=key)
            else:
                todo.append(Record(art, str(loc)))
        analysed, failed = analyze_records(self.analyzer, todo, self.max_tokens)
        for loc, reason in failed:
            emit("fail", loc, reason=reason)
        for rec, a in analysed:
            key = analysis_key(rec.article.id, a.hash, info.name, info.version)
            emit(
                "ok",
                rec.location,
                key=key,
                analysis=a.to_json(),
                article=json.dumps(rec.article.to_dict(), ensure_ascii=False, default=str),
            )
        return out


def _threads_per_worker(workers: int, address: str | None) -> int:
    """ONNX Runtime threads (and Ray CPUs) per actor: the cores shared out on a private local
    instance; 1 on a cluster, where Ray places actors by CPU; ``UNSPIN_THREADS`` wins."""
    env = os.environ.get("UNSPIN_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if address:
        return 1
    return max(1, (os.cpu_count() or 1) // workers)


def _init_ray(workers: int, address: str | None, threads: int = 1) -> bool:
    """Start (or join) Ray; True when this call started a private local instance."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_DEDUP_LOGS", "1")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    common: dict[str, Any] = {
        "logging_level": logging.ERROR,
        "log_to_driver": False,
        "ignore_reinit_error": True,
    }
    try:
        if address:
            ray.init(address=address, **common)
            return False
        ray.init(
            num_cpus=workers * threads + 1,
            object_store_memory=OBJECT_STORE_BYTES,
            include_dashboard=False,
            **common,
        )
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise UnspinError(
            f"could not start or join {where}",
            found=str(err).splitlines()[0],
            hint="check --ray-address (e.g. ray://head:10001 or auto)",
        ) from err
    return True


def run_ray(
    inputs: Sequence[str | os.PathLike[str]],
    fields: Fields,
    model: Any,
    threshold: float | None,
    collector: Collector,
    *,
    workers: int = 1,
    chunk_size: int = 64,
    max_tokens: int = 8192,
    ray_address: str | None = None,
) -> None:
    """Run a batch on Ray Data (see the module docstring); results go to ``collector``."""
    require("ray.data", feature="the Ray engine", extra="ray")
    import ray
    import ray.data
    import ray.exceptions

    workers = max(1, int(workers))
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    threads = _threads_per_worker(workers, ray_address)
    started = _init_ray(workers, ray_address, threads)
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.enable_progress_bars, ctx.print_on_execution_start, ctx.target_max_block_size)
    try:
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        ctx.target_max_block_size = BLOCK_BYTES
        files = []
        for path, root in input_files(inputs):
            if root is None and not os.path.isfile(path):
                collector.skip(path, "no such file or directory")
            else:
                files.append({"path": path, "root": root or ""})
        if not files:
            return
        info = collector.summary.model
        done = collector.sink.all_keys(info.name, info.version)
        done_ref = ray.put(frozenset(done))
        ds: Any = ray.data.from_items(files, override_num_blocks=len(files))
        ds = ds.flat_map(_read_rows, fn_kwargs={"fields": asdict(fields)}, num_cpus=0.25)
        with warnings.catch_warnings():
            # max_restarts=0: a crashed actor fails the run (rerun resumes) rather than being
            # restarted without its constructor arguments; Ray has no named parameter for it.
            warnings.simplefilter("ignore")
            ds = ds.map_batches(
                AnalyzeActor,
                fn_constructor_kwargs={
                    "model": model,
                    "threshold": threshold,
                    "done": done_ref,
                    "max_tokens": max_tokens,
                    "threads": threads,
                },
                batch_size=chunk_size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=threads,
                max_restarts=0,
            )
        try:
            _drain(ds, collector, chunk_size)
        except ray.exceptions.RayError as err:
            raise UnspinError(
                "the Ray run failed",
                found=str(err).strip().splitlines()[-1][:300],
                hint="finished chunks are stored; rerun the same command to resume",
            ) from err
    finally:
        ctx.enable_progress_bars, ctx.print_on_execution_start, ctx.target_max_block_size = saved
        if started:
            ray.shutdown()


def _drain(ds: Any, collector: Collector, chunk_size: int) -> None:
    """Collect the pipeline's output on the driver and write it chunk by chunk."""
    for batch in ds.iter_batches(batch_size=chunk_size, batch_format="numpy"):
        results = []
        for kind, loc, key, analysis, article, reason in zip(
            batch["kind"],
            batch["location"],
            batch["key"],
            batch["analysis"],
            batch["article"],
            batch["reason"],
            strict=True,
        ):
            if kind == "skip":
                collector.skip(str(loc), str(reason))
            elif kind == "fail":
                collector.fail(str(loc), str(reason))
            elif kind == "already":
                collector.already()
            else:
                art = Article.from_dict(json.loads(str(article)))
                results.append((str(key), Analysis.from_json(str(analysis)), art, str(loc)))
        collector.write(results)
