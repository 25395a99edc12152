#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpClient, RedactUrlDropsPathAndCredentials) {
  EXPECT_EQ(redact_url("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/…");
  EXPECT_EQ(redact_url("http://user:pw@127.0.0.1:8080/x?token=1"), "http://127.0.0.1:8080/…");
  EXPECT_EQ(redact_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(redact_url("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  EXPECT_EQ(redact_url("no scheme"), "<url>");
}

// A refused connection: the error names the URL as shown, once per mention,
// whether shown is the URL itself or its redacted form.
TEST(HttpClient, TransportErrorNamesTheUrlAsShown) {
  const std::string url = "http://127.0.0.1:9/hooks/secret";
  Status same = http_post_expect_2xx(url, url, "{}", {}, std::chrono::seconds(2));
  ASSERT_FALSE(same);
  EXPECT_THAT(same.error().message(), HasSubstr(url));
  Status hidden = http_post_expect_2xx(url, redact_url(url), "{}", {}, std::chrono::seconds(2));
  ASSERT_FALSE(hidden);
  EXPECT_THAT(hidden.error().message(), HasSubstr("http://127.0.0.1:9/…"));
  EXPECT_THAT(hidden.error().message(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace kscope
