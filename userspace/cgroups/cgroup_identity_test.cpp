#include "cgroups/cgroup_identity.h"

#include <gtest/gtest.h>

#include <string>

namespace kscope {
namespace {

const std::string kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

CgroupIdentity id(std::string service, std::string container, std::string pod) {
  return {std::move(service), std::move(container), std::move(pod)};
}

TEST(CgroupIdentity, SystemdServicesAndSessions) {
  EXPECT_EQ(identify_cgroup("/system.slice/nginx.service"), id("nginx.service", "", ""));
  EXPECT_EQ(identify_cgroup("/system.slice/systemd-journald.service"), id("systemd-journald.service", "", ""));
  EXPECT_EQ(identify_cgroup("/system.slice/system-getty.slice/getty@tty1.service"), id("getty@tty1.service", "", ""));
  EXPECT_EQ(identify_cgroup("/user.slice/user-1000.slice/session-3.scope"), id("session-3.scope", "", ""));
  EXPECT_EQ(identify_cgroup("/user.slice/user-1000.slice/user@1000.service"), id("user@1000.service", "", ""));
  EXPECT_EQ(identify_cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service"),
            id("pipewire.service", "", ""));
  EXPECT_EQ(identify_cgroup("/system.slice/docker.socket"), id("docker.socket", "", ""));
  EXPECT_EQ(identify_cgroup("/init.scope"), id("init.scope", "", ""));
  // systemd escapes '-' in instance names as \x2d.
  EXPECT_EQ(identify_cgroup("/system.slice/system-systemd\\x2dfsck.slice/systemd-fsck@dev-disk-by\\x2duuid-ab.service"),
            id("systemd-fsck@dev-disk-by-uuid-ab.service", "", ""));
  EXPECT_EQ(identify_cgroup("/system.slice"), id("", "", ""));
  EXPECT_EQ(identify_cgroup("/"), id("", "", ""));
  EXPECT_EQ(identify_cgroup(""), id("", "", ""));
}

TEST(CgroupIdentity, Docker) {
  EXPECT_EQ(identify_cgroup("/system.slice/docker-" + kId + ".scope"), id("", kId, ""));  // systemd driver
  EXPECT_EQ(identify_cgroup("/docker/" + kId), id("", kId, ""));                           // cgroupfs driver
  // A service inside a container (systemd in docker) names both.
  EXPECT_EQ(identify_cgroup("/system.slice/docker-" + kId + ".scope/system.slice/redis.service"),
            id("redis.service", kId, ""));
  EXPECT_EQ(identify_cgroup("/system.slice/docker.service"), id("docker.service", "", ""));
}

TEST(CgroupIdentity, KubernetesSystemdDriver) {
  const std::string uid = "1b6e7a2c-0f3d-4c5e-9a8b-7c6d5e4f3a2b";
  const std::string uid_ = "1b6e7a2c_0f3d_4c5e_9a8b_7c6d5e4f3a2b";
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid_ +
                            ".slice/cri-containerd-" + kId + ".scope"),
            id("", kId, uid));
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uid_ +
                            ".slice/crio-" + kId + ".scope"),
            id("", kId, uid));
  // Guaranteed pods sit directly under kubepods.slice.
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-pod" + uid_ + ".slice/cri-containerd-" + kId + ".scope"),
            id("", kId, uid));
  // The pod's own cgroup, and CRI-O's conmon beside the container.
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid_ + ".slice"),
            id("", "", uid));
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-pod" + uid_ + ".slice/crio-conmon-" + kId + ".scope"),
            id("", "", uid));
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-burstable.slice"), id("", "", ""));
}

TEST(CgroupIdentity, KubernetesCgroupfsDriver) {
  const std::string uid = "1b6e7a2c-0f3d-4c5e-9a8b-7c6d5e4f3a2b";
  EXPECT_EQ(identify_cgroup("/kubepods/burstable/pod" + uid + "/" + kId), id("", kId, uid));
  EXPECT_EQ(identify_cgroup("/kubepods/besteffort/pod" + uid + "/" + kId), id("", kId, uid));
  EXPECT_EQ(identify_cgroup("/kubepods/pod" + uid + "/" + kId), id("", kId, uid));  // guaranteed
  // A static pod's UID is its config hash: 32 hex digits, no dashes.
  EXPECT_EQ(identify_cgroup("/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" + kId),
            id("", kId, "0123456789abcdef0123456789abcdef"));
}

TEST(CgroupIdentity, Podman) {
  EXPECT_EQ(identify_cgroup("/machine.slice/libpod-" + kId + ".scope"), id("", kId, ""));
  EXPECT_EQ(identify_cgroup("/machine.slice/libpod-conmon-" + kId + ".scope"), id("", "", ""));
  EXPECT_EQ(identify_cgroup("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
                            ".scope/container"),
            id("user@1000.service", kId, ""));
}

TEST(CgroupIdentity, LookalikesAreNotIds) {
  EXPECT_EQ(identify_cgroup("/docker/" + kId.substr(0, 63)), id("", "", ""));
  EXPECT_EQ(identify_cgroup("/docker-nothex.scope"), id("docker-nothex.scope", "", ""));
  EXPECT_EQ(identify_cgroup("/podcast"), id("", "", ""));
  EXPECT_EQ(identify_cgroup("/kubepods.slice/kubepods-podXYZ.slice"), id("", "", ""));
  EXPECT_EQ(identify_cgroup("/" + std::string(300, 'a') + ".service"), id("", "", ""));  // past the bound
  EXPECT_EQ(identify_cgroup(std::string(5000, '/')), id("", "", ""));
}

TEST(CgroupIdentity, Unescape) {
  EXPECT_EQ(systemd_unescape("a\\x2db"), "a-b");
  EXPECT_EQ(systemd_unescape("a\\x2Db"), "a-b");
  EXPECT_EQ(systemd_unescape("a\\x0ab"), "a\\x0ab");  // control characters stay escaped
  EXPECT_EQ(systemd_unescape("a\\xffb"), "a\\xffb");
  EXPECT_EQ(systemd_unescape("a\\x2fb"), "a\\x2fb");  // found by the fuzzer: no '/' in a unit name
  EXPECT_EQ(systemd_unescape("trail\\x2"), "trail\\x2");
  EXPECT_EQ(systemd_unescape("\\x"), "\\x");
}

}  // namespace
}  // namespace kscope
