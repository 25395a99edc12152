// `kscope diff A B -o out.svg`: what grew and what shrank between two
// profiles (folded or pprof files).
#include <iostream>

#include "cli/command.h"
#include "flamegraph/diff.h"
#include "flamegraph/flame_svg.h"
#include "flamegraph/output_sink.h"
#include "flamegraph/profile_reader.h"

namespace kscope {

void add_diff_command(CLI::App& app, CommandRunner& selected) {
  struct Options {
    std::string before, after, output;
    bool folded = false;
    std::string title = "Differential Flame Graph";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("diff", "Differential flame graph: widths from AFTER, red grew and blue shrank "
                                         "since BEFORE (normalised by totals).");
  cmd->add_option("before", o->before, "Profile before (folded or pprof)")->required();
  cmd->add_option("after", o->after, "Profile after (folded or pprof)")->required();
  cmd->add_option("--output,-o", o->output, "Output: .svg or .html; .folded (or --folded) for 'stack before after' lines")
      ->required();
  cmd->add_flag("--folded", o->folded, "Write 'stack count_before count_after' lines instead of a graph");
  cmd->add_option("--title", o->title, "Graph title");
  cmd->callback([o, &selected] {
    selected = [o]() -> int {
      auto before = read_profile_file(o->before);
      if (!before) {
        std::cerr << "kscope diff: " << o->before << ": " << before.error().to_string() << "\n";
        return 1;
      }
      auto after = read_profile_file(o->after);
      if (!after) {
        std::cerr << "kscope diff: " << o->after << ": " << after.error().to_string() << "\n";
        return 1;
      }
      auto diff = diff_profiles(*before, *after);
      if (!diff) {
        std::cerr << "kscope diff: " << diff.error().to_string() << "\n";
        return 1;
      }
      const std::string& out = o->output;
      bool folded = o->folded || (out.size() >= 7 && out.compare(out.size() - 7, 7, ".folded") == 0) ||
                    (out.size() >= 4 && out.compare(out.size() - 4, 4, ".txt") == 0) || out == "-";
      bool html = out.size() >= 5 && out.compare(out.size() - 5, 5, ".html") == 0;
      FlameOptions opts;
      opts.title = o->title;
      auto st = write_output_file(out, [&](const Sink& sink) {
        if (folded) {
          write_diff_folded(*diff, sink);
        } else {
          write_diff_graph(*diff, opts, html ? FlameFormat::kHtml : FlameFormat::kSvg, sink);
        }
      });
      if (!st) {
        std::cerr << "kscope diff: " << st.error().to_string() << "\n";
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace kscope
