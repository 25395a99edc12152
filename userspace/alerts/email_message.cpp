#include "alerts/email_message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "alerts/payloads.h"

namespace kscope {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool plain_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  // "=?" could be read as the start of an encoded word.
  return s.find("=?") == std::string_view::npos;
}

// A display name as a header phrase: bare if only letters, digits and
// spaces, quoted if other ASCII, encoded words otherwise.
std::string phrase(std::string_view name, size_t used) {
  bool atoms = true;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != ' ' && c != '-' && c != '.' && c != '_') atoms = false;
  }
  if (atoms) return std::string(name);
  if (plain_ascii(name)) {
    std::string q = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + "\"";
  }
  return encode_header_value(name, used);
}

void line(std::string& out, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  out += "  ";
  out += key;
  out.append(key.size() < 13 ? 13 - key.size() : 1, ' ');
  out += value;
  out += '\n';
}

}  // namespace

std::string encode_header_value(std::string_view text, size_t used) {
  if (plain_ascii(text)) return std::string(text);
  // Each word is "=?UTF-8?B?" + base64 + "?=" and holds whole characters:
  // at most 45 bytes (60 base64 characters, a 72-character word).
  // The first word shares its line with "Name: ": it holds less.
  std::string out;
  size_t i = 0;
  size_t room = used + 12 + 8 < 76 ? (76 - used - 12) / 4 * 3 : 45;
  while (i < text.size()) {
    size_t n = std::min<size_t>(room, text.size() - i);
    while (i + n < text.size() && n > 0 && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) --n;
    if (n == 0) n = std::min<size_t>(4, text.size() - i);  // room for less than one character: take one
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, n)) + "?=";
    i += n;
    room = 45;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  size_t col = 0;
  auto emit = [&](std::string_view piece) {
    // A soft line break keeps every line at 76 characters or less.
    if (col + piece.size() > 75) {
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\r\n";
      col = 0;
      continue;
    }
    bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n';
    // A leading dot is encoded too: harmless, and no relay can mistake it.
    bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
                   ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string rfc5322_date(WallTime t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string bare_address(std::string_view from) {
  auto lt = from.find('<');
  auto gt = from.rfind('>');
  if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) return std::string(from);
  return std::string(from.substr(lt + 1, gt - lt - 1));
}

std::string email_body(const std::vector<Notification>& batch, const MessageLinks& links) {
  std::string out = batch_title(batch, 400) + "\n";
  for (const auto& n : batch) {
    AlertFacts f = alert_facts(n);
    out += "\n[" + f.status + "] " + f.severity + ": " + f.rule + " on " + f.target + "\n";
    if (!f.summary.empty()) out += "  " + f.summary + "\n";
    line(out, "Value:", f.value + (f.threshold.empty() ? "" : " (threshold " + f.threshold + ")"));
    line(out, "Since:", f.since);
    line(out, "Resolved:", f.resolved_at);
    line(out, "Host:", f.host);
    std::string labels;
    for (const auto& [k, v] : f.labels) labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    line(out, "Labels:", labels);
    line(out, "Alert:", f.alert_url);
    line(out, "Flame graph:", f.flame_graph_url);
    line(out, "Off-CPU:", f.offcpu_url);
    line(out, "Capture:", f.capture_url);
  }
  if (!links.dashboard.empty()) out += "\nDashboard: " + links.dashboard + "/\n";
  out += "\n-- \nSent by kscope.\n";
  return out;
}

std::string email_message(const std::vector<Notification>& batch, const MessageLinks& links, const EmailHeaders& h) {
  std::string from = h.from;
  if (auto lt = from.find('<'); lt != std::string::npos) {
    std::string name = from.substr(0, lt);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    from = name.empty() ? "<" + bare_address(h.from) + ">" : phrase(name, 6) + " <" + bare_address(h.from) + ">";
  }
  std::string to;
  for (const auto& r : h.to) to += (to.empty() ? "" : ",\r\n ") + r;
  // References: one stable id per alert episode, so mail clients thread the
  // resolution under the firing message.
  std::string refs;
  for (const auto& n : batch) {
    if (refs.size() > 900) break;
    auto fired = std::chrono::duration_cast<std::chrono::seconds>(n.alert.fired_at.time_since_epoch()).count();
    refs += (refs.empty() ? "" : "\r\n ") + std::string("<kscope.") + fmt_fingerprint(n.alert.fingerprint) + "." +
            std::to_string(fired) + "@" + h.id_domain + ">";
  }
  std::string m;
  m += "Date: " + rfc5322_date(h.date) + "\r\n";
  m += "From: " + from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + encode_header_value(batch_title(batch), 9) + "\r\n";
  m += "Message-ID: <kscope." + h.unique + "@" + h.id_domain + ">\r\n";
  if (!refs.empty()) m += "References: " + refs + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: quoted-printable\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "X-Kscope-Severity: " + batch_severity(batch) + "\r\n";
  m += "\r\n";
  m += quoted_printable(email_body(batch, links));
  return m;
}

}  // namespace kscope
