// The l7 probe's TLS capture against a real HTTPS nginx (its own
// self-signed certificate) and real OpenSSL clients: curl, and openssl
// s_client running a copy of libssl that the probe has not attached. The
// plaintext of SSL_read/SSL_write arrives as data records with tls set on
// the right connection, and no ciphertext does.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "bpf_test_support.h"
#include "l7_recorder.h"
#include "nginx_server.h"
#include "probes/l7_probe.h"

namespace kscope {
namespace {

using requests::ConnectionEvent;
using requests::Direction;
using requests::Role;
using test::count_of;
using test::L7Recorder;
using test::Seen;

constexpr const char* kSystemLibssl = "/usr/lib/x86_64-linux-gnu/libssl.so.3";

// A child with LD_LIBRARY_PATH set, stdin from a pipe the test writes,
// stdout and stderr to /dev/null; killed if still running at the end.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& ld_library_path) {
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 1);
      dup2(null, 2);
      setenv("LD_LIBRARY_PATH", ld_library_path.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    stdin_ = in[1];
  }
  ~Child() {
    close_stdin();
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void write_stdin(const std::string& s) { (void)!write(stdin_, s.data(), s.size()); }
  void close_stdin() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }
  // Its exit status once it ended (within 10 s), -1 otherwise.
  int wait() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool exited_ = false;
};

class L7TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KSCOPE_REQUIRE_BPF();
    if (access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "needs the openssl CLI (Debian openssl)";
    nginx_ = std::make_unique<test::NginxServer>("location / { return 200 \"hello\\n\"; }", /*tls=*/true);
    ASSERT_TRUE(nginx_->ok()) << nginx_->error();
    config_ = test::L7Recorder::capture_config();
    config_.probes.l7.tls = tls_;
    probe_ = make_l7_capture();
    auto st = recorder_.start(*probe_, config_);
    ASSERT_TRUE(st) << st.error().to_string();
  }

  void TearDown() override { recorder_.stop(); }

  double metric(const std::string& family, const Labels& labels) {
    std::vector<Family> out;
    CollectContext ctx{config_, out};
    probe_->collect(ctx);
    const Series* s = testing::find_series(out, family, labels);
    return s ? s->value : -1;
  }

  double unseen() { return metric("kscope_l7_dropped_total", {{"reason", "tls_unseen"}}); }
  double attached() { return metric("kscope_l7_tls_libraries", {{"state", "attached"}}); }

  // Every data record of the connection is TLS plaintext.
  static void expect_only_plaintext(const std::vector<Seen>& recs) {
    for (const auto& r : recs) {
      if (r.is_data) {
        EXPECT_TRUE(r.tls) << "ciphertext sent as data: " << r.prefix.size() << " bytes";
      }
    }
  }

  std::string url(const std::string& path) { return "https://127.0.0.1:" + std::to_string(nginx_->port()) + path; }

  bool tls_ = true;  // probes.l7.tls, before SetUp
  Config config_;
  std::unique_ptr<test::NginxServer> nginx_;
  std::unique_ptr<L7Probe> probe_;
  L7Recorder recorder_;
};

