#!/usr/bin/env python3
"""Checks deploy/kubernetes/kscope-daemonset.yaml and
deploy/prometheus/scrape-kscope.yaml against the real binary (called by
kubernetes_manifest.sh, which passes what `kscope check` says the agent keeps).

usage: kubernetes_manifest.py ROOT KEPT_CAPS CONFIG_OUT
  KEPT_CAPS   "cap_bpf,cap_perfmon,..." from `kscope check`
  CONFIG_OUT  where to write the ConfigMap's kscope.yaml (the shell side
              runs it); prints "PORT CAPS" (CAPS in setpriv's form) on success.
"""
import os
import sys

import yaml


def fail(msg):
    sys.exit("FAIL: " + msg)


root, kept_arg, config_out = sys.argv[1:4]
kept = {c.strip().upper().removeprefix("CAP_") for c in kept_arg.split(",") if c.strip()}
if len(kept) < 2:
    fail(f"kscope check named too few kept capabilities: {kept_arg!r}")

with open(os.path.join(root, "deploy/kubernetes/kscope-daemonset.yaml"), encoding="utf-8") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
for kind in ("ConfigMap", "DaemonSet"):
    if len(by_kind.get(kind, [])) != 1:
        fail(f"want one {kind}, the manifest has {len(by_kind.get(kind, []))}")
cm, ds = by_kind["ConfigMap"][0], by_kind["DaemonSet"][0]
namespace = ds["metadata"].get("namespace", "default")
if cm["metadata"].get("namespace", "default") != namespace:
    fail("the ConfigMap and the DaemonSet are in different namespaces")

spec = ds["spec"]["template"]["spec"]
labels = ds["spec"]["template"]["metadata"]["labels"]
if ds["spec"]["selector"]["matchLabels"].items() - labels.items():
    fail("the DaemonSet's selector does not match its pod template")
if spec.get("hostPID") is not True:
    fail("hostPID is not true: kscope reads the node's processes in /proc")
if len(spec["containers"]) != 1:
    fail("want one container")
c = spec["containers"][0]
sc = c.get("securityContext", {})

# Least privilege: exactly what the agent keeps, nothing privileged.
caps = sc.get("capabilities", {})
added = set(caps.get("add", []))
if added != kept:
    fail(f"the container adds {sorted(added)}, kscope keeps {sorted(kept)}")
if caps.get("drop") != ["ALL"]:
    fail(f"the container drops {caps.get('drop')}, not ALL")
if sc.get("privileged"):
    fail("the container is privileged")
if sc.get("allowPrivilegeEscalation") is not False:
    fail("allowPrivilegeEscalation is not false (no_new_privs, which BPF allows)")
if sc.get("readOnlyRootFilesystem") is not True:
    fail("the root file system is writable")
if sc.get("runAsUser") != 0:
    fail("not root: without ambient capabilities a non-root user has none of the added ones")

# The port: one named container port, what the config listens on, what the
# probes, the annotation and the scrape config use.
ports = c.get("ports", [])
if len(ports) != 1:
    fail(f"want one container port, have {ports}")
port, port_name = ports[0]["containerPort"], ports[0]["name"]


def probe_port(probe):
    p = probe["httpGet"]["port"]
    return port if p == port_name else p


for name in ("readinessProbe", "livenessProbe"):
    probe = c.get(name)
    if not probe or probe["httpGet"]["path"] != "/api/v1/health" or probe_port(probe) != port:
        fail(f"{name} is not GET /api/v1/health on port {port}: {probe}")
annotations = ds["spec"]["template"]["metadata"].get("annotations", {})
if str(annotations.get("prometheus.io/port")) != str(port):
    fail(f"prometheus.io/port is {annotations.get('prometheus.io/port')}, the container port {port}")

res = c.get("resources", {})
units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def mem(v):
    v = str(v)
    return int(v[:-2]) * units[v[-2:]] if v[-2:] in units else int(v)


