// Raw-mode terminal for `kscope top`: no echo, key at a time, the alternate
// screen, restored on every exit path (RAII; SIGINT/SIGTERM only set a flag).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <termios.h>

namespace kscope {

class RawTerminal {
 public:
  RawTerminal();  // no-op when stdin is not a terminal
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  bool active() const { return active_; }

  // (columns, rows), or (80, 24) when unknown.
  static std::pair<size_t, size_t> size();

  // Waits up to timeout_ms for a key; nullopt on timeout, signal or resize.
  std::optional<char> read_key(int timeout_ms) const;

  // Replaces the screen with these lines (each already fits the width).
  static void draw(const std::vector<std::string>& lines);

  // Set by SIGINT/SIGTERM.
  static bool interrupted();

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace kscope
