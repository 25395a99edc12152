#!/usr/bin/env python3
"""Checks dashboards/grafana/kscope.json against what exists: every query
(panel targets and template variables) parses as PromQL (promtool), and every
metric it reads is a recording rule of recording_rules.yml or a family
kscope's source exports; the rules' own expressions read only such families.
Catches a panel or rule left behind by a renamed metric, or one written for
a family nobody exports.

Usage: grafana_queries.py DASHBOARD RULES_DIR SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

dashboard, rules_dir, source_dir = sys.argv[1:4]
dash = json.load(open(dashboard))
recording = yaml.safe_load(open(os.path.join(rules_dir, 'recording_rules.yml')))
alerting = yaml.safe_load(open(os.path.join(rules_dir, 'alert_rules.yml')))
recorded = {r['record'] for g in recording['groups'] for r in g['rules']}
rule_exprs = [r['expr'] for doc in (recording, alerting) for g in doc['groups'] for r in g['rules']]


def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get('panels', []))


queries = []  # (where, expr)
for p in panels(dash['panels']):
    for t in p.get('targets', []):
        queries.append((f"panel {p['id']} {p.get('title', '')!r}", t['expr']))
for v in dash.get('templating', {}).get('list', []):
    q = v.get('query')
    if v.get('type') == 'query' and isinstance(q, dict):
        m = re.fullmatch(r'label_values\((.*),\s*\w+\)', q['query'].strip())
        assert m, f"variable {v['name']}: not label_values(selector, label): {q['query']}"
        queries.append((f"variable {v['name']}", m.group(1)))

# Metric family names the source exports: "kscope_x" string literals (and
# OpenTelemetry's "http_"/"db_"/"rpc_" names of the request engines), and
# literal prefixes of generated names ("node_memory_" + field + "_bytes").
literal = re.compile(r'"((?:kscope|node|http|db|rpc)_[A-Za-z0-9_]*)')
exported, prefixes = set(), set()
for root, _, files in os.walk(os.path.join(source_dir, 'userspace')):
    for f in files:
        if f.endswith(('.cpp', '.h')) and not f.endswith('_test.cpp'):
            for name in literal.findall(open(os.path.join(root, f), errors='replace').read()):
                # A prefix names at least a subsystem: "node_memory_", not "node_".
                (prefixes if name.endswith('_') and name.count('_') >= 2 else exported).add(name)


def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    e = re.sub(r'\{[^}]*\}', '', e)                 # matchers
    e = re.sub(r'\[[^\]]*\]', '', e)                # ranges
    e = re.sub(r'\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)', '', e)
    words = re.findall(r'(?<![\w:.$])[A-Za-z_:][\w:]*\b(?!\s*\()', e)
    return {w for w in words if w not in ('and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan')}


def known(name):
    if ':' in name:
        return name in recorded
    if name == 'up':
        return True
    base = re.sub(r'_(bucket|count|sum)$', '', name)
    return any(n in exported or any(n.startswith(p) for p in prefixes) for n in (name, base))


problems = []
for where, e in queries + [('rule', e) for e in rule_exprs]:
    for name in sorted(metric_names(e)):
        if not known(name):
            problems.append(f'{where}: {name} is neither a recording rule nor a metric kscope exports')

# Each query must parse: as a recording rule with Grafana's variables given
# values, through promtool.
def concrete(e):
    return (e.replace('$__rate_interval', '5m').replace('$__interval', '1m')
             .replace('$instance', '.*').replace('$comm', '.*').replace('$cgroup', '.*'))


with tempfile.NamedTemporaryFile('w', suffix='.yml', delete=False) as f:
    yaml.safe_dump({'groups': [{'name': 'grafana', 'rules': [
        {'record': f'grafana:query_{i}', 'expr': concrete(e)} for i, (_, e) in enumerate(queries)]}]}, f)
check = subprocess.run(['promtool', 'check', 'rules', f.name], capture_output=True, text=True)
os.unlink(f.name)
if check.returncode != 0:
    problems.append('promtool rejects a dashboard query:\n' + check.stdout + check.stderr)

if problems:
    print('\n'.join(problems))
    sys.exit(1)
exprs = [e for w, e in queries if w.startswith('panel')]
assert len(exprs) >= 8, exprs
print(f'grafana: {sum(1 for _ in panels(dash["panels"]))} panels, {len(exprs)} queries ok '
      f'({len(recorded)} recording rules, {len(exported)} exported families)')
