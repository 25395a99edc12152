// Prometheus selector text, `name{comm="nginx",syscall=~"read|write"}`, as
// taken by /api/v1/query and WebSocket subscriptions, parsed into the label
// matchers every query uses. Parsing hostile text never throws: a bad
// selector is an Error naming the offset.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/label_matcher.h"

namespace kscope {

// Parses "{...}" (braces optional; empty text means no matchers). An
// optional metric name before the braces is returned in *name when given.
Result<std::vector<LabelMatcher>> parse_selector(std::string_view text, std::string* name = nullptr);

}  // namespace kscope
