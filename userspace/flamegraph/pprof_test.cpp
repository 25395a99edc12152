#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>

#include "flamegraph/folded.h"
#include "flamegraph/gzip.h"
#include "flamegraph/pprof_reader.h"
#include "flamegraph/pprof_writer.h"
#include "common/proto_wire.h"

namespace kscope {
namespace {

std::string folded(const Profile& p) {
  return collect_output([&](const Sink& out) { write_folded(p, out); });
}

std::string pprof_bytes(const Profile& p) {
  return collect_output([&](const Sink& out) { write_pprof(p, out); });
}

Profile sample_cpu_profile() {
  Profile p(ProfileKind::kCpu);
  p.set_period_ns(10'101'010);  // 99 Hz
  p.set_duration_ns(30'000'000'000);
  p.set_start_time_ns(1'700'000'000'000'000'000);
  MappingId app = p.add_mapping(Mapping{"/usr/bin/app", "deadbeef00112233", 0x400000, 0x480000, 0});
  MappingId libc = p.add_mapping(Mapping{"/lib/x86_64-linux-gnu/libc.so.6", "a1b2", 0x7f0000, 0x7f9000, 0x1000});
  FrameId comm = p.intern("app", ProfileFrameKind::kProcess);
  FrameId main = p.intern("main", ProfileFrameKind::kUser, app, 0x401000);
  FrameId compute = p.intern("kscope_busy_compute", ProfileFrameKind::kUser, app, 0x402000);
  FrameId write = p.intern("__libc_write", ProfileFrameKind::kUser, libc, 0x7f1234);
  FrameId ksys = p.intern("ksys_write", ProfileFrameKind::kKernel);
  FrameId jit = p.intern("LInterp;run", ProfileFrameKind::kJit);
  std::vector<FrameId> s1{comm, main, compute}, s2{comm, main, write, ksys}, s3{comm, main, jit};
  p.add_stack(s1, 90);
  p.add_stack(s2, 7);
  p.add_stack(s3, 3);
  return p;
}

TEST(Pprof, RoundTripKeepsStacksKindsAndMetadata) {
  Profile p = sample_cpu_profile();
  std::string bytes = pprof_bytes(p);
  EXPECT_TRUE(is_gzip(bytes));
  auto back = read_pprof(bytes);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->kind(), ProfileKind::kCpu);
  EXPECT_EQ(back->period_ns(), p.period_ns());
  EXPECT_EQ(back->duration_ns(), p.duration_ns());
  EXPECT_EQ(back->start_time_ns(), p.start_time_ns());
  EXPECT_EQ(folded(*back), folded(p));
  EXPECT_EQ(folded(*back),
            "app;main;LInterp:run_[j] 3\n"
            "app;main;__libc_write;ksys_write_[k] 7\n"
            "app;main;kscope_busy_compute 90\n");
  // Mappings, build ids and addresses survive; the kernel stand-in does not
  // become a mapping.
  ASSERT_EQ(back->mappings().size(), 2u);
  EXPECT_EQ(back->mappings()[0].build_id, "deadbeef00112233");
  EXPECT_EQ(back->mappings()[1].file_offset, 0x1000u);
  FrameId f = back->find_frame("__libc_write", ProfileFrameKind::kUser, 2, 0x7f1234);
  EXPECT_NE(f, Profile::kNoFrame);
}

TEST(Pprof, SampleTypesPerKind) {
  auto types_of = [](const Profile& p) {
    std::string proto = encode_pprof_proto(p);
    std::vector<std::string> strings;
    std::vector<std::string_view> types;
    ProtoReader r(proto);
    ProtoField f;
    while (r.next(&f)) {
      if (f.number == 6) strings.emplace_back(f.bytes);
      if (f.number == 1) types.push_back(f.bytes);
    }
    EXPECT_FALSE(r.failed());
    std::string out;
    for (std::string_view t : types) {
      ProtoReader tr(t);
      ProtoField tf;
      while (tr.next(&tf)) out += strings.at(tf.value) + (tf.number == 1 ? "/" : " ");
    }
    return out;
  };
  EXPECT_EQ(types_of(sample_cpu_profile()), "samples/count cpu/nanoseconds ");
  Profile off(ProfileKind::kOffCpu);
  std::vector<FrameId> s{off.intern("db", ProfileFrameKind::kProcess), off.intern("futex_wait", ProfileFrameKind::kKernel)};
  off.add_stack(s, 5'000'000);
  EXPECT_EQ(types_of(off), "offcpu/nanoseconds ");
  auto back = read_pprof(pprof_bytes(off));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->kind(), ProfileKind::kOffCpu);
  EXPECT_EQ(folded(*back), "db;futex_wait_[k] 5000000\n");
}

TEST(Pprof, CorruptInputIsAnErrorNotACrash) {
  std::string good = pprof_bytes(sample_cpu_profile());
  std::string raw = encode_pprof_proto(sample_cpu_profile());
  // Every truncation of both encodings.
  for (size_t n = 0; n < good.size(); ++n) (void)read_pprof(good.substr(0, n));
  for (size_t n = 0; n < raw.size(); ++n) (void)read_pprof(raw.substr(0, n));
  EXPECT_FALSE(read_pprof(good.substr(0, good.size() / 2)).ok());
  // Random bit flips and random bytes.
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    std::string bad = raw;
    for (int k = 0; k < 1 + i % 4; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    (void)read_pprof(bad);
    std::string noise(rng() % 200, '\0');
    for (char& c : noise) c = static_cast<char>(rng());
    (void)read_pprof(noise);
  }
  // A location that names a missing function.
  ProtoWriter w;
  w.bytes_field(6, "");
  ProtoWriter loc, line;
  loc.uint_field(1, 1);
  line.uint_field(1, 77);
  loc.bytes_field(4, line.buffer());
  w.bytes_field(4, loc.buffer());
  auto r = read_pprof(w.buffer());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("pprof: malformed location"), std::string::npos);
}

