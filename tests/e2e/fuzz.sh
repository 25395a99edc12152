#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz): config, folded stacks, pprof, REST query
# parameters, escapers, the host's /proc parsers, each for KSCOPE_FUZZ_SECONDS (default 10). Skipped
# without clang++ and its libFuzzer runtime.
source "$(dirname "$0")/lib.sh"
out="$(dirname "$KSCOPE")/fuzz"
bash "$KSCOPE_SOURCE_DIR/tests/fuzz/run.sh" "$out"
