#!/usr/bin/python3
"""Turns the JSON of peers_bench into a Markdown report (and gnuplot PNG charts).

    report.py results.json [more.json ...] [--out DIR] [--img-dir DIR] [--charts] [--title TEXT]

Writes DIR/report.md. Several JSON files are one run split over invocations (e.g. one per set
of peers): they must share the seed, graph, stream and settings, and their results are pooled. Ratios are puppies / peer for throughput and peer / puppies for latency
and bytes, so > 1 always means puppies is better; each is the geometric mean over the
repetitions of the per-repetition ratio, with the range across repetitions beside it.
Standard library only; charts need gnuplot (Debian gnuplot-nox).
"""

import argparse
import collections
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

PEER_ORDER = ["rocksdb", "sqlite", "sqlite_push", "redis", "pg_pull", "pg_push"]
PEER_TITLES = {
    "puppies": "puppies",
    "rocksdb": "raw RocksDB",
    "sqlite": "SQLite (pull)",
    "sqlite_push": "SQLite (push)",
    "redis": "Redis",
    "pg_pull": "PostgreSQL (pull)",
    "pg_push": "PostgreSQL (push)",
}
PACKAGES = ["librocksdb7.8", "redis-server", "postgresql-15", "libsqlite3-0", "libhiredis0.14",
            "libpq5", "g++"]

# (label, workload, metric, kind): kind "tput" = higher is better, "lat"/"bytes" = lower.
HEADLINE = [
    ("W1 follow, one at a time (follows/s)", "W1one", "ops_per_s", "tput"),
    ("W1 follow, bulk (edges/s)", "W1bulk", "ops_per_s", "tput"),
    ("W2 post, random author (posts/s)", "W2fill", "ops_per_s", "tput"),
    ("W2a post, 8-12 followers (p50)", "W2a", "p50", "lat"),
    ("W2b post, ~1,000 followers (p50)", "W2b", "p50", "lat"),
    ("W2c post, hub (p50)", "W2c", "p50", "lat"),
    ("W3a first page, uniform user (p50)", "W3a_uniform", "p50", "lat"),
    ("W3a first page, uniform user (p99)", "W3a_uniform", "p99", "lat"),
    ("W3a first page, heavy user (p50)", "W3a_heavy", "p50", "lat"),
    ("W3a first page, heavy user (p99)", "W3a_heavy", "p99", "lat"),
    ("W3a first page again, uniform user (p50)", "W3a_uniform_again", "p50", "lat"),
    ("W3a first page again, heavy user (p50)", "W3a_heavy_again", "p50", "lat"),
    ("W3b page 10, heavy user (p50)", "W3b_p10", "p50", "lat"),
    ("W3b page 20, heavy user (p50)", "W3b_p20", "p50", "lat"),
    ("W3c follows 5 pulled celebrities (p99)", "W3c_k5", "p99", "lat"),
    ("W4 like storm (likes/s)", "W4like", "ops_per_s", "tput"),
    ("W4 like count read (p50)", "W4count", "p50", "lat"),
    ("W5a LinkBench-like mix (ops/s)", "W5a", "ops_per_s", "tput"),
    ("W5b mix with home feeds, 50:1 (ops/s)", "W5b", "ops_per_s", "tput"),
    ("bytes per follow edge (disk; Redis: RAM)", "disk_load", "footprint_per_edge", "bytes"),
    ("bytes per post with its fan-out (disk; Redis: RAM)", "disk_w2", "footprint_per_post",
     "bytes"),
]

ABSOLUTE = ["W1one", "W1bulk", "W2fill", "W2a", "W2b", "W2c", "W3a_uniform", "W3a_heavy",
            "W3a_uniform_again", "W3a_heavy_again", "W3b_p2", "W3b_p10", "W3b_p20", "W3b_p41",
            "W3c_k0", "W3c_k1", "W3c_k5", "W4like", "W4count", "W5a", "W5b"]
