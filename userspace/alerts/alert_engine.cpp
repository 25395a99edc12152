#include "alerts/alert_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/target_labels.h"
#include "common/escape.h"

namespace kscope {

std::string format_rule_value(double v, const std::string& unit) {
  char buf[64];
  if (unit == "duration") {
    double a = std::abs(v);
    if (a >= 1) std::snprintf(buf, sizeof buf, "%.3gs", v);
    else if (a >= 1e-3) std::snprintf(buf, sizeof buf, "%.3gms", v * 1e3);
    else if (a >= 1e-6) std::snprintf(buf, sizeof buf, "%.3gus", v * 1e6);
    else std::snprintf(buf, sizeof buf, "%.3gns", v * 1e9);
  } else if (unit == "ratio") {
    std::snprintf(buf, sizeof buf, "%.3g%%", v * 100);
  } else if (unit == "rate") {
    std::snprintf(buf, sizeof buf, "%.4g/s", v);
  } else if (unit == "burn") {
    std::snprintf(buf, sizeof buf, "%.3gx", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

namespace {

std::string substitute(std::string text, const StringPairs& vars) {
  for (const auto& [k, v] : vars) {
    const std::string key = "{" + k + "}";
    for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + v.size())) {
      text.replace(pos, key.size(), v);
    }
  }
  return text;
}

std::string url_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::vector<Notification> AlertEngine::set_rules(const std::vector<RuleConfig>& rules, WallTime wall) {
  std::vector<RuleSlot> next;
  for (const auto& r : rules) {
    RuleSlot slot{r, nullptr};
    for (auto& old : rules_) {
      if (old.rule == r && old.evaluator) slot.evaluator = std::move(old.evaluator);
    }
    if (!slot.evaluator) slot.evaluator = make_rule_evaluator(r);
    next.push_back(std::move(slot));
  }
  std::vector<Notification> out;
  std::lock_guard lock(mu_);
  rules_ = std::move(next);
  for (auto it = instances_.begin(); it != instances_.end();) {
    bool kept = std::any_of(rules.begin(), rules.end(), [&](const RuleConfig& r) { return r.name == it->first.first; });
    if (kept) {
      ++it;
      continue;
    }
    if (it->second.state.state == AlertState::kFiring) {
      Alert a = it->second.alert;
      a.state = AlertState::kResolved;
      a.resolved_at = wall;
      out.push_back({Notification::Kind::kResolved, a});
    }
    it = instances_.erase(it);
  }
  return out;
}

Alert AlertEngine::make_alert(const RuleConfig& rule, const TargetId& target) const {
  Alert a;
  a.rule = rule.name;
  a.severity = rule.severity;
  a.target = target.name;
  a.kernel = target.kernel;
  a.unit = rule_unit(rule);
  std::map<std::string, std::string> labels;
  for (const auto& [k, v] : rule.labels) labels[k] = v;
  // kscope's own labels win: they are what identifies the alert.
  labels["alertname"] = rule.name;
  labels["severity"] = to_string(rule.severity);
  if (!options_.instance.empty()) labels["instance"] = options_.instance;
  labels["source"] = "kscope";
  // A rule grouped by a label of its own (source.by) names its groups by it.
  const RuleSource* src = rule.source();
  const std::string& label = src != nullptr && !src->by.empty() ? src->by : options_.breakdown;
  if (!target.name.empty() && !label.empty()) labels[label] = sanitize_utf8(target.name);
  // A process may share a kernel thread's name: the label keeps them apart.
  if (target.kernel) labels[kKernelLabel] = "true";
  a.labels.assign(labels.begin(), labels.end());
  a.fingerprint = label_fingerprint(a.labels);
  a.generator_url = options_.external_url + "/api/v1/alerts?rule=" + url_escape(rule.name);
  return a;
}

void AlertEngine::fill_annotations(const RuleConfig& rule, Alert& a) const {
  const std::string unit = rule_unit(rule);
  const std::string target = a.target.empty() ? "host" : printable(a.target);
  StringPairs vars = {{"rule", rule.name},
                      {"severity", std::string(to_string(rule.severity))},
                      {"target", target},
                      {"value", format_rule_value(a.value, unit)},
                      {"threshold", format_rule_value(a.threshold, unit)}};
  std::map<std::string, std::string> ann;
  for (const auto& [k, v] : rule.annotations) ann[k] = substitute(v, vars);
  if (!ann.count("summary")) {
    ann["summary"] = rule.name + " on " + target + ": " + vars[3].second + " (threshold " + vars[4].second + ")";
  }
  ann["value"] = vars[3].second;
  ann["threshold"] = vars[4].second;
  // Keep annotations added by the fire hook (capture links).
  for (const auto& [k, v] : a.annotations) ann.emplace(k, v);
  a.annotations.assign(ann.begin(), ann.end());
}

void AlertEngine::apply(RuleSlot& slot, Instance& inst, const RuleObservation* obs, const EvalContext& ctx,
                        WallTime wall, std::vector<Notification>& out) {
  const RuleConfig& rule = slot.rule;
  AlertTiming timing{rule.for_duration, rule.consecutive, rule.cooldown};
  const bool breach = obs != nullptr && obs->breach;
  const bool clear = obs == nullptr || obs->clear;
  if (obs != nullptr) {
    inst.alert.value = obs->value;
    inst.alert.threshold = obs->threshold;
  }
  Transition t = step(inst.state, timing, breach, clear, ctx.now);
  inst.alert.state = inst.state.state;
  switch (t) {
    case Transition::kPending:
      inst.alert.active_at = wall;
      break;
    case Transition::kFired: {
      Alert fresh = make_alert(rule, TargetId{inst.alert.target, inst.alert.kernel});
      fresh.value = inst.alert.value;
      fresh.threshold = inst.alert.threshold;
      fresh.active_at = inst.alert.active_at;
      fresh.fired_at = wall;
      fresh.state = AlertState::kFiring;
      inst.alert = std::move(fresh);
      if (fire_hook_) inst.alert.annotations = fire_hook_(rule, inst.alert);
      fill_annotations(rule, inst.alert);
      inst.last_sent = wall;
      out.push_back({Notification::Kind::kFiring, inst.alert});
      spdlog::debug("alert={} target={} firing value={}", rule.name, printable(inst.alert.target), inst.alert.value);
      break;
    }
    case Transition::kResolved:
      inst.alert.resolved_at = wall;
      inst.resolved_steady = ctx.now;
      fill_annotations(rule, inst.alert);
      out.push_back({Notification::Kind::kResolved, inst.alert});
      break;
    default:
      if (inst.state.state == AlertState::kFiring && wall - inst.last_sent >= options_.resend_interval) {
        fill_annotations(rule, inst.alert);
        inst.last_sent = wall;
        out.push_back({Notification::Kind::kRefresh, inst.alert});
      }
      break;
  }
}

std::vector<Notification> AlertEngine::evaluate(const EvalContext& ctx, WallTime wall) {
  std::vector<Notification> out;
  for (auto& slot : rules_) {
    auto obs = slot.evaluator->evaluate(ctx);
    std::lock_guard lock(mu_);
    std::map<TargetId, const RuleObservation*> seen;
    for (const auto& o : obs) seen[o.target] = &o;
    // New instances only for breaches: quiet targets cost nothing.
    for (const auto& o : obs) {
      if (!o.breach) continue;
      auto key = std::make_pair(slot.rule.name, o.target);
      if (!instances_.count(key)) {
        Instance inst;
        inst.alert = make_alert(slot.rule, o.target);
        inst.alert.generator_url.clear();
        inst.alert.fingerprint = 0;
        instances_.emplace(key, std::move(inst));
      }
    }
    for (auto it = instances_.lower_bound({slot.rule.name, TargetId{}});
         it != instances_.end() && it->first.first == slot.rule.name;) {
      auto s = seen.find(it->first.second);
      apply(slot, it->second, s == seen.end() ? nullptr : s->second, ctx, wall, out);
      const InstanceState& st = it->second.state;
      bool idle = st.state == AlertState::kInactive ||
                  (st.state == AlertState::kResolved && ctx.now - st.resolved_since >= options_.resolved_retention);
      bool cooling = st.ever_resolved && ctx.now - st.resolved_since < slot.rule.cooldown;
      it = idle && !cooling ? instances_.erase(it) : std::next(it);
    }
  }
  return out;
}

std::vector<Alert> AlertEngine::alerts() const {
  std::vector<Alert> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, inst] : instances_) {
      if (inst.state.state != AlertState::kInactive) out.push_back(inst.alert);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    auto rank = [](AlertState s) { return s == AlertState::kFiring ? 0 : s == AlertState::kPending ? 1 : 2; };
    if (rank(a.state) != rank(b.state)) return rank(a.state) < rank(b.state);
    return a.severity > b.severity;
  });
  return out;
}

std::map<std::pair<std::string, std::string>, int> AlertEngine::firing_counts() const {
  std::map<std::pair<std::string, std::string>, int> out;
  std::lock_guard lock(mu_);
  // Keyed by the severity's name: the order /metrics prints them in.
  for (const auto& slot : rules_) out[{slot.rule.name, std::string(to_string(slot.rule.severity))}] += 0;
  for (const auto& [k, inst] : instances_) {
    if (inst.state.state == AlertState::kFiring) out[{inst.alert.rule, std::string(to_string(inst.alert.severity))}] += 1;
  }
  return out;
}

}  // namespace kscope
