#!/usr/bin/env python3
"""Turns the figures `./dev bench` left in bench-out/ into Markdown.

  report.py report OUT   writes OUT/report.md (every table) and OUT/sweep.tsv
  report.py micro OUT    prints one line per micro-benchmark

Standard library only. A part that was not run is left out of the report (its
section says how to run it), so one part can be rerun and the report rebuilt.
"""
import json
import pathlib
import sys

TARGETS_RSS_MIB = 300
TARGET_FILE_RATE = 1_000_000
TARGET_RATIO = 0.5
TARGET_P99_S = 0.5
MICRO_AREAS = [("decode", "Decode (simdjson)"), ("classify", "Classify"),
               ("windows", "Window update and sum"), ("rules", "Rule evaluation")]


def read_kv(path):
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                out[key] = value
    return out


def num(value, default=None):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def thousands(value):
    v = num(value)
    return "n/a" if v is None else f"{v:,.0f}"


def mib(kib):
    v = num(kib)
    return "n/a" if v is None else f"{v / 1024:,.0f} MiB"


def per_account(result):
    state, accounts = num(result.get("state_bytes")), num(result.get("accounts"))
    if not state or not accounts:
        return "n/a"
    return f"{state / accounts:,.0f} B ({state / 2**20:,.0f} MiB / {accounts:,.0f})"


def seconds(value):
    v = num(value)
    return "n/a" if v is None else f"{v:.2f} s"


def ms(value):
    v = num(value)
    return "n/a" if v is None else f"{v * 1000:,.1f} ms"


def verdict(ok):
    return "met" if ok else "**not met**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def load_micro(out):
    areas = []
    for area, title in MICRO_AREAS:
        path = out / "micro" / f"{area}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        rows = []
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            rows.append((b["name"], b.get("cpu_time"), b.get("time_unit", "ns"),
                         b.get("items_per_second")))
        areas.append((area, title, rows, data.get("context", {})))
    return areas


def print_micro(out):
    for area, _, rows, _ in load_micro(out):
        for name, cpu, unit, items in rows:
            rate = f"{items:,.0f}/s" if items else ""
            print(f"{area}: {name}: {cpu:,.1f} {unit} {rate}")


def sweep_rows(out):
    rows = []
    for path in sorted((out / "results").glob("sweep-kafka-*.txt")):
        accounts = int(path.stem.rsplit("-", 1)[1])
        kafka = read_kv(path)
        file = read_kv(out / "results" / f"sweep-file-{accounts}.txt")
        rows.append((accounts, file, kafka))
    return sorted(rows, key=lambda r: r[0])


def write_tsv(out, rows):
    cols = ["accounts", "events", "accounts_seen", "file_rate", "file_rss_kib", "kafka_rate",
            "kafka_rss_kib", "kcat_rate", "kafka_state_bytes"]
    lines = ["\t".join(cols)]
    for accounts, file, kafka in rows:
        lines.append("\t".join(str(v) for v in [
            accounts, kafka.get("events", file.get("events", "")), kafka.get("accounts", ""), file.get("rate", ""), file.get("rss_kib", ""),
            kafka.get("rate", ""), kafka.get("rss_kib", ""), kafka.get("kcat_rate", ""),
            kafka.get("state_bytes", "")]))
    (out / "sweep.tsv").write_text("\n".join(lines) + "\n")


def section_targets(file, kafka, latency):
    rows = []
    if kafka:
        r = num(kafka.get("ratio"))
        rows.append(["kilterd end-to-end rate ≥ 0.5 × kcat -C (same run)",
                     f"{thousands(kafka.get('rate'))}/s vs {thousands(kafka.get('kcat_rate'))}/s"
                     f" = {kafka.get('ratio')} ×", verdict(r is not None and r >= TARGET_RATIO)])
    if file:
        r = num(file.get("rate"))
        rows.append(["file replay ≥ 1M events/s", f"{thousands(file.get('rate'))}/s",
                     verdict(r is not None and r >= TARGET_FILE_RATE)])
    for name, res in (("Kafka run", kafka), ("file replay", file)):
        if res:
            r = num(res.get("rss_kib"))
            rows.append([f"peak RSS ≤ 300 MiB at 100k accounts ({name})", mib(res.get("rss_kib")),
                         verdict(r is not None and r / 1024 <= TARGETS_RSS_MIB)])
    if latency:
        p99 = num(latency.get("p99_s"))
        rows.append(["event → alert p99 ≤ 500 ms at half the maximum rate",
                     f"{ms(latency.get('p99_s'))}"
                     f" (over {thousands(latency.get('alerts'))} alerts)",
                     verdict(p99 is not None and p99 <= TARGET_P99_S)])
    if not rows:
        return ""
    return "### Targets\n\n" + table(["target", "this run", ""], rows) + "\n"