# W6: (workload prefix, column title); its results are <prefix>_t1 and <prefix>_t2.
SCALING = [("W6_home", "first page, uniform user"), ("W6_like", "like, random post and user")]
# Why a peer's adapter cannot be shared between threads (W6 skips it).
NOT_SHARED = {
    "sqlite": "one connection whose prepared statements are bound, stepped and reset in place",
    "sqlite_push": "one connection whose prepared statements are bound, stepped and reset in place",
}

CDF_CHARTS = [("W3a_uniform", "first page, uniform users"), ("W3a_heavy", "first page, heavy users"),
              ("W2fill", "post, random author"), ("W4like", "like storm"),
              ("W5b", "mix with home feeds (50:1)")]


def metric(r, name):
    if name.startswith("footprint_per_"):  # Redis keeps its data in RAM, the others on disk
        unit = name[len("footprint_per_"):]
        return metric(r, ("memory_per_" if r["peer"] == "redis" else "bytes_per_") + unit)
    if name in ("p50", "p90", "p99", "p999", "mean", "max"):
        return r["lat_us"][name]
    if name in ("ops_per_s", "seconds", "ops"):
        return r[name] if r["ops"] else None
    return r["extra"].get(name)


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt(x, unit=""):
    if x is None:
        return "—"
    a = abs(x)
    if a >= 1e6:
        s = f"{x / 1e6:.2f} M"
    elif a >= 1e4:
        s = f"{x / 1e3:.0f} K"
    elif a >= 1e3:
        s = f"{x / 1e3:.1f} K"
    elif a >= 100:
        s = f"{x:.0f}"
    elif a >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.2f}"
    return s + unit


def fmt_us(us):
    if us is None:
        return "—"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.1f} µs" if us < 100 else f"{us:.0f} µs"


def dpkg_version(pkg):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                             text=True, check=False)
        return out.stdout.strip() or None
    except OSError:
        return None


# Settings that must agree between the JSON files of one report.
SAME_IN_EVERY_PART = ["seed", "graph", "counts", "durability", "fanout_threshold", "inbox_cap",
                      "cache_mb", "reps"]


class Data:
    def __init__(self, docs):
        self.meta = dict(docs[0]["meta"])
        for doc in docs[1:]:
            for k in SAME_IN_EVERY_PART:
                if doc["meta"].get(k) != self.meta.get(k):
                    sys.exit(f"report.py: the JSON files differ in {k}; they are not one run")
        self.commands = [doc["meta"]["command"] for doc in docs]
        self.meta["elapsed_s"] = sum(doc["meta"].get("elapsed_s", 0) for doc in docs)
        self.problems = [p for doc in docs for p in doc.get("problems", [])]
        # (variant, workload) -> {rep: result}
        self.by = collections.defaultdict(dict)
        self.variants = []
        for r in (r for doc in docs for r in doc["results"]):
            self.by[(r["variant"], r["workload"])][r["rep"]] = r
            if r["variant"] not in self.variants:
                self.variants.append(r["variant"])
        self.peers = [p for p in ["puppies"] + PEER_ORDER if p in self.variants]

    def values(self, variant, workload, name):
        return {rep: metric(r, name) for rep, r in self.by.get((variant, workload), {}).items()}

    def median(self, variant, workload, name, reps=None):
        xs = [x for rep, x in self.values(variant, workload, name).items()
              if x is not None and (reps is None or rep in reps)]
        return statistics.median(xs) if xs else None

    def sweep_reps(self):
        """The repetitions every sweep point ran in (the sweep runs fewer than the peers)."""
        reps = {rep for (v, _), by_rep in self.by.items() if "@" in v for rep in by_rep}
        return reps or None

    def ratio(self, peer, workload, name, kind):
        """Geometric mean over repetitions of the per-repetition ratio, and its range."""
        mine = self.values("puppies", workload, name)
        theirs = self.values(peer, workload, name)
        ratios = []
        for rep, x in mine.items():
            y = theirs.get(rep)
            if x and y and x > 0 and y > 0:
                ratios.append(x / y if kind == "tput" else y / x)
        if not ratios:
            return None, None, None
        return geomean(ratios), min(ratios), max(ratios)


