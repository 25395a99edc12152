#!/usr/bin/env bash
# Churn: tens of thousands of short-lived processes and threads while
# `kscope run` watches. The breakdown stays within max_series per family
# (the rest folds into "other"), the exited targets' series leave /metrics
# after series_ttl, and kscope's memory stays flat from one churn round to
# the next. All of it beside a busy host's neighbours: 200 long-lived
# processes with live syscall keys of their own, which the kernel-side
# checks must not count as the churn's.
source "$(dirname "$0")/lib.sh"
require_root
nbr_pid=""
cleanup() {
  if [[ -n "$nbr_pid" ]]; then kill "$nbr_pid" 2>/dev/null || true; wait "$nbr_pid" 2>/dev/null || true; fi
  stop_kscope
}
trap cleanup EXIT

max_series=20
cfg=$(mktemp --suffix=.yaml)
printf 'interval: 500ms\nmax_series: %s\nseries_ttl: 3s\n' "$max_series" >"$cfg"
start_kscope --config "$cfg"

rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$KSCOPE_PID/status"; }
# Distinct comm values per family in one scrape, the largest of them.
max_comms() {
  curl -fsS "$KSCOPE_URL/metrics" | python3 -c "$count_comms"
}
count_comms=$(cat <<'PY'
import re, sys, collections
seen = collections.defaultdict(set)
for line in sys.stdin:
    m = re.match(r'^([a-z_]+?)(_bucket|_count|_sum)?\{(.*)\} ', line)
    if m:
        c = re.search(r'comm="((?:[^"\\]|\\.)*)"', m.group(3))
        if c:
            seen[m.group(1)].add(c.group(1))
print(max((len(v) for v in seen.values()), default=0))
PY
)

round() {  # one churn round: 10000 processes over 500 names, 5000 threads
  local worst=0 n out
  "$KSCOPE_WORKLOAD_DIR/churn" 10000 5000 500 "chn$1_" >"$2" &
  local churn_pid=$!
  while kill -0 "$churn_pid" 2>/dev/null; do
    n=$(max_comms)
    (( n > worst )) && worst=$n
    sleep 0.3
  done
  wait "$churn_pid" || fail "churn workload failed: $(cat "$2")"
  n=$(max_comms)
  (( n > worst )) && worst=$n
  echo "$worst"
}

# The neighbours, named nbr0..nbr199: three syscalls each every 200 ms,
# 600 live keys in syscall_latency (more than a whole-map bound of 500),
# for up to 10 minutes (they die with their parent at cleanup).
neighbours=200
nbr_out=$(mktemp)
"$KSCOPE_WORKLOAD_DIR/neighbours" "$neighbours" nbr 600 >"$nbr_out" &
nbr_pid=$!
for _ in $(seq 1 100); do grep -q "neighbours=$neighbours" "$nbr_out" && break; sleep 0.1; done
grep -q "neighbours=$neighbours" "$nbr_out" || fail "neighbours did not start: $(cat "$nbr_out")"
wait_interval
rss_start=$(rss_kb)
t0=$(date +%s%N)
out=$(mktemp)
worst1=$(round a "$out")
t1=$(date +%s%N)
grep -q 'procs=10000 threads=5000' "$out" || fail "churn did not finish: $(cat "$out")"
(( worst1 <= max_series )) || fail "a family had $worst1 comm values, max_series is $max_series"
scrape=$(curl -fsS "$KSCOPE_URL/metrics")
grep -q 'comm="other"' <<<"$scrape" || fail "nothing folded into other with 500 names"

# After series_ttl (3 s) plus a few intervals, the dead are gone (polled up
# to 15 s: a loaded CI machine collects late).
wait_gone() {
  local n
  for _ in $(seq 1 30); do
    n=$(curl -fsS "$KSCOPE_URL/metrics" | grep -c "comm=\"$1" || true)
    [[ "$n" == 0 ]] && break
    sleep 0.5
  done
  echo "$n"
}
sleep 3
left=$(wait_gone chna_)
[[ "$left" == 0 ]] || fail "$left series of exited processes still in /metrics after series_ttl: $(curl -fsS "$KSCOPE_URL/metrics" | grep "comm=\"chna_" | head -5)"
rss_round1=$(rss_kb)

