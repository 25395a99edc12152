#!/usr/bin/env bash
# docs/architecture.md stays true to the code: its generated module graph and
# each module's "Includes:" line match the includes under userspace/
# (scripts/module_deps.py --check), every repository path it names exists,
# and docs/ stands alone (no link to ../shared or another checkout).
# Needs no binary and no root.
source "$(dirname "$0")/lib.sh"
root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
doc="$root/docs/architecture.md"
[[ -f "$doc" ]] || fail "$doc is missing"

python3 "$root/scripts/module_deps.py" --root "$root" --check "$doc" >/dev/null ||
  fail "docs/architecture.md disagrees with the code (see above)"

if grep -rnE '\.\./shared|/work/shared' "$root/docs"; then
  fail "docs/ points outside the repository (above): the documents must stand alone"
fi

# Paths in `code` spans: a span without spaces or placeholders that starts at
# a top-level folder of the repository, or at a module of userspace/
# (`model/snapshot.h`), must name something that exists; so must a bare
# file name (`probe.h`) inside a module's "### <module>" section, in that
# module. Braces ({h,cpp}) and globs (*.bpf.c) must match at least one file.
python3 - "$root" "$doc" <<'PY'
import glob, os, re, sys
root, doc = sys.argv[1], sys.argv[2]
tops = {e for e in os.listdir(root) if not e.startswith(".")}
modules = {e for e in os.listdir(os.path.join(root, "userspace"))
           if os.path.isdir(os.path.join(root, "userspace", e))}
generated = ("build/", "build-asan/", "build-fuzz/")
checked, missing = 0, []
text = open(doc, encoding="utf-8").read()
# The generated graph lists bare file names; it is checked by module_deps.py.
text = re.sub(r"<!-- module_deps.py: begin.*?<!-- module_deps.py: end -->", "", text, flags=re.DOTALL)
spans, section = [], None
for line in text.splitlines():
    if line.startswith("#"):
        m = re.match(r"### ([a-z_0-9]+)$", line)
        section = m.group(1) if m and m.group(1) in modules else None
    spans += [(section, s) for s in re.findall(r"`([^`\s<>]+)`", line)]
for section, span in spans:
    head = span.split("/")[0]
    if span.startswith(generated):
        continue
    if "/" not in span and span not in tops:
        if section and re.search(r"\.(h|cpp|\{h,cpp\})$", span):
            span = section + "/" + span
            head = section
        else:
            continue
    if head in tops:
        base = root
    elif head in modules:
        base = os.path.join(root, "userspace")
    elif span.startswith("kscope/abi/"):
        base = os.path.join(root, "include")
    else:
        continue  # /metrics, /proc/..., a route or a host path
    m = re.search(r"\{([^}]*)\}", span)
    variants = [span[:m.start()] + alt + span[m.end():] for alt in m.group(1).split(",")] if m else [span]
    for v in variants:
        checked += 1
        if not glob.glob(os.path.join(base, v.rstrip("/"))):
            missing.append(v)
if checked < 50:
    sys.exit(f"FAIL: only {checked} paths found in {doc}; the path check is not reading it")
if missing:
    sys.exit("FAIL: docs/architecture.md names paths that do not exist: " + ", ".join(sorted(set(missing))))
print(f"ok: {checked} paths named in docs/architecture.md exist")
PY
echo "ok: docs/architecture.md matches the module graph of userspace/"
