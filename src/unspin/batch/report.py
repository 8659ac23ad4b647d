"""``unspin report``: one self-contained HTML file about a corpus database.

Sections: totals; technique frequencies; per-source comparison (spans per 100 words, share of
sentences with a technique, technique mix); trends by month; the most frequent fragments per
technique; the top articles by score with their text highlighted. Plots are matplotlib SVG
inlined in the page; there is no script, font or stylesheet from elsewhere, so the file opens
offline and can be mailed as is. Every figure is computed in the database (SQL aggregates),
so the report is as cheap for a million articles as the queries are.
"""

from __future__ import annotations

import html
import io
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unspin.errors import InputError, require
from unspin.store import Store, open_store
from unspin.types import Analysis

TOP_SOURCES = 12
TOP_FRAGMENTS = 5


@dataclass
class ReportData:
    """Everything the report shows, computed from the database."""

    title: str
    db: str
    model: str | None
    filters: dict[str, Any]
    articles: int = 0
    words: int = 0
    spans: int = 0
    sentences: int = 0
    flagged: int = 0
    techniques: list[tuple[str, int, int]] = field(default_factory=list)  # label, spans, arts
    sources: list[dict[str, Any]] = field(default_factory=list)
    mix: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> label -> spans
    months: list[dict[str, Any]] = field(default_factory=list)
    month_mix: dict[str, dict[str, int]] = field(default_factory=dict)
    fragments: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    top: list[tuple[dict[str, Any], Analysis]] = field(default_factory=list)


def collect(
    store: Store,
    *,
    model: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    top: int = 10,
    title: str = "unspin corpus report",
) -> ReportData:
    """Compute the report's figures (see :class:`ReportData`)."""
    from sqlalchemy import func, select

    from unspin.store.schema import analyses, spans

    if model is None:
        models = store.models()
        if models:
            name, version, _ = models[0]
            model = f"{name}@{version}" if version else name
    filters: dict[str, Any] = {"source": source, "since": since, "until": until, "model": model}
    data = ReportData(
        title=title,
        db=store.url,
        model=model,
        filters={k: v for k, v in filters.items() if v is not None},
    )

    def where(q: Any) -> Any:
        return store.filter(q, **filters)

    a = analyses.c
    with store.engine.connect() as conn:
        row = conn.execute(
            where(
                select(
                    func.count(),
                    func.coalesce(func.sum(a.words), 0),
                    func.coalesce(func.sum(a.spans), 0),
                    func.coalesce(func.sum(a.sentences), 0),
                    func.coalesce(func.sum(a.flagged_sentences), 0),
                ).select_from(analyses)
            )
        ).one()
        data.articles, data.words, data.spans, data.sentences, data.flagged = map(int, row)

        q = where(
            select(spans.c.label, func.count(), func.count(func.distinct(a.id)))
            .select_from(spans.join(analyses, spans.c.analysis_id == a.id))
            .group_by(spans.c.label)
            .order_by(func.count().desc(), spans.c.label)
        )
        data.techniques = [(lbl, int(n), int(k)) for lbl, n, k in conn.execute(q)]

        src = func.coalesce(a.source, "(unknown)")
        q = where(
            select(
                src,
                func.count(),
                func.sum(a.words),
                func.sum(a.spans),
                func.sum(a.sentences),
                func.sum(a.flagged_sentences),
                func.avg(a.score),
            )
            .group_by(src)
            .order_by(func.count().desc(), src)
            .limit(TOP_SOURCES)
        )
        for s, n, w, sp, se, fl, sc in conn.execute(q):
            w, sp, se, fl = int(w or 0), int(sp or 0), int(se or 0), int(fl or 0)
            data.sources.append(
                {
                    "source": s,
                    "articles": int(n),
                    "spans_per_100_words": 100.0 * sp / w if w else 0,
                    "sentence_share": fl / se if se else 0.0,
                    "mean_score": float(sc or 0.0),
                }
            )
        names = [d["source"] for d in data.sources]
        if names:
            q = where(
                select(src, spans.c.label, func.count())
                .select_from(spans.join(analyses, spans.c.analysis_id == a.id))
                .where(src.in_(names))
                .group_by(src, spans.c.label)
            )
            for s, lbl, n in conn.execute(q):
                data.mix.setdefault(s, {})[lbl] = int(n)

        month = func.substr(a.published_day, 1, 7)
        q = where(
            select(month, func.count(), func.sum(a.words), func.sum(a.spans), func.avg(a.score))
            .where(a.published_day.is_not(None))
            .group_by(month)
            .order_by(month)
        )
        for m, n, w, sp, sc in conn.execute(q):
            w, sp = int(w or 0), int(sp or 0)
            data.months.append(
                {
                    "month": m,
                    "articles": int(n),
                    "spans": sp,
                    "spans_per_100_words": 100.0 * sp / w if w else 0.0,
                    "mean_score": float(sc or 0.0),
                }
            )
        if data.months:
            q = where(
                select(month, spans.c.label, func.count())
                .select_from(spans.join(analyses, spans.c.analysis_id == a.id))
                .where(a.published_day.is_not(None))
                .group_by(month, spans.c.label)
            )
            for m, lbl, n in conn.execute(q):
                data.month_mix.setdefault(m, {})[lbl] = int(n)

        frag = func.lower(spans.c.fragment)
        q = where(
            select(spans.c.label, frag, func.count())
            .select_from(spans.join(analyses, spans.c.analysis_id == a.id))
            .group_by(spans.c.label, frag)
            .order_by(spans.c.label, func.count().desc(), frag)
        )
        per: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for lbl, f, n in conn.execution_options(yield_per=2000).execute(q):
            if len(per[lbl]) < TOP_FRAGMENTS:
                per[lbl].append((" ".join(str(f).split()), int(n)))
        data.fragments = dict(per)

    for r in store.query(limit=top, order="score", **filters):
        if r.spans == 0:
            break  # highest score first: the rest have nothing to show
        got = store.get(r.id)
        if got is not None:
            data.top.append((r.to_dict(), got))
    return data


