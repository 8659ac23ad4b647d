"""Catalogues of known (debunked) claims: import, storage and similarity search.

A catalogue is a directory, by default ``<data dir>/catalogs/<name>/`` where the data dir is
``$UNSPIN_DATA_DIR``, else ``$XDG_DATA_HOME/unspin``, else ``~/.local/share/unspin``::

    catalog.json     format, name, revision, encoder id, provenance of every import, counts
    entries.jsonl    one known claim per line: id, claim, debunk, url, date, tags, ...
    embeddings.npy   float16 (n, dim) sentence embeddings of the claims, row i = line i

Nothing is pickled. Imports are idempotent: entries are keyed by id, an unchanged entry keeps
its embedding, and importing the same file twice changes nothing but the provenance log. A
catalogue records the encoder that embedded it and is refused by any other encoder
(:class:`CatalogError` says to rebuild).

>>> import tempfile, os
>>> os.environ["UNSPIN_DATA_DIR"] = tempfile.mkdtemp()
>>> rows = [CatalogEntry(id="1", claim="NATO is preparing to attack Russia")]
>>> cat = build_catalog("demo", rows, source={"kind": "python"})
>>> [(e.id, round(s, 2)) for e, s in cat.search(["NATO plans an attack on Russia"], k=1)[0]]
[('1', 0.89)]
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from unspin._blas import one_blas_thread
from unspin.errors import FormatError, InputError, UnspinError
from unspin.narratives.encoder import Encoder, load_encoder

FORMAT = "unspin.catalog/1"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CatalogError(UnspinError):
    """A catalogue that is missing, damaged or built with another encoder."""

    code = "bad_catalog"


def data_dir() -> Path:
    """Where unspin keeps user data (``$UNSPIN_DATA_DIR`` overrides)."""
    if os.environ.get("UNSPIN_DATA_DIR"):
        return Path(os.environ["UNSPIN_DATA_DIR"])
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "unspin"


def catalogs_dir() -> Path:
    return data_dir() / "catalogs"


@dataclass(frozen=True)
class CatalogEntry:
    """One known claim. ``claim`` is what gets embedded and matched."""

    id: str
    claim: str
    debunk: str | None = None
    url: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    countries: tuple[str, ...] = ()
    source_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tags"] = list(self.tags)
        d["countries"] = list(self.countries)
        return {k: v for k, v in d.items() if v not in (None, [], "")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CatalogEntry:
        return cls(
            id=str(d["id"]),
            claim=str(d["claim"]),
            debunk=d.get("debunk"),
            url=d.get("url"),
            date=d.get("date"),
            tags=tuple(d.get("tags", ())),
            summary=d.get("summary"),
            countries=tuple(d.get("countries", ())),
            source_url=d.get("source_url"),
        )


@dataclass
class Skipped:
    """A source row that was not imported: ``file:line`` and why."""

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass
class ImportReport:
    catalog: str
    path: Path
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    total: int = 0
    seconds: float = 0.0
    embedded: int = 0


# --------------------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _clean(s: str | None) -> str | None:
    if s is None:
        return None
    s = re.sub(r"\s+", " ", s).strip()
    return s or None


def _iso_date(value: str, formats: Sequence[str]) -> str | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _split(value: str | None, sep: str) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(x.strip() for x in value.split(sep) if x.strip())


def norm_title(t: str) -> str:
    """Loose key for joining titles across dumps (case, quotes, punctuation ignored)."""
    return re.sub(r"[^\w]+", " ", t.lower().replace("\u2019", "'")).strip()


def _csv_rows(path: Path, **kw: Any) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number, row) for each CSV record, multi-line fields included."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, **kw)
        start = reader.line_num + 2  # header consumed lazily: first record starts at line 2
        try:
            for row in reader:
                yield start, row
                start = reader.line_num + 1
        except csv.Error as err:
            raise FormatError(f"broken CSV: {err}", location=f"{path}:{reader.line_num}") from err


# --------------------------------------------------------------------------- readers


def read_jsonl(path: str | os.PathLike[str]) -> tuple[list[CatalogEntry], list[Skipped]]:
    """Read a user's claim list: one JSON object per line with ``id`` and ``claim`` (required)
    and ``debunk``, ``url``, ``date`` (YYYY-MM-DD), ``tags`` (list or comma-separated string)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {p}", expected="a JSONL file of claims")
    entries: list[CatalogEntry] = []
    skipped: list[Skipped] = []
    seen: dict[str, int] = {}
    with open(p, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            loc = f"{p}:{n}"
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as err:
                skipped.append(Skipped(loc, f"not valid JSON ({err.msg})"))
                continue
            if not isinstance(d, dict):
                skipped.append(Skipped(loc, f"expected a JSON object, found {type(d).__name__}"))
                continue
            rid = d.get("id")
            if isinstance(rid, bool) or not isinstance(rid, (str, int)) or str(rid).strip() == "":
                skipped.append(Skipped(loc, "missing or empty 'id' (a string or integer)"))
                continue
            rid = str(rid).strip()
            claim = d.get("claim")
            if not isinstance(claim, str) or not _clean(claim):
                skipped.append(Skipped(loc, "missing or empty 'claim' (a string)"))
                continue
            problem = None
            for key in ("debunk", "url", "date"):
                if d.get(key) is not None and not isinstance(d[key], str):
                    problem = f"'{key}' must be a string, found {type(d[key]).__name__}"
            date = d.get("date")
            if problem is None and date:
                iso = _iso_date(date, ["%Y-%m-%d"])
                if iso is None:
                    problem = f"'date' must be YYYY-MM-DD, found {date!r}"
                date = iso
            url = d.get("url")
            if problem is None and url and not re.match(r"^https?://", url):
                problem = f"'url' must start with http:// or https://, found {url[:40]!r}"
            tags = d.get("tags") or []
            if isinstance(tags, str):
                tags = _split(tags, ",")
            elif not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
                problem = problem or "'tags' must be a list of strings"
            if problem:
                skipped.append(Skipped(loc, problem))
                continue
            if rid in seen:
                skipped.append(Skipped(loc, f"duplicate id {rid!r} (first at line {seen[rid]})"))
                continue
            seen[rid] = n
            entries.append(
                CatalogEntry(
                    id=rid,
                    claim=_clean(claim) or "",
                    debunk=_clean(d.get("debunk")),
                    url=url or None,
                    date=date or None,
                    tags=tuple(t.strip() for t in tags if t.strip()),
                )
            )
    return entries, skipped


_CKNABS = {"date", "id", "title", "countries", "keywords"}
_KALKUN = {"date", "title", "summary", "disproof", "keywords", "source"}


def _read_cknabs(path: Path, skipped: list[Skipped]) -> list[CatalogEntry]:
    out: list[CatalogEntry] = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path):
        loc = f"{path}:{line}"
        if None in row or any(v is None for v in row.values()):
            skipped.append(
                Skipped(loc, f"expected {len(_CKNABS) + 2} columns, found a different number")
            )
            continue
        url, title = (row.get("id") or "").strip(), _clean(row.get("title"))
        if not re.match(r"^https?://", url):
            skipped.append(Skipped(loc, f"'id' is not a case URL: {url[:40]!r}"))
            continue
        if not title:
            skipped.append(Skipped(loc, "empty 'title'"))
            continue
        date = _iso_date(row.get("date") or "", ["%Y-%m-%d"])
        if date is None:
            skipped.append(Skipped(loc, f"'date' is not YYYY-MM-DD: {row.get('date')!r}"))
            continue
        if url in seen:
            skipped.append(Skipped(loc, f"duplicate case {url} (first at line {seen[url]})"))
            continue
        seen[url] = line
        out.append(
            CatalogEntry(
                id=url,
                claim=title,
                url=url,
                date=date,
                tags=_split(row.get("keywords"), "+"),
                countries=_split(row.get("countries"), "+"),
            )
        )
    return out


