"""Reads an nbnedge --out file (.h5 with h5py, .csv with pandas) and compares every number with
the command's --json output. Prints one JSON line: what was compared and the largest difference.
Usage: compare_export.py FILE FITS.jsonl STATS.json|- [INPUT.csv|-]"""
import json
import math
import sys

import h5py
import pandas as pd

path, fits_path, stats_path, input_csv = sys.argv[1:5]
fits = [json.loads(line) for line in open(fits_path, encoding="utf-8") if line.strip()]
stats = None
if stats_path != "-":
    stats = json.loads(open(stats_path, encoding="utf-8").read())
    if "stats" in stats:  # map nests its statistics
        stats = stats["stats"]

result = {"file": path, "values": 0, "max_rel_diff": 0.0, "nulls_matched": 0, "spectra_points": 0}


def compare(got, want, what):
    if want is None:
        assert got is None or math.isnan(got), f"{what}: file {got}, JSON null"
        result["nulls_matched"] += 1
        return
    assert got is not None and not math.isnan(got), f"{what}: file NaN, JSON {want}"
    diff = abs(got - want) / abs(want) if want != 0 else abs(got)
    result["max_rel_diff"] = max(result["max_rel_diff"], diff)
    result["values"] += 1


def stats_value(name):
    """The JSON value for an exported statistic (the CI ends are arrays in JSON)."""
    for suffix, index in (("_ci_low", 0), ("_ci_high", 1)):
        if suffix in name:
            base = name.replace(suffix, "_ci")
            for where in (stats, stats.get("spatial") or {}):
                if base in where:
                    return where[base][index]
            raise KeyError(name)
    for where in (stats, stats.get("spatial") or {}):
        if name in where:
            v = where[name]
            return float(v) if isinstance(v, bool) else v
    raise KeyError(name)


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


if path.endswith(".h5"):
    f = h5py.File(path, "r")
    assert f.attrs["default"] == "entry" and f["entry"].attrs["NX_class"] == "NXentry"
    group = f["entry/fits"]
    assert text(group["spectrum"][()]) == [r["spectrum"] for r in fits], "spectrum names differ"
    assert text(group["flag"][()]) == [r["flag"] for r in fits], "flags differ"
    assert group["delta_meV"].attrs["units"] == "meV" and group["t_eff_K"].attrs["units"] == "K"
    for column in group:
        if column in ("spectrum", "flag"):
            continue
        values = group[column][()]
        for i, r in enumerate(fits):
            compare(float(values[i]), r.get(column), f"{r['spectrum']} {column}")
    data = f["entry/data"]
    assert data.attrs["NX_class"] == "NXdata"
    conductance, bias = data["conductance"][()], data["bias_mV"][()]
    assert conductance.shape[0] == len(fits)
    if input_csv != "-":
        table = pd.read_csv(input_csv, comment="#", float_precision="round_trip")
        for i, r in enumerate(fits):
            want = table[r["spectrum"]].to_numpy()
            n = len(want)
            assert (conductance[i, :n] == want).all(), f"spectrum {r['spectrum']} differs from the input"
            assert abs(bias[i, :n] - table.iloc[:, 0].to_numpy()).max() == 0
            result["spectra_points"] += n
    if stats is not None:
        s = f["entry/statistics"]
        for name in s:
            if isinstance(s[name], h5py.Dataset) and s[name].shape == ():
                compare(float(s[name][()]), stats_value(name), name)
        edges = s["histogram/edges_meV"][()]
        for a, b in zip(edges, stats["histogram"]["edges_meV"]):
            compare(float(a), b, "histogram edge")
        if stats.get("spatial"):
            lags = s["variogram/lag_nm"][()]
            for a, b in zip(lags, stats["spatial"]["variogram"]["lag_nm"]):
                compare(float(a), b, "variogram lag")
            for a, b in zip(s["variogram/semivariance_meV2"][()], stats["spatial"]["variogram"]["semivariance_meV2"]):
                compare(float(a), b, "variogram semivariance")
else:
    table = pd.read_csv(path, comment="#", float_precision="round_trip")
    assert list(table["spectrum"].astype(str)) == [r["spectrum"] for r in fits], "spectrum names differ"
    assert list(table["flag"]) == [r["flag"] for r in fits], "flags differ"
    for column in table.columns:
        if column in ("source", "spectrum", "flag"):
            continue
        for i, r in enumerate(fits):
            v = table[column].iloc[i]
            compare(None if pd.isna(v) else float(v), r.get(column), f"{r['spectrum']} {column}")
    if stats is not None:
        for line in open(path, encoding="utf-8"):
            if line.startswith("# statistic "):
                name, value = line[len("# statistic "):].split(" = ")
                compare(float(value.split()[0]), stats_value(name), name)

print(json.dumps(result))
