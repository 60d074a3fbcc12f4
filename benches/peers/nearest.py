"""Workload 2: "which line segment is nearest to this point", on one model directory.

Peer: shapely 2's STRtree over every segment of every route (MV lines and LV lines, one
2-point LineString per segment), queried one point at a time in a Python loop (the per-query
figure) and, for honesty, once in bulk with a numpy array of points (per point).
gridcare: `gridcare bench --queries` with the same points.

Both sides answer in the same local plane: gridcare projects lon/lat to metres
(src/spatial/mod.rs: equirectangular, centred on the model's bounding box); the shapely tree is
built on the same projection (query points projected before timing), so "nearest" means the
same thing on both sides. Agreement: for a sample of points `gridcare locate --json` names
the nearest line and its distance; it must be one of the segments shapely finds at the
minimum distance (ties: all of them), at the same distance (±1e-6 m).

Writes a JSON result file (argument 2).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from tables import LocalPlane, gridcare, gridcare_bench, human_ns, log, median, parse_route

MODEL = sys.argv[1]
OUT = sys.argv[2]
N_POINTS = int(os.environ.get("PEERS_POINTS", "20000"))
N_CHECK = int(os.environ.get("PEERS_CHECK_POINTS", "16"))
CHECK_JOBS = int(os.environ.get("PEERS_CHECK_JOBS", "2"))
SEED = int(os.environ.get("PEERS_SEED", "7"))
TOL_M = 1e-6
WORK = os.environ.get("PEERS_WORK", os.path.join(os.path.dirname(MODEL), "work"))
os.makedirs(WORK, exist_ok=True)

t0 = time.perf_counter()
# --- read the routes and positions ------------------------------------------------------------
t = time.perf_counter()
buses = pd.read_csv(os.path.join(MODEL, "buses.csv"), usecols=["lon", "lat"])
cust = pd.read_csv(os.path.join(MODEL, "customers.csv"), usecols=["lon", "lat"])
names, ks, ends = [], [], []  # per segment: element name, segment index, (lon0, lat0, lon1, lat1)
n_routes = 0
for table in ("lines", "lv_lines"):
    df = pd.read_csv(os.path.join(MODEL, table + ".csv"), usecols=["name", "route"],
                     dtype={"name": str, "route": str}, keep_default_na=False)
    for name, route in zip(df["name"], df["route"]):
        pts = parse_route(route)
        n_routes += 1
        for k in range(len(pts) - 1):
            names.append(name)
            ks.append(k)
            ends.append((*pts[k], *pts[k + 1]))
ends = np.asarray(ends, dtype=np.float64)
read_s = time.perf_counter() - t

bl = buses.dropna()
lon_lo = min(bl["lon"].min(), cust["lon"].min())
lon_hi = max(bl["lon"].max(), cust["lon"].max())
lat_lo = min(bl["lat"].min(), cust["lat"].min())
lat_hi = max(bl["lat"].max(), cust["lat"].max())
plane = LocalPlane((lon_lo + lon_hi) / 2.0, (lat_lo + lat_hi) / 2.0)
log(f"[nearest] {MODEL}: {len(cust)} customers, {n_routes} routes, {len(names)} segments "
    f"(read in {read_s:.1f} s)")

# --- shapely STRtree over every segment, in the local plane -------------------------------------
t = time.perf_counter()
x0, y0 = plane.xy(ends[:, 0], ends[:, 1])
x1, y1 = plane.xy(ends[:, 2], ends[:, 3])
coords = np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1)  # (n, 2, 2)
segments = shapely.linestrings(coords)
tree = STRtree(segments)
build_s = time.perf_counter() - t
log(f"[nearest] shapely {shapely.__version__} STRtree over {len(segments)} segments built in {build_s:.1f} s")

# --- the query points: random customers' positions moved by up to ~150 m ------------------------
rng = random.Random(SEED ^ 1)
clon, clat = cust["lon"].to_numpy(), cust["lat"].to_numpy()
points_ll = []
for _ in range(N_POINTS):
    i = rng.randrange(len(clon))
    points_ll.append((float(clon[i]) + rng.uniform(-0.0015, 0.0015),
                      float(clat[i]) + rng.uniform(-0.0015, 0.0015)))
pll = np.asarray(points_ll)
px, py = plane.xy(pll[:, 0], pll[:, 1])
qpoints = shapely.points(px, py)
qlist = list(qpoints)

# --- shapely per query (Python loop of single-point queries) and in bulk ------------------------
for p in qlist[:200]:  # warm up
    tree.nearest(p)
loop_times = []
nearest_idx = np.empty(len(qlist), dtype=np.int64)
for k, p in enumerate(qlist):
    t = time.perf_counter_ns()
    nearest_idx[k] = tree.nearest(p)
    loop_times.append(time.perf_counter_ns() - t)
sh_median = median(loop_times)
# the same through query_nearest (the lower-level call), to report the faster of the two
qn_times = []
for p in qlist:
    t = time.perf_counter_ns()
    tree.query_nearest(p)
    qn_times.append(time.perf_counter_ns() - t)
qn_median = median(qn_times)
bulk = []
for _ in range(3):
    t = time.perf_counter_ns()
    tree.nearest(qpoints)
    bulk.append((time.perf_counter_ns() - t) / len(qlist))
bulk_ns = min(bulk)
best_call = "nearest" if sh_median <= qn_median else "query_nearest"
sh_best = min(sh_median, qn_median)
log(f"[nearest] shapely per query in a Python loop: tree.nearest {human_ns(sh_median)}, "
    f"tree.query_nearest {human_ns(qn_median)}; bulk tree.nearest(array) {human_ns(bulk_ns)} per point")

# --- gridcare ---------------------------------------------------------------------------------
figs = gridcare_bench(MODEL, os.path.join(WORK, f"nearest-queries-{os.path.basename(MODEL)}.json"),
                      points=points_ll)
gc = figs["nearest_line"]
log(f"[nearest] gridcare: median {human_ns(gc['median_ns'])} per query ({gc['samples']} timed calls)")

# --- agreement on a sample ----------------------------------------------------------------------
sample = list(range(min(N_CHECK, len(qlist))))


def check(k: int) -> dict:
    lon, lat = points_ll[k]
    loc = gridcare(MODEL, "locate", "--lon", repr(lon), "--lat", repr(lat), "--radius-m", "1000000")
    line = loc.get("line") or {}
    idx, dist = tree.query_nearest(qlist[k], all_matches=True, return_distance=True)
    ties = sorted({names[i] for i in idx})
    d_sh = float(dist[0]) if len(dist) else float("nan")
    gc_name, d_gc = line.get("id"), float(line.get("dist_m", "nan"))
    same_dist = abs(d_gc - d_sh) <= TOL_M
    if gc_name in ties and same_dist:
        verdict = "same segment" if len(ties) == 1 else "same (one of a tie)"
    elif same_dist:
        verdict = "equal distance, other segment"
    else:
        verdict = "DISAGREE"
    return {"point": [lon, lat], "gridcare": gc_name, "gridcare_dist_m": d_gc,
            "shapely": ties, "shapely_dist_m": d_sh, "verdict": verdict}


t = time.perf_counter()
with ThreadPoolExecutor(max_workers=CHECK_JOBS) as pool:
    checks = list(pool.map(check, sample))
check_s = time.perf_counter() - t
verdicts = {}
for c in checks:
    verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
agree = sum(1 for c in checks if c["verdict"] in ("same segment", "same (one of a tie)"))
log(f"[nearest] agreement with `gridcare locate` on {len(checks)} points ({check_s:.0f} s): "
    f"{agree}/{len(checks)} same nearest line at the same distance; {verdicts}")
for c in checks:
    if c["verdict"] not in ("same segment", "same (one of a tie)"):
        log(f"[nearest] {c['verdict']}: {c}")

result = {
    "model": MODEL,
    "customers": int(len(cust)),
    "segments": int(len(segments)),
    "points": len(qlist),
    "seed": SEED,
    "shapely": {"median_ns": sh_best, "call": best_call, "nearest_median_ns": sh_median,
                "query_nearest_median_ns": qn_median, "bulk_ns_per_point": bulk_ns,
                "samples": len(loop_times), "build_s": build_s, "version": shapely.__version__},
    "gridcare": {"median_ns": gc["median_ns"], "samples": gc["samples"]},
    "check": {"points": len(checks), "agree": agree, "verdicts": verdicts,
              "not_agreeing": [c for c in checks if c["verdict"] not in ("same segment", "same (one of a tie)")]},
    "seconds": time.perf_counter() - t0,
}
with open(OUT, "w") as f:
    json.dump(result, f, indent=1)