def cpu(v):
    v = str(v)
    return int(v[:-1]) / 1000 if v.endswith("m") else float(v)


for key in ("cpu", "memory"):
    if key not in res.get("requests", {}) or key not in res.get("limits", {}):
        fail(f"no {key} request and limit")
if mem(res["requests"]["memory"]) > mem(res["limits"]["memory"]) or cpu(res["requests"]["cpu"]) > cpu(
        res["limits"]["cpu"]):
    fail(f"a request is over its limit: {res}")

# Mounts: the config from the ConfigMap, BTF and the cgroup hierarchy read
# only; the only writable host path is the instance lock.
vols = {v["name"]: v for v in spec["volumes"]}
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
for path in ("/sys/kernel/btf", "/sys/fs/cgroup"):
    m = mounts.get(path)
    if not m or not m.get("readOnly") or vols[m["name"]].get("hostPath", {}).get("path") != path:
        fail(f"{path} is not the node's, mounted read-only")
for m in c["volumeMounts"]:
    host = vols[m["name"]].get("hostPath")
    if host and not m.get("readOnly") and host["path"] != "/run/kscope.lock":
        fail(f"host path {host['path']} is mounted writable")
args = c.get("args", [])
if args[:1] != ["run"] or "--config" not in args:
    fail(f"the container does not run `kscope run --config`: {args}")
config_path = args[args.index("--config") + 1]
m = mounts.get(os.path.dirname(config_path))
if not m or vols[m["name"]].get("configMap", {}).get("name") != cm["metadata"]["name"]:
    fail(f"{os.path.dirname(config_path)} is not the ConfigMap's volume")
config_text = cm["data"].get(os.path.basename(config_path))
if config_text is None:
    fail(f"the ConfigMap has no key {os.path.basename(config_path)}")
listen = yaml.safe_load(config_text)["http"]["listen"]
if not listen.startswith("0.0.0.0:") or int(listen.rsplit(":", 1)[1]) != port:
    fail(f"the config listens on {listen}, not on every address at port {port}")
with open(config_out, "w", encoding="utf-8") as f:
    f.write(config_text)

# The scrape config keeps these pods by their label and that port.
with open(os.path.join(root, "deploy/prometheus/scrape-kscope.yaml"), encoding="utf-8") as f:
    scrape = yaml.safe_load(f)
jobs = [j for j in scrape["scrape_configs"] if j["job_name"] == "kscope"]
if len(jobs) != 1:
    fail("no kscope job in the scrape config")
job = jobs[0]
sd = job["kubernetes_sd_configs"]
if [s["role"] for s in sd] != ["pod"] or namespace not in sd[0].get("namespaces", {}).get("names", [namespace]):
    fail(f"the scrape config does not discover pods in namespace {namespace}: {sd}")
if job.get("metrics_path", "/metrics") != "/metrics":
    fail("the scrape config's metrics_path is not /metrics")
keeps = {tuple(r["source_labels"]): r["regex"] for r in job["relabel_configs"] if r.get("action") == "keep"}
if keeps.get(("__meta_kubernetes_pod_container_port_name",)) != port_name:
    fail(f"the scrape config does not keep the container port {port_name!r}: {keeps}")
label_keeps = {k[0]: v for k, v in keeps.items() if k[0].startswith("__meta_kubernetes_pod_label_")}
if not label_keeps:
    fail("the scrape config keeps pods by no label")
for meta, regex in label_keeps.items():
    # Prometheus turns a label's every character outside [a-zA-Z0-9_] into _.
    matching = [k for k in labels if "".join(ch if ch.isalnum() else "_" for ch in k) ==
                meta.removeprefix("__meta_kubernetes_pod_label_")]
    if not matching or labels[matching[0]] != regex:
        fail(f"the scrape config keeps {meta}={regex}, the pods are labelled {labels}")

print(port, "-all" + "".join(",+" + k.lower() for k in sorted(added)))
