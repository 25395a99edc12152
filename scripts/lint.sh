#!/usr/bin/env bash
# Lint of userspace/: clang-tidy (.clang-tidy) over the agent's sources and
# clang-format (.clang-format) over every C++ file, failing on NEW findings
# only. scripts/lint_baseline.txt lists what the code had when the baseline
# was last written:
#   tidy<TAB>file<TAB>check<TAB>message   one line per finding, keyed without
#                                         the line number (an edit above a
#                                         finding does not make it new); the
#                                         same key twice means two findings
#   format<TAB>file                       a file not yet clang-format clean,
#                                         skipped by the format check
# Every file not listed as "format" must be clang-format clean, so new files
# follow the layout and old ones are not mass-reformatted (which would make
# every open branch conflict). A fixed finding or a now-clean file only
# leaves the baseline stale: a hint is printed, the run does not fail.
#
# Usage: scripts/lint.sh [--update-baseline] [BUILD_DIR]
#   BUILD_DIR (default $KSCOPE_BUILD_DIR or build/) holds the CMake build
#   whose compile_commands.json and generated headers (BPF skeletons, the
#   syscall table) clang-tidy needs: configure and build first.
#   --update-baseline rewrites scripts/lint_baseline.txt with today's findings.
# KSCOPE_LINT_JOBS (default 2) is clang-tidy's parallelism. KSCOPE_LINT_ONLY=REGEX
# runs clang-tidy on the matching sources only (a quick look at what you are
# editing; the staleness hint is then off, since the others were not run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
update=0
if [[ "${1:-}" == "--update-baseline" ]]; then
  update=1
  shift
fi
build="${1:-${KSCOPE_BUILD_DIR:-$root/build}}"
baseline="$root/scripts/lint_baseline.txt"
jobs="${KSCOPE_LINT_JOBS:-2}"

for tool in clang-tidy clang-format run-clang-tidy; do
  command -v "$tool" >/dev/null ||
    { echo "lint: $tool not found: install the Debian packages clang-tidy and clang-format (scripts/setup.sh)" >&2; exit 1; }
