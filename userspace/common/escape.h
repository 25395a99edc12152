// Escaping for every text that comes from watched programs (process names,
// cgroup paths, symbol and file names) before it lands in an output format.
#pragma once

#include <string>
#include <string_view>

namespace kscope {

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD, and
// control characters other than tab and line feed with U+FFFD too (each
// format escapes the line feed its own way), so every output format
// gets text it can carry.
std::string sanitize_utf8(std::string_view in);

// Prometheus text format label value: backslash, double quote and line feed
// escaped; invalid UTF-8 replaced.
std::string escape_prometheus_label(std::string_view in);

// Prometheus HELP text: backslash and line feed escaped.
std::string escape_prometheus_help(std::string_view in);

// XML/HTML text and attribute values: & < > " ' as entities; invalid UTF-8
// and control characters replaced (XML 1.0 forbids them even as entities).
std::string escape_xml(std::string_view in);

// A printable form of a comm for logs and terminals: sanitized, with
// non-printable bytes as \xNN.
std::string printable(std::string_view in);

}  // namespace kscope