def machine_lines(meta):
    m = meta.get("machine", {})
    pk = []
    for p in PACKAGES:
        v = dpkg_version(p)
        if v:
            pk.append(f"{p} {v}")
    lines = [
        f"* CPU: {m.get('cpu', '?')}, {m.get('vcpus', '?')} vCPUs, "
        f"{m.get('ram_gib', 0):.0f} GiB RAM, Linux {m.get('kernel', '?')}",
        f"* Built with {m.get('compiler', '?')}; RocksDB {m.get('rocksdb', '?')} and "
        f"SQLite {m.get('sqlite', '?')} as linked",
    ]
    if pk:
        lines.append("* Debian packages: " + ", ".join(pk))
    return lines


def header(d, title):
    meta = d.meta
    g = meta["graph"]
    c = meta["counts"]
    out = [f"# {title}", ""]
    out += machine_lines(meta)
    commands = ", then ".join(f"`{c}`" for c in d.commands)
    out += [
        f"* Command{'s' if len(d.commands) > 1 else ''}: {commands} (seed {meta['seed']}, "
        f"{meta['reps']} repetitions interleaved across peers, "
        f"{meta.get('elapsed_s', 0) / 60:.1f} min in all"
        + (f"; {meta['note']}" if meta.get("note") else "") + ")",
        f"* Graph: {g['description']}: {g['users']:,} users ({g['base_users']:,} from the graph), "
        f"{g['follows']:,} follows ({g['base_follows']:,} from the graph); hub with "
        f"{g['hub_followers']:,} followers, 4 celebrities with {g['celeb_followers']:,}",
        f"* Stream: W1 {c['w1_one']:,} single follows then {c['w1_bulk']:,} in bulk; "
        f"{c['fill_posts']:,} posts by random authors, then {c['w2a']} / {c['w2b']} / {c['w2c']} "
        f"posts for W2a/b/c; {c['w3a']:,} first pages per W3a reader group, "
        f"{c['w3b_readers']} readers x {c['w3b_pages']} pages for W3b, {c['w3c']:,} per W3c "
        f"cohort; {c['w4']:,} likes ({c['w4_distinct']:,} distinct); {c['w5']:,} operations "
        "per W5 mix"
        + (f"; W6 runs of {c['w6_seconds']} s with 1 and 2 threads" if "w6_seconds" in c else ""),
        f"* Durability class: {meta['durability']}; fan-out threshold {meta['fanout_threshold']} "
        f"followers; inbox cap {meta['inbox_cap']}; cache budget {meta['cache_mb']} MiB per peer",
        "",
    ]
    if d.problems:
        out += ["**Problems (errors or divergences from the expected answers):**", ""]
        out += [f"* {p}" for p in d.problems]
    else:
        out += ["Every check passed: each peer returned the first pages (when W3 ran), follower "
                "counts and like counts that the driver computes from the stream."]
    out.append("")
    return out


def ratio_cell(g, lo, hi, reps):
    """A geometric-mean ratio, with its range across repetitions when they differ."""
    if g is None:
        return "—"
    if hi > lo * 1.0001 and reps > 1:
        return f"{g:.2f} ({lo:.2f}–{hi:.2f})"
    return f"{g:.2f}"


def ops_cell(d, variant, workload):
    """Median ops/s, then p50 / p99 of one operation."""
    ops = d.median(variant, workload, "ops_per_s")
    if ops is None:
        return "—"
    return (f"{fmt(ops)}/s<br>{fmt_us(d.median(variant, workload, 'p50'))} / "
            f"{fmt_us(d.median(variant, workload, 'p99'))}")


def table(first, columns, rows):
    """A Markdown table; rows are (label, cells), and a row with no figure at all is left out."""
    out = [f"| {first} | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    out += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows
            if any(c != "—" for c in cells)]
    return out + [""]


