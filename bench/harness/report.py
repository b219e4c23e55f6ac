"""bench/results/: results.md (the tables), results.json (every run),
machine.md, and the plots (time against L, log-log)."""

import datetime
import json
import math
import os

CONTENDERS = ["seqc", "onnxruntime", "torch", "numpy"]
LABELS = {"seqc": "seqc", "onnxruntime": "onnxruntime", "torch": "PyTorch", "numpy": "numpy"}
COLORS = {"seqc": "tab:red", "onnxruntime": "tab:blue", "torch": "tab:orange",
          "numpy": "tab:green"}
TABLE_BEGIN = "<!-- table -->"
TABLE_END = "<!-- /table -->"


def _len(L):
    return "%dK" % (L // 1024) if L % 1024 == 0 else str(L)


def _md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _ms(ms):
    return "%.3g ms" % ms if ms < 1000 else "%.2f s" % (ms / 1e3)


def cell_text(cfg, c):
    """What the table shows for contender c in one configuration."""
    cell = cfg["cells"].get(c, {"status": "n/a"})
    st = cell["status"]
    if st == "ok" and "ms" in cell:
        text = _ms(cell["ms"])
        seqc = cfg["cells"].get("seqc", {})
        if c != "seqc" and seqc.get("status") == "ok" and "ms" in seqc:
            text += " (%.2fx)" % (cell["ms"] / seqc["ms"])
        if cell.get("single"):
            text += " (1 run)"
        return text
    if st == "wrong":
        return "wrong (err %.1e)" % cell["err"]
    if st == "unsupported":
        return "unsupported: " + cell["note"]
    if st == "skipped":
        return "skipped (%s)" % cell["note"]
    if st == "error":
        note = cell.get("note", "")
        return "error: " + (note[:100] + "..." if len(note) > 100 else note)
    return "n/a"


def _fraction(x):
    if x >= 10:
        return "%.0f%%" % x
    return "%.2g%%" % x


def roofline_cells(cfg, machine):
    """% of fp32 peak and % of triad bandwidth reached by the seqc run."""
    cell = cfg["cells"].get("seqc", {})
    if cell.get("status") != "ok" or "ms" not in cell:
        return "", ""
    r = machine["roofline"][str(cfg["threads"])]
    sec = cell["ms"] / 1e3
    return (_fraction(100 * cfg["flops"] / sec / (r["peak_gflops"] * 1e9)),
            _fraction(100 * cfg["bytes"] / sec / (r["triad_gbs"] * 1e9)))


def time_table(results, machine):
    head = ["workload", "L", "threads", "seqc", "seqc algorithm", "% fp32 peak", "% bandwidth",
            "onnxruntime", "PyTorch", "numpy"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cfg in results:
        peak, bw = roofline_cells(cfg, machine)
        seqc_ok = cfg["cells"].get("seqc", {}).get("status") == "ok"
        # "*": too big to load the contenders side by side; run one after another
        threads = str(cfg["threads"]) + (" *" if cfg.get("sequential") else "")
        row = [cfg["title"], _len(cfg["L"]), threads, cell_text(cfg, "seqc"),
               cfg["impl"] if seqc_ok else "", peak, bw]
        row += [cell_text(cfg, c) for c in CONTENDERS[1:]]
        rows.append("| " + " | ".join(_md(x) for x in row) + " |")
    return "\n".join(rows)


def accuracy_table(results):
    """Worst error over the thread counts, per (workload, L) and contender."""
    worst = {}
    order = []
    for cfg in results:
        key = (cfg["title"], cfg["L"])
        if key not in worst:
            worst[key] = {}
            order.append(key)
        for c in CONTENDERS:
            err = cfg["cells"].get(c, {}).get("err")
            if err is not None:
                prev = worst[key].get(c)
                worst[key][c] = err if prev is None or not (err <= prev) else prev
    rows = ["| workload | L | " + " | ".join(LABELS[c] for c in CONTENDERS) + " |",
            "|" + "---|" * (2 + len(CONTENDERS))]
    for key in order:
        vals = []
        for c in CONTENDERS:
            e = worst[key].get(c)
            vals.append("" if e is None else ("%.1e" % e) + ("" if e <= 1e-3 else " (wrong)"))
        rows.append("| %s | %s | %s |" % (key[0], _len(key[1]), " | ".join(vals)))
    return "\n".join(rows)


def machine_md(machine, meta):
    v = machine["versions"]
    lines = [
        "- CPU: %s (%s); %d logical CPUs (%d usable); %.1f GB memory; Linux %s" % (
            machine["cpu"], ", ".join(machine["simd"]), machine["cores"],
            machine["usable_cpus"], machine["memory_gb"], machine["kernel"]),
    ]
    if machine["cpu_details"]:
        lines.append("- CPU details: " + "; ".join(
            "%s %s" % kv for kv in machine["cpu_details"].items()))
    lines.append("- load average (1 min) when the run started: %.2f (other work on the machine "
                 "makes times noisy, 2-thread times most)" % machine["load_average"])
    if machine["blas"]:
        lines.append("- BLAS loaded by numpy and PyTorch: " + ", ".join(machine["blas"]))
    for t, r in sorted(machine["roofline"].items(), key=lambda kv: int(kv[0])):
        lines.append("- roofline, %s thread(s): fp32 peak %.0f GFLOP/s (%d-bit FMA), "
                     "triad bandwidth %.1f GB/s" % (t, r["peak_gflops"], r["vector_bits"],
                                                    r["triad_gbs"]))
    lines.append("- versions: " + "; ".join("%s %s" % kv for kv in v.items()))
    return "\n".join(lines)


def plots(out, meta, results):
    """One PNG per workload and an overview grid: median time against L,
    log-log, a line per contender (solid: 1 thread, dashed: more), with
    dotted guides of slope L, L log L and L^2 through seqc's first point."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(meta["workloads"])
    series = {}  # workload -> (contender, threads) -> [(L, ms)]
    for cfg in results:
        for c in CONTENDERS:
            cell = cfg["cells"].get(c, {})
            if cell.get("status") == "ok" and "ms" in cell:
                series.setdefault(cfg["workload"], {}).setdefault(
                    (c, cfg["threads"]), []).append((cfg["L"], cell["ms"]))

    def draw(ax, name):
        lines = series.get(name, {})
        for (c, t), pts in sorted(lines.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3,
                    color=COLORS[c], linestyle="-" if t == 1 else "--",
                    label="%s %dT" % (LABELS[c], t))
        anchor = lines.get(("seqc", 1)) or next(iter(lines.values()), None)
        if anchor:
            L0, t0 = sorted(anchor)[0]
            Ls = sorted({cfg["L"] for cfg in results if cfg["workload"] == name})
            for label, f in (("L", lambda L: L), ("L log L", lambda L: L * math.log2(L)),
                             ("L²", lambda L: L * L)):
                ax.plot(Ls, [t0 * f(L) / f(L0) for L in Ls], color="gray", linestyle=":",
                        linewidth=0.8)
                ax.annotate(label, (Ls[-1], t0 * f(Ls[-1]) / f(L0)), fontsize=7, color="gray")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(meta["workloads"][name]["title"], fontsize=9)
        ax.set_xlabel("L", fontsize=8)
        ax.set_ylabel("median ms", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="both", alpha=0.2)

    files = []
    for name in names:
        fig, ax = plt.subplots(figsize=(5, 3.6))
        draw(ax, name)
        if series.get(name):
            ax.legend(fontsize=7)
        fig.tight_layout()
        path = os.path.join(out, "plot-%s.png" % name)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(os.path.basename(path))
    cols = 3
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for i, name in enumerate(names):
        draw(axes[i // cols][i % cols], name)
    for j in range(len(names), rows * cols):
        axes[j // cols][j % cols].axis("off")
    handles = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="lower center",
               ncol=min(8, len(handles)), fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(os.path.join(out, "overview.png"), dpi=100)
    plt.close(fig)
    return files


def write_all(out, meta, results):
    os.makedirs(out, exist_ok=True)
    # Remove the previous run's plots (a workload may be gone from this run).
    for f in os.listdir(out):
        if f.startswith("plot-") and f.endswith(".png"):
            os.remove(os.path.join(out, f))
    machine = meta["machine"]
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    with open(os.path.join(out, "machine.md"), "w") as f:
        f.write("# Machine of the latest bench/run\n\n" + machine_md(machine, meta) + "\n")
    files = plots(out, meta, results)
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    cmd = "bench/run --quick" if meta["mode"] == "quick" else "bench/run"
    numpy_notes = "; ".join("%s: %s" % (w["title"], w["numpy"])
                            for w in meta["workloads"].values() if w["numpy"])
    md = [
        "# seqc benchmarks",
        "",
        "`%s`, %s, %.0f s wall; L in {%s}; threads %s." % (
            cmd, when, meta["wall_s"], ", ".join(_len(L) for L in meta["lengths"]),
            ", ".join(map(str, meta["threads"]))),
        "",
        "Median of at least 5 timed runs after warm-up, the contenders interleaved run by run; "
        "every contender runs the same ONNX file (onnxruntime) or its weights (PyTorch, numpy) "
        "on the same inputs. `(r x)` after a peer's time is peer time / seqc time (above 1: "
        "seqc is faster). `%% fp32 peak` and `%% bandwidth` are the seqc run's FLOP/s and "
        "bytes/s against the measured roofline, counting the FLOPs and compulsory bytes of "
        "the algorithm seqc used (`seqc --print-impl`; `as-written`: the ONNX graph's own "
        "algorithm; the counts are documented in bench/harness/workloads.py). A run over %g s "
        "is skipped at that L and beyond; an output whose max|out - ref| / max|ref| against "
        "the float64 numpy reference exceeds %g is reported `wrong`, not timed. "
        "numpy, where meaningful: %s." % (meta["limit_s"], meta["tolerance"], numpy_notes),
        "",
        "## Median times",
        "",
        TABLE_BEGIN,
        time_table(results, machine),
        TABLE_END,
        "",
        "`*` after the thread count: the contenders needed too much memory to be loaded side by "
        "side, so they ran one after another instead of interleaved.",
        "",
        "## Accuracy (max |out - ref| / max |ref|, worst over thread counts)",
        "",
        accuracy_table(results),
        "",
        "## Machine",
        "",
        machine_md(machine, meta),
        "",
        "## Plots",
        "",
        "![time against L](overview.png)",
        "",
        " ".join("[%s](%s)" % (f[5:-4], f) for f in files),
        "",
    ]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(md))


def extract_table(md):
    """The time table of a results.md (for the console and the README)."""
    a, b = md.find(TABLE_BEGIN), md.find(TABLE_END)
    return md[a + len(TABLE_BEGIN):b].strip() if a >= 0 and b > a else ""
