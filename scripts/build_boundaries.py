"""Build the simplified kab/kota map used by the monitoring dashboards.

Reads ../shared/data/wilayah_boundaries/kab/*.sql (cahyadsn/wilayah_boundaries, MIT),
projects [lat, lng] rings to a flat x/y (equirectangular, 20 units per degree), simplifies
them (Douglas–Peucker), drops specks, and writes one small JSON of SVG paths:

    mpp/monitoring/static/monitoring/kabkota.json   (+ LICENSE-wilayah_boundaries.txt)

Run: .venv/bin/python scripts/build_boundaries.py [--tolerance 0.6]
"""

import argparse
import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "wilayah_boundaries"
TARGET = ROOT / "mpp" / "monitoring" / "static" / "monitoring"
ROW = re.compile(r"\('(\d\d\.\d\d)','([^']*)',(-?[\d.]+),(-?[\d.]+),'(\[.*\])'\)")
SCALE = 20  # units per degree
WEST, NORTH = 94.5, 6.5


def project(lat: float, lng: float) -> tuple[float, float]:
    return ((lng - WEST) * SCALE, (NORTH - lat) * SCALE)


def rings_of(node) -> list:
    """Every ring in arbitrarily nested [lat, lng] arrays."""
    if node and isinstance(node[0], (int, float)):
        return []
    if node and isinstance(node[0], list) and node[0] and isinstance(node[0][0], (int, float)):
        return [node]
    return [ring for child in node for ring in rings_of(child)]


def simplify(points: list, tolerance: float) -> list:
    """Douglas–Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            else:  # a closed ring: distance from its start
                distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points: list) -> float:
    return (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def path_of(rings: list) -> str:
    parts = []
    for ring in rings:
        start = ring[0]
        moves = [f"M{start[0]:.1f} {start[1]:.1f}"]
        previous = start
        for point in ring[1:]:
            dx, dy = round(point[0] - previous[0], 1), round(point[1] - previous[1], 1)
            if dx or dy:
                moves.append(f"l{dx:g} {dy:g}")
                previous = (previous[0] + dx, previous[1] + dy)
        parts.append("".join(moves) + "z")
    return "".join(parts)


def build(tolerance: float, min_area: float) -> dict:
    regions = {}
    for sql in sorted((SOURCE / "kab").glob("*.sql")):
        for match in ROW.finditer(sql.read_text(encoding="utf-8")):
            code, name, lat, lng, path = match.groups()
            rings = [
                [project(lat_, lng_) for lat_, lng_ in ring] for ring in rings_of(json.loads(path))
            ]
            rings = [simplify(ring, tolerance) for ring in rings]
            rings.sort(key=area, reverse=True)
            kept = [
                r for i, r in enumerate(rings) if len(r) >= 4 and (i == 0 or area(r) >= min_area)
            ]
            x, y = project(float(lat), float(lng))
            regions[code] = {
                "n": name,
                "c": [round(x, 1), round(y, 1)],
                "d": path_of(kept or rings[:1]),
            }
    return {
        "source": "cahyadsn/wilayah_boundaries (MIT, Copyright (c) 2024 Cahya DSN); simplified",
        "projection": f"x = (lng - {WEST}) * {SCALE}, y = ({NORTH} - lat) * {SCALE}",
        "viewBox": [0, 0, round((141.5 - WEST) * SCALE), round((NORTH + 11.5) * SCALE)],
        "regions": regions,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.35, help="map units (1/20 degree)")
    parser.add_argument("--min-area", type=float, default=0.8, help="drop smaller islands")
    args = parser.parse_args()
    data = build(args.tolerance, args.min_area)
    TARGET.mkdir(parents=True, exist_ok=True)
    out = TARGET / "kabkota.json"
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    shutil.copy(SOURCE / "LICENSE", TARGET / "LICENSE-wilayah_boundaries.txt")
    print(f"{len(data['regions'])} kab/kota, {out.stat().st_size / 1024:.0f} KiB → {out}")


if __name__ == "__main__":
    main()