def headline(d):
    peers = [p for p in PEER_ORDER if p in d.peers]
    if "puppies" not in d.peers or not peers:
        return []
    rows = []
    for label, w, name, kind in HEADLINE:
        cells = [ratio_cell(*d.ratio(p, w, name, kind), d.meta["reps"]) for p in peers]
        rows.append((label, cells))
    return (["## Headline: puppies against each peer", "",
             "Ratio > 1: puppies is better (throughput puppies ÷ peer; latency and bytes "
             "peer ÷ puppies). Geometric mean over repetitions; the range across repetitions in "
             "brackets when there are several. Absolute figures follow below.", ""] +
            table("workload", [f"vs {PEER_TITLES[p]}" for p in peers], rows))


def absolute(d):
    peers = d.peers
    titles = [PEER_TITLES[p] for p in peers]

    out = ["## Absolute figures (median over repetitions)", "",
           "Operations per second, then p50 / p99 latency of one operation. W1bulk counts edges; "
           "W3b rows are single pages of a reader paging down (page 41 = items 801–820, past an "
           "800-entry inbox).", ""]
    out += table("workload", titles, [(w, [ops_cell(d, p, w) for p in peers]) for w in ABSOLUTE])
    resources = [
        ("bytes on disk per follow edge", "disk_load", "bytes_per_edge", fmt),
        ("bytes on disk per post incl. fan-out", "disk_w2", "bytes_per_post", fmt),
        ("Redis used_memory per follow edge", "disk_load", "memory_per_edge", fmt, "redis"),
        ("Redis used_memory per post incl. fan-out", "disk_w2", "memory_per_post", fmt, "redis"),
        ("write amplification, W1one", "W1one", "write_amp", fmt),
        ("write amplification, W2fill", "W2fill", "write_amp", fmt),
        ("write amplification, W4like", "W4like", "write_amp", fmt),
        ("fan-out entries/s, W2b", "W2b", "entries_per_s", fmt),
        ("peak RSS of the driver, MiB (after W5b)", "W5b", "peak_rss_mb", fmt),
        ("server memory, MiB (after W2)", "W2c", "server_memory_mb", fmt),
        ("server CPU µs per op, W2fill", "W2fill", "server_cpu_s_per_op", lambda x: fmt(x * 1e6)),
        ("server CPU µs per op, W3a uniform", "W3a_uniform", "server_cpu_s_per_op",
         lambda x: fmt(x * 1e6)),
        ("server CPU µs per op, W5b", "W5b", "server_cpu_s_per_op", lambda x: fmt(x * 1e6)),
    ]
    rows = []
    for label, w, name, f, *only in resources:
        xs = [d.median(p, w, name) if not only or p in only else None for p in peers]
        rows.append((label, ["—" if x is None else f(x) for x in xs]))
    out += ["Storage and resources:", ""] + table("figure", titles, rows)
    kinds = sorted({w.split(".", 1)[1] for (_, w) in d.by if w.startswith("W5a.")})
    rows = [(k, [f"{fmt_us(d.median(p, 'W5a.' + k, 'p50'))} / "
                 f"{fmt_us(d.median(p, 'W5a.' + k, 'p99'))}"
                 if d.median(p, "W5a." + k, "p50") is not None else "—" for p in peers])
            for k in kinds]
    if rows:
        out += ["W5a per operation (p50 / p99):", ""] + table("operation", titles, rows)
    return out


