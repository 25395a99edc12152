#include "symbolize/proc_identity.h"

#include <charconv>
#include <string_view>

#include "common/file_read.h"
#include "symbolize/text_parse.h"

namespace kscope {

namespace {
constexpr size_t kMaxProcTextBytes = 64u << 10;
constexpr int kStartTimeField = 22;
}  // namespace

std::optional<uint64_t> parse_start_time(std::string_view stat) {
  size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(paren + 1);
  std::string_view field;
  // Field 3 (state) is the first after the comm.
  for (int i = 3; i <= kStartTimeField; ++i) field = next_field(rest);
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || ptr != field.data() + field.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> read_start_time(const std::string& proc_root, pid_t pid) {
  auto text = read_file_bounded(proc_root + "/" + std::to_string(pid) + "/stat", kMaxProcTextBytes);
  if (!text) return std::nullopt;
  return parse_start_time(*text);
}

pid_t read_innermost_pid(const std::string& proc_root, pid_t pid) {
  auto text =
      read_file_bounded(proc_root + "/" + std::to_string(pid) + "/status", kMaxProcTextBytes);
  if (!text) return pid;
  pid_t result = pid;
  for_each_line(*text, [&](std::string_view line) {
    if (!line.starts_with("NSpid:")) return;
    std::string_view rest = line.substr(6);
    std::string_view last;
    for (std::string_view f = next_field(rest); !f.empty(); f = next_field(rest)) last = f;
    pid_t value = 0;
    auto [ptr, ec] = std::from_chars(last.data(), last.data() + last.size(), value);
    if (!last.empty() && ec == std::errc() && ptr == last.data() + last.size() && value > 0) {
      result = value;
    }
  });
  return result;
}

}  // namespace kscope
