#!/usr/bin/env bash
# dashboards/prometheus passes promtool: rule syntax, the example scrape
# config, and the unit tests of the recording and alert rules.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || skip "promtool missing (apt-get install prometheus)"
cd "$KSCOPE_SOURCE_DIR/dashboards/prometheus"
promtool check rules recording_rules.yml alert_rules.yml
promtool check config scrape_config.yml
promtool test rules rules_test.yml
# The Grafana dashboard's queries parse and read only recording rules and
# families kscope exports; so do the rules.
python3 "$KSCOPE_SOURCE_DIR/tests/e2e/grafana_queries.py" "$KSCOPE_SOURCE_DIR/dashboards/grafana/kscope.json" . "$KSCOPE_SOURCE_DIR"