def section_file(file):
    if not file:
        return "### File replay\n\nNot run: `./dev bench file`.\n\n"
    rows = [["events", thousands(file.get("events"))],
            ["accounts (distinct in the file)", thousands(file.get("accounts"))],
            ["Zipf exponent", file.get("zipf")],
            ["wall time (whole process: open, replay, final evaluation, close)",
             seconds(file.get("wall_s"))],
            ["**throughput**", f"**{thousands(file.get('rate'))} events/s**"],
            ["CPU time (user + system)", seconds(file.get("cpu_s"))],
            ["peak RSS", mib(file.get("rss_kib"))],
            ["state on disk per account", per_account(file)],
            ["alert records written", thousands(file.get("alert_records"))],
            ["load average at the start", file.get("load_average")]]
    return ("### File replay\n\n" + table(["", ""], rows) +
            f"\nkilterd's own line: `{file.get('log', '')}`\n\n")


def section_kafka(kafka):
    if not kafka:
        return "### Kafka\n\nNot run: `./dev bench kafka`.\n\n"
    hottest = num(kafka.get("hottest_partition_bytes"), 0) / 2**20
    rows = [["events produced (loadgen, keyed by account)", thousands(kafka.get("produced"))],
            ["events the topic holds (kcat count)", thousands(kafka.get("events"))],
            ["partitions; hottest partition (keys + values)",
             f"{kafka.get('partitions')}; {hottest:.2f} MiB"
             f" ({kafka.get('dropped_partitions')} partitions lost data)"],
            ["accounts; Zipf exponent", f"{thousands(kafka.get('accounts'))}; {kafka.get('zipf')}"],
            ["(a) `kcat -C` raw consume", f"{thousands(kafka.get('kcat_rate'))} msg/s"
             f" ({kafka.get('kcat_ms')} ms)"],
            ["(b) **kilterd end to end** (first message → caught up and committed)",
             f"**{thousands(kafka.get('rate'))} msg/s** ({kafka.get('daemon_ms')} ms)"],
            ["ratio (b) / (a)", f"{kafka.get('ratio')} ×"],
            ["kilterd CPU time over (b)", seconds(kafka.get("cpu_s"))],
            ["group join (start → first message)", f"{kafka.get('join_ms')} ms"],
            ["peak RSS (VmHWM)", mib(kafka.get("rss_kib"))],
            ["state on disk per account", per_account(kafka)],
            ["alert records written", thousands(kafka.get("alert_records"))],
            ["load average at the start", kafka.get("load_average")]]
    return "### Kafka: raw consume vs kilterd\n\n" + table(["", ""], rows) + "\n"


def section_latency(lat):
    if not lat:
        return "### Event → alert latency\n\nNot run: `./dev bench latency`.\n\n"
    rows = [["rate (half of the measured end-to-end rate)",
             f"{thousands(lat.get('rate'))} events/s (of {thousands(lat.get('max_rate'))}/s)"],
            ["duration; event time", f"{lat.get('seconds')} s; {lat.get('speedup')} × the wall"
             " clock (an hourly boundary every"
             f" {3600 / num(lat.get('speedup'), 600):.0f} s)"],
            ["loadgen", lat.get("loadgen")],
            ["accounts; Zipf exponent", f"{thousands(lat.get('accounts'))}; {lat.get('zipf')}"],
            ["deepest consumer lag seen (sampled each second)",
             f"{thousands(lat.get('max_lag'))} messages"
             f" ({num(lat.get('max_lag'), 0) / max(num(lat.get('rate'), 1), 1):.2f} s at the rate)"],
            ["alerts measured (histogram count)", thousands(lat.get("alerts"))],
            ["**p50**", f"**{ms(lat.get('p50_s'))}**"],
            ["**p99**", f"**{ms(lat.get('p99_s'))}**"],
            ["mean", ms(lat.get("mean_s"))],
            ["kilterd CPU time during the run", seconds(lat.get("cpu_s"))],
            ["the dev broker's and the loadgen's CPU time meanwhile (same machine)",
             f"{seconds(lat.get('broker_cpu_s'))}; {seconds(lat.get('loadgen_cpu_s'))}"],
            ["peak RSS", mib(lat.get("rss_kib"))],
            ["load average at the start", lat.get("load_average")]]
    return ("### Event → alert latency at half of the maximum rate\n\n" + table(["", ""], rows) +
            "\nFrom `kilter_alert_latency_seconds` (buckets 5 ms … 10 s), quantiles interpolated"
            " linearly inside the bucket as Prometheus' `histogram_quantile` does.\n\n")


