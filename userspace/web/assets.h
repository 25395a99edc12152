// The dashboard's files, compiled in from userspace/web/embed/: "/" is
// index.html, "/assets/<file>" the rest. No file is read from disk, so the
// page works without internet or an install tree.
#pragma once

#include <string>

#include "export/http_message.h"

namespace kscope {

// The response for a path under "/" or "/assets/"; 404 JSON when there is no
// such embedded file.
HttpResponse serve_asset(const HttpRequest& req);

// "text/html; charset=utf-8" etc. by file extension.
std::string content_type_for(const std::string& path);

}  // namespace kscope
