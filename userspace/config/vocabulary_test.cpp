// The config's vocabularies (severity.h, comparison.h, ...): every value's
// name parses back to it, and anything else is rejected.
#include <gtest/gtest.h>

#include "config/anomaly_options.h"
#include "model/breakdown.h"
#include "config/comparison.h"
#include "config/rule_kind.h"
#include "config/rule_scope.h"
#include "config/severity.h"
#include "config/sink_type.h"
#include "config/slo_kind.h"
#include "config/webhook_format.h"

namespace kscope {
namespace {

// Each value of the table round-trips through its name, names are unique,
// and near misses (case, spaces, empty, a prefix) are rejected.
template <typename E, std::size_t N, typename Parse>
void expect_vocabulary(const EnumNames<E, N>& names, Parse parse, int values) {
  ASSERT_EQ(static_cast<int>(N), values) << "a value is missing from the table";
  for (int i = 0; i < values; ++i) {
    const E value = static_cast<E>(i);
    const std::string_view name = enum_name(names, value);
    ASSERT_FALSE(name.empty()) << "value " << i << " has no name";
    EXPECT_EQ(to_string(value), name);
    auto back = parse(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, value) << name;
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != name) {
      EXPECT_FALSE(parse(upper).has_value()) << upper;
    }
    EXPECT_FALSE(parse(std::string(name) + " ").has_value()) << name;
    EXPECT_FALSE(parse(" " + std::string(name)).has_value()) << name;
    auto prefix = parse(name.substr(0, name.size() - 1));  // ">" of ">=" is a name of its own
    EXPECT_TRUE(!prefix || *prefix != value) << name;
  }
  EXPECT_FALSE(parse("").has_value());
  EXPECT_FALSE(parse("bogus").has_value());
  EXPECT_FALSE(parse(std::string_view("info\0", 5)).has_value());
}

TEST(Vocabulary, Severity) {
  expect_vocabulary(kSeverityNames, parse_severity, 4);
  EXPECT_EQ(enum_name_list(kSeverityNames), "info, warning, critical, emergency");
  // min_severity compares with <: the order is the declared one.
  EXPECT_LT(Severity::kInfo, Severity::kWarning);
  EXPECT_LT(Severity::kWarning, Severity::kCritical);
  EXPECT_LT(Severity::kCritical, Severity::kEmergency);
}

TEST(Vocabulary, Comparison) {
  expect_vocabulary(kComparisonNames, parse_comparison, 4);
  EXPECT_EQ(parse_comparison("above"), Comparison::kAbove);
  EXPECT_EQ(parse_comparison("gt"), Comparison::kAbove);
  EXPECT_EQ(parse_comparison("ge"), Comparison::kAtOrAbove);
  EXPECT_EQ(parse_comparison("below"), Comparison::kBelow);
  EXPECT_EQ(parse_comparison("lt"), Comparison::kBelow);
  EXPECT_EQ(parse_comparison("le"), Comparison::kAtOrBelow);
  EXPECT_FALSE(parse_comparison("=").has_value());
  EXPECT_FALSE(parse_comparison("==").has_value());
  EXPECT_FALSE(parse_comparison("=>").has_value());
  EXPECT_TRUE(fires_above(Comparison::kAbove));
  EXPECT_TRUE(fires_above(Comparison::kAtOrAbove));
  EXPECT_FALSE(fires_above(Comparison::kBelow));
  EXPECT_FALSE(fires_above(Comparison::kAtOrBelow));
  EXPECT_TRUE(inclusive(Comparison::kAtOrAbove));
  EXPECT_TRUE(inclusive(Comparison::kAtOrBelow));
  EXPECT_FALSE(inclusive(Comparison::kAbove));
  EXPECT_FALSE(inclusive(Comparison::kBelow));
}

TEST(Vocabulary, Breakdown) {
  expect_vocabulary(kBreakdownNames, parse_breakdown, 3);
  EXPECT_EQ(breakdown_label(Breakdown::kComm), "comm");
  EXPECT_EQ(breakdown_label(Breakdown::kCgroup), "cgroup");
  EXPECT_EQ(breakdown_label(Breakdown::kNone), "");
}

TEST(Vocabulary, SinkType) {
  expect_vocabulary(kSinkTypeNames, parse_sink_type, 8);
  EXPECT_EQ(enum_name_list(kSinkTypeNames), "log, webhook, alertmanager, email, slack, discord, teams, pagerduty");
  EXPECT_FALSE(posts_to_http_url(SinkType::kLog));
  EXPECT_FALSE(posts_to_http_url(SinkType::kEmail));
  EXPECT_TRUE(posts_to_http_url(SinkType::kPagerDuty));
}

TEST(Vocabulary, RuleKindScopeAndOptions) {
  expect_vocabulary(kRuleKindNames, parse_rule_kind, 3);
  expect_vocabulary(kRuleScopeNames, parse_rule_scope, 2);
  expect_vocabulary(kSloKindNames, parse_slo_kind, 2);
  expect_vocabulary(kAnomalyMethodNames, parse_anomaly_method, 2);
  expect_vocabulary(kAnomalyDirectionNames, parse_anomaly_direction, 3);
  expect_vocabulary(kWebhookFormatNames, parse_webhook_format, 2);
}

}  // namespace
}  // namespace kscope
