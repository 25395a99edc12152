// The e-mail an email sink sends for a batch: an RFC 5322 message (CRLF line
// ends, Date, Message-ID, From, To, Subject, MIME headers) with a plain-text
// body in quoted-printable, so any relay carries it (7-bit, lines under 78
// characters). The SMTP envelope and dot-stuffing are the transport's
// (alerts/smtp_client.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.h"
#include "alerts/message.h"

namespace kscope {

struct EmailHeaders {
  std::string from;             // "alerts@example.com" or "kscope <alerts@example.com>"
  std::vector<std::string> to;  // plain addresses
  WallTime date{};
  // The right-hand side of Message-IDs: the sender's domain.
  std::string id_domain;
  // Makes this message's Message-ID unique (a counter, a random number).
  std::string unique;
};

// The whole message. The subject names status, severity, rule(s), target(s)
// and host (batch_title); the body lists every alert with its value against
// the threshold, since when, its host, labels, and the links to it, its
// flame graph capture and the dashboard.
std::string email_message(const std::vector<Notification>& batch, const MessageLinks& links, const EmailHeaders& h);

// The plain-text body before transfer encoding (LF line ends).
std::string email_body(const std::vector<Notification>& batch, const MessageLinks& links);

// A header value as RFC 2047 encoded-words (UTF-8, base64) when it is not
// plain ASCII, folded so no line is longer than 76 characters; plain ASCII
// is returned as is. `used` is the length of "Name: " before it.
std::string encode_header_value(std::string_view text, size_t used);

// Quoted-printable (RFC 2045) of text with LF line ends, as CRLF lines of at
// most 76 characters.
std::string quoted_printable(std::string_view text);

// "Sun, 22 Nov 2026 08:40:01 +0000".
std::string rfc5322_date(WallTime t);

// The address in "Name <addr>" or addr itself.
std::string bare_address(std::string_view from);

}  // namespace kscope
