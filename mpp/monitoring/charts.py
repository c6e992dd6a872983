"""Small server-side SVG charts: they print (PDF) where canvas charts cannot."""

from django.utils.html import escape
from django.utils.safestring import mark_safe


def bars_svg(items, *, width=360, bar=10, gap=3, label_width=150, colour="#0b4f8a"):
    """Horizontal bars, one per (label, value); None values are skipped."""
    items = [(label, value) for label, value in items if value is not None]
    if not items:
        return ""
    top = max(value for _, value in items) or 1
    room = width - label_width - 40
    height = len(items) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="{bar - 1}">'
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar + gap)
        length = max(1, round(room * value / top))
        short = label if len(label) <= 34 else label[:33] + "…"
        baseline = y + bar - 2
        parts.append(
            f'<text x="{label_width - 4}" y="{baseline}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" fill="{colour}"/>'
            f'<text x="{label_width + length + 3}" y="{baseline}">{value}</text>'
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
