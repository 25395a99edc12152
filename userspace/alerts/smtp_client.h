// Sends one e-mail over SMTP with libcurl (loaded like http_client's):
// smtp:// with STARTTLS required (or plain, when asked), smtps:// with TLS
// from the first byte, AUTH when a username is given. curl writes the
// envelope (MAIL FROM, RCPT TO per recipient), dot-stuffs the message and
// ends DATA. Blocking: for the email sink's worker thread.
#pragma once

#include <string>
#include <vector>

#include "net/http_client.h"
#include "common/duration.h"
#include "common/result.h"

namespace kscope {

struct SmtpRequest {
  std::string url;                 // smtp://host:port or smtps://host:port
  bool starttls = true;            // smtp:// only: refuse a server without STARTTLS
  TlsOptions tls;
  std::string username;            // "" for no AUTH
  std::string password;
  std::string from;                // bare address
  std::vector<std::string> to;     // bare addresses
  Nanos timeout = std::chrono::seconds(30);
};

// Sends `message` (RFC 5322, CRLF line ends). An error carries the server's
// refusal or curl's reason; the password never appears in it.
Status smtp_send(const SmtpRequest& req, const std::string& message);

}  // namespace kscope
