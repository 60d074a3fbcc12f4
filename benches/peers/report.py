"""Prints the peer-comparison table and writes it as markdown (benches/peers/results.md).

Arguments: the result JSON files of affected.py and nearest.py (named by what they hold), the
markdown output path, and a JSON file of facts about the run (machine, versions).
"""

from __future__ import annotations

import json
import sys

from tables import human_ns

args = dict(a.split("=", 1) for a in sys.argv[1:])
env = json.load(open(args["env"]))
aff = json.load(open(args["affected"]))
near = json.load(open(args["nearest_city"]))
near_8500 = json.load(open(args["nearest_8500"])) if args.get("nearest_8500") else None
near_small = json.load(open(args["nearest_small"])) if args.get("nearest_small") else None


def ratio(peer, gc):
    return peer / gc if gc and gc == gc and peer == peer else float("nan")


def fmt_ratio(r):
    if r != r:
        return "n/a"
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×"


rows = []  # workload, peer, peer ns, gridcare ns, target factor or None
feeder = f"IEEE 8500 feeder, {aff['devices']} devices"
rows.append(("affected customers of a device", feeder,
             f"pandapower {aff['pandapower']['version']} `topology.unsupplied_buses`",
             aff["pandapower"]["median_ns"], aff["gridcare"]["median_ns"], 1000))
rows.append(("affected customers of a device", feeder,
             f"networkx {aff['networkx']['version']} precomputed `bfs_tree` + descendants",
             aff["networkx"]["median_ns"], aff["gridcare"]["median_ns"], 10))
city = f"{near['customers']:,} customers, {near['segments']:,} segments, {near['points']:,} points"
rows.append(("nearest line to a point", city,
             f"shapely {near['shapely']['version']} STRtree `{near['shapely']['call']}`, one query per call",
             near["shapely"]["median_ns"], near["gridcare"]["median_ns"], 3))
rows.append(("nearest line to a point", city,
             f"shapely {near['shapely']['version']} STRtree `nearest(array)`, bulk, per point",
             near["shapely"]["bulk_ns_per_point"], near["gridcare"]["median_ns"], None))
for extra in (near_small, near_8500):
    if extra:
        what = ("IEEE 8500 feeder" if extra is near_8500 else f"{extra['customers']:,} customers") + \
            f", {extra['segments']:,} segments, {extra['points']:,} points"
        rows.append(("nearest line to a point", what,
                     f"shapely STRtree `{extra['shapely']['call']}`, one query per call",
                     extra["shapely"]["median_ns"], extra["gridcare"]["median_ns"], None))

table = []
for workload, on, peer, p_ns, g_ns, target in rows:
    r = ratio(p_ns, g_ns)
    met = "—" if target is None else ("yes" if r >= target else "**no**")
    table.append((f"{workload} ({on})", peer, human_ns(p_ns), human_ns(g_ns), fmt_ratio(r),
                  "—" if target is None else f"≥ {target:,}×", met))

heads = ("workload", "peer", "peer median", "gridcare median", "ratio (peer/gridcare)", "target", "met?")

# --- terminal -----------------------------------------------------------------------------------
widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(heads)]
line = "  ".join(h.ljust(w) for h, w in zip(heads, widths))
print()
print(line)
print("-" * len(line))
for row in table:
    print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
print()

c = aff["check"]
agree_aff = (f"affected customers: pandapower {c['agree_pandapower']}/{c['devices']}, networkx "
             f"{c['agree_networkx']}/{c['devices']} devices give the same customer set as `gridcare trace` "
             f"({c['timed_devices_checked']} timed devices + {c['extra_devices']} more: the other live switches, "
             f"the substation transformer and the regulators); per device {c['affected_median']:.0f} customers "
             f"median, {c['affected_max']} max, {c['affected_zero']} with none (only equipment below, or a parallel unit keeps supply: the "
             f"single-phase regulators are three parallel branches at bus level)")
agree_near = []
for label, n in (("1 M city", near), ("small city", near_small), ("IEEE 8500", near_8500)):
    if n:
        k = n["check"]
        agree_near.append(f"nearest line, {label}: {k['agree']}/{k['points']} points name the same line "
                          f"at the same distance (±1e-6 m) as `gridcare locate` ({k['verdicts']})")
print("agreement:")
print("  " + agree_aff)
for a in agree_near:
    print("  " + a)
bad = c["disagreements"] + [x for n in (near, near_small, near_8500) if n for x in n["check"]["not_agreeing"]]
if bad:
    print("DISAGREEMENTS:")
    for d in bad:
        print("  " + json.dumps(d, ensure_ascii=False))
print()

# --- markdown -----------------------------------------------------------------------------------
md = ["# Peer comparison", "",
      f"Measured by `bash benches/peers/run` on {env['date']} ({env['cpu']}, {env['cores']} cores, load average "
      f"{env['load']} at the start; gridcare {env['gridcare_commit']}). Medians of the same run; the ratio is "
      f"peer / gridcare. See [README.md](README.md) for what is measured and the caveats.", "",
      "| " + " | ".join(heads) + " |",
      "|" + "|".join("---" for _ in heads) + "|"]
for row in table:
    md.append("| " + " | ".join(x.replace("|", "\\|") for x in row) + " |")
md += ["", "Agreement (the comparison holds only when both sides answer the same question):", "",
       "* " + agree_aff + "."]
md += ["* " + a + "." for a in agree_near]
if bad:
    md += ["", "**Disagreements** (a bug on one side):", ""]
    md += ["* `" + json.dumps(d, ensure_ascii=False) + "`" for d in bad]
md += ["", f"Versions: Python {env['python']}, " + ", ".join(f"{k} {v}" for k, v in env["packages"].items()) + ".",
       f"Set-up not timed: pandapower net built in {aff['pandapower']['build_s']:.1f} s, networkx graph + BFS tree + "
       f"bridges in {aff['networkx']['build_s'] * 1e3:.0f} ms, STRtree over the 1 M city's segments in "
       f"{near['shapely']['build_s']:.1f} s."]
if env.get("note"):
    md += ["", f"Note: {env['note']}"]
with open(args["out"], "w") as f:
    f.write("\n".join(md) + "\n")
print(f"wrote {args['out']}")
