#!/usr/bin/env python3
"""plot.py SWEEP.tsv OUT.svg: throughput and peak RSS against account count.

Two panels over a log x axis (the accounts of the sweep): events per second of
the file replay, kilterd on Kafka and kcat -C; peak RSS of kilterd in both
modes, with the targets as dashed lines. Standard library only, so that
`./dev bench` needs nothing beyond python3.
"""
import csv
import math
import sys

W, H = 960, 420
PANEL_W, PANEL_H = 360, 290
LEFT, TOP = 90, 60
GAP = 120
SERIES_RATE = [("kcat_rate", "kcat -C (raw consume)", "#999999", "4 3"),
               ("kafka_rate", "kilterd on Kafka", "#1f77b4", ""),
               ("file_rate", "kilterd file replay", "#d62728", "")]
SERIES_RSS = [("kafka_rss_kib", "kilterd on Kafka", "#1f77b4", ""),
              ("file_rss_kib", "kilterd file replay", "#d62728", "")]


def nice_max(v):
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def human(v):
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def panel(x0, title, ylabel, xs, series, label_of, target=None):
    """series: (label, colour, dash, [y or None per x]); target: (value, label)."""
    out = []
    values = [y for *_, ys in series for y in ys if y is not None]
    if target:
        values.append(target[0])
    ymax = nice_max(max(values) * 1.08 if values else 1)
    lx_min, lx_max = math.log10(min(xs)), math.log10(max(xs))
    if lx_max == lx_min:
        lx_min, lx_max = lx_min - 0.5, lx_max + 0.5

    def px(x):
        return x0 + (math.log10(x) - lx_min) / (lx_max - lx_min) * PANEL_W

    def py(y):
        return TOP + PANEL_H - y / ymax * PANEL_H

    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 22}" text-anchor="middle" '
               f'font-weight="bold">{esc(title)}</text>')
    for i in range(6):
        y = ymax * i / 5
        out.append(f'<line x1="{x0}" y1="{py(y):.1f}" x2="{x0 + PANEL_W}" y2="{py(y):.1f}" '
                   'stroke="#e5e5e5"/>')
        out.append(f'<text x="{x0 - 8}" y="{py(y) + 4:.1f}" text-anchor="end">'
                   f'{label_of(y)}</text>')
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" y1="{TOP}" x2="{px(x):.1f}" y2="{TOP + PANEL_H}" '
                   'stroke="#f0f0f0"/>')
        out.append(f'<text x="{px(x):.1f}" y="{TOP + PANEL_H + 18}" text-anchor="middle">'
                   f'{human(x)}</text>')
    out.append(f'<rect x="{x0}" y="{TOP}" width="{PANEL_W}" height="{PANEL_H}" fill="none" '
               'stroke="#444"/>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{TOP + PANEL_H + 40}" text-anchor="middle">'
               'accounts (log scale)</text>')
    out.append(f'<text transform="translate({x0 - 62},{TOP + PANEL_H / 2}) rotate(-90)" '
               f'text-anchor="middle">{esc(ylabel)}</text>')
    if target:
        ty = py(target[0])
        out.append(f'<line x1="{x0}" y1="{ty:.1f}" x2="{x0 + PANEL_W}" y2="{ty:.1f}" '
                   'stroke="#2ca02c" stroke-dasharray="6 4"/>')
        out.append(f'<text x="{x0 + PANEL_W - 4}" y="{ty + 15:.1f}" text-anchor="end" '
                   f'fill="#2ca02c">{esc(target[1])}</text>')
    for i, (label, colour, dash, ys) in enumerate(series):
        pts = [(px(x), py(y)) for x, y in zip(xs, ys) if y is not None]
        if not pts:
            continue
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"{dash_attr}/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        ly = TOP + 14 + i * 18
        out.append(f'<line x1="{x0 + 10}" y1="{ly - 4}" x2="{x0 + 34}" y2="{ly - 4}" '
                   f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.append(f'<text x="{x0 + 40}" y="{ly}">{esc(label)}</text>')
    return out


def column(rows, key, scale=1.0):
    out = []
    for r in rows:
        try:
            out.append(float(r[key]) * scale)
        except (KeyError, ValueError):
            out.append(None)
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], newline="") as f:
        rows = sorted(csv.DictReader(f, delimiter="\t"), key=lambda r: int(r["accounts"]))
    if not rows:
        print("plot.py: no rows in " + argv[1], file=sys.stderr)
        return 1
    xs = [int(r["accounts"]) for r in rows]
    events = {r.get("events") for r in rows}
    each = f"{int(events.pop()):,} events" if len(events) == 1 else "events vary"
    rate = [(label, c, d, column(rows, k)) for k, label, c, d in SERIES_RATE]
    rss = [(label, c, d, column(rows, k, 1 / 1024)) for k, label, c, d in SERIES_RSS]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14">kilterd, {each} per '
             'run: throughput and peak RSS against account count</text>']
    parts += panel(LEFT, "Throughput", "events per second", xs, rate, human,
                   (1_000_000, "file replay target 1M/s"))
    parts += panel(LEFT + PANEL_W + GAP, "Peak RSS (VmHWM)", "MiB", xs, rss, lambda v: f"{v:g}",
                   (300, "target 300 MiB at 100k"))
    parts.append("</svg>")
    with open(argv[2], "w") as f:
        f.write("\n".join(parts) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
