#include "agent/request_pipeline.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

TEST(RequestPipelineConfig, EngineSettingsComeFromTheConfig) {
  Config c;
  c.breakdown = Breakdown::kCgroup;
  c.max_series = 30;
  c.probes.l7.max_series = 70;
  c.probes.l7.max_routes = 9;
  c.probes.l7.max_connections = 1000;
  c.probes.l7.routes = {{"nginx", {"/users/{id}"}}, {"*", {"/health"}}};
  auto e = http_engine_config(c);
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(e->breakdown_label, "cgroup");
  EXPECT_EQ(e->max_breakdown, 30u);
  EXPECT_EQ(e->max_series, 70u);
  EXPECT_EQ(e->max_routes, 9u);
  EXPECT_EQ(e->limits.max_connections, 1000u);
  ASSERT_EQ(e->routes.size(), 2u);
  EXPECT_EQ(e->routes[0].service, "nginx");
  ASSERT_EQ(e->routes[0].patterns.size(), 1u);
  EXPECT_TRUE(e->routes[0].patterns[0].matches("/users/42"));
  c.breakdown = Breakdown::kNone;
  EXPECT_EQ(http_engine_config(c)->breakdown_label, "");
}

TEST(RequestPipelineConfig, ABadRoutePatternIsNamedByItsPlaceInTheConfig) {
  Config c;
  c.probes.l7.routes = {{"nginx", {"/ok", "users/{id}"}}};
  auto e = http_engine_config(c);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("probes.l7.routes[0].patterns[1]: route pattern \"users/{id}\""),
            std::string::npos)
      << e.error().message();
}

}  // namespace
}  // namespace kscope
