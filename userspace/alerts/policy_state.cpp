#include "alerts/policy_state.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alerts/payloads.h"
#include "common/atomic_file.h"

namespace kscope {
namespace {

constexpr size_t kMaxStateBytes = 64 << 20;
constexpr int kVersion = 1;

nlohmann::json time_json(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime time_of(const nlohmann::json& j) {
  // Milliseconds that fit system_clock's nanoseconds (until 2262).
  const int64_t ms = j.get<int64_t>();
  if (ms < 0 || ms > 7'000'000'000'000) throw std::out_of_range("time out of range");
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

nlohmann::json pairs_json(const std::vector<std::pair<std::string, std::string>>& p) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, v] : p) a.push_back({k, v});
  return a;
}
std::vector<std::pair<std::string, std::string>> pairs_of(const nlohmann::json& j) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : j) out.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
  return out;
}

nlohmann::json alert_state_json(const Alert& a) {
  return {{"rule", a.rule},         {"severity", to_string(a.severity)}, {"target", a.target},
          {"kernel", a.kernel},     {"unit", a.unit},           {"value", a.value},
          {"threshold", a.threshold}, {"active_at", time_json(a.active_at)}, {"fired_at", time_json(a.fired_at)},
          {"labels", pairs_json(a.labels)}, {"annotations", pairs_json(a.annotations)},
          {"generator_url", a.generator_url}, {"fingerprint", fmt_fingerprint(a.fingerprint)}};
}

Alert alert_of(const nlohmann::json& j) {
  Alert a;
  a.rule = j.at("rule").get<std::string>();
  const auto severity = j.at("severity").get<std::string>();
  a.severity = parse_severity(severity).value_or(Severity::kWarning);  // a state file from a newer kscope
  a.target = j.at("target").get<std::string>();
  a.kernel = j.at("kernel").get<bool>();
  a.unit = j.at("unit").get<std::string>();
  a.value = j.at("value").get<double>();
  a.threshold = j.at("threshold").get<double>();
  a.active_at = time_of(j.at("active_at"));
  a.fired_at = time_of(j.at("fired_at"));
  a.labels = pairs_of(j.at("labels"));
  a.annotations = pairs_of(j.at("annotations"));
  a.generator_url = j.at("generator_url").get<std::string>();
  a.fingerprint = label_fingerprint(a.labels);  // the identity, recomputed rather than trusted
  a.state = AlertState::kFiring;
  return a;
}

nlohmann::json ack_json(const std::optional<Ack>& a) {
  if (!a) return nullptr;
  return {{"by", a->by}, {"comment", a->comment}, {"at", time_json(a->at)}};
}

}  // namespace

nlohmann::json policy_snapshot_json(const PolicySnapshot& s) {
  nlohmann::json silences = nlohmann::json::array();
  for (const auto& x : s.silences) {
    nlohmann::json m = nlohmann::json::array();
    for (const auto& sm : x.matchers) m.push_back({sm.name, sm.value, sm.is_regex, sm.is_equal});
    silences.push_back({{"id", x.id}, {"matchers", m}, {"starts_at", time_json(x.starts_at)},
                        {"ends_at", time_json(x.ends_at)}, {"updated_at", time_json(x.updated_at)},
                        {"created_by", x.created_by}, {"comment", x.comment}});
  }
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& t : s.alerts) {
    alerts.push_back({{"alert", alert_state_json(t.alert)}, {"ack", ack_json(t.ack)}, {"escalated", t.escalated}});
  }
  nlohmann::json sent = nlohmann::json::array();
  for (const auto& e : s.sent) {
    nlohmann::json f = nlohmann::json::array();
    for (const auto& [fp, flap] : e.firing) f.push_back({fmt_fingerprint(fp), flap});
    sent.push_back({{"group", e.group}, {"sink", e.sink}, {"firing", f}, {"at", time_json(e.at)}});
  }
  return {{"version", kVersion}, {"silences", silences}, {"alerts", alerts}, {"sent", sent}};
}

Result<PolicySnapshot> parse_policy_snapshot(const nlohmann::json& j) {
  try {
    if (j.at("version").get<int>() != kVersion) return Error("unknown version " + j.at("version").dump());
    PolicySnapshot s;
    for (const auto& x : j.at("silences")) {
      Silence sil;
      sil.id = x.at("id").get<std::string>();
      for (const auto& m : x.at("matchers")) {
        sil.matchers.push_back({m.at(0).get<std::string>(), m.at(1).get<std::string>(), m.at(2).get<bool>(), m.at(3).get<bool>()});
      }
      sil.starts_at = time_of(x.at("starts_at"));
      sil.ends_at = time_of(x.at("ends_at"));
      sil.updated_at = time_of(x.at("updated_at"));
      sil.created_by = x.at("created_by").get<std::string>();
      sil.comment = x.at("comment").get<std::string>();
      s.silences.push_back(std::move(sil));
    }
    for (const auto& x : j.at("alerts")) {
      PolicySnapshot::Tracked t;
      t.alert = alert_of(x.at("alert"));
      if (!x.at("ack").is_null()) {
        const auto& a = x.at("ack");
        t.ack = Ack{a.at("by").get<std::string>(), a.at("comment").get<std::string>(), time_of(a.at("at"))};
      }
      t.escalated = x.at("escalated").get<bool>();
      s.alerts.push_back(std::move(t));
    }
    for (const auto& x : j.at("sent")) {
      PolicySnapshot::Sent e;
      e.group = x.at("group").get<std::string>();
      e.sink = x.at("sink").get<std::string>();
      for (const auto& f : x.at("firing")) {
        e.firing.emplace_back(std::stoull(f.at(0).get<std::string>(), nullptr, 16), f.at(1).get<bool>());
      }
      e.at = time_of(x.at("at"));
      s.sent.push_back(std::move(e));
    }
    return s;
  } catch (const std::exception& e) {
    return Error(std::string("malformed: ") + e.what());
  }
}

PolicySnapshot PolicyStateFile::load() {
  error_.clear();
  const std::string p = path();
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    if (errno != ENOENT) error_ = "cannot read " + p + ": " + std::strerror(errno);
    return {};
  }
  std::string text(kMaxStateBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  Result<PolicySnapshot> s = Error("larger than 64 MiB");
  if (text.size() <= kMaxStateBytes) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    s = j.is_discarded() ? Result<PolicySnapshot>(Error("not JSON")) : parse_policy_snapshot(j);
  }
  if (s) return std::move(*s);
  const std::string aside =
      p + ".corrupt-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  error_ = "alert state " + p + " was corrupt (" + s.error().message() + "); moved to " + aside +
           ", starting without silences and acknowledgements";
  if (std::rename(p.c_str(), aside.c_str()) != 0) error_ += " (moving it failed: " + std::string(std::strerror(errno)) + ")";
  spdlog::error("{}", error_);
  return {};
}

Status PolicyStateFile::save(const PolicySnapshot& s) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    Error e("cannot create alert state directory " + dir_ + ": " + ec.message(),
            "set alerts.state_dir to a writable directory");
    error_ = e.to_string();
    return e;
  }
  auto st = write_file_atomically(path(), policy_snapshot_json(s).dump() + "\n", 0600);
  if (!st) {
    error_ = st.error().to_string();
    return st;
  }
  if (error_.starts_with("cannot")) error_.clear();  // a write problem that went away
  return ok_status();
}

}  // namespace kscope
