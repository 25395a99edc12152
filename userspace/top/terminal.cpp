#include "top/terminal.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <string>

namespace kscope {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }
void on_winch(int) {}  // only to interrupt poll()

void write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    off += static_cast<size_t>(n);
  }
}

}  // namespace

RawTerminal::RawTerminal() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, nullptr);
  if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
  termios raw = saved_;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return;
  active_ = true;
  write_all("\x1b[?1049h\x1b[?25l");  // alternate screen, hide the cursor
}

RawTerminal::~RawTerminal() {
  if (!active_) return;
  write_all("\x1b[?25h\x1b[?1049l");
  tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

std::pair<size_t, size_t> RawTerminal::size() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) return {ws.ws_col, ws.ws_row};
  return {80, 24};
}

std::optional<char> RawTerminal::read_key(int timeout_ms) const {
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  char c = 0;
  if (::read(STDIN_FILENO, &c, 1) != 1) return std::nullopt;
  return c;
}

void RawTerminal::draw(const std::vector<std::string>& lines) {
  std::string out = "\x1b[H";
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    out += "\x1b[K";  // clear the rest of the line
    if (i + 1 < lines.size()) out += "\r\n";
  }
  out += "\x1b[J";  // and everything below
  write_all(out);
}

bool RawTerminal::interrupted() { return g_interrupted != 0; }

}  // namespace kscope
