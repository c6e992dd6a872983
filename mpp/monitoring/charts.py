"""Small server-side SVG charts: they print (PDF) where canvas charts cannot."""

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a sans-serif label's width (no font metrics on the server)."""
    return len(text) * size * 0.6


def bars_svg(items, *, width=360, bar=10, gap=3, label_width=None, colour="#0b4f8a"):
    """Horizontal bars, one per (label, value); None values are skipped. The label column
    is as wide as the longest label needs (at most 55 % of the chart); a label still too
    long is set in a smaller size so that it fits: no label is cut."""
    items = [(label, value) for label, value in items if value is not None]
    if not items:
        return ""
    top = max(value for _, value in items) or 1
    size = bar - 1
    longest = max(_text_width(label, size) for label, _ in items) + 6
    if label_width is None:
        label_width = min(longest, width * 0.55)
    value_room = _text_width(str(top), size) + 8
    room = max(10, width - label_width - value_room)
    height = len(items) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="{size}">'
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = max(1, round(room * value / top))
        baseline = y + bar - 2
        fit = min(size, (label_width - 6) / max(1, len(label) * 0.6))
        font = f' font-size="{fit:.1f}"' if fit < size else ""
        parts.append(
            f'<text x="{label_width - 4:.1f}" y="{baseline}" text-anchor="end"{font}>'
            f"{escape(label)}</text>"
            f'<rect x="{label_width:.1f}" y="{y}" width="{length}" height="{bar}" fill="{colour}"/>'
            f'<text x="{label_width + length + 3:.1f}" y="{baseline}">'
            f"{number_format(value, 0, force_grouping=True)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped above


def line_svg(points, *, width=360, height=90, colour="#0b4f8a"):
    """A simple line over (label, value) points, e.g. national visits per week."""
    values = [value for _, value in points]
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = (width - 20) / (len(values) - 1)
    coords = [
        (10 + i * step, height - 15 - (height - 30) * value / top) for i, value in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    labels = "".join(
        f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle">{escape(label[-3:])}</text>'
        for (x, _), (label, _) in zip(coords, points, strict=True)
    )
    return mark_safe(  # noqa: S308 - labels escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="8" role="img">'
        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>{labels}</svg>'
    )
