#include "api/json_read.h"

#include <cmath>

namespace kscope {

std::string json_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto v = j.find(key);
  return v != j.end() && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::string> json_optional_string(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto v = j.find(key);
  return v != j.end() && v->is_string() ? std::optional<std::string>(v->get<std::string>()) : std::nullopt;
}

std::map<std::string, std::string> json_string_map(const nlohmann::json& j, const char* key) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  auto v = j.find(key);
  if (v == j.end() || !v->is_object()) return out;
  for (const auto& [k, x] : v->items()) {
    if (x.is_string()) out[k] = x.get<std::string>();
  }
  return out;
}

std::optional<double> json_number(const nlohmann::json& v) {
  return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
}

std::optional<double> json_number(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto v = j.find(key);
  return v != j.end() ? json_number(*v) : std::nullopt;
}

bool json_bool(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return false;
  auto v = j.find(key);
  return v != j.end() && v->is_boolean() && v->get<bool>();
}

nlohmann::json json_finite(std::optional<double> v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace kscope
