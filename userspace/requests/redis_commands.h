// db_operation_name for Redis: the command name uppercased ("GET",
// "HSET"), and for container commands the two words ("CLIENT SETNAME",
// "CONFIG GET"). Only names of Redis's own command table are exported: a
// name outside it (a module's command, a typo, bytes that are not a
// command) is "_OTHER", so a label never carries what a client made up.
#pragma once

#include <string>
#include <string_view>

namespace kscope::requests {

// "" when the command word was not captured whole, or the subcommand of a
// container command was not (has_argument: there is a second word).
std::string redis_operation_name(std::string_view command, bool command_known, std::string_view argument,
                                 bool argument_known, bool has_argument);

// Commands after whose first answer the server sends messages unprompted
// (a subscription, MONITOR): the connection stops being request/response.
bool redis_starts_subscription(std::string_view operation);

}  // namespace kscope::requests