# -- plots ------------------------------------------------------------------------------------


def _plt() -> Any:
    mpl = require("matplotlib", feature="the HTML report", extra="batch")
    mpl.use("Agg", force=True)
    mpl.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "unspin",
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _display(label: str) -> str:
    from unspin.labels import TECHNIQUES

    t = TECHNIQUES.get(label)
    return t.display if t else label


def _color(label: str) -> str:
    from unspin.labels import TECHNIQUES

    t = TECHNIQUES.get(label)
    return t.color if t else "#888888"


def plot_techniques(data: ReportData) -> str:
    plt = _plt()
    rows = list(reversed(data.techniques))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(rows) + 0.8))
    ax.barh(
        [_display(r[0]) for r in rows], [r[1] for r in rows], color=[_color(r[0]) for r in rows]
    )
    ax.set_xlabel("technique spans")
    return _svg(fig)


def plot_sources(data: ReportData) -> str:
    plt = _plt()
    rows = list(reversed(data.sources))
    names = [str(r["source"])[:30] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(9, 0.35 * len(rows) + 1), sharey=True)
    axes[0].barh(names, [r["spans_per_100_words"] for r in rows], color="#0072B2")
    axes[0].set_xlabel("spans per 100 words")
    axes[1].barh(names, [100 * r["sentence_share"] for r in rows], color="#E69F00")
    axes[1].set_xlabel("% of sentences with a technique")
    return _svg(fig)


def plot_mix(data: ReportData) -> str:
    plt = _plt()
    rows = list(reversed(data.sources))
    labels = [t[0] for t in data.techniques]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.6))
    left = [0.0] * len(rows)
    for lbl in labels:
        vals = []
        for r in rows:
            mix = data.mix.get(r["source"], {})
            total = sum(mix.values()) or 1
            vals.append(100.0 * mix.get(lbl, 0) / total)
        ax.barh(
            [str(r["source"])[:30] for r in rows],
            vals,
            left=left,
            color=_color(lbl),
            label=_display(lbl),
            edgecolor="white",
            linewidth=0.4,
        )
        left = [x + v for x, v in zip(left, vals, strict=True)]
    ax.set_xlabel("% of the source's technique spans")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, frameon=False, fontsize=7)
    return _svg(fig)


