#include "export/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace kscope {
namespace {

// Sends a GET on loopback and reads until the server closes the connection.
std::string http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// A handler that blocks (like a 30 s profile) is told to return through
// on_stop, so destroying the server does not wait it out.
TEST(HttpServer, OnStopLetsABlockingHandlerReturnAtShutdown) {
  HttpServerOptions opts;
  opts.listen = "127.0.0.1:0";
  auto server = HttpServer::start(opts);
  ASSERT_TRUE(server) << server.error().to_string();
  auto stopping = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> entered{false};
  (*server)->on_stop([stopping] { *stopping = true; });
  (*server)->route("/slow", [&, stopping](const HttpRequest&) {
    entered = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!*stopping && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return HttpResponse::json_error(503, "stopping");
  });
  int port = (*server)->port();
  std::string response;
  std::thread client([&] { response = http_get(port, "/slow"); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto t0 = std::chrono::steady_clock::now();
  server->reset();
  auto took = std::chrono::steady_clock::now() - t0;
  client.join();
  // (Without on_stop it waits out the handler's 30 s.)
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_TRUE(*stopping);
  // civetweb drops what a handler answers once it is stopping: the client
  // sees the connection close, not the 503.
  EXPECT_EQ(response.find("200 OK"), std::string::npos) << response;
}

}  // namespace
}  // namespace kscope
