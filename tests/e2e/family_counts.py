"""Counts of a histogram family in kscope's /metrics text, summed by some
labels over the series that match others, for the e2e tests that compare
them with what a workload knows it did (requests_http2.sh,
requests_grpc.sh; imported with PYTHONPATH set to this directory)."""
import collections
import re

_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def counts(text, family, by, **match):
    """{tuple of the `by` labels' values: summed _count} over the series of
    `family` whose labels equal every `match` item."""
    out = collections.Counter()
    prefix = family + "_count{"
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        labels_text, value = line[len(prefix):].rsplit("} ", 1)
        labels = dict(_LABEL.findall(labels_text))
        if all(labels.get(k) == v for k, v in match.items()):
            out[tuple(labels.get(b, "") for b in by)] += int(float(value))
    return out


def drops(text, protocol):
    """{reason: count} of kscope_l7_dropped_total for `protocol`, nonzero only."""
    out = {}
    prefix = 'kscope_l7_dropped_total{'
    for line in text.splitlines():
        if line.startswith(prefix):
            labels_text, value = line[len(prefix):].rsplit("} ", 1)
            labels = dict(_LABEL.findall(labels_text))
            if labels.get("protocol") == protocol and float(value) > 0:
                out[labels.get("reason")] = out.get(labels.get("reason"), 0) + int(float(value))
    return out


def exit_if_differs(got_by_side, want, text, protocol):
    """Exits 1, saying what differs, unless every side's counts equal `want`
    and `protocol` dropped nothing."""
    problems = [f"{side}: {dict(got)}, want {want}" for side, got in got_by_side.items() if got != want]
    lost = drops(text, protocol)
    if lost:
        problems.append(f"{protocol} drops: {lost}")
    if problems:
        print("; ".join(problems))
        raise SystemExit(1)