def _read_kalkun(path: Path, skipped: list[Skipped]) -> list[CatalogEntry]:
    out: list[CatalogEntry] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _csv_rows(path):
        loc = f"{path}:{line}"
        if None in row or any(v is None for v in row.values()):
            skipped.append(Skipped(loc, "wrong number of columns"))
            continue
        title = _clean(row.get("title"))
        if not title:
            skipped.append(Skipped(loc, "empty 'title'"))
            continue
        date = _iso_date(row.get("date") or "", ["%m/%d/%y", "%d.%m.%Y", "%Y-%m-%d"])
        if date is None:
            skipped.append(Skipped(loc, f"'date' is not MM/DD/YY: {row.get('date')!r}"))
            continue
        outlet = (row.get("outlet") or "").strip()
        key = (norm_title(title), date, outlet.lower())
        if key in seen:
            skipped.append(
                Skipped(loc, f"duplicate of line {seen[key]} (same title, date and outlet)")
            )
            continue
        seen[key] = line
        source = (row.get("source") or "").strip()
        rid = "kalkun-" + hashlib.sha1("\x1f".join(key).encode()).hexdigest()[:12]
        out.append(
            CatalogEntry(
                id=rid,
                claim=title,
                summary=_clean(row.get("summary")),
                debunk=_clean(row.get("disproof")),
                date=date,
                tags=_split(row.get("keywords"), ","),
                countries=_split(row.get("origin"), ","),
                source_url=source if re.match(r"^https?://", source) else None,
            )
        )
    return out


