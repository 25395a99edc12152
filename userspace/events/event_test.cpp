#include "events/event.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "events/event_format.h"
#include "kscope/abi/events.h"
#include "kscope/abi/exits.h"
#include "kscope/abi/tcp.h"
#include "probes/kernel_names.h"

namespace kscope {
namespace {

slow_syscall_event slow_record() {
  slow_syscall_event r{};
  r.hdr.type = KSCOPE_EVENT_SLOW_SYSCALL;
  r.hdr.size = sizeof(r);
  r.hdr.ts_ns = 123;
  r.pid = 42;
  r.tid = 43;
  r.nr = 35;  // nanosleep on x86_64
  r.duration_ns = 100500000;
  r.ret = -4;
  r.user_stack_id = 7;
  r.kernel_stack_id = -14;
  std::memcpy(r.comm, "app", 3);
  return r;
}

TEST(DecodeEvent, SlowSyscall) {
  auto r = slow_record();
  auto e = decode_event("syscalls", &r, sizeof(r));
  ASSERT_TRUE(e) << e.error().to_string();
  const auto& s = std::get<SlowSyscallEvent>(e->body);
  EXPECT_EQ(e->probe, "syscalls");
  EXPECT_EQ(e->ts_ns, 123u);
  EXPECT_EQ(s.pid, 42u);
  EXPECT_EQ(s.tid, 43u);
  EXPECT_EQ(s.duration_ns, 100500000u);
  EXPECT_EQ(s.ret, -4);
  EXPECT_EQ(s.comm, "app");
  EXPECT_EQ(s.user_stack_id, 7);
  EXPECT_EQ(s.kernel_stack_id, -14);
#ifdef __x86_64__
  EXPECT_EQ(s.syscall, "nanosleep");
#endif
}

TEST(DecodeEvent, RejectsShortWrongSizedAndUnknownRecords) {
  auto r = slow_record();
  EXPECT_FALSE(decode_event("syscalls", &r, 8));
  EXPECT_FALSE(decode_event("syscalls", &r, sizeof(r) - 1));
  r.hdr.size = 10;
  EXPECT_FALSE(decode_event("syscalls", &r, sizeof(r)));
  r = slow_record();
  r.hdr.type = 99;
  EXPECT_FALSE(decode_event("syscalls", &r, sizeof(r)));
  tcp_event t{};
  t.hdr.type = KSCOPE_EVENT_TCP;
  t.hdr.size = sizeof(t);
  t.kind = 77;
  EXPECT_FALSE(decode_event("tcp", &t, sizeof(t)));
}

TEST(DecodeEvent, CommIsBoundedByItsFieldEvenWithoutATerminator) {
  auto r = slow_record();
  std::memset(r.comm, 'x', sizeof(r.comm));
  auto e = decode_event("syscalls", &r, sizeof(r));
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<SlowSyscallEvent>(e->body).comm, std::string(16, 'x'));
}

TEST(FormatIp, Ipv4Ipv6AndMapped) {
  std::array<uint8_t, 16> a{};
  inet_pton(AF_INET, "10.1.2.3", a.data());
  EXPECT_EQ(format_ip(AF_INET, a), "10.1.2.3");
  inet_pton(AF_INET6, "fd00::1", a.data());
  EXPECT_EQ(format_ip(AF_INET6, a), "fd00::1");
  EXPECT_EQ(format_endpoint(AF_INET6, a, 80), "[fd00::1]:80");
  inet_pton(AF_INET6, "::ffff:10.0.0.9", a.data());
  EXPECT_EQ(format_ip(AF_INET6, a), "10.0.0.9");
}

TEST(FormatEvent, TcpRetransmitLine) {
  tcp_event t{};
  t.hdr.type = KSCOPE_EVENT_TCP;
  t.hdr.size = sizeof(t);
  t.kind = KSCOPE_TCP_RETRANSMIT;
  t.family = AF_INET;
  inet_pton(AF_INET, "10.0.0.1", t.saddr);
  inet_pton(AF_INET, "10.0.0.2", t.daddr);
  t.sport = 40000;
  t.dport = 443;
  t.state = 1;
  t.segs = 2;
  auto e = decode_event("tcp", &t, sizeof(t));
  ASSERT_TRUE(e);
  std::string line = format_event_line(*e, EventClock());
  EXPECT_NE(line.find(" retransmit 10.0.0.1:40000 -> 10.0.0.2:443 state=ESTABLISHED segs=2"), std::string::npos)
      << line;
  auto j = event_to_json(*e, EventClock(), nullptr);
  EXPECT_EQ(j["type"], "retransmit");
  EXPECT_EQ(j["daddr"], "10.0.0.2");
  EXPECT_EQ(j["dport"], 443);
  EXPECT_EQ(j["state"], "ESTABLISHED");
}

TEST(FormatEvent, HostileCommIsEscapedInTextAndJson) {
  auto r = slow_record();
  std::memcpy(r.comm, "a b\n\"\xff<", 7);
  auto e = decode_event("syscalls", &r, sizeof(r));
  ASSERT_TRUE(e);
  std::string line = format_event_line(*e, EventClock());
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("comm=a_b\\x0a\"\\xff<"), std::string::npos) << line;
  EXPECT_NE(line.find("ret=-4 (EINTR)"), std::string::npos) << line;
  std::string json = json_line(event_to_json(*e, EventClock(), nullptr));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  auto back = nlohmann::json::parse(json);  // valid UTF-8, parses
  EXPECT_EQ(back["errno"], "EINTR");
}