def section_sweep(rows):
    if not rows:
        return "### Account-count sweep\n\nNot run: `./dev bench sweep`.\n\n"
    body = []
    events = {r[2].get("events") or r[1].get("events") for r in rows}
    each = f"{num(events.pop()):,.0f} events each" if len(events) == 1 else "events vary"
    for accounts, file, kafka in rows:
        body.append([f"{accounts:,}", thousands(kafka.get("accounts") or file.get("accounts")),
                     thousands(file.get("rate")), mib(file.get("rss_kib")),
                     thousands(kafka.get("kcat_rate")), thousands(kafka.get("rate")),
                     f"{kafka.get('ratio', 'n/a')} ×", mib(kafka.get("rss_kib")),
                     per_account(kafka).split(" (")[0]])
    return (f"### Account-count sweep ({each})\n\n" +
            table(["accounts", "distinct", "file replay /s", "file RSS", "kcat -C /s",
                   "kilterd Kafka /s", "ratio", "Kafka RSS", "state/account"], body) +
            "\n![Throughput and peak RSS against account count](docs/bench-sweep.svg)\n\n")


def section_micro(areas):
    if not areas:
        return "### Micro-benchmarks\n\nNot run: `./dev bench micro`.\n\n"
    text = "### Micro-benchmarks (Google Benchmark, one core)\n\n"
    for _, title, rows, _ in areas:
        body = [[f"`{n}`", f"{cpu:,.1f} {unit}", f"{items:,.0f}" if items else ""]
                for n, cpu, unit, items in rows]
        text += f"**{title}**\n\n" + table(["benchmark", "CPU time", "items/s"], body) + "\n"
    ctx = areas[0][3]
    if ctx.get("library_build_type") == "debug":
        text += ("Google Benchmark warns that Debian's `libbenchmark` is built as DEBUG: that"
                 " concerns the harness library, not the code measured (a Release build).\n\n")
    return text


def section_machine(machine):
    keys = [("cpu", "CPU"), ("cores", "cores"), ("ram", "RAM"), ("os", "OS"),
            ("kernel", "kernel"), ("compiler", "compiler"), ("build", "build type"),
            ("librdkafka", "librdkafka"), ("rocksdb", "RocksDB"), ("benchmark", "Google Benchmark"),
            ("kcat", "kcat"), ("commit", "commit measured"), ("date", "date"),
            ("load_average", "load average at the start (1, 5, 15 min)")]
    return "### Machine\n\n" + table(["", ""], [[t, machine.get(k, "?")] for k, t in keys]) + "\n"


def report(out):
    results = out / "results"
    file = read_kv(results / "file.txt")
    kafka = read_kv(results / "kafka.txt")
    latency = read_kv(results / "latency.txt")
    rows = sweep_rows(out)
    if rows:
        write_tsv(out, rows)
    machine = read_kv(out / "machine.txt")
    commits = sorted({read_kv(p).get("commit", "?") for p in results.glob("*.txt")})
    dates = sorted(read_kv(p).get("date", "") for p in results.glob("*.txt"))
    when = f"{dates[0]} to {dates[-1]}" if dates and dates[0] else machine.get("date", "?")
    text = ("## Current run\n\n"
            f"Measured at commit {', '.join(commits) or machine.get('commit', '?')}, {when};"
            " the load average at the start of each part is given with it (anything else"
            " running on the machine shows there).\n\n")
    text += section_targets(file, kafka, latency)
    text += section_machine(machine)
    text += section_file(file) + section_kafka(kafka) + section_latency(latency)
    text += section_sweep(rows) + section_micro(load_micro(out))
    (out / "report.md").write_text(text)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("report", "micro"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = pathlib.Path(argv[2])
    if argv[1] == "micro":
        print_micro(out)
    else:
        report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
