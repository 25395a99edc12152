#!/usr/bin/env bash
# dashboards/prometheus passes promtool: rule syntax, the example scrape
# config, and the unit tests of the recording and alert rules.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || skip "promtool missing (apt-get install prometheus)"
cd "$KSCOPE_SOURCE_DIR/dashboards/prometheus"
promtool check rules recording_rules.yml alert_rules.yml
promtool check config scrape_config.yml
promtool test rules rules_test.yml
# The Grafana dashboard is valid JSON and only queries kscope metrics or
# the recording rules above.
python3 - "$KSCOPE_SOURCE_DIR/dashboards/grafana/kscope.json" recording_rules.yml <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
recorded = set(re.findall(r'record:\s*(\S+)', open(sys.argv[2]).read()))
exprs = [t['expr'] for p in dash['panels'] for t in p.get('targets', [])]
assert len(exprs) >= 8, exprs
for e in exprs:
    for name in re.findall(r'[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{|\[|\))', e):
        if ':' in name:
            assert name in recorded, f'{name} is not a recording rule'
        elif name.startswith('kscope_') or name == 'up':
            pass
print(f'grafana: {len(dash["panels"])} panels, {len(exprs)} queries ok')
PY
