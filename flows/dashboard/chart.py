"""Events per type per day as a stacked-bar SVG, drawn on the server (no JavaScript, no CDN).

Every piece of text is escaped: type names come from the taxonomy, but a chart must
stay safe even if a future event type carries markup.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from html import escape

from warehouse.dashboard import DayCount

# One colour per taxonomy type (colour-blind-safe Tableau 10); unknown types are grey.
TYPE_COLOURS = {
    "export_control": "#4e79a7",
    "distillation_claim": "#e15759",
    "model_launch": "#59a14f",
    "access_restriction": "#f28e2b",
    "security_incident": "#b07aa1",
    "regulation": "#76b7b2",
    "partnership": "#edc948",
    "funding_investment": "#9c755f",
    "pricing": "#ff9da7",
    "legal_action": "#bab0ac",
}
OTHER_COLOUR = "#888888"
MAX_BARS = 120  # beyond this many days, bars are weeks


def colour_for(event_type: str) -> str:
    return TYPE_COLOURS.get(event_type, OTHER_COLOUR)


def _buckets(counts: list[DayCount]) -> tuple[list[date], dict[date, dict[str, int]], str]:
    """Consecutive buckets (days, or ISO weeks when the span is long) with per-type totals."""
    first, last = min(c.day for c in counts), max(c.day for c in counts)
    span = (last - first).days + 1
    step, unit = (1, "day") if span <= MAX_BARS else (7, "week")
    start = first if step == 1 else first - timedelta(days=first.weekday())
    keys = [start + timedelta(days=i) for i in range(0, (last - start).days + 1, step)]
    totals: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in counts:
        key = c.day if step == 1 else c.day - timedelta(days=c.day.weekday())
        totals[key][c.event_type] += c.events
    return keys, totals, unit


def events_chart_svg(counts: list[DayCount], *, width: int = 920, height: int = 240) -> str:
    """An ``<svg>`` element (a string) with one stacked bar per day; an empty-state message when no data."""
    if not counts:
        return (f'<svg class="chart" role="img" aria-label="No events" viewBox="0 0 {width} 60" '
                'xmlns="http://www.w3.org/2000/svg">'
                '<text x="10" y="35">No events match these filters.</text></svg>')
    keys, totals, unit = _buckets(counts)
    types = sorted({c.event_type for c in counts}, key=lambda t: (t not in TYPE_COLOURS, t))
    peak = max(sum(totals[k].values()) for k in keys) or 1
    left, right, top, bottom = 36, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(keys)
    bar_w = max(1.0, slot * 0.8)
    parts = [(f'<svg class="chart" role="img" aria-label="Events per type per {unit}" '
              f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">')]
    # y axis: zero, half, peak
    for value in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * value / peak
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i, key in enumerate(keys):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        for t in types:
            n = totals[key].get(t, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            label = f"{unit} of {key.isoformat()}" if unit == "week" else key.isoformat()
            parts.append(f'<rect class="bar" data-type="{escape(t)}" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{bar_w:.1f}" height="{h:.1f}" fill="{colour_for(t)}">'
                         f'<title>{escape(label)} · {escape(t)}: {n}</title></rect>')
    # x axis: about eight date labels, always the first and last
    every = max(1, len(keys) // 8)
    for i, key in enumerate(keys):
        if i % every == 0 or i == len(keys) - 1:
            x = left + i * slot + slot / 2
            parts.append(f'<text class="axis" x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                         f'{key.strftime("%b %d")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def legend(counts: list[DayCount]) -> list[tuple[str, str, int]]:
    """(event type, colour, total events) for the types in the chart, most frequent first."""
    totals: dict[str, int] = defaultdict(int)
    for c in counts:
        totals[c.event_type] += c.events
    return [(t, colour_for(t), n) for t, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