def plot_trends(data: ReportData) -> str:
    plt = _plt()
    months = [m["month"] for m in data.months]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    ax1.plot(months, [m["spans_per_100_words"] for m in data.months], marker="o", color="#0072B2")
    ax1.set_ylabel("spans per 100 words")
    for lbl, _, _ in data.techniques[:5]:
        ax2.plot(
            months,
            [data.month_mix.get(m, {}).get(lbl, 0) for m in months],
            marker=".",
            color=_color(lbl),
            label=_display(lbl),
        )
    ax2.set_ylabel("spans")
    ax2.legend(fontsize=7, frameon=False)
    step = max(1, len(months) // 12)
    ax2.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right")
    return _svg(fig)


# -- HTML -------------------------------------------------------------------------------------


def highlight(a: Analysis) -> str:
    """The analysis text as HTML with each technique span marked (overlaps split into
    segments that carry all their techniques in a tooltip)."""
    cuts = sorted(
        {0, len(a.text), *(s.start for s in a.techniques), *(s.end for s in a.techniques)}
    )
    out = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        seg = html.escape(a.text[lo:hi]).replace("\n", "<br>\n")
        on = [s for s in a.techniques if s.start <= lo and hi <= s.end]
        if not on:
            out.append(seg)
            continue
        best = max(on, key=lambda s: s.score)
        names = "; ".join(dict.fromkeys(_display(s.label) for s in on))
        out.append(
            f'<mark style="--c:{_color(best.label)}" title="{html.escape(names)}">{seg}</mark>'
        )
    return "".join(out)


CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1f}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.7em;margin-bottom:0}h2{margin-top:2em;border-bottom:1px solid #ddd}
.meta{color:#555}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:1.5em}
table{border-collapse:collapse;margin:8px 0;font-size:.92em}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
svg{max-width:100%;height:auto}
mark{background:color-mix(in srgb,var(--c) 22%,white);border-bottom:2px solid var(--c);
padding:0 1px}
article{border:1px solid #ddd;border-radius:8px;padding:12px 16px;margin:16px 0}
article .text{max-height:420px;overflow:auto;font-size:.95em}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:4px;
vertical-align:-1px}
footer{color:#777;font-size:.85em;margin-top:3em}
"""


def render(data: ReportData) -> str:
    """The report page."""
    e = html.escape
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{e(data.title)}</title><style>{CSS}</style></head><body><main>"
    ]
    parts.append(f"<h1>{e(data.title)}</h1>")
    filt = ", ".join(f"{k} {v}" for k, v in data.filters.items())
    parts.append(
        f"<p class='meta'>Database {e(_safe(data.db))} &middot; "
        f"{e(filt) or 'all analyses'} &middot; generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}</p>"
    )
    if data.model == "none":
        parts.append(
            "<p><b>Note:</b> these analyses were made without a technique model, so "
            "no techniques are marked.</p>"
        )
    share = data.flagged / data.sentences if data.sentences else 0.0
    per100 = 100.0 * data.spans / data.words if data.words else 0.0
    parts.append(
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><b>{v}</b>{e(k)}</div>"
            for k, v in (
                ("articles", f"{data.articles:,}"),
                ("words", f"{data.words:,}"),
                ("technique spans", f"{data.spans:,}"),
                ("spans per 100 words", f"{per100:.2f}"),
                ("sentences with a technique", f"{100 * share:.1f}%"),
            )
        )
        + "</div>"
    )
    if not data.articles:
        parts.append("<p>No analyses match. Run <code>unspin batch</code> first.</p>")
        return "".join(parts) + "</main></body></html>"

    parts.append("<h2>Techniques</h2>")
    if data.techniques:
        parts.append(plot_techniques(data))
        parts.append(
            "<table><tr><th>technique</th><th class=n>spans</th>"
            "<th class=n>articles</th><th class=n>% of articles</th></tr>"
        )
        for lbl, n, k in data.techniques:
            parts.append(
                f"<tr><td><span class=swatch style='background:{_color(lbl)}'></span>"
                f"{e(_display(lbl))}</td><td class=n>{n:,}</td><td class=n>{k:,}</td>"
                f"<td class=n>{100 * k / data.articles:.1f}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No technique spans were found.</p>")

    parts.append("<h2>Sources</h2>")
    parts.append(f"<p class='meta'>The {len(data.sources)} sources with the most articles.</p>")
    parts.append(plot_sources(data))
    parts.append(
        "<table><tr><th>source</th><th class=n>articles</th><th class=n>spans per 100 "
        "words</th><th class=n>% sentences with a technique</th>"
        "<th class=n>mean score</th></tr>"
    )
    for s in data.sources:
        parts.append(
            f"<tr><td>{e(str(s['source']))}</td><td class=n>{s['articles']:,}</td>"
            f"<td class=n>{s['spans_per_100_words']:.2f}</td>"
            f"<td class=n>{100 * s['sentence_share']:.1f}</td>"
            f"<td class=n>{s['mean_score']:.3f}</td></tr>"
        )
    parts.append("</table>")
    if data.techniques and data.mix:
        parts.append("<h3>Technique mix per source</h3>")
        parts.append(plot_mix(data))

    parts.append("<h2>Over time</h2>")
    if len(data.months) >= 2:
        parts.append(plot_trends(data))
    if data.months:
        parts.append(
            "<table><tr><th>month</th><th class=n>articles</th><th class=n>spans</th>"
            "<th class=n>spans per 100 words</th></tr>"
        )
        for m in data.months:
            parts.append(
                f"<tr><td>{e(m['month'])}</td><td class=n>{m['articles']:,}</td>"
                f"<td class=n>{m['spans']:,}</td>"
                f"<td class=n>{m['spans_per_100_words']:.2f}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append(
            "<p>No article has a publication date (map one with "
            "<code>--published-field</code>).</p>"
        )

    parts.append("<h2>Most frequent fragments</h2>")
    if data.fragments:
        parts.append("<table><tr><th>technique</th><th>fragment</th><th class=n>times</th></tr>")
        for lbl, _, _ in data.techniques:
            for i, (frag, n) in enumerate(data.fragments.get(lbl, [])):
                head = (
                    f"<td rowspan={len(data.fragments[lbl])}><span class=swatch "
                    f"style='background:{_color(lbl)}'></span>{e(_display(lbl))}</td>"
                    if i == 0
                    else ""
                )
                parts.append(
                    f"<tr>{head}<td>&ldquo;{e(frag[:160])}&rdquo;</td><td class=n>{n:,}</td></tr>"
                )
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")

    parts.append(f"<h2>Top {len(data.top)} articles by score</h2>")
    if not data.top:
        parts.append("<p>No article has a technique span.</p>")
    parts.append(
        "<p class='meta'>Score: the share of the article's text covered by technique "
        "spans. Hover a highlight to see its techniques.</p>"
    )
    for row, an in data.top:
        tech = ", ".join(
            f"{_display(k)} {v}" for k, v in (an.summary.get("technique_counts") or {}).items()
        )
        parts.append(
            f"<article><h3>{e(row['article_id'])}</h3><p class='meta'>"
            f"{e(row['source'] or 'unknown source')} &middot; "
            f"{e(row['published_day'] or 'undated')} &middot; score "
            f"{row['score']:.3f} &middot; {row['spans']} spans"
            f"{' &middot; ' + e(tech) if tech else ''}</p>"
            f"<div class='text'>{highlight(an)}</div></article>"
        )
    parts.append(
        "<footer>Made by unspin. Marks show where techniques were detected by a model; "
        "they are prompts for a closer reading, not verdicts.</footer>"
    )
    return "".join(parts) + "</main></body></html>"


def _safe(url: str) -> str:
    from unspin.store.db import safe_url

    return safe_url(url)


def write_report(db: str | None, out: str | os.PathLike[str], **options: Any) -> Path:
    """Collect the figures from ``db`` and write the HTML report to ``out``."""
    out = Path(out)
    if not out.parent.exists():
        raise InputError(
            f"cannot write {out}",
            expected="an existing directory",
            found=f"no directory {out.parent}",
        )
    with open_store(db) as store:
        data = collect(store, **options)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(render(data), encoding="utf-8")
    os.replace(tmp, out)
    return out
