#include "requests/route_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kscope::requests {
namespace {

RoutePattern pattern(std::string_view text) {
  auto p = RoutePattern::parse(text);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? p.value() : RoutePattern::parse("/").value();
}

struct Case {
  std::string in, want;
};

TEST(RouteTemplate, QueryStringAndFragmentNeverReachTheRoute) {
  for (const Case& c : std::vector<Case>{{"/index.html?user=42&token=s3cret", "/index.html"},
                                         {"/a#frag?x", "/a"},
                                         {"http://example.com:8080/api/v1?x=1", "/api/v1"},
                                         {"http://example.com?x=1", "/"},
                                         {"*", ""},
                                         {"example.com:443", ""}}) {
    EXPECT_EQ(path_of(c.in), c.want) << c.in;
  }
  RouteTable t({}, 100);
  EXPECT_EQ(t.route("", "/search?q=secret"), "/search");
  EXPECT_EQ(t.route("", "*"), "_OTHER");  // never a bare *
  EXPECT_EQ(t.route("", "example.com:443"), "_OTHER");
}

TEST(RouteTemplate, HeuristicTemplates) {
  for (const Case& c : std::vector<Case>{
           {"/users/123", "/users/{id}"},
           {"/users/123/orders/9", "/users/{id}/orders/{id}"},
           {"/items/550e8400-e29b-41d4-a716-446655440000", "/items/{uuid}"},
           {"/blobs/da39a3ee5e6b4b0d3255bfef95601890afd80709", "/blobs/{hash}"},
           {"/u/user12345/profile", "/u/{id}/profile"},
           {"/reports/2024-01-31", "/reports/{id}"},
           {"/t/" + std::string(60, 'q'), "/t/{token}"},
           {"/api/v1/users", "/api/v1/users"},  // v1 is not an id
           {"/deadbeef", "/deadbeef"},          // short hex is a word
           {"", "/"},
           {"/", "/"},
       }) {
    EXPECT_EQ(heuristic_template(c.in), c.want) << c.in;
  }
  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "/s";
  std::string t = heuristic_template(deep);
  EXPECT_EQ(t.substr(t.size() - 7), "/{rest}");
  EXPECT_EQ(t.size(), kMaxRouteSegments * 2 + 7);
  std::string wide;
  for (int i = 0; i < 10; ++i) wide += "/" + std::string(40, 'w');
  EXPECT_LE(heuristic_template(wide).size(), kMaxRouteBytes);
}

TEST(RouteTemplate, ConfiguredPatternsWinPerService) {
  std::vector<ServiceRoutes> cfg;
  cfg.push_back({"shop", {pattern("/users/{user}/cart"), pattern("/items/{sku}")}});
  cfg.push_back({"*", {pattern("/health")}});
  RouteTable t(cfg, 100);
  EXPECT_EQ(t.route("shop", "/users/ann/cart?x=1"), "/users/{user}/cart");
  EXPECT_EQ(t.route("shop", "/users/ann/cart/"), "/users/{user}/cart");
  EXPECT_EQ(t.route("shop", "/items/abc-7"), "/items/{sku}");
  EXPECT_EQ(t.route("shop", "/items/abc/7"), "/items/abc/{id}");  // one segment more: the heuristic
  EXPECT_EQ(t.route("other", "/items/abc-7"), "/items/abc-7");  // another service's patterns don't apply
  EXPECT_EQ(t.route("other", "/health"), "/health");
  EXPECT_EQ(t.route("shop", "/users//cart"), "/users//cart");  // an empty segment is no {user}
}

TEST(RouteTemplate, InvalidPatternsAreRefused) {
  for (std::string_view bad : {"users", "/users/{id", "/users/{}", "/a/x{id}", "/a/*", "/a?b", "/a/{i-d}"}) {
    EXPECT_FALSE(RoutePattern::parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(RoutePattern::parse("/" + std::string(kMaxRouteBytes, 'a')).ok());
}

TEST(RouteTemplate, FiveHundredUsersAreOneRouteAndTheCapFoldsTheRest) {
  RouteTable t({}, 3);
  for (int i = 1; i <= 500; ++i) EXPECT_EQ(t.route("", "/users/" + std::to_string(i)), "/users/{id}");
  EXPECT_EQ(t.route("", "/a"), "/a");
  EXPECT_EQ(t.route("svc", "/a"), "/a");  // per service: a third pair
  EXPECT_EQ(t.route("", "/b"), "_OTHER");
  EXPECT_EQ(t.route("", "/users/501"), "/users/{id}");  // admitted ones keep their series
  EXPECT_EQ(t.templates(), 3u);
  EXPECT_EQ(t.folded(), 1u);
}

}  // namespace
}  // namespace kscope::requests