worst2=$(round b "$out")
(( worst2 <= max_series )) || fail "a family had $worst2 comm values in round 2"
sleep 3
left=$(wait_gone chnb_)
rss_round2=$(rss_kb)
[[ "$left" == 0 ]] || fail "$left series of round 2 still in /metrics after series_ttl"
# The kernel side is bounded too: once series_ttl has passed, the syscall,
# run-queue, off-CPU and CPU-sample maps hold none of the churn's keys (its
# idle keys are deleted) and never filled (no overflow). Only the churn's own
# keys are counted, by the comm in each key: the rest of a busy host's
# processes have keys of their own, however many.
churn_keys() {  # "TOTAL CHURN NBR": entries of this kscope's hash map named $1, CHURN of them the churn workload's, NBR the neighbours'; "" if bpftool can't tell
  python3 - "$1" "$KSCOPE_PID" <<'PY'
import glob, json, re, subprocess, sys
name, pid = sys.argv[1], int(sys.argv[2])
ours = set()  # map ids this kscope holds open, from its fds' fdinfo
for info in glob.glob(f"/proc/{pid}/fdinfo/*"):
    try:
        m = re.search(r"^map_id:\s*(\d+)", open(info).read(), re.M)
    except OSError:
        continue
    if m:
        ours.add(int(m.group(1)))
maps = json.loads(subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True, text=True).stdout or "[]")
# Hash maps only: an array of the same (15-byte) name is bounded by design.
ids = [m["id"] for m in maps if m.get("name") == name and m["id"] in ours and m.get("type") == "hash"]
if not ids:
    sys.exit(0)
# Every one of these keys opens with struct kscope_target (include/kscope/
# abi/common.h): __u64 cgroup_id, then comm[16]. The churn's processes are
# named chna_N / chnb_N; its parent and its threads keep "churn". The
# neighbours are nbrN.
total = churn = nbr = 0
for i in ids:
    dump = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(i)], capture_output=True, text=True).stdout
    for entry in json.loads(dump or "[]"):
        comm = bytes(int(b, 16) for b in entry["key"])[8:24].split(b"\0")[0]
        total += 1
        churn += comm == b"churn" or re.fullmatch(rb"chn[ab]_\d+", comm) is not None
        nbr += re.fullmatch(rb"nbr\d+", comm) is not None
print(total, churn, nbr)
PY
}
if command -v bpftool >/dev/null; then
  for m in syscall_latency syscall_errors runq_latency offcpu_time profile_samples; do
    for _ in $(seq 1 20); do  # up to 10 s: series_ttl after the last change, collected late
      read -r n churned nbr <<<"$(churn_keys "$m")"
      [[ -z "$n" || "$churned" == 0 ]] && break
      sleep 0.5
    done
    [[ -n "$n" ]] || { echo "note: bpftool cannot tell which $m is ours; map size not checked"; continue; }
    (( churned == 0 )) || fail "$m still holds $churned keys of exited churn processes after series_ttl: idle keys not deleted"
    # The comm read from each key is right: the live neighbours' getppid,
    # getpid and clock_nanosleep keys are all there.
    if [[ $m == syscall_latency ]]; then
      (( nbr >= 3 * neighbours )) || fail "syscall_latency holds $nbr keys of the $neighbours neighbours, want ${neighbours}x3"
    fi
    echo "$m: $n entries after churn ($nbr the neighbours', none the churn's)"
  done
fi
for m in syscall_latency runq_latency offcpu_time profile_samples; do
  overflow=$(curl -fsS "$KSCOPE_URL/metrics" | awk -v m="map=\"$m\"" '/^kscope_map_overflow_total\{/ && index($0, m) {print $2}')
  [[ "$overflow" == 0 || -z "$overflow" ]] || fail "$m overflowed ($overflow) during churn"
done

# Flat: the second round may not grow RSS by more than 16 MiB over the first
# (the dashboard's history ring still fills during the test: measured
# 6-10 MiB here, independent of how many processes came and went).
growth=$(( rss_round2 - rss_round1 ))
(( growth < 16384 )) || fail "RSS grew ${growth} KiB from round 1 (${rss_round1}) to round 2 (${rss_round2})"
curl -fsS "$KSCOPE_URL/api/v1/health" >/dev/null || fail "health stopped answering"
printf 'ok: 2x(10000 procs + 5000 threads) in %ss (round 1); max comm values %s/%s; RSS %s -> %s -> %s KiB\n' \
  "$(( (t1 - t0) / 1000000000 ))" "$worst1" "$worst2" "$rss_start" "$rss_round1" "$rss_round2"
