#include "web/query_api.h"

#include <gtest/gtest.h>

namespace kscope {
namespace {

HttpResponse get(const History& h, const std::string& query) {
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/query";
  req.query = query;
  return handle_query(h, req, std::chrono::seconds(1));
}

TEST(QueryApi, BadParametersAreJson400s) {
  History h;
  for (const char* q : {"", "name=", "name=x%7Ba%3D1%7D", "name=x&aggregation=pp", "name=x&step=0", "name=x&step=-1s",
                        "name=x&start=5&end=1", "name=x&step=0.0001&start=-1h", "name=x&start=abc", "name=x&end=1e400",
                        "name=x&limit=-1", "name=x&limit=1x", "name=x&match=%7Ba%3D~%22(%22%7D", "name=x&by=a,b,c,d,e,f,g,h,i",
                        "name=%7Ba%3D%22b%22%7D",
                        /* past int64 nanoseconds (tests/fuzz found it) */ "name=x&end=9800000000"}) {
    auto r = get(h, q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(r.content_type, "application/json") << q;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << q;
    EXPECT_TRUE(j.contains("error")) << q;
  }
}

TEST(QueryApi, AnswersWithColumnsAndNulls) {
  History h;
  auto snap = [](int t, double v) {
    auto s = std::make_shared<Snapshot>();
    s->taken_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000 + t));
    s->families.push_back({"c_total", "", MetricType::kCounter, {{{{"comm", "a\"<b>"}}, v, {}}}});
    return s;
  };
  h.append(snap(0, 0));
  h.append(snap(1, 10));
  auto r = get(h, "name=c_total&start=1799999999&end=1800000001&step=1s&by=comm");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "counter");
  EXPECT_EQ(j["aggregation"], "rate");
  ASSERT_EQ(j["timestamps"].size(), 3u);
  ASSERT_EQ(j["series"].size(), 1u);
  EXPECT_EQ(j["series"][0]["labels"]["comm"], "a\"<b>");
  EXPECT_TRUE(j["series"][0]["values"][0].is_null());  // before the history
  EXPECT_DOUBLE_EQ(j["series"][0]["values"][2].get<double>(), 10.0);
  // Unknown metrics are not an error: found=false, no series.
  auto none = nlohmann::json::parse(get(h, "name=nope").body);
  EXPECT_FALSE(none["found"].get<bool>());
}

}  // namespace
}  // namespace kscope
