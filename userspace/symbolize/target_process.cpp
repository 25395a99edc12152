#include "symbolize/target_process.h"

#include <charconv>

#include "common/file_read.h"
#include "symbolize/proc_identity.h"
#include "symbolize/text_parse.h"

namespace kscope {
namespace {

constexpr size_t kMaxStatusBytes = 64u << 10;

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

std::optional<ProcessStatus> read_status(const std::string& proc_root, pid_t pid) {
  auto text = read_file_bounded(proc_root + "/" + std::to_string(pid) + "/status", kMaxStatusBytes);
  if (!text) return std::nullopt;
  return parse_process_status(*text);
}

}  // namespace

std::optional<ProcessStatus> parse_process_status(std::string_view text) {
  ProcessStatus st;
  bool state = false;
  bool tgid = false;
  for_each_line(text, [&](std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = line.substr(0, colon);
    std::string_view rest = line.substr(colon + 1);
    std::string_view value = next_field(rest);
    if (value.empty()) return;
    if (key == "State") {
      st.state = value[0];
      state = true;
    } else if (key == "Tgid") {
      tgid = parse_number(value, st.tgid) && st.tgid > 0;
    } else if (key == "Threads") {
      (void)parse_number(value, st.threads);
    }
  });
  if (!state || !tgid) return std::nullopt;
  return st;
}

bool has_exited(const ProcessStatus& status) {
  return (status.state == 'Z' || status.state == 'X') && status.threads <= 1;
}

Result<TargetProcess> find_target_process(const std::string& proc_root, pid_t pid) {
  const std::string p = std::to_string(pid);
  if (pid <= 0) return Error(p + " is not a process id", "pass the pid of a running process");
  auto status = read_status(proc_root, pid);
  auto start = read_start_time(proc_root, pid);
  if (!status || !start) {
    return Error("no process with pid " + p, "check the pid with `ps -p " + p + "`; nothing was recorded");
  }
  if (status->tgid != pid) {
    return Error("pid " + p + " is a thread of process " + std::to_string(status->tgid),
                 "--pid takes a process id: pass --pid " + std::to_string(status->tgid));
  }
  if (has_exited(*status)) {
    return Error("process " + p + " has exited (a zombie its parent has not reaped)", "nothing was recorded");
  }
  return TargetProcess{pid, *start};
}

bool target_running(const std::string& proc_root, const TargetProcess& target) {
  auto start = read_start_time(proc_root, target.pid);
  if (!start || *start != target.start_time) return false;
  auto status = read_status(proc_root, target.pid);
  return status && !has_exited(*status);
}

}  // namespace kscope
