// Who a cgroup belongs to, read from its path alone: the systemd unit, the
// container and the Kubernetes pod. These become the labels service,
// container_id and pod_uid, so "payments.service is throttled" or "pod X's
// container Y was OOM-killed" can be read from /metrics.
//
// Path shapes recognised (the last matching component wins, so a container
// nested in a service names the container):
//   systemd units   /system.slice/nginx.service, .../session-3.scope,
//                   /user.slice/user-1000.slice/user@1000.service/app.slice/x.service
//                   (\xHH escapes undone: "foo\x2dbar.service" -> "foo-bar.service")
//   docker          /docker/<64 hex> (cgroupfs), docker-<64 hex>.scope (systemd)
//   containerd/CRI  cri-containerd-<id>.scope, crio-<id>.scope, libpod-<id>.scope (podman)
//   Kubernetes      systemd driver: kubepods-burstable-pod<uid with _>.slice,
//                   cgroupfs driver: /kubepods/besteffort/pod<uid>/<64 hex>
// A container's own scope is its container_id, not its service: service
// stays empty for docker-<id>.scope. Bounded: paths past 4096 bytes and
// components past 256 bytes are not parsed.
#pragma once

#include <string>
#include <string_view>

namespace kscope {

struct CgroupIdentity {
  std::string service;       // "nginx.service", "" when not under a unit
  std::string container_id;  // 64 lowercase hex (or the runtime's id), ""
  std::string pod_uid;       // "1b6e7a2c-...", dashes restored, ""
  bool operator==(const CgroupIdentity&) const = default;
};

CgroupIdentity identify_cgroup(std::string_view path);

// systemd's unit-name escaping undone: "\x2d" -> "-". Escapes that decode
// to a control character, a non-ASCII byte or '/' are kept as written.
std::string systemd_unescape(std::string_view name);

}  // namespace kscope
