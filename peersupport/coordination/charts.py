"""Small bar charts drawn on the server as inline SVG: no script, no style attribute, no CDN,
so the strict content security policy holds.

A value that is not a number is a suppressed small count ("fewer than 5", health.FEWER): its
bar is an outline as tall as 5 whatever the count behind it, labelled "<5", so neither the
bar nor its label tells 1 from 4."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD, LABEL = 480, 180, 4, 28
SUPPRESSED_HEIGHT = 5  # a suppressed bar reaches the top of what it might be


def _label(label: str, x: float) -> str:
    """The label under a bar, whole: a long one on two lines (split at the middle space)."""
    words = label.split()
    if len(label) <= 12 or len(words) < 2:
        return (
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(label) / 2))
    first, second = " ".join(words[:cut]), " ".join(words[cut:])
    return (
        f'<text x="{x:.1f}" y="{HEIGHT - 16}" font-size="10" text-anchor="middle">'
        f'<tspan x="{x:.1f}">{escape(first)}</tspan>'
        f'<tspan x="{x:.1f}" dy="11">{escape(second)}</tspan></text>'
    )


def week_label(iso_date: str) -> str:
    """A week's start as a short label: "2026-11-23" -> "11-23"."""
    return iso_date[5:] if len(iso_date) == 10 else iso_date


def bar_chart(data: list[tuple[str, int | str]], *, title: str) -> SafeString:
    """Vertical bars, one per (label, value), with the value above each bar. Labels are
    shown whole (shorten week dates with week_label first). A value that is not an int is a
    suppressed count: an outline of a fixed height, labelled "<5"."""
    n = max(1, len(data))
    suppressed = [not isinstance(value, int) for _label, value in data]
    numbers = [value for _label, value in data if isinstance(value, int)]
    top = max([*numbers, SUPPRESSED_HEIGHT if any(suppressed) else 1, 1])
    slot = WIDTH / n
    bar = max(2.0, slot - 2 * PAD)
    plot = HEIGHT - LABEL - 16
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(data):
        x = i * slot + PAD
        if suppressed[i]:
            h = plot * SUPPRESSED_HEIGHT / top
            y = 16 + plot - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="none" stroke="#5b7f95" stroke-dasharray="3 2" data-suppressed>'
                f"<title>{escape(label)}: {escape(value)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
                f'text-anchor="middle">&lt;5</text>'
            )
            parts.append(_label(label, x + bar / 2))
            continue
        h = plot * value / top
        y = 16 + plot - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="#5b7f95"><title>{escape(label)}: {value}</title></rect>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
            f'text-anchor="middle">{value}</text>'
        )
        parts.append(_label(label, x + bar / 2))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and title is escaped above
