"""Workload 1: "which customers lose supply if device X opens", on one model directory.

Peers, on the same devices (seeded draw of lines and closed switches that carry power):
  * pandapower: open the device in the net, `pandapower.topology.unsupplied_buses(net)` (which
    builds its networkx MultiGraph on every call: that is what pandapower does), the loads at
    the buses that were supplied before, restore the device.
  * networkx with precomputed structures: the graph of conducting elements, `nx.bfs_tree` from
    the source(s) and the set of bridges, built once; per device the descendants of its child
    bus in the tree (or nothing when the device is not a bridge: a parallel path keeps supply).
  * gridcare: `gridcare bench --queries` on the same devices.
Agreement: every peer's customer set is compared with `gridcare trace DEVICE --json`.

Writes a JSON result file (argument 2).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import warnings

import networkx as nx
import numpy as np

warnings.filterwarnings("ignore")
import pandapower as pp  # noqa: E402
import pandapower.topology as top  # noqa: E402

from tables import gridcare, gridcare_bench, human_ns, log, median, read_topology  # noqa: E402

MODEL = sys.argv[1]
OUT = sys.argv[2]
N_DEVICES = int(os.environ.get("PEERS_DEVICES", "200"))
N_CHECK = int(os.environ.get("PEERS_CHECK_DEVICES", str(N_DEVICES)))
NX_REPEAT = int(os.environ.get("PEERS_NX_REPEAT", "50"))
PP_REPEAT = int(os.environ.get("PEERS_PP_REPEAT", "3"))
SEED = int(os.environ.get("PEERS_SEED", "7"))
WORK = os.environ.get("PEERS_WORK", os.path.join(os.path.dirname(MODEL), "work"))
os.makedirs(WORK, exist_ok=True)

t0 = time.perf_counter()
m = read_topology(MODEL)
n_bus = len(m.bus_names)
log(f"[affected] {MODEL}: {n_bus} buses, {len(m.lines)} lines, {len(m.switches)} switches, "
    f"{len(m.transformers)} transformers, {len(m.lv_lines)} LV lines, {len(m.customer_names)} customers")

cust_at: dict[int, list[int]] = {}
for c, b in enumerate(m.customer_bus):
    cust_at.setdefault(b, []).append(c)

# --- Which elements conduct in the normal state -------------------------------------------
line_gates: dict[int, list[int]] = {}
for s_id, s in enumerate(m.switches):
    if s.line is not None:
        line_gates.setdefault(s.line, []).append(s_id)


def line_conducts(i: int) -> bool:
    return m.lines[i][4] and not any(m.switches[s].normally_open for s in line_gates.get(i, ()))


# Every conducting edge: (key, a, b). Keys name the element: ("line", i), ("switch", i), ...
edges = []
for i, (_, a, b, _, _) in enumerate(m.lines):
    if line_conducts(i):
        edges.append((("line", i), a, b))
for i, s in enumerate(m.switches):
    if s.from_bus is not None and not s.normally_open:
        edges.append((("switch", i), s.from_bus, s.to_bus))
for i, (_, _, hv, lv, _) in enumerate(m.transformers):
    edges.append((("trafo", i), hv, lv))
for i, (_, a, b, _) in enumerate(m.lv_lines):
    edges.append((("lv", i), a, b))

# --- networkx: graph, BFS tree and bridges, built once ---------------------------------------
t = time.perf_counter()
SRC = -1  # a super-source joined to every feeder's source bus
G = nx.MultiGraph()
G.add_nodes_from(range(n_bus))
for key, a, b in edges:
    G.add_edge(a, b, key=key)
for s in m.feeder_sources:
    G.add_edge(SRC, s, key=("source", s))
tree = nx.bfs_tree(G, SRC)
simple = nx.Graph(G)  # bridges need a simple graph; parallel edges are never bridges
multiplicity: dict[frozenset, int] = {}
for _, a, b in edges:
    if a != b:
        k = frozenset((a, b))
        multiplicity[k] = multiplicity.get(k, 0) + 1
bridges = {frozenset(e) for e in nx.bridges(simple) if multiplicity.get(frozenset(e), 1) == 1}
energised = set(tree.nodes) - {SRC}
nx_build_s = time.perf_counter() - t
log(f"[affected] networkx graph + bfs_tree + bridges: {nx_build_s * 1e3:.0f} ms, "
    f"{len(energised)} of {n_bus} buses energised")

# --- the devices: lines and closed switches that carry power ----------------------------------
# A device carries power when it conducts, joins two different buses and both are energised.
candidates = []  # (name, a, b)
for i, (name, a, b, _, _) in enumerate(m.lines):
    if line_conducts(i) and a != b and a in energised and b in energised:
        candidates.append((name, a, b, ("line", i)))
for i, s in enumerate(m.switches):
    if s.normally_open:
        continue
    if s.from_bus is not None:
        a, b, key = s.from_bus, s.to_bus, ("switch", i)
    else:
        if not line_conducts(s.line):
            continue
        _, a, b, _, _ = m.lines[s.line]
        key = ("switch_on_line", i)
    if a != b and a in energised and b in energised:
        candidates.append((s.name, a, b, key))
rng = random.Random(SEED)
devices = rng.sample(candidates, min(N_DEVICES, len(candidates)))
# Checked for agreement but not timed: every other switch that carries power, and the
# substation transformers and regulators (parallel single-phase units: loops).
drawn = {d[0] for d in devices}
extras = [d for d in candidates if d[3][0].startswith("switch") and d[0] not in drawn]
for i, (name, kind, hv, lv, _) in enumerate(m.transformers):
    if kind in ("substation", "regulator") and hv != lv and hv in energised and lv in energised:
        extras.append((name, hv, lv, ("trafo", i)))
n_sw = sum(1 for d in devices if d[3][0].startswith("switch"))
log(f"[affected] {len(devices)} devices drawn from {len(candidates)} candidates "
    f"({n_sw} switches, {len(devices) - n_sw} lines), seed {SEED}")


def nx_affected(a: int, b: int) -> list[int]:
    """Customers below the device in the precomputed BFS tree (none if it is not a bridge)."""
    if tree.has_edge(a, b):
        child = b
    elif tree.has_edge(b, a):
        child = a
    else:
        return []  # not a tree edge: a parallel path carries the supply
    if frozenset((a, b)) not in bridges:
        return []
    out = list(cust_at.get(child, ()))
    for bus in nx.descendants(tree, child):
        out.extend(cust_at.get(bus, ()))
    return out


nx_answers = [sorted(nx_affected(a, b)) for _, a, b, _ in devices]
nx_times = []
for _ in range(NX_REPEAT):
    for _, a, b, _ in devices:
        t = time.perf_counter_ns()
        nx_affected(a, b)
        nx_times.append(time.perf_counter_ns() - t)
nx_median = median(nx_times)
log(f"[affected] networkx precomputed tree: median {human_ns(nx_median)} per device "
    f"({len(nx_times)} timed calls)")

# --- pandapower -----------------------------------------------------------------------------
t = time.perf_counter()
net = pp.create_empty_network(name=os.path.basename(MODEL))
lv_buses = {lv for (_, kind, _, lv, _) in m.transformers if kind in ("public", "dedicated")}
for _, a, b, _ in m.lv_lines:
    lv_buses.update((a, b))
hv_buses = {hv for (_, kind, hv, _, _) in m.transformers if kind == "substation"}
vn = np.full(n_bus, m.feeder_kv)
vn[list(lv_buses)] = 0.4
vn[list(hv_buses)] = m.substation_kv_hv
pp.create_buses(net, n_bus, vn_kv=vn, index=np.arange(n_bus), name=m.bus_names)
n_lines = len(m.lines)
pp.create_lines_from_parameters(
    net,
    from_buses=[l[1] for l in m.lines] + [l[1] for l in m.lv_lines],
    to_buses=[l[2] for l in m.lines] + [l[2] for l in m.lv_lines],
    length_km=[max(l[3], 1.0) / 1000.0 for l in m.lines] + [max(l[3], 1.0) / 1000.0 for l in m.lv_lines],
    r_ohm_per_km=[0.3] * n_lines + [0.6] * len(m.lv_lines),
    x_ohm_per_km=[0.35] * n_lines + [0.08] * len(m.lv_lines),
    c_nf_per_km=[10.0] * n_lines + [200.0] * len(m.lv_lines),
    max_i_ka=[0.4] * n_lines + [0.2] * len(m.lv_lines),
    in_service=[l[4] for l in m.lines] + [True] * len(m.lv_lines),
    name=[l[0] for l in m.lines] + [l[0] for l in m.lv_lines],
    index=np.arange(n_lines + len(m.lv_lines)),
)
pp.create_transformers_from_parameters(
    net,
    hv_buses=[t_[2] for t_ in m.transformers],
    lv_buses=[t_[3] for t_ in m.transformers],
    sn_mva=[max(t_[4], 10.0) / 1000.0 for t_ in m.transformers],
    vn_hv_kv=[vn[t_[2]] for t_ in m.transformers],
    vn_lv_kv=[vn[t_[3]] for t_ in m.transformers],
    vkr_percent=1.0,
    vk_percent=4.0,
    pfe_kw=0.0,
    i0_percent=0.0,
    name=[t_[0] for t_ in m.transformers],
    index=np.arange(len(m.transformers)),
)
sw_bus, sw_el, sw_et, sw_closed = [], [], [], []
for s in m.switches:
    if s.from_bus is not None:  # own terminals: a bus-bus switch
        sw_bus.append(s.from_bus), sw_el.append(s.to_bus), sw_et.append("b")
    else:  # mounted on a line: a line switch at the line's first bus
        sw_bus.append(m.lines[s.line][1]), sw_el.append(s.line), sw_et.append("l")
    sw_closed.append(not s.normally_open)
if m.switches:
    pp.create_switches(net, sw_bus, sw_el, sw_et, closed=sw_closed,
                       name=[s.name for s in m.switches], index=np.arange(len(m.switches)))
for s in sorted(set(m.feeder_sources)):
    pp.create_ext_grid(net, s)
pp.create_loads(net, m.customer_bus, p_mw=[k / 1000.0 for k in m.customer_kw],
                name=m.customer_names, index=np.arange(len(m.customer_names)))
pp_build_s = time.perf_counter() - t
log(f"[affected] pandapower net built in {pp_build_s:.1f} s: {len(net.bus)} buses, {len(net.line)} lines, "
    f"{len(net.trafo)} trafos, {len(net.switch)} switches, {len(net.ext_grid)} ext_grids, {len(net.load)} loads")

baseline = top.unsupplied_buses(net)  # computed once: buses dead before anything opens
load_bus = net.load.bus.to_numpy()
bus_loads: dict[int, list[int]] = {}
for load_idx, bus in zip(net.load.index, load_bus):
    bus_loads.setdefault(int(bus), []).append(int(load_idx))
log(f"[affected] pandapower baseline: {len(baseline)} unsupplied buses before opening anything")


def pp_affected(key) -> list[int]:
    kind, i = key
    if kind == "line":
        net.line.at[i, "in_service"] = False
    elif kind == "trafo":
        net.trafo.at[i, "in_service"] = False
    else:  # switch or switch on a line: both are rows of net.switch
        net.switch.at[i, "closed"] = False
    try:
        dead = top.unsupplied_buses(net)
    finally:
        if kind == "line":
            net.line.at[i, "in_service"] = True
        elif kind == "trafo":
            net.trafo.at[i, "in_service"] = True
        else:
            net.switch.at[i, "closed"] = True
    out = []
    for bus in dead - baseline:
        out.extend(bus_loads.get(bus, ()))
    return out


pp_answers = []
pp_times = []
for rep in range(PP_REPEAT):
    for _, _, _, key in devices:
        t = time.perf_counter_ns()
        ans = pp_affected(key)
        pp_times.append(time.perf_counter_ns() - t)
        if rep == 0:
            pp_answers.append(sorted(ans))
pp_median = median(pp_times)
log(f"[affected] pandapower unsupplied_buses: median {human_ns(pp_median)} per device "
    f"({len(pp_times)} timed calls)")

# --- gridcare ---------------------------------------------------------------------------------
names = [d[0] for d in devices]
figs = gridcare_bench(MODEL, os.path.join(WORK, "affected-queries.json"), devices=names)
gc = figs["affected_customers"]
log(f"[affected] gridcare: median {human_ns(gc['median_ns'])} per device ({gc['samples']} timed calls)")

# --- agreement ------------------------------------------------------------------------------
checked = devices[:N_CHECK] + extras
pp_answers += [sorted(pp_affected(key)) for _, _, _, key in extras]
nx_answers = nx_answers[:N_CHECK] + [sorted(nx_affected(a, b)) for _, a, b, _ in extras]
pp_answers = pp_answers[:N_CHECK] + pp_answers[len(devices):]
disagreements = []
agree_pp = agree_nx = 0
sizes = []
for k, (name, a, b, key) in enumerate(checked):
    gc_set = set(gridcare(MODEL, "trace", name)["affected_customers"])
    pp_set = {m.customer_names[c] for c in pp_answers[k]}
    nx_set = {m.customer_names[c] for c in nx_answers[k]}
    sizes.append(len(gc_set))
    agree_pp += pp_set == gc_set
    agree_nx += nx_set == gc_set
    if pp_set != gc_set or nx_set != gc_set:
        disagreements.append({
            "device": name,
            "gridcare": len(gc_set),
            "pandapower": len(pp_set),
            "networkx": len(nx_set),
            "only_gridcare": sorted(gc_set - pp_set)[:20],
            "only_pandapower": sorted(pp_set - gc_set)[:20],
            "only_networkx": sorted(nx_set - gc_set)[:20],
        })
n_check = len(checked)
log(f"[affected] agreement with `gridcare trace` on {min(N_CHECK, len(devices))} timed devices + "
    f"{len(extras)} more (other live switches, substation transformer, regulators): pandapower {agree_pp}/{n_check}, "
    f"networkx {agree_nx}/{n_check}; affected customers per device: median {median(sizes):.0f}, "
    f"max {max(sizes) if sizes else 0}, {sum(1 for s in sizes if s == 0)} with none")
for d in disagreements:
    log(f"[affected] DISAGREE {d}")

result = {
    "model": MODEL,
    "buses": n_bus,
    "customers": len(m.customer_names),
    "devices": len(devices),
    "device_names": names,
    "seed": SEED,
    "pandapower": {"median_ns": pp_median, "samples": len(pp_times), "build_s": pp_build_s,
                   "version": pp.__version__},
    "networkx": {"median_ns": nx_median, "samples": len(nx_times), "build_s": nx_build_s,
                 "version": nx.__version__},
    "gridcare": {"median_ns": gc["median_ns"], "samples": gc["samples"]},
    "check": {"devices": n_check, "timed_devices_checked": min(N_CHECK, len(devices)), "extra_devices": len(extras), "agree_pandapower": agree_pp, "agree_networkx": agree_nx,
              "affected_median": median(sizes), "affected_max": max(sizes) if sizes else 0,
              "affected_zero": sum(1 for s in sizes if s == 0), "disagreements": disagreements},
    "seconds": time.perf_counter() - t0,
}
with open(OUT, "w") as f:
    json.dump(result, f, indent=1)
