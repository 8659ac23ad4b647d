"""Terminal rendering of the narrative layer (called by :func:`unspin.render.render`).

Catalogue matches are phrased as "resembles", never "is": similarity is evidence for a
reader to check, not a verdict.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.style import Style
from rich.text import Text

from unspin.types import Analysis


def _frag(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= limit else text[: limit - 3] + "...")


def render_narratives(a: Analysis, console: Any) -> None:
    info = dict(a.meta.get("narrative_layer") or {})
    guide = {lab: g for g in info.get("guide", []) for lab in g.get("labels", [])}
    if a.narratives is not None:
        if a.narratives:
            console.print(
                "[bold]Narratives[/] [dim](SemEval-2025 Task 10 taxonomy; score = "
                "classifier probability)[/]"
            )
            for n in a.narratives:
                depth = n.label.count(": ")
                indent = "  " * depth
                console.print(f"  {indent}{n.score:4.0%}  {n.label}", highlight=False, markup=False)
                for e in n.evidence[:2]:
                    console.print(
                        f"  {indent}        [dim]\u201c{_frag(a.text[e.start : e.end])}\u201d[/]",
                        highlight=False,
                    )
                g = guide.get(f"narrative:{n.label}")
                if g and depth == 1:
                    console.print(
                        f"  {indent}        [italic]guide: {escape(g['name'])} \u2014 ask: "
                        f"{escape(g['counter_question'])}[/]",
                        highlight=False,
                    )
        else:
            console.print("[bold]Narratives[/]: none of the known narratives recognised.")
    if a.claims is not None:
        if info.get("note"):
            console.print(f"[yellow]Claims: {info['note']}.[/]")
        elif not a.claims:
            cats = ", ".join(c["name"] for c in info.get("catalogs", []))
            console.print(
                f"[bold]Claims[/]: no sentence resembles a known claim in {cats} "
                f"(similarity >= {info.get('claim_threshold', 0):.2f})."
            )
        else:
            console.print(
                "[bold]Sentences that resemble known, debunked claims[/] [dim](a "
                "resemblance to check, not a verdict)[/]"
            )
            for c in a.claims:
                console.print(f"  \u201c{_frag(a.text[c.start : c.end])}\u201d", highlight=False)
                for m in c.matches:
                    date = f", {m.date}" if m.date else ""
                    console.print(
                        f"    resembles ({m.similarity:.2f}): {escape(m.title)} "
                        f"[dim]{escape(f'[{m.catalog}{date}]')}[/]",
                        highlight=False,
                    )
                    if m.url:
                        # a real hyperlink where the terminal supports it (OSC 8)
                        link = Text("      ")
                        link.append(m.url, style=Style(link=m.url, underline=True))
                        console.print(link, highlight=False)
                    if m.debunk:
                        console.print(
                            f"      [dim]debunk: {_frag(m.debunk, 160)}[/]", highlight=False
                        )
                g = guide.get(f"claim:{c.start}-{c.end}")
                if g:
                    console.print(
                        f"    [italic]guide: {escape(g['name'])} \u2014 ask: "
                        f"{escape(g['counter_question'])}[/]",
                        highlight=False,
                    )
