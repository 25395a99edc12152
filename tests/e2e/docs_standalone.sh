#!/usr/bin/env bash
# The repository's documents stand alone: no Markdown file links or points to
# a path outside the repository (such as ../shared/DESIGN.md), and every
# relative link inside it names a file that exists.
source "$(dirname "$0")/lib.sh"
root=${KSCOPE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
python3 - "$root" <<'PY'
import os, re, sys
root = os.path.realpath(sys.argv[1])
skip = {".git", "node_modules"}
# [text](target) links and `code` spans that look like relative paths.
link = re.compile(r"\]\(([^)\s#]+)")
code = re.compile(r"`(\.\.?/[^`\s]+)`")
bad, docs = [], 0
for dirpath, dirnames, files in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith("build")]
    for f in files:
        if not f.endswith(".md"):
            continue
        docs += 1
        path = os.path.join(dirpath, f)
        with open(path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for target in link.findall(line) + code.findall(line):
                    if re.match(r"^[a-z]+:", target) or target.startswith("/"):
                        continue  # URLs and absolute host paths (/sys/..., /tmp/...)
                    where = os.path.relpath(path, root) + ":" + str(n)
                    resolved = os.path.realpath(os.path.join(dirpath, target))
                    if os.path.commonpath([resolved, root]) != root:
                        bad.append(f"{where}: {target} is outside the repository")
                    elif target.startswith(("./", "../")) or "](" + target in line:
                        if not os.path.exists(resolved):
                            bad.append(f"{where}: {target} does not exist")
if docs < 3:
    sys.exit(f"FAIL: only {docs} Markdown files found under {root}")
if bad:
    sys.exit("FAIL: " + "\n".join(bad))
print(f"ok: {docs} Markdown files, no link outside the repository")
PY