def scaling(d):
    """W6: each peer's throughput with 1 and with 2 client threads sharing its one store."""
    ran = [p for p in d.peers if any((p, f"{w}_t1") in d.by for w, _ in SCALING)]
    if not ran and "W6" not in d.meta.get("workloads", "").split(","):
        return []
    columns, rows = [], []
    for _, what in SCALING:
        columns += [f"{what}: 1 thread", "2 threads", "2 ÷ 1"]
    for p in ran:
        cells = []
        for w, _ in SCALING:
            ratios = [x for x in d.values(p, f"{w}_t2", "speedup").values() if x]
            g = geomean(ratios)
            ratio = ratio_cell(g, min(ratios, default=0), max(ratios, default=0), d.meta["reps"])
            cpus = [d.median(p, f"{w}_t{n}", "driver_cpus") for n in (1, 2)]
            if None not in cpus:
                ratio += f"<br>CPUs {cpus[0]:.2f} → {cpus[1]:.2f}"
            cells += [ops_cell(d, p, f"{w}_t1"), ops_cell(d, p, f"{w}_t2"), ratio]
        rows.append((PEER_TITLES[p], cells))
    seconds = d.meta["counts"].get("w6_seconds")
    vcpus = d.meta.get("machine", {}).get("vcpus", "?")
    out = ["## W6: scaling from 1 to 2 client threads", "",
           f"One store shared by 1, then 2 client threads, each calling it in a loop for "
           f"{seconds} s with its own seeded generator (after an untimed 1-thread run as long, "
           "to warm caches): first pages (20 items) of uniform random real users, then likes of "
           "random W2 posts by random users. Operations per second "
           "over the run's wall time, then p50 / p99 of one operation (median over repetitions); "
           "2 ÷ 1 is the 2-thread throughput over the 1-thread one in the same repetition "
           "(geometric mean, range across repetitions in brackets); below it, the CPUs the "
           "driver process used during each run (client threads plus, for the embedded peers, "
           f"the engine's own threads; median). The machine has {vcpus} vCPUs, shared by the "
           "client threads, the engines' background threads and the servers, so 2.0 is a "
           "ceiling, not an expectation; a 2-thread run well under 2 CPUs waited (on a lock, "
           "I/O, a server, or a core another process had).", ""]
    out += table("peer", columns, rows)
    skipped = [p for p in d.peers if p not in ran]
    if skipped:
        why = [f"{PEER_TITLES[p]} ({NOT_SHARED.get(p, 'no W6 results: see the problems')})"
               for p in skipped]
        out += ["Not run: " + "; ".join(why) + ".", ""]
    return out


def sweep_points(d):
    """{peer: [(threshold label, variant)]} for the hybrid sweep, main runs included."""
    points = collections.defaultdict(list)
    main_t = d.meta["fanout_threshold"]
    for v in d.variants:
        peer, _, t = v.partition("@")
        if peer not in ("puppies", "rocksdb"):
            continue
        points[peer].append((t or main_t, v))
    for peer in points:
        points[peer].sort(key=lambda tv: math.inf if tv[0] == "inf" else float(tv[0]))
    return {p: pts for p, pts in points.items() if len(pts) > 1}


def write_cost(d, variant):
    reps = d.sweep_reps()
    secs = [d.median(variant, w, "seconds", reps) for w in ("W2fill", "W2a", "W2b", "W2c")]
    written = [d.median(variant, w, "bytes_written", reps)
               for w in ("W2fill", "W2a", "W2b", "W2c")]
    s = sum(x for x in secs if x is not None) if any(secs) else None
    b = sum(x for x in written if x is not None) if any(written) else None
    return s, b


def sweep(d):
    points = sweep_points(d)
    if not points:
        return []
    out = ["## Hybrid sweep: write cost against read latency", "",
           "The same stream at several fan-out thresholds (authors with at least that many "
           "followers are pulled at read time; 0 pulls everyone, inf pushes everyone). Write cost "
           "= all W2 posts (random authors, ~10, ~1,000 and the hub); reads are first pages. "
           "Every point, the main run's included, is taken from the repetitions the sweep ran "
           "in.", "",
           "| peer | threshold | W2 time (s) | W2 bytes written (MB) | W3a uniform p50 / p99 | "
           "W3a heavy p50 / p99 | W3c k=5 p50 / p99 |", "|---|---|---|---|---|---|---|"]

    reps = d.sweep_reps()

    def lat(v, w):
        return f"{fmt_us(d.median(v, w, 'p50', reps))} / {fmt_us(d.median(v, w, 'p99', reps))}"

    for peer, pts in points.items():
        for t, v in pts:
            s, b = write_cost(d, v)
            out.append(f"| {PEER_TITLES[peer]} | {t} | {fmt(s)} | "
                       f"{fmt(b / 1e6) if b else '—'} | {lat(v, 'W3a_uniform')} | "
                       f"{lat(v, 'W3a_heavy')} | {lat(v, 'W3c_k5')} |")
    return out + [""]