// curl fetches four paths over one keep-alive HTTPS connection. Both ends
// use the system's libssl (attached at start): nginx reads the four
// requests and writes the four responses in plaintext, curl the mirror,
// on the connection and generation of their accept and connect.
TEST_F(L7TlsTest, CurlKeepAliveOverHttps) {
  constexpr int kRequests = 4;
  std::vector<std::string> argv = {"/usr/bin/curl", "-sk", "--http1.1"};
  for (int i = 1; i <= kRequests; ++i) {
    argv.insert(argv.end(), {"-o", "/dev/null", url("/t" + std::to_string(i))});
  }
  pid_t curl = -1;
  ASSERT_EQ(test::run_with_deadline(argv, 10000, &curl), 0);
  EXPECT_GE(attached(), 1) << "the system's libssl";

  auto client = recorder_.opens(uint32_t(curl), Role::kClient);
  ASSERT_EQ(client.size(), 1u) << "curl opened one connection";
  ASSERT_TRUE(recorder_.closed(client[0].conn));
  auto crecs = recorder_.of(client[0].conn);
  expect_only_plaintext(crecs);
  std::vector<Seen> cw;
  for (const auto& w : L7Recorder::data(crecs, Direction::kWrite)) cw.push_back(w);
  ASSERT_EQ(cw.size(), size_t(kRequests)) << "curl's SSL_writes";
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(cw[i].prefix.rfind("GET /t" + std::to_string(i + 1) + " HTTP/1.1\r\n", 0), 0u) << cw[i].prefix;
    EXPECT_EQ(cw[i].role, Role::kClient);
    EXPECT_EQ(cw[i].id, client[0].conn);
  }
  std::string creads;
  for (const auto& r : L7Recorder::data(crecs, Direction::kRead)) creads += r.prefix;
  EXPECT_EQ(count_of(creads, "HTTP/1.1 200 OK\r\n"), size_t(kRequests)) << creads;

  auto server = recorder_.server_side(client[0].local.port, nginx_->port());
  ASSERT_TRUE(server) << "nginx's accept of curl's connection was not seen";
  ASSERT_TRUE(recorder_.closed(server->conn));
  auto srecs = recorder_.of(server->conn);
  expect_only_plaintext(srecs);
  auto sr = L7Recorder::data(srecs, Direction::kRead);
  auto sw = L7Recorder::data(srecs, Direction::kWrite);
  ASSERT_EQ(sr.size(), size_t(kRequests)) << "nginx's SSL_reads that returned bytes";
  ASSERT_EQ(sw.size(), size_t(kRequests)) << "nginx's SSL_writes";
  std::string order;
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(sr[i].prefix, cw[i].prefix) << "nginx read what curl wrote";
    EXPECT_EQ(sr[i].role, Role::kServer);
    EXPECT_EQ(sw[i].prefix.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << sw[i].prefix;
    EXPECT_EQ(sw[i].id.generation, server->conn.generation);
    EXPECT_LE(sr[i].ts, sw[i].ts) << "a write's entry after the read that brought its request";
  }
  for (const auto& s : srecs) order += s.is_data ? (s.direction == Direction::kRead ? "R" : "W") : "";
  EXPECT_EQ(order, "RWRWRWRW");
}

