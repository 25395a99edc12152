#!/usr/bin/env python3
"""The module graph of userspace/, read from the code.

A module is a folder userspace/<module>/. Module A depends on module B when a
file of A (any *.h or *.cpp except *_test.cpp) has `#include "B/..."`. Tests
are left out: a test may reach across modules without making the code do so.

Prints, in a stable order:
  - one line per module: the modules it includes;
  - the cycles: each group of modules that reach one another (a strongly
    connected component), and each pair that includes the other directly,
    with the files that make both edges.

  python3 scripts/module_deps.py                 # print the graph
  python3 scripts/module_deps.py --update FILE   # rewrite FILE's generated block
  python3 scripts/module_deps.py --check FILE    # exit 1 if FILE disagrees
  python3 scripts/module_deps.py --declared FILE # exit 1 if the code and the
                                                 # build's declared graph differ

--declared reads the graph userspace/CMakeLists.txt declares (the build writes
it as lines "module: dep dep ..."). Every module folder must be declared,
every include of another module must be a declared dependency, and every
declared dependency must be used, so the CMake graph is the code's graph.

The generated block in FILE lies between the lines BEGIN and END below; the
rest of FILE is left as it is. --check also reads FILE's hand-written module
sections (a heading "### <module>" followed by a line "Includes: `a`, `b`."
or "Includes: none."): every module needs one, and each must list exactly
the modules the graph has for it.
"""

import argparse
import os
import re
import sys

BEGIN = "<!-- module_deps.py: begin (generated, do not edit) -->"
END = "<!-- module_deps.py: end -->"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/[^"]+"', re.MULTILINE)


def read_graph(userspace):
    """Returns {module: {dep: [files that include it]}} for every module folder."""
    graph = {}
    for module in sorted(os.listdir(userspace)):
        folder = os.path.join(userspace, module)
        if not os.path.isdir(folder):
            continue
        deps = graph.setdefault(module, {})
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".h", ".cpp")) or name.endswith("_test.cpp"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for dep in INCLUDE.findall(text):
                if dep == module or not os.path.isdir(os.path.join(userspace, dep)):
                    continue  # own headers; kscope/abi/... lives in include/
                files = deps.setdefault(dep, [])
                if name not in files:
                    files.append(name)
    return graph


def strongly_connected(graph):
    """Tarjan's algorithm, iterative; components of two or more modules, sorted."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return sorted(out)


def render(graph):
    lines = ["# module -> modules it includes (userspace/<module>/*.{h,cpp}, tests excluded)"]
    width = max(len(m) for m in graph)
    for module in sorted(graph):
        deps = " ".join(sorted(graph[module])) or "(none)"
        lines.append(f"{module.ljust(width)} -> {deps}")
    components = strongly_connected(graph)
    lines.append("")
    if not components:
        lines.append("# cycles: none")
        return "\n".join(lines) + "\n"
    lines.append(f"# cycles: {len(components)} group(s) of modules that reach one another")
    for component in components:
        lines.append("{" + " ".join(component) + "}")
    pairs = [(a, b) for a in sorted(graph) for b in sorted(graph[a]) if a < b and a in graph.get(b, {})]
    lines.append("")
    lines.append(f"# direct two-way includes: {len(pairs)}")
    for a, b in pairs:
        lines.append(f"{a} <-> {b}")
        lines.append(f"  {a} -> {b}: " + " ".join(graph[a][b]))
        lines.append(f"  {b} -> {a}: " + " ".join(graph[b][a]))
    return "\n".join(lines) + "\n"


def block(text):
    return f"{BEGIN}\n```text\n{text}```\n{END}"


def split_document(path):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    start, end = doc.find(BEGIN), doc.find(END)
    if start < 0 or end < start:
        sys.exit(f"{path}: no generated block (the lines {BEGIN!r} ... {END!r})")
    return doc[:start], doc[start:end + len(END)], doc[end + len(END):]


def section_errors(path, graph):
    """Mismatches between FILE's "### module" sections and the graph."""
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    sections = {}
    for m in re.finditer(r"^### ([a-z_0-9]+)\n(.*?)(?=^#)", doc, re.MULTILINE | re.DOTALL):
        line = re.search(r"^Includes: (.*)$", m.group(2), re.MULTILINE)
        if line:
            names = set() if line.group(1).strip() == "none." else set(re.findall(r"`([a-z_0-9]+)`", line.group(1)))
            sections[m.group(1)] = names
    errors = []
    for module in sorted(graph):
        if module not in sections:
            errors.append(f"no section '### {module}' with an Includes: line")
        elif sections[module] != set(graph[module]):
            want = ", ".join(f"`{d}`" for d in sorted(graph[module])) or "none"
            errors.append(f"### {module}: Includes: should be {want}.")
    for module in sorted(set(sections) - set(graph)):
        errors.append(f"### {module}: no such module under userspace/")
    return errors


def declared_errors(path, graph):
    """Differences between the build's declared graph and the includes."""
    declared = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if ":" in line:
                name, deps = line.split(":", 1)
                declared[name.strip()] = set(deps.split())
    errors = []
    for module in sorted(graph):
        if module not in declared:
            errors.append(f"userspace/{module}/ is not declared: add kscope_module({module} DEPS ...)")
            continue
        for dep in sorted(set(graph[module]) - declared[module]):
            files = ", ".join(f"userspace/{module}/{f}" for f in graph[module][dep])
            errors.append(f"{files}: includes \"{dep}/...\" but module {module} does not declare {dep}; "
                          f"a module may use only what it declares (and what is declared above it)")
        for dep in sorted(declared[module] - set(graph[module])):
            errors.append(f"module {module} declares {dep} but no file of it includes \"{dep}/...\": drop it")
    for module in sorted(set(declared) - set(graph)):
        errors.append(f"module {module} is declared but userspace/{module}/ does not exist")
    return errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.dirname(here), help="source tree (default: this checkout)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", metavar="FILE", help="rewrite the generated block of FILE")
    group.add_argument("--check", metavar="FILE", help="exit 1 when FILE's generated block is not the code's graph")
    group.add_argument("--declared", metavar="FILE",
                       help="exit 1 when the graph the build declares (userspace/CMakeLists.txt) is not the code's")
    args = parser.parse_args()

    graph = read_graph(os.path.join(args.root, "userspace"))
    text = render(graph)
    if args.update:
        before, _, after = split_document(args.update)
        with open(args.update, "w", encoding="utf-8") as f:
            f.write(before + block(text) + after)
    elif args.check:
        _, current, _ = split_document(args.check)
        errors = section_errors(args.check, graph)
        if current != block(text):
            sys.stdout.write(text)
            errors.append("the generated module graph is not the code's; run "
                          f"python3 scripts/module_deps.py --update {args.check}")
        if errors:
            sys.exit("\n".join(f"{args.check}: {e}" for e in errors))
    elif args.declared:
        errors = declared_errors(args.declared, graph)
        if errors:
            sys.exit("module graph (userspace/CMakeLists.txt):\n" + "\n".join("  " + e for e in errors))
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