def draw(img_dir, png, settings, series):
    """Plots `series` [(title, [(x, y), ...], style)] into img_dir/png; False without gnuplot."""
    if shutil.which("gnuplot") is None:
        print("report.py: gnuplot not found, charts skipped", file=sys.stderr)
        return False
    plots = []
    for i, (title, rows, style) in enumerate(series):
        dat = f"{png}.{i}.dat"
        with open(os.path.join(img_dir, dat), "w") as f:
            f.writelines(f"{x} {y}\n" for x, y in rows)
        plots.append(f"'{dat}' {style} lw 2 title '{title}'")
    script = (f"set terminal pngcairo size 800,450\nset output '{png}'\nset grid\n{settings}\n"
              f"plot {', '.join(plots)}\n")
    try:
        subprocess.run(["gnuplot"], input=script, text=True, cwd=img_dir, check=True)
    finally:
        for i in range(len(series)):
            os.remove(os.path.join(img_dir, f"{png}.{i}.dat"))
    return True


def charts(d, img_dir, link):
    os.makedirs(img_dir, exist_ok=True)
    made = []
    points = sweep_points(d)
    if points:
        def read(q):
            return lambda v: (d.median(v, "W3a_heavy", q, d.sweep_reps()) or 0) / 1e3

        for kind, ylabel, lines in (
                ("write", "W2 time for all posts (s)",
                 [("", lambda v: write_cost(d, v)[0])]),
                ("read", "W3a heavy-user first page (ms, log scale)",
                 [(" p50", read("p50")), (" p99", read("p99"))])):
            series = [(PEER_TITLES[peer] + suffix, [(t, fn(v) or 0) for t, v in pts],
                       "using 0:2:xtic(1) with linespoints")
                      for peer, pts in points.items() for suffix, fn in lines]
            png = f"peers_sweep_{kind}.png"
            # Read latencies span three orders of magnitude across thresholds.
            scale = "set logscale y" if kind == "read" else "set yrange [0:*]"
            settings = (f"set xlabel 'fan-out threshold (followers)'\nset ylabel '{ylabel}'\n"
                        f"set key top right\nset offsets 0.2,0.2,0,0\n{scale}")
            if draw(img_dir, png, settings, series):
                made.append((png, f"Hybrid sweep: {ylabel} by threshold"))
    for w, what in CDF_CHARTS:
        series = [(PEER_TITLES[p], d.by[(p, w)][0]["cdf"], "using 1:2 with steps")
                  for p in d.peers if "cdf" in d.by.get((p, w), {}).get(0, {})]
        png = f"peers_cdf_{w}.png"
        settings = ("set logscale x\nset xlabel 'latency of one operation (µs, log scale)'\n"
                    "set ylabel 'fraction of operations'\nset key bottom right\nset yrange [0:1]")
        if series and draw(img_dir, png, settings, series):
            made.append((png, f"Latency distribution, {w} ({what}), repetition 0"))
    out = ["## Charts", ""] if made else []
    for png, caption in made:
        out += [f"![{caption}]({link}/{png})", "", f"*{caption}.*", ""]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", nargs="+", help="results of one run (several: pooled)")
    ap.add_argument("--out", default=".", help="directory for report.md")
    ap.add_argument("--img-dir", help="directory for the PNGs (default: --out)")
    ap.add_argument("--img-link", help="path of --img-dir as written in report.md links "
                    "(default: relative to --out)")
    ap.add_argument("--charts", action="store_true", help="draw PNG charts with gnuplot")
    ap.add_argument("--title", default="Peer comparison")
    args = ap.parse_args()
    docs = []
    for path in args.json:
        with open(path) as f:
            docs.append(json.load(f))
    d = Data(docs)
    os.makedirs(args.out, exist_ok=True)
    lines = header(d, args.title) + headline(d) + absolute(d) + scaling(d) + sweep(d)
    if args.charts:
        img_dir = args.img_dir or args.out
        lines += charts(d, img_dir, args.img_link or os.path.relpath(img_dir, args.out))
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()
