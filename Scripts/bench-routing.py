#!/usr/bin/env python3
"""Routing benchmark: point -> subcircuito lookup rate of `boton territory locate` against shapely 2.x.

Usage (from the repository root, as Scripts/bench runs it):

    python3 Scripts/bench-routing.py --boton .build/release/boton \
        --territory Config/territorio-ec.geojson --points Tests/Fixtures/points-ec.csv

Baseline: the subcircuit polygons in a shapely STRtree, queried with the whole points array at once
(vectorized, prepared geometries). Three equivalent formulations are timed and the fastest one is the
baseline, each the best of --repeat runs:

  * tree.query(points, predicate="within")    -- "polygon contains point" (query predicates run
                                                  input-vs-tree, so contains(point, polygon) would be
                                                  the wrong way round)
  * STRtree(points).query(polygons, predicate="contains")
  * tree.query(points) bounding-box candidates + shapely.contains_xy(polygon, x, y)

Ours: `BOTON territory locate --territory FILE --csv POINTS --stats --out TMP`, which writes
`lon,lat,subcircuit` rows (empty subcircuit outside every polygon) and prints on stderr
`locate points=N seconds=S rate=R` (S times the lookups only, best of its internal repetitions).

Agreement: points given the same subcircuit by both, over points that are not on a polygon boundary
(boundary distance <= 1e-9 degrees, i.e. on an edge or vertex up to binary rounding of the 6-decimal
inputs; shapely's `contains` excludes the boundary, while boton assigns every boundary point to
exactly one side, so those points are not comparable). Prints up to 10 disagreements.

Exit status: 0 when agreement is 100%, 1 otherwise, 2 on usage or run errors.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import shapely
except ImportError:  # pragma: no cover - first run on a fresh machine
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "shapely"])
    import numpy as np
    import shapely

EDGE_TOLERANCE = 1e-9


def load_territory(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    codes, polygons = [], []
    for feature in doc["features"]:
        if feature["properties"].get("level") != "subcircuito":
            continue
        codes.append(feature["properties"]["code"])
        polygons.append(shapely.geometry.shape(feature["geometry"]))
    return codes, np.array(polygons, dtype=object)


def load_points(path):
    xs, ys = [], []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if [h.strip() for h in header[:2]] != ["lon", "lat"]:
            sys.exit(f"bench-routing: {path}: expected header lon,lat, got {header}")
        for row in reader:
            if row:
                xs.append(float(row[0]))
                ys.append(float(row[1]))
    return np.array(xs), np.array(ys)


def first_owner(n, point_idx, poly_idx):
    """Per point, the lowest polygon index among the pairs (-1 when none)."""
    owner = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(owner, point_idx, poly_idx)
    owner[owner == np.iinfo(np.int64).max] = -1
    return owner


def best_of(repeat, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def shapely_baselines(polygons, xs, ys, repeat):
    points = shapely.points(xs, ys)
    n = len(points)
    shapely.prepare(polygons)
    tree = shapely.STRtree(polygons)

    def within():
        pi, gi = tree.query(points, predicate="within")
        return first_owner(n, pi, gi)

    def contains_points_tree():
        ptree = shapely.STRtree(points)
        gi, pi = ptree.query(polygons, predicate="contains")
        return first_owner(n, pi, gi)

    def bbox_then_contains_xy():
        pi, gi = tree.query(points)
        hit = shapely.contains_xy(polygons[gi], xs[pi], ys[pi])
        return first_owner(n, pi[hit], gi[hit])

    results = {}
    for name, fn in [("STRtree(polygons).query(points, predicate='within')", within),
                     ("STRtree(points).query(polygons, predicate='contains')", contains_points_tree),
                     ("STRtree(polygons).query(points) + contains_xy", bbox_then_contains_xy)]:
        seconds, owner = best_of(repeat, fn)
        results[name] = (seconds, owner)
    return results


def edge_points(polygons, xs, ys):
    """Points within EDGE_TOLERANCE of any polygon boundary."""
    points = shapely.points(xs, ys)
    boundaries = shapely.boundary(polygons)
    tree = shapely.STRtree(boundaries)
    pi, _ = tree.query(points, predicate="dwithin", distance=EDGE_TOLERANCE)
    on_edge = np.zeros(len(points), dtype=bool)
    on_edge[pi] = True
    return on_edge


def run_boton(boton, territory, points_csv):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "locate.csv")
        cmd = [boton, "territory", "locate", "--territory", territory, "--csv", points_csv, "--stats", "--out", out]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            sys.exit(f"bench-routing: {' '.join(cmd)} exited with {proc.returncode}")
        stats = None
        for line in proc.stderr.splitlines():
            if line.startswith("locate "):
                stats = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
        if stats is None:
            sys.stderr.write(proc.stderr)
            sys.exit("bench-routing: no 'locate points=N seconds=S rate=R' line on stderr")
        answers = []
        with open(out, newline="") as f:
            for row in csv.reader(f):
                if not row or row[0].strip() == "lon":
                    continue
                answers.append((float(row[0]), float(row[1]), row[2].strip() if len(row) > 2 else ""))
    return stats, answers


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boton", required=True, help="path to the boton binary")
    ap.add_argument("--territory", required=True, help="territory GeoJSON")
    ap.add_argument("--points", required=True, help="CSV of test points (header lon,lat)")
    ap.add_argument("--repeat", type=int, default=5, help="shapely runs per variant (best is kept)")
    args = ap.parse_args()

    codes, polygons = load_territory(args.territory)
    xs, ys = load_points(args.points)
    n = len(xs)
    print(f"territory: {len(codes)} subcircuit polygons; points: {n}; shapely {shapely.__version__}, "
          f"GEOS {shapely.geos_version_string}")

    results = shapely_baselines(polygons, xs, ys, args.repeat)
    for name, (seconds, _) in results.items():
        print(f"  shapely {name}: {n / seconds:,.0f} points/s ({seconds * 1000:.1f} ms)")
    best_name = min(results, key=lambda k: results[k][0])
    shapely_seconds, owner = results[best_name]
    shapely_rate = n / shapely_seconds
    reference = [codes[i] if i >= 0 else "" for i in owner]
    for name, (_, other) in results.items():
        if not np.array_equal(other, owner):
            print(f"  note: shapely variants disagree ({name}) on {(other != owner).sum()} points")

    stats, answers = run_boton(args.boton, args.territory, args.points)
    if len(answers) != n:
        sys.exit(f"bench-routing: boton wrote {len(answers)} rows for {n} points")
    ours_rate = float(stats.get("rate", "nan"))

    on_edge = edge_points(polygons, xs, ys)
    compared = agree = 0
    disagreements = []
    for i in range(n):
        lon, lat, code = answers[i]
        if abs(lon - xs[i]) > 1e-6 or abs(lat - ys[i]) > 1e-6:
            sys.exit(f"bench-routing: row {i + 1} of boton output is ({lon}, {lat}), expected ({xs[i]}, {ys[i]})")
        if on_edge[i]:
            continue
        compared += 1
        if code == reference[i]:
            agree += 1
        else:
            disagreements.append((i, xs[i], ys[i], reference[i] or "-", code or "-"))

    print(f"shapely (best: {best_name}): {shapely_rate:,.0f} points/s")
    print(f"ours (boton territory locate): {ours_rate:,.0f} points/s "
          f"(points={stats.get('points')}, seconds={stats.get('seconds')})")
    print(f"ratio ours/shapely: {ours_rate / shapely_rate:.1f}x")
    print(f"agreement: {agree}/{compared} points not on an edge ({100.0 * agree / max(compared, 1):.3f}%); "
          f"{int(on_edge.sum())} edge points excluded")
    for i, x, y, theirs, ours in disagreements[:10]:
        print(f"  disagreement: point {i + 1} lon={x:.6f} lat={y:.6f} shapely={theirs} boton={ours}")
    return 0 if agree == compared else 1


if __name__ == "__main__":
    sys.exit(main())
