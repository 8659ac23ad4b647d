"""Terminal rendering of an Analysis with ``rich``: the text with technique fragments marked,
a legend, sentence hot spots and the summary.

Colour is never the only cue: every fragment is also bracketed and tagged with its
technique's one-letter symbol, so the output reads on a monochrome terminal or in a log.
"""

from __future__ import annotations

from typing import Any

from unspin.labels import TECHNIQUES
from unspin.types import Analysis, merge_spans


def _segments(a: Analysis) -> list[tuple[int, int, list[str]]]:
    """Cut the text at every span boundary: (start, end, labels active there)."""
    cuts = {0, len(a.text)}
    for s in a.techniques:
        cuts.update((s.start, s.end))
    points = sorted(cuts)
    out = []
    for lo, hi in zip(points, points[1:], strict=False):
        if lo == hi:
            continue
        labels = [s.label for s in a.techniques if s.start <= lo and s.end >= hi]
        out.append((lo, hi, labels))
    return out


def render_text(a: Analysis) -> Any:
    """A ``rich.text.Text`` of the article with marked fragments."""
    from rich.text import Text

    out = Text()
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for s in a.techniques:
        starts.setdefault(s.start, []).append(s.label)
        ends.setdefault(s.end, []).append(s.label)
    for lo, hi, labels in _segments(a):
        if lo in starts:
            out.append("[", style="bold")
        chunk = a.text[lo:hi]
        if labels:
            t = TECHNIQUES.get(labels[0])
            style = f"underline {t.color}" if t else "underline"
            if len(labels) > 1:
                style = "bold " + style
            out.append(chunk, style=style)
        else:
            out.append(chunk)
        if hi in ends:
            tags = "".join(TECHNIQUES[x].symbol if x in TECHNIQUES else "?" for x in ends[hi])
            out.append(f"]{tags}", style="bold")
    return out


def legend_table(a: Analysis) -> Any:
    from rich.table import Table

    counts = a.summary.get("technique_counts", {})
    table = Table(title="Techniques", show_lines=False)
    table.add_column("mark")
    table.add_column("technique")
    table.add_column("spans", justify="right")
    table.add_column("max score", justify="right")
    for name, n in counts.items():
        t = TECHNIQUES.get(name)
        best = max((s.score for s in a.techniques if s.label == name), default=0.0)
        table.add_row(
            f"[{t.color}]{t.symbol}[/]" if t else "?",
            t.display if t else name,
            str(n),
            f"{best:.2f}",
        )
    return table


def render(a: Analysis, *, console: Any = None, show_text: bool = True) -> None:
    """Print an analysis to the terminal."""
    from rich.console import Console
    from rich.panel import Panel

    console = console or Console()
    title = f"unspin · {a.id or 'text'} · model {a.model.name} {a.model.version}".strip()
    if a.model.name == "none":
        console.print("[yellow]No technique model is loaded: no techniques were looked for.[/]")
    if show_text:
        console.print(Panel(render_text(a), title=title, expand=True))
    if a.techniques:
        console.print(legend_table(a))
        hot = sorted(a.sentences, key=lambda s: -s.score)[:5]
        if hot and hot[0].score > 0:
            console.print("[bold]Most marked sentences[/]")
            for s in hot:
                if s.score <= 0:
                    break
                names = ", ".join(TECHNIQUES[x].display for x in s.labels if x in TECHNIQUES)
                frag = a.text[s.start : s.end].replace("\n", " ")
                if len(frag) > 110:
                    frag = frag[:107] + "..."
                console.print(
                    f"  {s.score:4.0%}  {frag}  [dim]({names})[/]", markup=True, highlight=False
                )
    elif a.model.name != "none":
        console.print("[green]No persuasion techniques found above the threshold.[/]")
    sm = a.summary
    mark = sum(e - s for s, e in merge_spans((x.start, x.end) for x in a.techniques))
    console.print(
        f"[bold]Summary[/]: {sm.get('spans', 0)} spans in {sm.get('words', 0)} words "
        f"({sm.get('spans_per_100_words', 0)} per 100 words); "
        f"{sm.get('sentence_share', 0):.0%} of {sm.get('sentences', 0)} sentences use a "
        f"technique; {mark} characters marked; overall score {sm.get('score', 0):.2f}",
        highlight=False,
    )
    if a.narratives is not None or a.claims is not None:
        from unspin.narratives.show import render_narratives

        render_narratives(a, console)