def _sniff(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    cols = {c.strip().lower() for c in header}
    if cols >= _CKNABS:
        return "cknabs"
    if cols >= _KALKUN:
        return "kalkun"
    raise FormatError(
        "not an EUvsDisinfo dump",
        location=f"{path}:1",
        expected=f"a CSV header with {sorted(_CKNABS)} (posts.csv) or {sorted(_KALKUN)} "
        "(full_dataset_formatted.csv)",
        found=f"columns {header[:8]}",
    )


def read_euvsdisinfo(
    path: str | os.PathLike[str],
) -> tuple[list[CatalogEntry], list[Skipped], list[Path]]:
    """Read EUvsDisinfo dumps from a CSV file or a folder holding them.

    ``posts.csv`` (cknabs scrape: 10,892 case titles with keywords, countries and dates) gives
    one entry per case, keyed by its euvsdisinfo.eu URL. ``full_dataset_formatted.csv`` (kalkun
    scrape: 3,071 cases with summary and disproof) adds summaries and debunks: to the case with
    the same title when there is one, else as its own entry.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(p.rglob("posts.csv")) + sorted(p.rglob("full_dataset_formatted.csv"))
        if not files:
            raise InputError(
                f"no EUvsDisinfo dump in {p}",
                expected="posts.csv and/or full_dataset_formatted.csv",
            )
    elif p.is_file():
        files = [p]
    else:
        raise InputError(f"no such file or folder: {p}")
    skipped: list[Skipped] = []
    cases: list[CatalogEntry] = []
    extra: list[CatalogEntry] = []
    for f in files:
        kind = _sniff(f)
        (cases if kind == "cknabs" else extra).extend(
            _read_cknabs(f, skipped) if kind == "cknabs" else _read_kalkun(f, skipped)
        )
    by_title: dict[str, list[int]] = {}
    for i, e in enumerate(cases):
        by_title.setdefault(norm_title(e.claim), []).append(i)
    for e in extra:
        hits = by_title.get(norm_title(e.claim))
        if hits:  # same claim title: enrich the case nearest in date
            i = min(hits, key=lambda j: abs(_days(cases[j].date) - _days(e.date)))
            c = cases[i]
            if c.debunk is None:
                cases[i] = CatalogEntry(
                    id=c.id,
                    claim=c.claim,
                    url=c.url,
                    date=c.date,
                    countries=c.countries,
                    tags=c.tags or e.tags,
                    summary=e.summary,
                    debunk=e.debunk,
                    source_url=e.source_url,
                )
                continue
        cases.append(e)
    return cases, skipped, files


def _days(date: str | None) -> int:
    return dt.date.fromisoformat(date).toordinal() if date else 0


# --------------------------------------------------------------------------- storage


class Catalog:
    """An opened catalogue: entries, their embeddings and a search method."""

    def __init__(
        self,
        path: Path,
        meta: dict[str, Any],
        entries: list[CatalogEntry],
        vectors: np.ndarray,
        encoder: Encoder,
    ) -> None:
        self.path = path
        self.meta = meta
        self.entries = entries
        self.vectors = vectors
        self.encoder = encoder

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<Catalog {self.name!r}: {len(self)} claims, revision {self.meta['revision']}>"

    def search_vectors(
        self, queries: np.ndarray, *, k: int = 5, threshold: float = 0.0
    ) -> list[list[tuple[CatalogEntry, float]]]:
        """Top-``k`` entries with cosine >= ``threshold`` for each (normalised) query vector.

        Exact search: one matrix product with the catalogue (13,179 x 384 floats, 20 MB), then
        only the entries at or above the threshold are ranked. An approximate index (usearch)
        would not pay at this size.
        """
        if len(self) == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        with one_blas_thread():
            sims = queries @ self.vectors.T
        rows, cols = np.nonzero(sims >= threshold)
        out: list[list[tuple[CatalogEntry, float]]] = [[] for _ in range(len(queries))]
        if len(rows) > 64 * len(queries):  # a low threshold: rank everything per row
            k = min(k, sims.shape[1])
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            for r in range(len(queries)):
                idx = top[r][np.argsort(-sims[r, top[r]])]
                out[r] = [
                    (self.entries[i], float(sims[r, i])) for i in idx if sims[r, i] >= threshold
                ]
            return out
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            out[r].append((self.entries[c], float(sims[r, c])))
        for r in range(len(out)):
            if out[r]:
                out[r] = sorted(out[r], key=lambda x: -x[1])[:k]
        return out

    def search(
        self, texts: Sequence[str], *, k: int = 5, threshold: float = 0.0
    ) -> list[list[tuple[CatalogEntry, float]]]:
        return self.search_vectors(self.encoder.encode(list(texts)), k=k, threshold=threshold)


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    s = str(name_or_path)
    p = Path(s)
    if NAME_RE.match(s) and not p.exists():
        return catalogs_dir() / s
    return p


def open_catalog(
    name_or_path: str | os.PathLike[str], *, encoder: Encoder | None = None
) -> Catalog:
    """Open a catalogue by name (in the data dir) or path; check it matches the encoder."""
    path = _resolve(name_or_path)
    encoder = encoder or load_encoder()
    meta_file = path / "catalog.json"
    if not meta_file.is_file():
        known = [c["name"] for c in list_catalogs()]
        raise CatalogError(
            f"no catalogue {str(name_or_path)!r}",
            expected=f"a catalogue name {known} or a catalogue folder",
            found=f"nothing at {path}",
            hint="import one with: unspin catalog import euvsdisinfo PATH",
        )
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CatalogError(
            f"catalogue {path} is damaged: catalog.json is not JSON ({err})", hint="import it again"
        ) from err
    if meta.get("format") != FORMAT:
        raise CatalogError(
            f"catalogue {path} has an unsupported format",
            expected=FORMAT,
            found=repr(meta.get("format")),
            hint="rebuild it with this version",
        )
    if meta.get("encoder", {}).get("id") != encoder.id:
        raise CatalogError(
            f"catalogue {meta.get('name')!r} was built with another sentence encoder",
            expected=encoder.id,
            found=str(meta.get("encoder", {}).get("id")),
            hint=f"rebuild it: unspin catalog rebuild {meta.get('name')}",
        )
    with open(path / "entries.jsonl", encoding="utf-8") as f:
        entries = [CatalogEntry.from_dict(json.loads(line)) for line in f if line.strip()]
    vectors = np.load(path / "embeddings.npy", allow_pickle=False).astype(np.float32)
    if vectors.shape != (len(entries), encoder.dim):
        raise CatalogError(
            f"catalogue {path} is damaged: embeddings do not match entries",
            expected=f"shape ({len(entries)}, {encoder.dim})",
            found=f"shape {vectors.shape}",
            hint="rebuild it",
        )
    return Catalog(path, meta, entries, vectors, encoder)


def list_catalogs() -> list[dict[str, Any]]:
    """The catalogues in the data dir (their ``catalog.json``), by name."""
    root = catalogs_dir()
    out = []
    if root.is_dir():
        for d in sorted(root.iterdir()):
            f = d / "catalog.json"
            if f.is_file():
                try:
                    meta = json.loads(f.read_text(encoding="utf-8"))
                except json.JSONDecodeError:
                    meta = {"name": d.name, "damaged": True}
                meta["path"] = str(d)
                out.append(meta)
    return out


def _write(
    path: Path, meta: dict[str, Any], entries: list[CatalogEntry], vectors: np.ndarray
) -> None:
    """Write a catalogue atomically: a sibling temp folder renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    lines = [json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) for e in entries]
    body = ("\n".join(lines) + "\n") if lines else ""
    (tmp / "entries.jsonl").write_text(body, encoding="utf-8")
    np.save(tmp / "embeddings.npy", vectors.astype(np.float16), allow_pickle=False)
    meta["count"] = len(entries)
    meta["entries_sha256"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    (tmp / "catalog.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    if old.exists():
        shutil.rmtree(old)


def build_catalog(
    name_or_path: str | os.PathLike[str],
    entries: Iterable[CatalogEntry],
    *,
    source: dict[str, Any],
    encoder: Encoder | None = None,
    replace: bool = False,
    report: ImportReport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Catalog:
    """Add (or update) entries in a catalogue, creating it if needed; embed only what changed.

    ``replace=True`` drops entries not in ``entries`` (a rebuild); otherwise entries are
    upserted by id, so importing the same data twice is a no-op.
    """
    t0 = time.perf_counter()
    encoder = encoder or load_encoder()
    path = _resolve(name_or_path)
    name = path.name
    if not NAME_RE.match(name):
        raise InputError(
            "bad catalogue name", expected="letters, digits, '.', '_' or '-'", found=repr(name)
        )
    old: Catalog | None = None
    if (path / "catalog.json").is_file():
        try:
            old = open_catalog(path, encoder=encoder)
        except CatalogError:
            if not replace:
                raise
    rep = report or ImportReport(catalog=name, path=path)
    new = list(entries)
    rep.read = len(new)
    cur: dict[str, tuple[CatalogEntry, np.ndarray | None]] = {}
    if old is not None and not replace:
        cur = {e.id: (e, old.vectors[i]) for i, e in enumerate(old.entries)}
    prev = {e.id: (e, old.vectors[i]) for i, e in enumerate(old.entries)} if old else {}
    for e in new:
        before = prev.get(e.id)
        if before is None:
            rep.added += 1
            cur[e.id] = (e, None)
        elif before[0] == e:
            rep.unchanged += 1
            cur[e.id] = before
        else:
            rep.updated += 1
            same_claim = before[0].claim == e.claim
            cur[e.id] = (e, before[1] if same_claim else None)
    ordered = list(cur.values())
    todo = [i for i, (_, v) in enumerate(ordered) if v is None]
    vectors = np.zeros((len(ordered), encoder.dim), dtype=np.float32)
    for i, (_, v) in enumerate(ordered):
        if v is not None:
            vectors[i] = v
    if todo:
        step = 512
        for lo in range(0, len(todo), step):
            part = todo[lo : lo + step]
            vectors[part] = encoder.encode([ordered[i][0].claim for i in part])
            if progress is not None:
                progress(lo + len(part), len(todo))
    rep.embedded = len(todo)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    meta: dict[str, Any] = (
        dict(old.meta)
        if old is not None
        else {
            "format": FORMAT,
            "name": name,
            "created": now,
            "revision": 0,
            "sources": [],
        }
    )
    changed = bool(rep.added or rep.updated or todo) or (
        replace and old is not None and len(ordered) != len(old.entries)
    )
    meta["format"] = FORMAT
    meta["encoder"] = {"id": encoder.id, "name": encoder.meta["name"], "dim": encoder.dim}
    if changed or old is None:
        meta["revision"] = int(meta.get("revision", 0)) + 1
        meta["updated"] = now
    src = dict(source)
    src.update(
        {
            "imported": now,
            "read": rep.read,
            "added": rep.added,
            "updated": rep.updated,
            "unchanged": rep.unchanged,
            "skipped": len(rep.skipped),
            "revision": meta["revision"],
        }
    )
    meta["sources"] = [*meta.get("sources", []), src][-50:]
    final = [e for e, _ in ordered]
    _write(path, meta, final, vectors)
    rep.total = len(final)
    rep.seconds = time.perf_counter() - t0
    return Catalog(path, meta, final, vectors, encoder)


def import_file(
    kind: str,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    encoder: Encoder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Catalog, ImportReport]:
    """Import a dump (``kind`` = ``euvsdisinfo`` or ``jsonl``) into catalogue ``name``."""
    p = Path(path)
    files: list[Path]
    if kind == "euvsdisinfo":
        entries, skipped, files = read_euvsdisinfo(p)
    elif kind == "jsonl":
        entries, skipped = read_jsonl(p)
        files = [p]
    else:
        raise InputError(
            "unknown catalogue format", expected="euvsdisinfo or jsonl", found=repr(kind)
        )
    name = name or (kind if kind == "euvsdisinfo" else re.sub(r"[^A-Za-z0-9_.-]", "-", p.stem))
    target = _resolve(name)
    if not entries and not (target / "catalog.json").is_file():
        first = f"; first problem: {skipped[0]}" if skipped else ""
        raise InputError(
            f"no valid claims in {p}",
            expected="at least one valid row",
            found=f"{len(skipped)} skipped rows{first}",
        )
    rep = ImportReport(catalog=target.name, path=target, skipped=skipped)
    source = {
        "kind": kind,
        "files": [{"path": str(f.resolve()), "sha256": _sha256_file(f)} for f in files],
    }
    cat = build_catalog(
        name, entries, source=source, encoder=encoder, report=rep, progress=progress
    )
    return cat, rep


def rebuild_catalog(
    name_or_path: str | os.PathLike[str], *, encoder: Encoder | None = None
) -> Catalog:
    """Re-embed every entry of a catalogue with the current encoder (after an upgrade)."""
    path = _resolve(name_or_path)
    meta_file = path / "catalog.json"
    if not meta_file.is_file():
        raise CatalogError(f"no catalogue {str(name_or_path)!r}", found=f"nothing at {path}")
    with open(path / "entries.jsonl", encoding="utf-8") as f:
        entries = [CatalogEntry.from_dict(json.loads(line)) for line in f if line.strip()]
    encoder = encoder or load_encoder()
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["encoder"] = {"id": encoder.id, "name": encoder.meta["name"], "dim": encoder.dim}
    meta["revision"] = int(meta.get("revision", 0)) + 1
    meta["updated"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    vectors = encoder.encode([e.claim for e in entries])
    _write(path, meta, entries, vectors)
    return Catalog(path, meta, entries, vectors, encoder)


def remove_catalog(name: str) -> Path:
    path = _resolve(name)
    if not (path / "catalog.json").is_file():
        raise CatalogError(f"no catalogue {name!r}", found=f"nothing at {path}")
    shutil.rmtree(path)
    return path