TEST(Pprof, ZipBombIsRefused) {
  std::string zeros(8 << 20, '\0');
  std::string gz = collect_output([&](const Sink& out) {
    GzipWriter w(out, 9);
    w.write(zeros);
  });
  PprofReadOptions o;
  o.max_inflated_bytes = 1 << 20;
  auto r = read_pprof(gz, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("more than"), std::string::npos);
}

TEST(Pprof, DeepHostileStackIsRefused) {
  // One location, one sample that repeats it 20000 times.
  ProtoWriter w, vt, fn, loc, line, sample;
  w.bytes_field(6, "");
  w.bytes_field(6, "samples");
  w.bytes_field(6, "count");
  w.bytes_field(6, "f");
  vt.int_field(1, 1);
  vt.int_field(2, 2);
  w.bytes_field(1, vt.buffer());
  fn.uint_field(1, 1);
  fn.int_field(2, 3);
  w.bytes_field(5, fn.buffer());
  loc.uint_field(1, 1);
  line.uint_field(1, 1);
  loc.bytes_field(4, line.buffer());
  w.bytes_field(4, loc.buffer());
  std::vector<uint64_t> ids(20000, 1);
  sample.packed_field(1, ids.begin(), ids.end());
  uint64_t one = 1;
  sample.packed_field(2, &one, &one + 1);
  w.bytes_field(2, sample.buffer());
  EXPECT_FALSE(read_pprof(w.buffer()).ok());
}

TEST(ProtoWire, VarintsRoundTrip) {
  ProtoWriter w;
  std::vector<uint64_t> values{0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
  w.packed_field(1, values.begin(), values.end());
  ProtoReader r(w.buffer());
  ProtoField f;
  ASSERT_TRUE(r.next(&f));
  std::vector<uint64_t> back;
  ASSERT_TRUE(ProtoReader::repeated_varints(f, &back));
  EXPECT_EQ(back, values);
  EXPECT_FALSE(r.next(&f));
  EXPECT_FALSE(r.failed());
  // An eleven-byte varint and a length past the end are malformed.
  const std::string eleven(11, '\xff');
  ProtoReader bad1(eleven);
  EXPECT_FALSE(bad1.next(&f));
  EXPECT_TRUE(bad1.failed());
  const std::string short_len("\x0a\x05" "ab", 4);
  ProtoReader bad2(short_len);
  EXPECT_FALSE(bad2.next(&f));
  EXPECT_TRUE(bad2.failed());
}

TEST(Gzip, RoundTripAndTruncation) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += std::to_string(i) + ";";
  std::string gz = collect_output([&](const Sink& out) {
    GzipWriter w(out);
    w.write(data.substr(0, 1000));
    w.write(data.substr(1000));
  });
  ASSERT_TRUE(is_gzip(gz));
  auto back = gunzip(gz, 100 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  EXPECT_FALSE(gunzip(gz.substr(0, gz.size() - 20), 100 << 20).ok());
}

TEST(Gzip, BlocksAreMembersOfOneStream) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data += std::to_string(static_cast<uint64_t>(i) * 7919) + ",";
  for (size_t threads : {1u, 2u, 3u}) {
    std::string gz = collect_output([&](const Sink& out) {
      BlockGzipWriter w(out, 100000, threads);
      for (size_t i = 0; i < data.size(); i += 77777) w.write(std::string_view(data).substr(i, 77777));
    });
    auto back = gunzip(gz, 100 << 20);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, data);
  }
  // Empty input is still one valid (empty) member.
  std::string empty = collect_output([&](const Sink& out) { BlockGzipWriter w(out); });
  auto back = gunzip(empty, 1 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "");
}

// go tool pprof (Debian's golang-go) must read what we write.
TEST(PprofGoTool, TopListsOurFunctions) {
  if (std::system("command -v go >/dev/null 2>&1") != 0) GTEST_SKIP() << "go is not installed";
  std::string path = ::testing::TempDir() + "kscope_go_pprof_" + std::to_string(getpid()) + ".pb.gz";
  std::ofstream(path, std::ios::binary) << pprof_bytes(sample_cpu_profile());
  std::string cmd = "HOME=${HOME:-/tmp} go tool pprof -top " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
  int rc = pclose(pipe);
  ASSERT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("kscope_busy_compute"), std::string::npos) << output;
  EXPECT_NE(output.find("ksys_write"), std::string::npos) << output;
  EXPECT_NE(output.find("Type: cpu"), std::string::npos) << output;
  // 90 of 100 samples at 10.1 ms: the busy function is on top with 90%.
  EXPECT_NE(output.find("90.00%"), std::string::npos) << output;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kscope