// openssl s_client with its own copy of libssl (another inode: as another
// container image's would be). Not attached, its TLS connection is counted
// as tls_unseen and none of its ciphertext is sent; once it has exec'd and
// a collection ran, the copy is attached and the next s_client's
// plaintext is seen.
TEST_F(L7TlsTest, UnattachedLibsslIsUnseenUntilItsExecIsScanned) {
  if (access(kSystemLibssl, R_OK) != 0) GTEST_SKIP() << "no " << kSystemLibssl << " to copy";
  char tmpl[] = "/tmp/kscope-libssl-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::filesystem::copy_file(kSystemLibssl, dir + "/libssl.so.3");
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  const std::vector<std::string> s_client = {
      "/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(nginx_->port()), "-quiet", "-ign_eof"};
  const double attached_before = attached();
  const double unseen_before = unseen();

  // 1: the copy is not attached. Run to its end before any collection
  // (which would look at its maps and attach the copy).
  {
    Child c(s_client, dir);
    c.write_stdin("GET /unseen HTTP/1.1\r\nHost: kscope\r\nConnection: close\r\n\r\n");
    c.close_stdin();
    ASSERT_EQ(c.wait(), 0) << "s_client failed";
    auto client = recorder_.opens(uint32_t(c.pid()), Role::kClient);
    ASSERT_EQ(client.size(), 1u);
    ASSERT_TRUE(recorder_.closed(client[0].conn));
    size_t data = 0;
    for (const auto& r : recorder_.of(client[0].conn)) data += r.is_data;
    EXPECT_EQ(data, 0u) << "an unseen TLS connection's ciphertext is not sent";
    // nginx's end of it uses the attached system libssl: seen.
    auto server = recorder_.server_side(client[0].local.port, nginx_->port());
    ASSERT_TRUE(server);
    ASSERT_TRUE(recorder_.closed(server->conn));
    auto sr = L7Recorder::data(recorder_.of(server->conn), Direction::kRead);
    ASSERT_GE(sr.size(), 1u);
    EXPECT_TRUE(sr[0].tls);
    EXPECT_EQ(sr[0].prefix.rfind("GET /unseen ", 0), 0u) << sr[0].prefix;
  }
  // Counted at its close (or its exit), bounded wait: the poller delivers.
  ASSERT_TRUE(recorder_.wait_for([&](const std::vector<Seen>&) { return unseen() >= unseen_before + 1; }))
      << "tls_unseen stayed at " << unseen();
  EXPECT_EQ(attached(), attached_before) << "nothing scanned the first s_client while it ran";

  // 2: an s_client alive at a collection: its exec was noted, its maps
  // show the copy, and the copy is attached (uprobes reach the running
  // process too).
  Child c(s_client, dir);
  auto client = recorder_.opens(uint32_t(c.pid()), Role::kClient);
  ASSERT_EQ(client.size(), 1u) << "s_client connected (libssl is loaded by then)";
  ASSERT_TRUE(recorder_.wait_for([&](const std::vector<Seen>&) { return attached() >= attached_before + 1; }))
      << "the copy of libssl was not attached";
  c.write_stdin("GET /seen HTTP/1.1\r\nHost: kscope\r\nConnection: close\r\n\r\n");
  c.close_stdin();
  ASSERT_EQ(c.wait(), 0);
  ASSERT_TRUE(recorder_.closed(client[0].conn));
  auto recs = recorder_.of(client[0].conn);
  expect_only_plaintext(recs);
  auto w = L7Recorder::data(recs, Direction::kWrite);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].prefix, "GET /seen HTTP/1.1\r\nHost: kscope\r\nConnection: close\r\n\r\n");
  std::string reads;
  for (const auto& r : L7Recorder::data(recs, Direction::kRead)) reads += r.prefix;
  EXPECT_EQ(count_of(reads, "HTTP/1.1 200 OK\r\n"), 1u) << reads;
}


// probes.l7.tls off (the default): no libssl is attached, and an HTTPS
// connection is counted as tls_unseen with none of its ciphertext sent.
class L7TlsOffTest : public L7TlsTest {
 protected:
  void SetUp() override {
    tls_ = false;
    L7TlsTest::SetUp();
  }
};

TEST_F(L7TlsOffTest, HttpsIsCountedUnseenAndNotCaptured) {
  const double unseen_before = unseen();
  const uint64_t bytes_before = probe_->socket_bytes();
  pid_t curl = -1;
  ASSERT_EQ(test::run_with_deadline({"/usr/bin/curl", "-sk", "--http1.1", "-o", "/dev/null", url("/off")}, 10000, &curl),
            0);
  EXPECT_EQ(attached(), 0) << "no library attached with probes.l7.tls off";
  auto client = recorder_.opens(uint32_t(curl), Role::kClient);
  ASSERT_EQ(client.size(), 1u) << "curl opened one connection";
  ASSERT_TRUE(recorder_.closed(client[0].conn));
  EXPECT_TRUE(L7Recorder::data(recorder_.of(client[0].conn), Direction::kWrite).empty()) << "ciphertext was sent";
  EXPECT_TRUE(L7Recorder::data(recorder_.of(client[0].conn), Direction::kRead).empty()) << "ciphertext was sent";
  // Both ends of the one connection: curl's and nginx's.
  EXPECT_GE(unseen() - unseen_before, 2);
  // Not sent, but counted as seen (the coverage gauge's denominator): at
  // least a ClientHello and a certificate, each read and written.
  EXPECT_GE(probe_->socket_bytes() - bytes_before, 1000u);
}

}  // namespace
}  // namespace kscope
