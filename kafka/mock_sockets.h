// The sockets of librdkafka's mock cluster, which runs in this process: found
// by their local port, for options the mock does not set itself.
#pragma once

#include <set>
#include <string_view>
#include <vector>

namespace kilter::kafka::detail {

// The ports of a bootstrap list ("127.0.0.1:port,...").
std::set<int> ports_of(std::string_view bootstraps);
// This process's TCP sockets bound to one of `ports`: the listeners and the
// connections they accepted.
std::vector<int> sockets_on(const std::set<int>& ports);
// Kafka brokers answer with TCP_NODELAY; librdkafka's mock does not, and Nagle's
// algorithm then holds its third answer on a connection until the client's
// delayed ACK (~40 ms): a producer writing to more than two partitions waited
// that long for every batch. Sets TCP_NODELAY on the listeners among
// sockets_on(ports), which the connections they accept inherit (Linux), and
// returns how many there are.
int no_delay_listeners(const std::set<int>& ports);

}  // namespace kilter::kafka::detail
