// libcurl behind pipeline::HttpClient: one worker thread per client drives a curl
// multi handle, so many requests are in flight at once without blocking the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/delivery/http_client.h"

namespace kilter::http {

struct CurlOptions {
  // Runs a completion on the event loop (e.g. boost::asio::post(io, fn)). Must be
  // thread-safe: the worker thread calls it. When empty, completions run on the worker.
  std::function<void(std::function<void()>)> post;
  // Transfers running at once; further requests wait in FIFO order (0 counts as 1).
  std::size_t max_in_flight = 16;
  std::string user_agent = "kilterd";
  // Upper bound of the connect phase; a request's own timeout wins when shorter.
  std::chrono::milliseconds max_connect_timeout{5'000};
};

// Never returns null and never throws from send(); see http/README.md for the behaviour.
std::unique_ptr<pipeline::HttpClient> make_curl_client(CurlOptions opts);

}  // namespace kilter::http
