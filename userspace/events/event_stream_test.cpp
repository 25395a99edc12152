#include "events/event_stream.h"

#include <gtest/gtest.h>

#include <thread>

namespace kscope {
namespace {

EventPtr slow_event(uint32_t pid) {
  Event e;
  e.probe = "syscalls";
  SlowSyscallEvent s;
  s.pid = pid;
  e.body = s;
  return std::make_shared<const Event>(std::move(e));
}

uint32_t pid_of(const EventPtr& e) { return std::get<SlowSyscallEvent>(e->body).pid; }

TEST(EventStream, EverySubscriberGetsEveryEventInOrder) {
  EventStream stream;
  auto a = stream.subscribe(10);
  auto b = stream.subscribe(10);
  for (uint32_t i = 1; i <= 3; ++i) stream.publish(slow_event(i));
  for (auto& sub : {a, b}) {
    auto got = sub->drain();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(pid_of(got[0]), 1u);
    EXPECT_EQ(pid_of(got[2]), 3u);
  }
  EXPECT_EQ(stream.stats().published, 3u);
  EXPECT_EQ(stream.stats().dropped, 0u);
}

TEST(EventStream, ASlowSubscriberDropsTheNewestAndCountsThemWithoutAffectingOthers) {
  EventStream stream;
  auto slow = stream.subscribe(2);
  auto fast = stream.subscribe(100);
  for (uint32_t i = 1; i <= 5; ++i) stream.publish(slow_event(i));
  auto kept = slow->drain();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(pid_of(kept[0]), 1u);
  EXPECT_EQ(pid_of(kept[1]), 2u);
  EXPECT_EQ(slow->dropped(), 3u);
  EXPECT_EQ(fast->drain().size(), 5u);
  EXPECT_EQ(fast->dropped(), 0u);
  EXPECT_EQ(stream.stats().dropped, 3u);
}

TEST(EventStream, DropsOfAReleasedSubscriberStayCounted) {
  EventStream stream;
  {
    auto sub = stream.subscribe(1);
    stream.publish(slow_event(1));
    stream.publish(slow_event(2));
  }
  stream.publish(slow_event(3));
  EXPECT_EQ(stream.stats().subscribers, 0u);
  EXPECT_EQ(stream.stats().dropped, 1u);
}

TEST(EventStream, RecentKeepsTheLastEvents) {
  EventStream stream(2);
  for (uint32_t i = 1; i <= 3; ++i) stream.publish(slow_event(i));
  auto recent = stream.recent();
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(pid_of(recent[0]), 2u);
  EXPECT_EQ(pid_of(recent[1]), 3u);
}

TEST(EventStream, PopWaitsForAPublishFromAnotherThread) {
  EventStream stream;
  auto sub = stream.subscribe(4);
  std::thread publisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stream.publish(slow_event(7));
  });
  auto got = sub->pop(std::chrono::seconds(5));
  publisher.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(pid_of(*got), 7u);
  EXPECT_FALSE(sub->pop(std::chrono::milliseconds(1)).has_value());
}

TEST(EventStream, CloseWakesAWaitingPop) {
  EventStream stream;
  auto sub = stream.subscribe(4);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stream.close();
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(sub->pop(std::chrono::seconds(10)).has_value());
  closer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace kscope
