#!/usr/bin/env python3
"""The module graph holds (ctest: architecture_modules).

Checks the source tree against tests/architecture/modules.txt:
  1. includes: a module includes headers only of itself and of the modules
     modules.txt lets it use;
  2. CMake: each module's library links (DEPS, PRIVATE) only modules it may use,
     and every module it includes is linked, directly or through the DEPS of
     what it links (the link graph matches the includes);
  3. sizes: no source file (.h/.cpp, tests included) over 500 lines, and no
     module folder over 25% of the non-test code (modules, tools/, bench/).
tools/, bench/ and tests/ are outside the module graph (1 and 2).

Usage: check_modules.py SOURCE_DIR. Prints every finding; exits 1 if any.
"""

import os
import re
import sys
from pathlib import Path

MAX_LINES = 500
MAX_SHARE = 0.25
OUTSIDE = ["tools", "bench"]  # non-test code outside the graph
TESTS = "tests"
SOURCE_SUFFIXES = (".h", ".cpp")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def read_graph(path):
    """modules.txt -> {module: set(allowed)}, in file order; checks the order."""
    graph = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, uses = line.partition(":")
        name = name.strip()
        allowed = set(uses.split())
        for u in allowed:
            if u not in graph:
                sys.exit(f"{path}:{n}: {name} uses {u}, which is not declared above it")
        graph[name] = allowed
    return graph


def module_of(rel, modules):
    """The module a path (relative to the source dir) belongs to: the longest
    module folder that contains it; None outside the graph."""
    best = None
    for m in modules:
        if rel == m or rel.startswith(m + "/"):
            if best is None or len(m) > len(best):
                best = m
    return best


def sources(root, top):
    """The .h/.cpp files under root/top, relative to root, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root / top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in filenames:
            if f.endswith(SOURCE_SUFFIXES):
                out.append((Path(dirpath) / f).relative_to(root).as_posix())
    return sorted(out)


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


# kilter::NAME (the target a module folder's CMakeLists.txt defines) -> module folder.
def target_modules(root, modules):
    """{target name: [module folders]} from the kilter_module()/add_library()
    calls of each module's CMakeLists.txt, plus INTERFACE bundles."""
    targets = {}
    for m in modules:
        cm = root / m / "CMakeLists.txt"
        if not cm.exists():
            continue
        text = cm.read_text()
        for name in re.findall(r"kilter_module\(\s*(\w+)", text):
            targets[name] = [m]
        for name in re.findall(r"add_library\(\s*kilter_(\w+)\s+STATIC", text):
            targets[name] = [m]
    # kilter::pipeline: every stage (pipeline/CMakeLists.txt's INTERFACE library).
    pl = root / "pipeline" / "CMakeLists.txt"
    if pl.exists():
        body = re.search(r"target_link_libraries\(kilter_pipeline INTERFACE([^)]*)\)", pl.read_text())
        if body:
            parts = re.findall(r"kilter::(\w+)", body.group(1))
            targets["pipeline"] = [targets[p][0] for p in parts if p in targets]
    return targets


def cmake_deps(root, module, targets):
    """The kilter:: targets a module's library links, as module folders (None:
    the module has no CMakeLists.txt of its own, e.g. a header-only folder)."""
    cm = root / module / "CMakeLists.txt"
    if not cm.exists():
        return None
    text = cm.read_text()
    calls = re.findall(r"kilter_module\((.*?)\)", text, re.S)
    calls += re.findall(r"target_link_libraries\(\s*kilter_\w+(.*?)\)", text, re.S)
    deps = {}
    for call in calls:
        for t in re.findall(r"kilter::(\w+)", call):
            for m in targets.get(t, []):
                deps.setdefault(m, f"kilter::{t}")
    deps.pop(module, None)
    return deps


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    root = Path(sys.argv[1]).resolve()
    if not (root / "tests" / "architecture" / "modules.txt").is_file():
        sys.exit(f"{root}: not a Kilter source tree (no tests/architecture/modules.txt)")
    graph = read_graph(root / "tests" / "architecture" / "modules.txt")
    modules = list(graph)
    problems = []

    # 1. Includes.
    includes = {m: {} for m in modules}  # module -> {used module: first "file:line"}
    for top in sorted({m.split("/")[0] for m in modules}):
        for rel in sources(root, top):
            m = module_of(rel, modules)
            if m is None:
                continue
            text = (root / rel).read_text(errors="replace")
            for match in INCLUDE.finditer(text):
                header = match.group(1)
                used = module_of(header, modules)
                if used is None or used == m:
                    continue
                line = text.count("\n", 0, match.start()) + 1
                includes[m].setdefault(used, f"{rel}:{line}")
                if used not in graph[m]:
                    problems.append(
                        f"include: {rel}:{line}: {m} includes {header}, but {m} may not use {used}")

    # 2. The CMake link graph.
    targets = target_modules(root, modules)
    linked = {m: cmake_deps(root, m, targets) for m in modules}

    def reach(m, seen=None):
        seen = set() if seen is None else seen
        for d in linked.get(m) or {}:
            if d not in seen:
                seen.add(d)
                reach(d, seen)
        return seen

    for m in modules:
        deps = linked[m]
        if deps is None:
            problems.append(f"cmake: {m} has no CMakeLists.txt of its own")
            continue
        for d, target in sorted(deps.items()):
            if d not in graph[m]:
                problems.append(f"cmake: {m}/CMakeLists.txt links {target}, but {m} may not use {d}")
        closure = reach(m)
        for used, where in sorted(includes[m].items()):
            if used not in closure:
                problems.append(
                    f"cmake: {m} includes {used} ({where}) but does not link it, "
                    f"directly or through its DEPS")

    # 3. Sizes.
    code = {}
    tops = sorted({m.split("/")[0] for m in modules} | set(OUTSIDE) | {TESTS})
    for top in tops:
        for rel in sources(root, top):
            n = count_lines(root / rel)
            if n > MAX_LINES:
                problems.append(f"size: {rel} has {n} lines (at most {MAX_LINES})")
            if top != TESTS:
                owner = module_of(rel, modules) or top
                code[owner] = code.get(owner, 0) + n
    total = sum(code.values())
    for owner, n in sorted(code.items(), key=lambda kv: -kv[1]):
        if owner in graph and n > MAX_SHARE * total:
            problems.append(
                f"size: {owner}/ has {n} of the {total} lines of non-test code "
                f"({100 * n / total:.0f}%, at most {100 * MAX_SHARE:.0f}%)")

    largest = max((kv for kv in code.items() if kv[0] in graph), key=lambda kv: kv[1])
    print(f"{len(modules)} modules, {total} lines of non-test code; the largest module: "
          f"{largest[0]}/ ({100 * largest[1] / total:.0f}%)")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s): the module graph is tests/architecture/modules.txt")
        return 1
    print("ok: includes, CMake links and sizes follow tests/architecture/modules.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
