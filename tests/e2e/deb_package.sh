#!/usr/bin/env bash
# The Debian package (scripts/build_deb.sh) on this very machine, with dpkg:
# it installs, `kscope check` runs from /usr/bin, the unit passes
# `systemd-analyze verify` and its capability bounding set is both what
# `kscope check` says the agent keeps and enough for the agent to start;
# a local edit of /etc/kscope/kscope.yaml survives upgrades the way Debian's
# conffile rules say; removal stops every agent running the packaged binary
# and purge leaves no file behind. The package is purged on exit, whatever
# happens.
source "$(dirname "$0")/lib.sh"
require_root
for tool in dpkg-deb dpkg-shlibdeps systemd-analyze setpriv; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/packages.txt)"
done
# Never replace or purge a kscope installed for real on this host (this
# test's versions are 0~e2e*, left only by a run killed before its trap).
installed=$(dpkg-query -W -f='${Status} ${Version}' kscope 2>/dev/null || true)
if [[ -n "$installed" && "$installed" != *not-installed* && "$installed" != *" 0~e2e"* ]]; then
  skip "a kscope package is already installed here ($installed)"
fi

work=$(mktemp -d)
agents=()
# dpkg refuses at once while another dpkg or apt holds its lock (other
# sessions on a shared host): wait for it. Stdin is empty, so a conffile
# question dpkg should not ask fails the step instead of hanging.
dpkg_run() {
  local out rc
  for _ in $(seq 1 120); do
    rc=0
    out=$(dpkg "$@" </dev/null 2>&1) || rc=$?
    if ((rc != 0)) && grep -q 'locked by another process' <<<"$out"; then
      sleep 1
      continue
    fi
    printf '%s\n' "$out"
    return "$rc"
  done
  printf '%s\n' "$out"
  return 1
}
cleanup() {
  kill_and_reap "${agents[@]}"
  dpkg_run --purge kscope >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The processes running the packaged binary, the one installed now or one an
# upgrade has replaced since; zombies (exited, not yet reaped) have no exe.
packaged_pids() {
  local exe
  for exe in /proc/[0-9]*/exe; do
    case "$(readlink "$exe" 2>/dev/null)" in
      "/usr/bin/kscope" | "/usr/bin/kscope (deleted)") exe=${exe#/proc/} && echo "${exe%/exe}" ;;
    esac
  done
}

root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build() { "$root/scripts/build_deb.sh" --binary "$KSCOPE" --version "$1" --output "$work"; }
deb1=$(build 0~e2e1)
deb2=$(build 0~e2e2)
[[ $(dpkg-deb -f "$deb1" Version) == 0~e2e1 ]] || fail "$deb1 has version $(dpkg-deb -f "$deb1" Version)"
depends=$(dpkg-deb -f "$deb1" Depends)
grep -q 'libbpf1' <<<"$depends" || fail "Depends lacks libbpf1: $depends"
[[ $(dpkg-deb --ctrl-tarfile "$deb1" | tar -xO ./conffiles) == /etc/kscope/kscope.yaml ]] ||
  fail "conffiles is not /etc/kscope/kscope.yaml"

out=$(dpkg_run -i "$deb1") || fail "dpkg -i $deb1 failed: $out"
[[ $(dpkg-query -W -f='${Status} ${Version}' kscope) == "install ok installed 0~e2e1" ]] ||
  fail "after dpkg -i: $(dpkg-query -W -f='${Status} ${Version}' kscope)"
[[ -x /usr/bin/kscope && -f /lib/systemd/system/kscope.service && -d /var/lib/kscope ]] ||
  fail "the package's binary, unit or state directory is missing"
cmp -s /etc/kscope/kscope.yaml <("$KSCOPE" run --print-default-config) ||
  fail "/etc/kscope/kscope.yaml is not the default config"
# Enabled as dh_installsystemd would, even with systemd not running.
if [[ -x /usr/bin/deb-systemd-helper ]]; then
  [[ -L /etc/systemd/system/multi-user.target.wants/kscope.service ]] || fail "postinst did not enable kscope.service"
fi
if command -v systemd-tmpfiles >/dev/null; then
  [[ -f /run/kscope.lock ]] || fail "postinst did not create /run/kscope.lock (tmpfiles.d)"
fi

# Where systemd is PID 1, postinst started the service: it runs, sandboxed
# as the unit says, on the bounding set checked below.
if [[ -d /run/systemd/system ]]; then
  for _ in $(seq 1 100); do
    [[ $(systemctl is-active kscope.service) == active ]] && break
    sleep 0.1
  done
  [[ $(systemctl is-active kscope.service) == active ]] ||
    fail "kscope.service is not active: $(systemctl status --no-pager kscope.service 2>&1 | tail -20)"
  main=$(systemctl show -p MainPID --value kscope.service)
  [[ $(readlink "/proc/$main/exe") == /usr/bin/kscope ]] || fail "the service's main process $main is not /usr/bin/kscope"
fi

check=$(/usr/bin/kscope check 2>&1) || fail "kscope check from /usr/bin failed: $check"
grep -q '^probe syscalls .*ok' <<<"$check" || fail "kscope check from /usr/bin: syscalls not ok: $check"

unit=/lib/systemd/system/kscope.service
verify=$(systemd-analyze verify --man=no "$unit" 2>&1) || fail "systemd-analyze verify failed: $verify"
# It exits 0 on keys it ignores ("Unknown key", "Failed to parse"): any word is a failure.
[[ -z "$verify" ]] || fail "systemd-analyze verify complains: $verify"

# The bounding set is what the agent keeps (kscope check's line), no more.
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | tr 'A-Z' 'a-z' | sed '/^$/d' | sort)
kept=$(awk '$1 == "capabilities" { print $3 }' <<<"$check" | tr ',' '\n' | sort)
[[ -n "$kept" ]] || fail "kscope check names no kept capabilities: $check"
[[ "$bounding" == "$kept" ]] || fail "unit bounding set $(echo $bounding) is not what kscope keeps: $(echo $kept)"
if [[ -n "${main:-}" ]]; then
  want=$(setpriv --bounding-set "-all$(sed 's/^cap_/,+/' <<<"$bounding" | tr -d '\n')" -- \
    awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
  [[ $(awk '$1 == "CapBnd:" { print $2 }' "/proc/$main/status") == "$want" ]] ||
    fail "the service's bounding set is not the unit's"
fi

# The unit's command under its bounding set and NoNewPrivileges starts,
# attaches and serves (setpriv applies the same limits where systemd is not
# PID 1). Port and lock file of its own: other agents may run on this host.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ "$exec_start" == "/usr/bin/kscope run --config /etc/kscope/kscope.yaml" ]] || fail "unexpected ExecStart: $exec_start"
setpriv_caps="-all$(sed 's/^cap_/,+/' <<<"$bounding" | tr -d '\n')"
start_packaged_agent() {
  local port=$1 log=$2
  # shellcheck disable=SC2086
  KSCOPE_LOCK_FILE="$work/lock-$port" setpriv --no-new-privs --bounding-set "$setpriv_caps" -- \
    $exec_start --listen "127.0.0.1:$port" >"$log" 2>&1 &
  agents+=($!)
  # Serving starts before the probes attach; the drop comes last.
  for _ in $(seq 1 150); do
    grep -q 'capabilities dropped' "$log" && curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 &&
      return 0
    kill -0 "${agents[-1]}" 2>/dev/null || { cat "$log"; fail "the packaged agent exited"; }
    sleep 0.1
  done
  cat "$log"
  fail "the packaged agent did not answer on port $port"
}
port1=$(free_port)
start_packaged_agent "$port1" "$work/agent1.log"
agent1=${agents[-1]}
[[ $(readlink "/proc/$agent1/exe") == /usr/bin/kscope ]] || fail "the agent does not run /usr/bin/kscope"
wait_interval
grep -q '^kscope_probe_up{probe="syscalls"} 1$' <<<"$(curl -fsS "http://127.0.0.1:$port1/metrics")" ||
  fail "syscalls probe not up under the unit's bounding set"

# Upgrade with a local edit and the same packaged conffile: dpkg keeps the
# edit and asks nothing (stdin is empty: a question would fail dpkg).
sed -i 's/^interval: 1s$/interval: 2s/' /etc/kscope/kscope.yaml
echo "# edited on this host" >>/etc/kscope/kscope.yaml
edited=$(cat /etc/kscope/kscope.yaml)
out=$(dpkg_run -i "$deb2") || fail "upgrade to $deb2 failed: $out"
[[ $(dpkg-query -W -f='${Version}' kscope) == 0~e2e2 ]] || fail "not upgraded: $(dpkg-query -W -f='${Version}' kscope)"
[[ $(cat /etc/kscope/kscope.yaml) == "$edited" ]] || fail "the upgrade lost the local edit"
ls /etc/kscope/kscope.yaml.dpkg-* >/dev/null 2>&1 && fail "an unchanged packaged conffile left $(ls /etc/kscope/)"
/usr/bin/kscope run --check-config /etc/kscope/kscope.yaml >/dev/null || fail "the edited config does not check"

# A version whose packaged conffile changed too: both sides changed, so
# dpkg would ask; --force-confold keeps the local file and puts the
# package's one beside it as .dpkg-dist.
mkdir "$work/v3"
dpkg-deb -R "$deb2" "$work/v3/root"
echo "# changed in 0~e2e3" >>"$work/v3/root/etc/kscope/kscope.yaml"
sed -i 's/^Version: .*/Version: 0~e2e3/' "$work/v3/root/DEBIAN/control"
(cd "$work/v3/root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's#^\./##' | LC_ALL=C sort |
  xargs md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -Zgzip --build "$work/v3/root" "$work/kscope_0~e2e3.deb" >/dev/null
out=$(dpkg_run -i "$work/kscope_0~e2e3.deb") && fail "a conffile changed on both sides installed without asking: $out"
grep -q "Package distributor has shipped an updated version" <<<"$out" || fail "dpkg failed, but not over the conffile: $out"
out=$(dpkg_run --force-confold -i "$work/kscope_0~e2e3.deb") || fail "upgrade with --force-confold failed: $out"
[[ $(dpkg-query -W -f='${Status} ${Version}' kscope) == "install ok installed 0~e2e3" ]] ||
  fail "after the confold upgrade: $(dpkg-query -W -f='${Status} ${Version}' kscope)"
[[ $(cat /etc/kscope/kscope.yaml) == "$edited" ]] || fail "--force-confold did not keep the local edit"
grep -q '^# changed in 0~e2e3$' /etc/kscope/kscope.yaml.dpkg-dist || fail "no .dpkg-dist with the package's new conffile"

# A second agent on the new binary; the first still runs the replaced one.
port2=$(free_port)
start_packaged_agent "$port2" "$work/agent2.log"
[[ $(readlink "/proc/$agent1/exe") == "/usr/bin/kscope (deleted)" ]] ||
  fail "the first agent runs $(readlink "/proc/$agent1/exe"), not the replaced binary"
running=$(packaged_pids)
for pid in "$agent1" "${agents[-1]}"; do
  grep -qx "$pid" <<<"$running" || fail "agent $pid is not among the packaged binary's processes: $running"
done

# Removal stops both and keeps the conffile (Debian: only purge deletes it).
out=$(dpkg_run -r kscope) || fail "dpkg -r failed: $out"
left=$(packaged_pids)
[[ -z "$left" ]] || fail "kscope still runs after removal: pids $left"
[[ $(dpkg-query -W -f='${Status}' kscope) == "deinstall ok config-files" ]] ||
  fail "after dpkg -r: $(dpkg-query -W -f='${Status}' kscope)"
[[ ! -e /usr/bin/kscope && ! -e "$unit" && ! -e /run/kscope.lock ]] || fail "dpkg -r left the binary, unit or lock"
[[ $(cat /etc/kscope/kscope.yaml) == "$edited" ]] || fail "dpkg -r did not keep the edited conffile"

# Purge: nothing of kscope is left.
out=$(dpkg_run --purge kscope) || fail "dpkg --purge failed: $out"
dpkg-query -W kscope >/dev/null 2>&1 && [[ $(dpkg-query -W -f='${Status}' kscope) != *not-installed* ]] &&
  fail "after purge: $(dpkg-query -W -f='${Status}' kscope)"
for path in /etc/kscope /var/lib/kscope /usr/share/doc/kscope /usr/lib/tmpfiles.d/kscope.conf \
  /etc/systemd/system/multi-user.target.wants/kscope.service \
  /var/lib/systemd/deb-systemd-helper-enabled/kscope.service.dsh-also \
  /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/kscope.service; do
  [[ ! -e "$path" && ! -L "$path" ]] || fail "purge left $path"
done
echo "ok: installed, checked, upgraded twice keeping the edit (.dpkg-dist beside it), removal stopped 2 agents, purge left nothing"