TEST(FormatEvent, StacksKernelThenUser) {
  EventStacks st;
  Frame k;
  k.function = "do_syscall_64";
  k.resolved = true;
  k.offset = 0x2e;
  k.kind = FrameKind::kKernel;
  k.module = "[kernel.kallsyms]";
  Frame u;
  u.function = "main";
  u.resolved = true;
  u.offset = 0x10;
  u.module = "/bin/app";
  st.kernel = {k};
  st.user = {u};
  EXPECT_EQ(format_stacks(st), "    do_syscall_64+0x2e\n    --\n    main+0x10 (/bin/app)\n");
  EXPECT_EQ(format_stacks({}), "");
}

exit_event exit_record(uint32_t kind) {
  exit_event r{};
  r.hdr.type = KSCOPE_EVENT_EXIT;
  r.hdr.size = sizeof(r);
  r.kind = kind;
  r.pid = 77;
  r.signal = 9;
  std::memcpy(r.comm, "h\x1b[0mog", 7);
  return r;
}

TEST(DecodeEvent, OomKillInBytesWithAnUnlimitedCgroupAsZero) {
  auto r = exit_record(KSCOPE_EXIT_OOM_KILL);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  r.anon_rss_pages = 2048;
  r.total_vm_pages = 4096;
  r.cgroup_usage_pages = 2050;
  r.cgroup_limit_pages = static_cast<uint64_t>(INT64_MAX) / page;  // PAGE_COUNTER_MAX
  auto e = decode_event("exits", &r, sizeof(r));
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(event_type_name(*e), "oom_kill");
  const auto& x = std::get<ExitEvent>(e->body);
  EXPECT_EQ(x.anon_rss_bytes, 2048 * page);
  EXPECT_EQ(x.cgroup_usage_bytes, 2050 * page);
  EXPECT_EQ(x.cgroup_limit_bytes, 0u);
  EXPECT_EQ(x.cgroup, "");  // id 0: no memory cgroup
  r.cgroup_limit_pages = 2048;
  e = decode_event("exits", &r, sizeof(r));
  ASSERT_TRUE(e);
  EXPECT_EQ(std::get<ExitEvent>(e->body).cgroup_limit_bytes, 2048 * page);
  // The line escapes the name; the JSON keeps it, valid UTF-8.
  EventClock clock;
  std::string line = format_event_line(*e, clock);
  EXPECT_NE(line.find(" oom_kill pid=77 comm=h\\x1b[0mog rss_anon="), std::string::npos) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  auto j = event_to_json(*e, clock, nullptr);
  EXPECT_EQ(j["type"], "oom_kill");
  EXPECT_EQ(j["signal"], "SIGKILL");
  EXPECT_EQ(j["cgroup_limit_bytes"], 2048 * page);
}

TEST(DecodeEvent, SignalExitAndUnknownKinds) {
  auto r = exit_record(KSCOPE_EXIT_SIGNAL);
  r.signal = 11;
  r.exit_code = 11 | 0x80;
  r.flags = KSCOPE_EXIT_CORE_DUMPED;
  auto e = decode_event("exits", &r, sizeof(r));
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(event_type_name(*e), "signal_exit");
  const auto& x = std::get<ExitEvent>(e->body);
  EXPECT_TRUE(x.core_dumped);
  EXPECT_FALSE(x.oom_victim);
  EventClock clock;
  std::string line = format_event_line(*e, clock);
  EXPECT_NE(line.find(" signal=SIGSEGV core_dumped"), std::string::npos) << line;
  r.kind = 3;
  EXPECT_FALSE(decode_event("exits", &r, sizeof(r)));
  r = exit_record(KSCOPE_EXIT_SIGNAL);
  r.hdr.size = sizeof(r) - 8;
  EXPECT_FALSE(decode_event("exits", &r, sizeof(r)));
}

TEST(SignalName, NamesClassicAndRealtimeSignals) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(static_cast<uint32_t>(SIGRTMIN) + 2), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(200), "SIG200");
}

}  // namespace
}  // namespace kscope
