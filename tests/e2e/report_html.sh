#!/usr/bin/env bash
# `kscope report` against a real `kscope run` whose history holds a workload
# with a hostile name: the file parses as HTML with balanced elements, holds
# the name escaped (never as markup), the trend section, uPlot inline, the
# data as JSON, and no reference to anything outside the file; it says that
# its few seconds of history do not cover the window asked for. Its "Time to
# exhaustion" section has memory and the root filesystem (its device as
# /proc/self/mounts says) with a time or "not falling", in the page and in
# its data.
source "$(dirname "$0")/lib.sh"
require_root
workload="$KSCOPE_WORKLOAD_DIR/syscall_workload"
[[ -x "$workload" ]] || fail "missing $workload"
work=$(mktemp -d)
pids=""
cleanup() {
  kill_and_reap $pids
  stop_kscope
  rm -rf "$work"
}
trap cleanup EXIT
start_kscope

name='</script>&<b>'   # 14 bytes: fits a comm
"$workload" "$name" 3000 1000 &
pids="$!"
sleep 6

# About 6 s of history for a 5 m window: the report and its stderr say so.
said=$("$KSCOPE" report --url "$KSCOPE_URL" --window 5m -o "$work/report.html" 2>&1) || fail "kscope report failed: $said"
[[ -s "$work/report.html" ]] || fail "no report written"
grep -Eq '^kscope report: the history covers only the last [0-9]+s of the 5m window asked for' <<<"$said" ||
  fail "kscope report does not say the history is shorter than the window: $said"
grep -q 'id="coverage">Note: the history covers only the last [0-9]*s of the 5m window' "$work/report.html" ||
  fail "the report page does not say the history is shorter than the window"
root_dev=$(awk '$2 == "/" { d = $1 } END { print d }' /proc/self/mounts)
python3 - "$work/report.html" "$root_dev" <<'PY' || fail "the report is not what it should be"
import json, re, sys
from html.parser import HTMLParser

html = open(sys.argv[1], encoding="utf-8").read()
VOID = {"meta", "br", "img", "hr", "link", "input"}

class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts, self.scripts, self.ids, self.cur = [], [], [], set(), None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        assert "src" not in a, f"external resource: {tag} {a}"
        if "id" in a: self.ids.add(a["id"])
        if tag not in VOID: self.stack.append(tag)
        if tag == "script": self.scripts.append([a.get("type"), a.get("id"), ""])
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-3:]}"
        self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script": self.scripts[-1][2] += data
        else: self.texts.append(data)

c = Check()
c.feed(html)
c.close()
assert not c.stack, f"unclosed: {c.stack}"
text = "".join(c.texts)
name = "</script>&<b>"
assert name in text, "workload name not shown as text"
assert html.count("<b>") == 0, "the name leaked as markup"
assert "trends" in c.ids, "no trend section"
assert "Saturation trends" in text
assert len(c.scripts) == 3, [s[:2] for s in c.scripts]
data = json.loads(next(s[2] for s in c.scripts if s[1] == "report-data"))
sig = {s["key"]: s for s in data["signals"]}
assert sig["syscalls"]["found"], "no syscall data"
assert any(v and v > 0 for v in sig["syscalls"]["values"]), "syscall rate all zero"
assert len(data["timestamps"]) == len(sig["syscalls"]["values"]) > 10
assert "uPlot" in c.scripts[1][2] and len(c.scripts[1][2]) > 20000, "uPlot not inline"
assert "http://" not in "".join(s[2] for s in c.scripts[1:]), "a script refers to the network"

# Time to exhaustion: memory and "/" with a projection, in the page and its data.
assert "exhaustion" in c.ids, "no time-to-exhaustion section"
sec = html[html.index('id="exhaustion"'):html.index('id="signals"')]
assert "Time to exhaustion" in sec
rows = re.findall(r"<tr><td>(.*?)</tr>", sec)
by_name = {re.sub(r"<[^>]+>", "", r.split("</td>")[0]): r for r in rows}
verdict = re.compile(r'(class="rising">in [0-9.]+[smhd] \(|class="ok">not falling<|class="rising">exhausted now<)')
for name in ("memory available", "filesystem /"):
    assert name in by_name, f"no row for {name}: {list(by_name)}"
    assert verdict.search(by_name[name]), f"{name}: no time or 'not falling': {by_name[name]}"
assert f"<td>{sys.argv[2]} " in by_name["filesystem /"], (sys.argv[2], by_name["filesystem /"])
ex = {(e["resource"], e["name"]): e for e in data["exhaustion"]}
root = ex[("filesystem", "/")]
assert root["available_bytes"] > 0 and root["total_bytes"] >= root["available_bytes"], root
assert root["seconds_to_exhaustion"] is None or root["seconds_to_exhaustion"] > 0, root
mem = ex[("memory", "memory available")]
assert 0 < mem["available_bytes"] <= mem["total_bytes"], mem
print("exhaustion:", [(e["name"], e["seconds_to_exhaustion"]) for e in data["exhaustion"]][:6])
print(f"report ok: {len(html)} bytes, {len(data['timestamps'])} points, signals with data:",
      [k for k, s in sig.items() if s["found"]])
PY
command -v xmllint >/dev/null && { xmllint --html --noout "$work/report.html" 2>"$work/lint" || true; \
  ! grep -qi "error" "$work/lint" || { cat "$work/lint"; fail "xmllint --html found errors"; }; }

echo "PASS"