done
[[ -f "$build/compile_commands.json" ]] ||
  { echo "lint: $build/compile_commands.json missing: configure and build first (scripts/build.sh)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The compile database of userspace/*.cpp (not tests, not the embedded web
# files), without GCC-only flags clang does not know (LTO) and without
# -Werror (clang's own warnings are reported, not fatal).
python3 - "$build/compile_commands.json" "$root" "$work/compile_commands.json" <<'PY'
import json, shlex, sys
src, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
drop = {"-Werror", "-flto=auto", "-ffat-lto-objects", "-ffunction-sections", "-fdata-sections"}
keep = []
for e in json.load(open(src)):
    f = e["file"]
    if not f.startswith(root + "/userspace/") or not f.endswith(".cpp"):
        continue
    if f.endswith("_test.cpp") or "/embed/" in f:
        continue
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    keep.append({"directory": e["directory"], "file": f,
                 "arguments": [a for a in args if a not in drop and not a.startswith("-flto")]})
json.dump(keep, open(out, "w"), indent=1)
PY

# clang-tidy: its output, without colours, into "file<TAB>line<TAB>check<TAB>message"
# (relative paths; digits in messages normalised, a finding in a header seen
# from several sources counted once).
only=()
if [[ -n "${KSCOPE_LINT_ONLY:-}" ]]; then
  ((update == 0)) || { echo "lint: --update-baseline needs the whole run, unset KSCOPE_LINT_ONLY" >&2; exit 1; }
  only=("$KSCOPE_LINT_ONLY")
fi
run-clang-tidy -p "$work" -j "$jobs" -quiet -header-filter="^$root/userspace/" "${only[@]}" \
  >"$work/tidy.out" 2>"$work/tidy.err" || true
sed 's/\x1b\[[0-9;]*m//g' "$work/tidy.out" |
  python3 -c '
import re, sys
root = sys.argv[1] + "/"
seen = set()
for line in sys.stdin:
    m = re.match(r"^(/[^:]+):(\d+):(\d+): (?:warning|error): (.*) \[([^\]]+)\]$", line.rstrip("\n"))
    if not m or not m.group(1).startswith(root):
        continue
    f, ln, col, msg, check = m.group(1)[len(root):], m.group(2), m.group(3), m.group(4), m.group(5)
    if (f, ln, col, check) in seen:
        continue
    seen.add((f, ln, col, check))
    print("\t".join([f, ln, check, re.sub(r"\d+", "N", msg).replace("\t", " ")]))
' "$root" | sort -t $'\t' -k1,1 -k3,3 -k2,2n >"$work/tidy.found"
# A source clang could not compile reports no findings at all: fail loudly.
if grep -qE 'clang-diagnostic-error' "$work/tidy.found"; then
  echo "lint: clang-tidy could not compile some sources (is the build complete?):" >&2
  grep -E 'clang-diagnostic-error' "$work/tidy.found" | head -n 20 >&2
  exit 1
fi

# clang-format: every userspace C++ file that is not clean.
(cd "$root" && find userspace \( -name '*.cpp' -o -name '*.h' \) -not -path '*/node_modules/*' -print0 |
  xargs -0 -P "$jobs" -n 50 sh -c 'for f; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done' _ |
  sort >"$work/format.found")

if ((update)); then
  {
    echo "# scripts/lint.sh baseline: findings the code had when it was written."
    echo "# Regenerate with scripts/lint.sh --update-baseline (after fixing, never to hide a new one)."
    cut -f1,3,4 "$work/tidy.found" | sed 's/^/tidy\t/'
    sed 's/^/format\t/' "$work/format.found"
  } >"$baseline"
  echo "lint: baseline written: $(wc -l <"$work/tidy.found") clang-tidy findings," \
    "$(wc -l <"$work/format.found") files not clang-format clean"
  exit 0
fi

[[ -f "$baseline" ]] || { echo "lint: $baseline missing: run scripts/lint.sh --update-baseline" >&2; exit 1; }
python3 - "$baseline" "$work/tidy.found" "$work/format.found" "${KSCOPE_LINT_ONLY:-}" <<'PY'
import collections, sys
baseline, tidy, fmt, only = sys.argv[1:]
base_tidy, base_fmt = collections.Counter(), set()
for line in open(baseline, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    parts = line.rstrip("\n").split("\t")
    if parts[0] == "tidy" and len(parts) == 4:
        base_tidy[tuple(parts[1:])] += 1
    elif parts[0] == "format" and len(parts) == 2:
        base_fmt.add(parts[1])
found = collections.defaultdict(list)
for line in open(tidy, encoding="utf-8"):
    f, ln, check, msg = line.rstrip("\n").split("\t", 3)
    found[(f, check, msg)].append(ln)
new = 0
for key, lines in sorted(found.items()):
    extra = len(lines) - base_tidy.get(key, 0)
    if extra > 0:
        new += extra
        f, check, msg = key
        where = ", ".join(f"{f}:{ln}" for ln in lines)
        more = f" ({extra} more than the baseline's {base_tidy[key]}; one of these is new)" if base_tidy.get(key) else ""
        print(f"NEW clang-tidy finding: {where}: [{check}] {msg}{more}")
stale = 0 if only else sum(max(0, n - len(found.get(k, []))) for k, n in base_tidy.items())
unformatted = [f.strip() for f in open(fmt, encoding="utf-8") if f.strip()]
new_fmt = [f for f in unformatted if f not in base_fmt]
for f in new_fmt:
    print(f"NEW clang-format finding: {f}: not formatted (run: clang-format -i {f})")
clean_now = len(base_fmt - set(unformatted))
print(f"lint: clang-tidy {sum(len(v) for v in found.values())} findings ({new} new), "
      f"clang-format {len(unformatted)} files not clean ({len(new_fmt)} new)")
if stale or clean_now:
    print(f"lint: the baseline is stale ({stale} clang-tidy findings fixed, {clean_now} files now formatted): "
          "regenerate it with scripts/lint.sh --update-baseline")
sys.exit(1 if new or new_fmt else 0)
PY
