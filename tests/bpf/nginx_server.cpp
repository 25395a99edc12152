#include "nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace kscope::test {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

// A port the kernel just handed out, free again (nginx binds it next).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  close(fd);
  return ok;
}

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

NginxServer::NginxServer(const std::string& locations, bool tls) {
  if (access(kNginx, X_OK) != 0) {
    error_ = "nginx not installed (Debian nginx-light)";
    return;
  }
  char tmpl[] = "/tmp/kscope-nginx-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  port_ = free_port();
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  if (tls) {
    pid_t openssl = -1;
    if (run_with_deadline({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_ + "/key.pem", "-out",
                           dir_ + "/cert.pem", "-days", "1", "-subj", "/CN=localhost"},
                          10000, &openssl) != 0) {
      error_ = "openssl req could not make a self-signed certificate (Debian openssl)";
      return;
    }
    listen += " ssl;\n    ssl_certificate " + dir_ + "/cert.pem;\n    ssl_certificate_key " + dir_ + "/key.pem";
  }
  std::ofstream(dir_ + "/nginx.conf")
      << "worker_processes 1;\ndaemon off;\npid " << dir_ << "/nginx.pid;\nerror_log " << dir_
      << "/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << dir_ << "/body;\n  proxy_temp_path " << dir_ << "/proxy;\n"
      << "  fastcgi_temp_path " << dir_ << "/fastcgi;\n  uwsgi_temp_path " << dir_ << "/uwsgi;\n"
      << "  scgi_temp_path " << dir_ << "/scgi;\n  keepalive_requests 1000;\n"
      << "  server {\n    listen " << listen << ";\n    " << locations << "\n  }\n}\n";
  master_ = spawn({kNginx, "-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!accepts(port_)) {
    int status = 0;
    if (waitpid(master_, &status, WNOHANG) == master_) {
      master_ = -1;
      error_ = "nginx exited at start (see its error log)";
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      error_ = "nginx did not accept on 127.0.0.1:" + std::to_string(port_) + " within 5 s";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

NginxServer::~NginxServer() {
  if (master_ > 0) {
    kill(master_, SIGQUIT);  // graceful: the worker ends too
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(master_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(master_, SIGKILL);
        waitpid(master_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

int run_with_deadline(const std::vector<std::string>& argv, int timeout_ms, pid_t* pid) {
  *pid = spawn(argv);
  if (*pid < 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (waitpid(*pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(*pid, SIGKILL);
      waitpid(*pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace kscope::test
