#include "query/statistic.h"

#include <algorithm>
#include <cmath>

namespace kscope {
namespace {

struct Named {
  std::string_view name;
  Statistic::Kind kind;
};
constexpr Named kNames[] = {
    {"avg", Statistic::Kind::kAvg},   {"min", Statistic::Kind::kMin},
    {"max", Statistic::Kind::kMax},   {"sum", Statistic::Kind::kSum},
    {"rate", Statistic::Kind::kRate}, {"increase", Statistic::Kind::kIncrease},
    // The names alert rules used before the vocabulary was one.
    {"mean", Statistic::Kind::kAvg},  {"value", Statistic::Kind::kSum},
    {"count_rate", Statistic::Kind::kRate},
};

}  // namespace

std::optional<Statistic> parse_statistic(std::string_view name) {
  if (name.empty()) return Statistic{};
  for (const auto& n : kNames) {
    if (n.name == name) return Statistic::of(n.kind);
  }
  // p + 1..4 digits: p99 -> 0.99, p999 -> 0.999, p5 -> 0.5.
  if (name.size() >= 2 && name.size() <= 5 && name[0] == 'p' &&
      std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    double q = 0, scale = 0.1;
    for (char c : name.substr(1)) {
      q += (c - '0') * scale;
      scale /= 10;
    }
    if (q > 0 && q < 1) return Statistic::percentile(q);
  }
  return std::nullopt;
}

Statistic default_statistic(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return Statistic::of(Statistic::Kind::kRate);
    case MetricType::kGauge: return Statistic::of(Statistic::Kind::kAvg);
    case MetricType::kHistogram: return Statistic::percentile(0.99);
  }
  return {};
}

std::string statistic_name(Statistic s, MetricType type) {
  if (s.kind == Statistic::Kind::kDefault) s = default_statistic(type);
  if (s.kind == Statistic::Kind::kQuantile) {
    std::string digits = std::to_string(static_cast<long long>(std::llround(s.quantile * 1000)));
    while (digits.size() < 3) digits.insert(digits.begin(), '0');
    while (digits.size() > 2 && digits.back() == '0') digits.pop_back();
    return "p" + digits;
  }
  for (const auto& n : kNames) {
    if (n.kind == s.kind) return std::string(n.name);
  }
  return "?";
}

const std::vector<std::string>& statistic_names() {
  static const std::vector<std::string> names = {"avg", "min", "max", "sum", "rate", "increase", "pNN (p50, p99, p999)"};
  return names;
}

bool statistic_fits(Statistic s, MetricType type) {
  using K = Statistic::Kind;
  switch (type) {
    case MetricType::kCounter: return s.kind == K::kDefault || s.kind == K::kRate || s.kind == K::kIncrease;
    case MetricType::kGauge:
      return s.kind == K::kDefault || s.kind == K::kAvg || s.kind == K::kMin || s.kind == K::kMax || s.kind == K::kSum;
    case MetricType::kHistogram:
      return s.kind == K::kDefault || s.kind == K::kAvg || s.kind == K::kRate || s.kind == K::kIncrease ||
             s.kind == K::kQuantile;
  }
  return false;
}

}  // namespace kscope
