#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang++ and
# ASan+UBSan into OUT (default build-fuzz/). The main build uses g++, so this
# compiles just the sources the parsers need. Exit 77 when clang++ or its
# libFuzzer runtime is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build-fuzz}"
cxx="${KSCOPE_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}"
if [[ -z "$cxx" ]]; then
  echo "skip: clang++ not installed" >&2
  exit 77
fi
mkdir -p "$out/obj"
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    "$cxx" -x c++ -fsanitize=fuzzer - -o "$out/probe" 2>/dev/null; then
  echo "skip: $cxx has no libFuzzer runtime (libclang-rt-dev)" >&2
  exit 77
fi

# The default config is embedded; generate just that file.
cmake -DOUT="$out/embedded_files.cpp" "-DROOTS=$root/userspace" \
  "-DFILES=$root/userspace/config/embed/default.yaml" -P "$root/scripts/embed.cmake"

sources=(
  common/escape.cpp common/duration.cpp common/atomic_file.cpp
  config/config.cpp config/yaml_reader.cpp config/alerts_config.cpp config/notify_config.cpp common/time_zone.cpp
  alerts/silence.cpp alerts/payloads.cpp alerts/alert.cpp signals/metric_query.cpp signals/signals.cpp model/snapshot.cpp
  flamegraph/folded.cpp flamegraph/profile.cpp flamegraph/pprof_reader.cpp flamegraph/pprof_writer.cpp
  flamegraph/gzip.cpp common/proto_wire.cpp flamegraph/output_sink.cpp model/histogram.cpp
  history/history.cpp history/query.cpp query/selector.cpp query/label_matcher.cpp query/statistic.cpp history/shared_strings.cpp
  web/query_api.cpp export/http_message.cpp common/thread_name.cpp api/query_answer.cpp api/json_read.cpp
  host/text_fields.cpp host/proc_stat.cpp host/meminfo.cpp host/pressure.cpp host/loadavg.cpp host/vmstat.cpp
  host/mounts.cpp host/diskstats.cpp host/net_dev.cpp host/netns_addresses.cpp symbolize/eh_frame_hdr.cpp host/tcp_states.cpp host/netstat.cpp
  cgroups/cgroup_identity.cpp cgroups/cgroup_text.cpp cgroups/cgroup_io.cpp cgroups/cgroup_pressure.cpp
  cgroups/cgroup_layout.cpp
  report/prometheus_client.cpp report/capacity_report.cpp report/holt_winters.cpp report/trend.cpp
  report/seasonality.cpp report/anomalies.cpp report/baseline.cpp report/time_series.cpp report/capacity_forecast.cpp
  net/http_client.cpp net/curl_library.cpp top/api_client.cpp common/bearer_token.cpp
  probes/l7_records.cpp probes/l7_preexisting.cpp probes/l7_tls_libraries.cpp
  requests/http_parser.cpp requests/body_framing.cpp requests/message_stream.cpp requests/drop_reason.cpp
  requests/exchange_matcher.cpp requests/route_template.cpp requests/request_metrics.cpp requests/http_engine.cpp
  requests/capped_series.cpp requests/process_labels.cpp requests/db_session.cpp requests/db_engine.cpp
  requests/resp_reader.cpp requests/redis_commands.cpp requests/redis_session.cpp requests/pg_framer.cpp
  requests/pg_session.cpp requests/sql_summary.cpp requests/protocol_recognition.cpp requests/mysql_framer.cpp
  requests/mysql_session.cpp requests/h2_framer.cpp requests/hpack_decoder.cpp requests/h2_session.cpp
  requests/h2_engine.cpp requests/rpc_metrics.cpp
  model/cardinality.cpp
)
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -DSPDLOG_FMT_EXTERNAL -DKSCOPE_VERSION="\"fuzz\"" -I"$root/userspace" -I"$root/include")
libs=(-lre2 -lnghttp2 -lyaml-cpp -lspdlog -lfmt -lz -lpthread -ldl)

objs=()
compile() {  # src obj extra-flags...
  local src="$1" obj="$2"
  shift 2
  # Rebuilt when the source or any header is newer (no dependency files).
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "$root/userspace" "$root/include" -name '*.h' -newer "$obj" -print -quit)" ]]; then
    "$cxx" "${flags[@]}" "$@" -c "$src" -o "$obj"
  fi
}
for s in "${sources[@]}"; do
  obj="$out/obj/$(echo "$s" | tr / _).o"
  compile "$root/userspace/$s" "$obj" -fsanitize=fuzzer-no-link &
  objs+=("$obj")
  # Two at a time: CI machines have two cores.
  if (( $(jobs -r | wc -l) >= 2 )); then wait -n; fi
done
compile "$out/embedded_files.cpp" "$out/obj/embedded_files.o"
wait
objs+=("$out/obj/embedded_files.o")

for t in "$root"/tests/fuzz/*_fuzz.cpp; do
  name="$(basename "$t" .cpp)"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$t" "${objs[@]}" "${libs[@]}" -o "$out/$name"
done
echo "fuzz targets in $out"
