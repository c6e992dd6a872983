"""The map of Indonesia for a week: kab/kota shaded by visits per 1,000 population, malls
as points, quiet and no-data malls marked. Drawn as inline SVG on the server from the
simplified boundaries in static/monitoring/kabkota.json (no tile server, no script)."""

import json
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .dashboards import colour_scale

BOUNDARIES = Path(__file__).resolve().parent / "static" / "monitoring" / "kabkota.json"
PALETTE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_MALL = "#f2f2f2"
NO_DATA = "#fde0c5"


@lru_cache(maxsize=1)
def boundaries() -> dict:
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def _region_of(code: str, regions: dict) -> list[str]:
    """The kab/kota codes a mall's region covers (a province code covers all of them)."""
    if code in regions:
        return [code]
    return [c for c in regions if c.startswith(f"{code}.")]


def _point(codes: list[str], regions: dict) -> tuple[float, float]:
    xs = [regions[c]["c"][0] for c in codes]
    ys = [regions[c]["c"][1] for c in codes]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def map_layers(report: dict) -> dict:
    """Colours per kab/kota and the mall markers, as plain data (also used by tests)."""
    regions = boundaries()["regions"]
    breaks, classify = colour_scale([m["visits_per_1000"] for m in report["malls"]])
    fills, markers = {}, []
    for mall in report["malls"]:
        codes = _region_of(mall["regency_code"], regions)
        if not codes:
            continue
        level = classify(mall["visits_per_1000"])
        for code in codes:
            fills[code] = (NO_DATA if level is None else PALETTE[level], mall)
        x, y = _point(codes, regions)
        markers.append({"x": round(x, 1), "y": round(y, 1), "mall": mall})
    return {"fills": fills, "markers": markers, "breaks": breaks}


def _label(mall: dict) -> str:
    if mall["visits"] is None:
        return _("%(name)s: no data") % {"name": mall["name"]}
    return _("%(name)s: %(visits)s visits, %(rate)s per 1,000 population") % {
        "name": mall["name"],
        "visits": mall["visits"],
        "rate": mall["visits_per_1000"] if mall["visits_per_1000"] is not None else "—",
    }


def map_svg(report: dict) -> dict:
    data = boundaries()
    regions = data["regions"]
    layers = map_layers(report)
    paths = []
    for code, region in regions.items():
        fill, mall = layers["fills"].get(code, (NO_MALL, None))
        title = _label(mall) if mall else _("%(name)s: no mall yet") % {"name": region["n"]}
        paths.append(
            f'<path d="{region["d"]}" fill="{fill}" data-code="{code}">'
            f"<title>{escape(region['n'])} — {escape(title)}</title></path>"
        )
    dots = []
    for marker in layers["markers"]:
        mall = marker["mall"]
        kind = mall["status"]
        radius = 2.2 if kind == "ok" or kind == "new" else 3.2
        dots.append(
            f'<circle class="mall {kind}" cx="{marker["x"]}" cy="{marker["y"]}" r="{radius}" '
            f'data-code="{mall["code"]}"><title>{escape(_label(mall))}</title></circle>'
        )
    x, y, width, height = data["viewBox"]
    label = escape(_("Map of visits per 1,000 population by regency/city"))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {width} {height}" '
        f'class="mpp-map" role="img" aria-label="{label}">'
        f'<g class="regions" stroke="#fff" stroke-width="0.3">{"".join(paths)}</g>'
        f'<g class="malls">{"".join(dots)}</g></svg>'
    )
    breaks = layers["breaks"]
    legend = []
    for i, colour in enumerate(PALETTE[: len(breaks) + 1]):
        if not breaks:
            label = ""
        elif i == 0:
            label = f"< {breaks[0]}"
        elif i == len(breaks):
            label = f"≥ {breaks[-1]}"
        else:
            label = f"{breaks[i - 1]} – {breaks[i]}"
        legend.append({"colour": colour, "label": label})
    return {"svg": mark_safe(svg), "legend": legend, "no_data": NO_DATA, "no_mall": NO_MALL}  # noqa: S308
