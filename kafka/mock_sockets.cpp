#include "kafka/mock_sockets.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <memory>

namespace kilter::kafka::detail {

std::set<int> ports_of(std::string_view bootstraps) {
  std::set<int> out;
  while (!bootstraps.empty()) {
    const auto comma = bootstraps.find(',');
    const auto one = bootstraps.substr(0, comma);
    if (const auto colon = one.rfind(':'); colon != std::string_view::npos) {
      int port = 0;
      const auto digits = one.substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (ec == std::errc{} && end == digits.data() + digits.size()) out.insert(port);
    }
    if (comma == std::string_view::npos) break;
    bootstraps.remove_prefix(comma + 1);
  }
  return out;
}

namespace {
int local_tcp_port(int fd) {
  int protocol = 0;
  socklen_t len = sizeof protocol;
  if (::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0 || protocol != IPPROTO_TCP)
    return -1;
  sockaddr_storage addr{};
  len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}
}  // namespace

std::vector<int> sockets_on(const std::set<int>& ports) {
  std::vector<int> out;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc/self/fd"), &::closedir);
  if (!dir) return out;
  const int own = ::dirfd(dir.get());
  while (const auto* e = ::readdir(dir.get())) {
    int fd = -1;
    const std::string_view name(e->d_name);
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc{} || end != name.data() + name.size() || fd == own) continue;
    if (ports.contains(local_tcp_port(fd))) out.push_back(fd);
  }
  return out;
}

int no_delay_listeners(const std::set<int>& ports) {
  int n = 0;
  for (const int fd : sockets_on(ports)) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0)
      continue;
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) ++n;
  }
  return n;
}

}  // namespace kilter::kafka::detail
