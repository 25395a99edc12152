"""The database request families of kscope's /metrics, for the e2e tests
that compare them with a server's own statistics (requests_redis.sh,
requests_postgres.sh; imported with PYTHONPATH set to this directory)."""
import re

SIDES = {
    "db_client_operation_duration_seconds": "client",
    "kscope_db_server_operation_duration_seconds": "server",
}
_SAMPLE = re.compile(r"^(%s)_(count|bucket)\{(.*)\} (\S+)$" % "|".join(SIDES))
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text, system, port):
    """Yields (side, kind, labels, value) for each _count ("count") and
    _bucket ("bucket") sample of database system `system` whose server_port
    is `port` (a string); side is "client" or "server"."""
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group(3)))
        if labels.get("db_system_name") != system or labels.get("server_port") != port:
            continue
        yield SIDES[m.group(1)], m.group(2), labels, int(float(m.group(4)))


def nonzero_drops(text, protocol):
    """The kscope_l7_dropped_total lines of `protocol` that are not 0."""
    prefix = 'kscope_l7_dropped_total{protocol="%s"' % protocol
    return [l for l in text.splitlines() if l.startswith(prefix) and not l.endswith(" 0")]


def exit_if(problems, text, protocol):
    """With problems: prints them and the protocol's drops, and exits 1."""
    if problems:
        print("\n".join(problems + nonzero_drops(text, protocol)))
        raise SystemExit(1)
