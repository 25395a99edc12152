"""The database operations kscope counted, read from a /metrics page (for
tests/e2e/requests_*.sh, with this folder on PYTHONPATH): the count of
each (db_operation_name, db_collection_name, db_response_status_code) of
one db_system_name, on the server side (the server process's comm) and on
the client side (the server's port)."""
import collections
import re

_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_COUNT = re.compile(r'^(db_client_operation_duration_seconds|kscope_db_server_operation_duration_seconds)'
                    r'_count\{(.*)\} (\S+)$')


def operation_counts(text, system, server_comm, server_port):
    """(server, client): Counters keyed by (operation, collection, status)."""
    server, client = collections.Counter(), collections.Counter()
    for line in text.splitlines():
        m = _COUNT.match(line)
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group(2)))
        if labels.get("db_system_name") != system:
            continue
        key = (labels.get("db_operation_name", ""), labels.get("db_collection_name", ""),
               labels.get("db_response_status_code", ""))
        if m.group(1).startswith("kscope_db_server") and labels.get("comm") == server_comm:
            server[key] += int(float(m.group(3)))
        elif m.group(1).startswith("db_client") and labels.get("server_port") == str(server_port):
            client[key] += int(float(m.group(3)))
    return server, client
