#!/usr/bin/python3
"""Loads a Hebb run and redraws its figures with NumPy and matplotlib.

    /usr/bin/python3 examples/analysis.py out/song2000 [--show]

A run's output directory holds run.json (the program, its parameters with
units, the seed, versions, timings, and each record with its files, their
shapes, its unit and sampling interval) and the records as .npy files. This
script reads them as any analysis would, prints what each record holds, and
draws each record's figure next to it as <label>_<kind>.mpl.png (the same
figures `hebb run --plot` draws natively). Debian's python3-numpy and
python3-matplotlib belong to /usr/bin/python3.
"""
import json
import os
import sys

import numpy as np


def load_run(directory):
    """run.json, and per record label its arrays by role (t, i, values...)."""
    with open(os.path.join(directory, "run.json")) as f:
        run = json.load(f)
    records = {}
    for record in run["records"]:
        arrays = {}
        for entry in record["files"]:
            name = entry["file"]
            data = np.load(os.path.join(directory, name))
            assert list(data.shape) == entry["shape"], name
            role = name[:-len(".npy")]
            for suffix in ("_t", "_i", "_pre", "_post"):
                if role.endswith(suffix):
                    role = suffix[1:]
                    break
            else:
                role = "values"
            arrays[role] = data
        records[record["label"]] = (record, arrays)
    return run, records


def display_unit(unit, values):
    """A prefixed unit for SI values (-0.065 V -> mV, scale 1000)."""
    base = {"V", "A", "S", "s", "Hz", "ohm", "F"}
    finite = np.abs(values[np.isfinite(values)]) if np.size(values) else values
    largest = float(finite.max()) if np.size(finite) else 0.0
    if unit not in base or largest <= 0:
        return 1.0, "" if unit == "1" else unit
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""),
                           (1e-3, "m"), (1e-6, "u"), (1e-9, "n")):
        if largest >= factor * 0.999:
            return 1.0 / factor, prefix + unit
    return 1e12, "p" + unit


def label(name, unit):
    return "%s (%s)" % (name, unit) if unit else name


def draw_raster(plt, run, record, a, stem):
    size, duration = record["size"], run["simulated_s"]
    fig, (top, bottom) = plt.subplots(
        2, 1, sharex=True, figsize=(9, 6),
        gridspec_kw={"height_ratios": [2.5, 1]})
    top.plot(a["t"], a["i"], "|", color="#0d0d33", markersize=3)
    top.set_ylim(-0.5, size - 0.5)
    top.set_ylabel("neuron")
    width = duration / 200
    counts, edges = np.histogram(a["t"], bins=200, range=(0, duration))
    bottom.stairs(counts / (size * width), edges, fill=True, color="#1f77b4")
    bottom.set_xlabel("t (s)")
    bottom.set_ylabel("rate (Hz)")
    top.set_title("%s: spikes of %s (%d neurons)"
                  % (run["network"], record["object"], size))
    rate = len(a["t"]) / (size * duration) if duration > 0 else 0
    print("%s: %d spikes, mean rate %.4g Hz" % (record["label"], len(a["t"]),
                                               rate))
    return fig


def draw_traces(plt, run, record, a, stem):
    values = a["values"].reshape(len(a["t"]), -1)
    shown = values[:, :10]
    scale, unit = display_unit(record["unit"], shown)
    fig, ax = plt.subplots(figsize=(9, 6))
    for n in range(shown.shape[1]):
        ax.plot(a["t"], shown[:, n] * scale,
                label="neuron %d" % (record["first_index"] + n))
    ax.set_xlabel("t (s)")
    ax.set_ylabel(label(record["field"], unit))
    ax.legend(loc="upper right")
    ax.set_title("%s: %s.%s" % (run["network"], record["object"],
                                record["field"]))
    print("%s: %d samples of %d neurons, mean %.4g %s" % (
        record["label"], values.shape[0], values.shape[1],
        values.mean() * scale, unit))
    return fig


def draw_weights(plt, run, record, a, stem):
    w = a["values"].reshape(len(a["t"]), -1)
    scale, unit = display_unit(record["unit"], w)
    fig, ax = plt.subplots(figsize=(9, 6))
    low, high = np.nanmin(w) * scale, np.nanmax(w) * scale
    bins = np.linspace(low, high if high > low else low + 1, 41)
    ax.hist(w[0] * scale, bins=bins, alpha=0.6,
            label="initial, t = %.4g s" % a["t"][0])
    ax.hist(w[-1] * scale, bins=bins, alpha=0.6,
            label="final, t = %.4g s" % a["t"][-1])
    ax.set_xlabel(label(record["field"], unit))
    ax.set_ylabel("synapses")
    ax.legend(loc="upper right")
    ax.set_title("%s: %s.%s" % (run["network"], record["object"],
                                record["field"]))
    print("%s: %d synapses, mean %.4g -> %.4g %s" % (
        record["label"], w.shape[1], w[0].mean() * scale,
        w[-1].mean() * scale, unit))
    return fig


def draw_matrix(plt, run, record, a, stem):
    w = a["values"].reshape(len(a["t"]), -1)[-1]
    matrix = np.full((record["post_size"], record["pre_size"]), np.nan)
    matrix[a["post"], a["pre"]] = w
    fig, ax = plt.subplots(figsize=(9, 6))
    diverging = np.nanmin(w) < 0 < np.nanmax(w)
    limit = np.nanmax(np.abs(w))
    image = ax.imshow(matrix, aspect="auto", interpolation="nearest",
                      cmap="coolwarm" if diverging else "viridis",
                      vmin=-limit if diverging else None,
                      vmax=limit if diverging else None)
    fig.colorbar(image, ax=ax, label=record["field"])
    ax.set_xlabel("presynaptic neuron")
    ax.set_ylabel("postsynaptic neuron")
    ax.set_title("%s: %s.%s at %.4g s" % (run["network"], record["object"],
                                          record["field"], a["t"][-1]))
    return fig


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    directory, show = argv[1], "--show" in argv
    import matplotlib
    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run, records = load_run(directory)
    print("%s: %.6g s simulated (seed %d, dt %g s, hebb %s)" % (
        run["network"], run["simulated_s"], run["seed"], run["dt_s"],
        run.get("hebb_version", "?")))
    drawers = {"spikes": [("raster", draw_raster)],
               "population_state": [("traces", draw_traces)],
               "projection_state": [("hist", draw_weights),
                                    ("matrix", draw_matrix)]}
    written = []
    for record, arrays in records.values():
        for kind, draw in drawers[record["kind"]]:
            if kind == "matrix" and "pre" not in arrays:
                continue
            stem = os.path.join(directory, "%s_%s" % (record["label"], kind))
            fig = draw(plt, run, record, arrays, stem)
            fig.savefig(stem + ".mpl.png", dpi=100)
            written.append(os.path.basename(stem) + ".mpl.png")
            if not show:
                plt.close(fig)
    print("figures: " + " ".join(written))
    if show:
        plt.show()


if __name__ == "__main__":
    main(sys.argv)
