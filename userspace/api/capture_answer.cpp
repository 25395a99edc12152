#include "api/capture_answer.h"

#include "api/json_read.h"

namespace kscope {

void to_json(nlohmann::json& j, const CaptureAnswer& c) {
  j = {{"id", c.id},
       {"rule", c.rule},
       {"target", c.target ? nlohmann::json(*c.target) : nlohmann::json(nullptr)},
       {"status", c.status},
       {"error", c.error},
       {"started", c.started},
       {"duration_seconds", c.duration_seconds},
       {"bytes", c.bytes},
       {"files", c.files}};
}

void from_json(const nlohmann::json& j, CaptureAnswer& c) {
  c = {};
  if (!j.is_object()) return;
  c.id = json_string(j, "id");
  c.rule = json_string(j, "rule");
  c.target = json_optional_string(j, "target");
  c.status = json_string(j, "status");
  c.error = json_string(j, "error");
  c.started = json_string(j, "started");
  c.duration_seconds = json_number(j, "duration_seconds").value_or(0);
  if (auto b = j.find("bytes"); b != j.end() && b->is_number_unsigned()) c.bytes = b->get<uint64_t>();
  c.files = json_string_map(j, "files");
}

}  // namespace kscope
