#include "events/event.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "events/event_format.h"
#include "kscope/abi/events.h"
#include "kscope/abi/tcp.h"

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

}  // namespace
}  // namespace kscope
