// Each subcommand registers itself on the CLI11 app and, when chosen, leaves
// the function that runs it (returning the exit code).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace kscope {

using CommandRunner = std::function<int()>;

void add_run_command(CLI::App& app, CommandRunner& selected);
void add_check_command(CLI::App& app, CommandRunner& selected);
void add_trace_command(CLI::App& app, CommandRunner& selected);
void add_top_command(CLI::App& app, CommandRunner& selected);
void add_report_command(CLI::App& app, CommandRunner& selected);
void add_profile_commands(CLI::App& app, CommandRunner& selected);  // profile, offcpu
void add_diff_command(CLI::App& app, CommandRunner& selected);

// Applies --log-level and routes libbpf's output (common to all commands).
void setup_logging(const std::string& level);

}  // namespace kscope
