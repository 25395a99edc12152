// Tolerant readers of JSON a peer sent: a missing field, or one of the wrong
// type, reads as the fallback; nothing throws. The from_json functions of
// the API's shapes are built on them.
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>

namespace kscope {

std::string json_string(const nlohmann::json& j, const char* key);
std::optional<double> json_number(const nlohmann::json& j, const char* key);
bool json_bool(const nlohmann::json& j, const char* key);
// The string, or nullopt when missing, null or not a string.
std::optional<std::string> json_optional_string(const nlohmann::json& j, const char* key);
// An object's string members; members of other types are left out.
std::map<std::string, std::string> json_string_map(const nlohmann::json& j, const char* key);
// A number, or nullopt for null or anything else.
std::optional<double> json_number(const nlohmann::json& v);
// The finite number, or JSON null.
nlohmann::json json_finite(std::optional<double> v);

}  // namespace kscope
