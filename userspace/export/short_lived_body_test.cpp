#include "export/short_lived_body.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace kscope {
namespace {

using namespace std::chrono_literals;

// A build that numbers the bodies it makes, counting in `builds`.
std::function<std::string()> numbered_bodies(int& builds) {
  return [&builds] { return "body " + std::to_string(++builds); };
}

const auto t0 = ShortLivedBody::Clock::time_point{} + 1h;

TEST(ShortLivedBody, ReusesTheBodyWithinMaxAgeForTheSameKey) {
  ShortLivedBody cache(100ms);
  int builds = 0;
  const auto build = numbered_bodies(builds);
  EXPECT_EQ(*cache.get(7, build, t0), "body 1");
  EXPECT_EQ(*cache.get(7, build, t0 + 99ms), "body 1");
  EXPECT_EQ(builds, 1);
}

TEST(ShortLivedBody, RebuildsAfterMaxAgeOnANewKeyAndAfterInvalidate) {
  ShortLivedBody cache(100ms);
  int builds = 0;
  const auto build = numbered_bodies(builds);
  EXPECT_EQ(*cache.get(7, build, t0), "body 1");
  EXPECT_EQ(*cache.get(7, build, t0 + 100ms), "body 2");       // aged out
  EXPECT_EQ(*cache.get(8, build, t0 + 101ms), "body 3");       // new snapshot
  cache.invalidate();
  EXPECT_EQ(*cache.get(8, build, t0 + 102ms), "body 4");       // reload
  EXPECT_EQ(*cache.get(8, build, t0 + 50ms), "body 5");        // clock behind the build: not trusted
  EXPECT_EQ(builds, 5);
}

TEST(ShortLivedBody, ConcurrentReadersGetWholeBodies) {
  ShortLivedBody cache(1ms);
  std::atomic<int> builds{0};
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto body = cache.get(static_cast<uint64_t>(i / 100), [&] {
          ++builds;
          return std::string(4096, 'x');
        });
        if (body->size() != 4096) bad = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad);
  EXPECT_GE(builds.load(), 20);  // one per key at least
}

}  // namespace
}  // namespace kscope
