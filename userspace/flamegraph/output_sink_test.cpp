#include "flamegraph/output_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "flamegraph/flame_svg.h"
#include "flamegraph/folded.h"
#include "flamegraph/xml_for_tests.h"

namespace kscope {
namespace {

namespace fs = std::filesystem;

class WriteOutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("kscope_output_sink_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir;
};

// Many pieces, small and larger than the 1 MiB buffer, arrive in order.
TEST_F(WriteOutputFileTest, WritesEverythingInOrder) {
  std::string expected;
  ASSERT_TRUE(write_output_file((dir / "p.folded").string(), [&](const Sink& out) {
    for (int i = 0; i < 5000; ++i) {
      std::string line = "main;f" + std::to_string(i) + " " + std::to_string(i) + "\n";
      expected += line;
      out(line);
    }
    std::string big(3 << 20, 'z');
    expected += big;
    out(big);
    expected += "end\n";
    out("end\n");
  }));
  EXPECT_EQ(read(dir / "p.folded"), expected);
  EXPECT_EQ(names(), std::vector<std::string>{"p.folded"});
}

// A producer that throws after megabytes: no file, no temporary; an older
// file of that name stays as it was.
TEST_F(WriteOutputFileTest, ProducerThatThrowsMidwayLeavesNothing) {
  auto failing = [](const Sink& out) {
    for (int i = 0; i < 6; ++i) out(std::string(1 << 20, 'q'));  // past the buffer: bytes reached the disk
    throw std::runtime_error("symbolizer gave up");
  };
  EXPECT_THROW((void)write_output_file((dir / "new.svg").string(), failing), std::runtime_error);
  EXPECT_TRUE(names().empty());

  ASSERT_TRUE(write_output_file((dir / "old.svg").string(), [](const Sink& out) { out("<svg/>"); }));
  EXPECT_THROW((void)write_output_file((dir / "old.svg").string(), failing), std::runtime_error);
  EXPECT_EQ(read(dir / "old.svg"), "<svg/>");
  EXPECT_EQ(names(), std::vector<std::string>{"old.svg"});
}

TEST_F(WriteOutputFileTest, MissingDirectoryFailsWithoutLitter) {
  auto st = write_output_file((dir / "no" / "x.svg").string(), [](const Sink& out) { out("x"); });
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().to_string().find("x.svg"), std::string::npos);
  EXPECT_TRUE(names().empty());
}

// Two flame graphs written to one path at once (say two `kscope profile -o
// cpu.svg`): the survivor is one of them, whole, and parses as SVG.
TEST_F(WriteOutputFileTest, ConcurrentWritersOfOneSvgLeaveAWholeOne) {
  const std::string path = (dir / "cpu.svg").string();
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      std::string folded;
      for (int i = 0; i < 2000; ++i) folded += "main;w" + std::to_string(w) + ";f" + std::to_string(i) + " 3\n";
      auto profile = parse_folded(folded);
      if (!profile) {
        ++failed;
        return;
      }
      for (int r = 0; r < 5; ++r) {
        auto st = write_output_file(
            path, [&](const Sink& out) { write_flame_graph(*profile, {}, FlameFormat::kSvg, out); });
        if (!st) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  std::string svg = read(path);
  kscope::testing::XmlParser parser;
  auto root = parser.parse(svg);
  ASSERT_NE(root, nullptr) << parser.error();
  EXPECT_EQ(root->name, "svg");
  EXPECT_EQ(names(), std::vector<std::string>{"cpu.svg"});
}

}  // namespace
}  // namespace kscope
