#!/usr/bin/env bash
# The build refuses a back edge in the module graph (userspace/CMakeLists.txt):
#  - the tree as it is agrees with the graph its build declared;
#  - a file that includes a module its module does not declare fails the
#    check the build runs before compiling (scripts/module_deps.py --declared),
#    naming the file and the module;
#  - declaring a dependency on a module declared below stops the configure.
# Needs no binary and no root: a scratch tree of symlinks with one file
# changed, configured (not built) with CMake.
source "$(dirname "$0")/lib.sh"
root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(dirname "${KSCOPE:?KSCOPE is the built binary}")
declared="$build/module_graph.declared"
[[ -f "$declared" ]] || fail "$declared is missing: the build writes it at configure time"

python3 "$root/scripts/module_deps.py" --root "$root" --declared "$declared" ||
  fail "the tree disagrees with the module graph its build declared"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A scratch tree: every top-level entry a symlink but userspace/, which is
# copied (CMake's recursive globs do not follow symlinks) without the npm
# folder (a symlink).
scratch() {
  local tree=$1
  mkdir -p "$tree"
  for e in "$root"/* "$root"/.[!.]*; do
    [[ -e "$e" ]] || continue
    case "$(basename "$e")" in userspace | build* | .git) continue ;; esac
    ln -s "$e" "$tree/$(basename "$e")"
  done
  tar -C "$root" --exclude=userspace/web/node_modules -cf - userspace | tar -C "$tree" -xf - ||
    fail "could not copy userspace/"
  ln -s "$root/userspace/web/node_modules" "$tree/userspace/web/node_modules"
}

# 1. An include the graph does not declare: probes may not use agent.
scratch "$work/include"
echo '#include "agent/agent.h"' >>"$work/include/userspace/probes/kernel_names.cpp"
out=$(python3 "$root/scripts/module_deps.py" --root "$work/include" --declared "$declared" 2>&1) &&
  fail "an include of agent from probes passed the module graph check"
grep -q 'userspace/probes/kernel_names.cpp: includes "agent/..." but module probes does not declare agent' <<<"$out" ||
  fail "the check did not name the file and the missing declaration: $out"
echo "undeclared include refused: $(grep kernel_names <<<"$out")"

# 2. A declared back edge: probes depending on agent, which is declared below.
scratch "$work/cycle"
sed 's/^kscope_module(probes DEPS /kscope_module(probes DEPS agent /' "$root/userspace/CMakeLists.txt" \
  >"$work/cycle/CMakeLists.new" && mv "$work/cycle/CMakeLists.new" "$work/cycle/userspace/CMakeLists.txt"
grep -q '^kscope_module(probes DEPS agent ' "$work/cycle/userspace/CMakeLists.txt" ||
  fail "could not find the probes module's declaration to change"
out=$(cmake -S "$work/cycle" -B "$work/cycle-build" 2>&1) && fail "a configure with probes -> agent succeeded"
grep -q "module 'probes' depends on 'agent', which is not" <<<"$out" ||
  fail "the configure failed, but not on the back edge: $(tail -20 <<<"$out")"
echo "declared back edge refused at configure time"

# 3. The same configure without the change succeeds (the refusal above is
# the back edge's, not the scratch tree's).
scratch "$work/plain"
cmake -S "$work/plain" -B "$work/plain-build" >"$work/plain.log" 2>&1 ||
  fail "the unchanged scratch tree does not configure: $(tail -20 "$work/plain.log")"
echo "PASS"
