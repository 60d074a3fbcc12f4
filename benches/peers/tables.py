"""Readers for a GridCare model directory (the CSV tables of `src/model/tables.rs`) and the
small helpers the peer scripts share: the `gridcare` binary, medians, the local plane.

Only the columns the peers need are read. Ids are row positions; bus columns are bus row
indices; a switch has either its own terminals (`from`, `to`) or sits on a line (`line`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field

csv.field_size_limit(1 << 30)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRIDCARE = os.environ.get("GRIDCARE_BIN", os.path.join(ROOT, "target", "release", "gridcare"))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def rows(model_dir: str, table: str):
    """Yields the rows of one table as dicts, checking that `id` is the row position."""
    with open(os.path.join(model_dir, table + ".csv"), newline="", encoding="utf-8-sig") as f:
        for k, row in enumerate(csv.DictReader(f)):
            if int(row["id"]) != k:
                raise ValueError(f"{table}.csv row {k} has id {row['id']}")
            yield row


def parse_route(s: str) -> list[tuple[float, float]]:
    if not s:
        return []
    out = []
    for p in s.split(";"):
        lon, lat = p.split(" ")
        out.append((float(lon), float(lat)))
    return out


@dataclass
class Switch:
    name: str
    kind: str
    from_bus: int | None  # own terminals
    to_bus: int | None
    line: int | None  # mounted on this line
    normally_open: bool


@dataclass
class Model:
    """The topology part of a model (positions only where asked for)."""

    bus_names: list[str]
    feeder_sources: list[int]
    lines: list[tuple[str, int, int, float, bool]]  # name, from, to, length_m, in_service
    switches: list[Switch]
    transformers: list[tuple[str, str, int, int, float]]  # name, kind, hv, lv, kva
    lv_lines: list[tuple[str, int, int, float]]  # name, from, to, length_m
    customer_names: list[str]
    customer_bus: list[int]
    customer_kw: list[float]
    substation_kv_hv: float = 110.0
    feeder_kv: float = 10.0
    line_routes: list[list[tuple[float, float]]] = field(default_factory=list)
    lv_routes: list[list[tuple[float, float]]] = field(default_factory=list)


def truthy(s: str) -> bool:
    if s in ("true", "1"):
        return True
    if s in ("false", "0"):
        return False
    raise ValueError(f"`{s}` is not true or false")


def read_topology(model_dir: str, routes: bool = False) -> Model:
    bus_names = [r["name"] for r in rows(model_dir, "buses")]
    feeders = list(rows(model_dir, "feeders"))
    subs = list(rows(model_dir, "substations"))
    lines, line_routes = [], []
    for r in rows(model_dir, "lines"):
        lines.append((r["name"], int(r["from"]), int(r["to"]), float(r["length_m"]), truthy(r["in_service"])))
        if routes:
            line_routes.append(parse_route(r["route"]))
    switches = []
    for r in rows(model_dir, "switches"):
        own = r["from"] != ""
        switches.append(
            Switch(
                name=r["name"],
                kind=r["kind"],
                from_bus=int(r["from"]) if own else None,
                to_bus=int(r["to"]) if own else None,
                line=None if own else int(r["line"]),
                normally_open=truthy(r["normally_open"]),
            )
        )
    transformers = [
        (r["name"], r["kind"], int(r["hv_bus"]), int(r["lv_bus"]), float(r["kva"]))
        for r in rows(model_dir, "transformers")
    ]
    lv_lines, lv_routes = [], []
    for r in rows(model_dir, "lv_lines"):
        lv_lines.append((r["name"], int(r["from"]), int(r["to"]), float(r["length_m"])))
        if routes:
            lv_routes.append(parse_route(r["route"]))
    cn, cb, ck = [], [], []
    for r in rows(model_dir, "customers"):
        cn.append(r["name"])
        cb.append(int(r["bus"]))
        ck.append(float(r["kw"]))
    return Model(
        bus_names=bus_names,
        feeder_sources=[int(f["source_bus"]) for f in feeders],
        lines=lines,
        switches=switches,
        transformers=transformers,
        lv_lines=lv_lines,
        customer_names=cn,
        customer_bus=cb,
        customer_kw=ck,
        substation_kv_hv=float(subs[0]["kv_hv"]) if subs else 110.0,
        feeder_kv=float(feeders[0]["kv"]) if feeders else 10.0,
        line_routes=line_routes,
        lv_routes=lv_routes,
    )


def gridcare(model_dir: str, *args: str) -> dict:
    """Runs `gridcare --model DIR ... --json` and parses its JSON output."""
    out = subprocess.run(
        [GRIDCARE, "--model", model_dir, *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def gridcare_bench(model_dir: str, queries_path: str, devices=(), points=()) -> dict:
    """Times exactly these queries with `gridcare bench --queries`; figures by name (ns)."""
    with open(queries_path, "w") as f:
        json.dump({"devices": list(devices), "points": [list(p) for p in points]}, f)
    out = gridcare(model_dir, "bench", "--queries", queries_path)
    return {fig["what"]: fig for fig in out["figures"]}


def median(xs) -> float:
    return float(statistics.median(xs)) if len(xs) else float("nan")


def human_ns(ns: float) -> str:
    if ns != ns:
        return "n/a"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


# The local plane of `src/spatial/mod.rs`: x = R·cos φ₀·(λ−λ₀)·π/180, y = R·(φ−φ₀)·π/180, metres,
# centred on the middle of the bounding box of the positioned buses and the customers.
EARTH_RADIUS_M = 6_371_008.8


class LocalPlane:
    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.ky = EARTH_RADIUS_M * math.pi / 180.0
        self.kx = self.ky * math.cos(math.radians(lat0))

    def xy(self, lon, lat):
        """Works on floats and on numpy arrays alike."""
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky
