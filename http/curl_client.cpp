#include "http/curl_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace kilter::http {
namespace {

using pipeline::OutboundRequest;
using pipeline::OutboundResponse;
using Done = std::function<void(OutboundResponse)>;

constexpr std::size_t kMaxBody = 64 * 1024;
// Shorter strings are not worth hiding and scrubbing them would mangle messages.
constexpr std::size_t kMinSecret = 4;

CURLcode global_init() {
  static std::once_flag once;
  static CURLcode rc = CURLE_FAILED_INIT;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return rc;
}

struct UrlHandle {
  CURLU* h = curl_url();
  UrlHandle() = default;
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;
  ~UrlHandle() { curl_url_cleanup(h); }

  std::string part(CURLUPart which) const {
    char* s = nullptr;
    if (curl_url_get(h, which, &s, 0) != CURLUE_OK || s == nullptr) return {};
    std::string out(s);
    curl_free(s);
    return out;
  }
};

struct Transfer {
  OutboundRequest req;
  Done done;
  std::string body;  // the answer's first kMaxBody bytes
  UrlHandle url;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string origin = "(invalid URL)";  // scheme://host, the most of the URL that may be logged
  std::vector<std::string> secrets;
  bool truncated = false;
  char errbuf[CURL_ERROR_SIZE] = {};

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

// libcurl's messages may quote parts of the URL; webhook URLs carry their
// credentials in the path, the query or the user info.
std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < kMinSecret) continue;
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
      text.replace(at, s.size(), "<redacted>");
      at += 10;
    }
  }
  return text;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f && c != ':' && c != '(' && c != ')' && c != ',' && c != ';' &&
           c != '"' && c != '/' && c != '[' && c != ']' && c != '?' && c != '=' && c != '{' &&
           c != '}' && c != '@' && c != '\\';
  });
}

bool is_header_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Only the delta-seconds form; an HTTP-date leaves it unset and the caller's
// own backoff applies.
std::optional<std::chrono::seconds> retry_after(CURL* easy) {
  curl_header* h = nullptr;
  if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h) {
    return std::nullopt;
  }
  std::string_view v(h->value);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return std::chrono::seconds(n);
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * count;
  try {
    const size_t room = kMaxBody - t->body.size();
    if (len <= room) {
      t->body.append(data, len);
      return len;
    }
    t->body.append(data, room);
  } catch (...) {
    return CURL_WRITEFUNC_ERROR;
  }
  // Ending the transfer here bounds both memory and time against an endless answer.
  t->truncated = true;
  return CURL_WRITEFUNC_ERROR;
}

// Prepares the easy handle; an empty result means ready, anything else is the error.
std::string configure(Transfer& t, const CurlOptions& opts) {
  const OutboundRequest& req = t.req;
  if (t.url.h == nullptr) return "out of memory";
  if (req.url.find('\0') != std::string::npos) return "invalid URL";
  if (CURLUcode uc = curl_url_set(t.url.h, CURLUPART_URL, req.url.c_str(), 0); uc != CURLUE_OK) {
    return std::string("invalid URL: ") + curl_url_strerror(uc);
  }
  const std::string scheme = t.url.part(CURLUPART_SCHEME);
  t.origin = scheme + "://" + t.url.part(CURLUPART_HOST);
  t.secrets = {req.url,
               t.url.part(CURLUPART_URL),
               t.url.part(CURLUPART_PATH),
               t.url.part(CURLUPART_QUERY),
               t.url.part(CURLUPART_FRAGMENT),
               t.url.part(CURLUPART_USER),
               t.url.part(CURLUPART_PASSWORD)};
  if (scheme != "http" && scheme != "https") return "unsupported URL scheme " + scheme;
  if (!is_token(req.method)) return "invalid HTTP method";

  bool has_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (!is_token(name) || !is_header_value(value)) return "invalid header " + name;
    has_content_type = has_content_type || iequals(name, "Content-Type");
    // "Name;" is libcurl's spelling of a header with an empty value; "Name:" would drop it.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* next = curl_slist_append(t.headers, line.c_str());
    if (next == nullptr) return "out of memory";
    t.headers = next;
  }
  // No 100-continue round trip; no form-urlencoded type invented for a body whose type
  // the caller did not name.
  for (const char* line : {"Expect:", has_content_type ? nullptr : "Content-Type:"}) {
    if (line == nullptr) continue;
    curl_slist* next = curl_slist_append(t.headers, line);
    if (next == nullptr) return "out of memory";
    t.headers = next;
  }

  t.easy = curl_easy_init();
  if (t.easy == nullptr) return "out of memory";
  CURL* e = t.easy;
  const long total_ms = static_cast<long>(std::max<std::int64_t>(1, req.timeout.count()));
  const long cap_ms = static_cast<long>(opts.max_connect_timeout.count());
  const long connect_ms = cap_ms > 0 ? std::min(total_ms, cap_ms) : total_ms;

  CURLcode rc = CURLE_OK;
  auto check = [&rc](CURLcode c) {
    if (rc == CURLE_OK) rc = c;
  };
  check(curl_easy_setopt(e, CURLOPT_PRIVATE, &t));
  check(curl_easy_setopt(e, CURLOPT_CURLU, t.url.h));
  check(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  check(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  // Otherwise giving up on a transfer waits for its DNS thread, stalling every transfer.
  check(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
  check(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf));
  check(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
  check(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L));
  check(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L));
  check(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total_ms));
  check(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms));
  check(curl_easy_setopt(e, CURLOPT_USERAGENT, opts.user_agent.c_str()));
  check(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers));
  check(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body));
  check(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t));
  const std::string& m = req.method;
  if (m == "HEAD") {
    check(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  } else if (!req.body.empty() || m == "POST" || m == "PUT" || m == "PATCH") {
    check(
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size())));
    check(curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data()));
    if (m != "POST") check(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str()));
  } else if (m != "GET") {
    check(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str()));
  }
  if (rc != CURLE_OK) return curl_easy_strerror(rc);
  return {};
}

class CurlClient final : public pipeline::HttpClient {
 public:
  explicit CurlClient(CurlOptions opts) : opts_(std::move(opts)) {
    if (global_init() != CURLE_OK) {
      spdlog::error("http: libcurl initialisation failed; outbound HTTP is unavailable");
      return;
    }
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
      spdlog::error("http: curl_multi_init failed; outbound HTTP is unavailable");
      return;
    }
    try {
      worker_ = std::thread([this] { run(); });
    } catch (const std::system_error& e) {
      spdlog::error("http: no worker thread ({}); outbound HTTP is unavailable", e.what());
    }
  }

  ~CurlClient() override {
    // Completions already handed to post() but not yet run are abandoned too.
    alive_->store(false);
    if (worker_.joinable()) {
      {
        std::lock_guard lock(mu_);
        stopping_ = true;
      }
      curl_multi_wakeup(multi_);
      worker_.join();
    }
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }

  void send(OutboundRequest req, Done done) override {
    std::unique_ptr<Transfer> t;
    try {
      t = std::make_unique<Transfer>();
    } catch (...) {
      fail(std::move(done), "out of memory");
      return;
    }
    t->req = std::move(req);
    t->done = std::move(done);
    if (!worker_.joinable()) {
      fail(std::move(t->done), "outbound HTTP is unavailable");
      return;
    }
    try {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(t));
    } catch (...) {
      if (t) fail(std::move(t->done), "out of memory");
      return;
    }
    curl_multi_wakeup(multi_);
  }

 private:
  static OutboundResponse failure(std::string error) {
    OutboundResponse r;
    r.error = std::move(error);
    return r;
  }

  // Allocates the error text inside the guard: nothing escapes send().
  void fail(Done done, const char* error) noexcept {
    try {
      complete(std::move(done), failure(error));
    } catch (...) {
      spdlog::error("http: a completion was lost");
    }
  }

  void complete(Done done, OutboundResponse resp) noexcept {
    try {
      if (!opts_.post) {
        if (alive_->load()) done(std::move(resp));
        return;
      }
      opts_.post([alive = alive_, done = std::move(done), resp = std::move(resp)]() mutable {
        if (alive->load()) done(std::move(resp));
      });
    } catch (const std::exception& e) {
      spdlog::error("http: a completion was lost: {}", e.what());
    } catch (...) {
      spdlog::error("http: a completion was lost");
    }
  }

  void run() {
    pthread_setname_np(pthread_self(), "kilter-http");
    const std::size_t limit = std::max<std::size_t>(1, opts_.max_in_flight);
    active_.reserve(std::min<std::size_t>(limit, 1024));
    std::vector<std::unique_ptr<Transfer>> batch;
    for (;;) {
      bool progressed = false;
      try {
        batch.clear();
        {
          std::lock_guard lock(mu_);
          if (stopping_) break;
          while (!queue_.empty() && active_.size() + batch.size() < limit) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
          }
        }
        for (auto& t : batch) progressed = !start(std::move(t)) || progressed;
        int running = 0;
        curl_multi_perform(multi_, &running);
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
          if (msg->msg != CURLMSG_DONE) continue;
          finish(msg->easy_handle, msg->data.result);
          progressed = true;
        }
      } catch (const std::exception& e) {
        spdlog::error("http: worker: {}", e.what());
      }
      // A freed slot may let a queued request start right away.
      if (!progressed) curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    for (auto& t : active_) curl_multi_remove_handle(multi_, t->easy);
    active_.clear();
  }

  // False when the request failed before reaching the network (already completed).
  bool start(std::unique_ptr<Transfer> t) {
    std::string problem;
    try {
      problem = configure(*t, opts_);
      if (problem.empty()) {
        active_.push_back(std::move(t));
        CURLMcode mc = curl_multi_add_handle(multi_, active_.back()->easy);
        if (mc == CURLM_OK) return true;
        t = std::move(active_.back());
        active_.pop_back();
        problem = curl_multi_strerror(mc);
      } else {
        problem = scrub(std::move(problem), t->secrets);
      }
    } catch (...) {
      problem = "out of memory";
    }
    spdlog::debug("http: request to {} not sent: {}", t->origin, problem);
    complete(std::move(t->done), failure(std::move(problem)));
    return false;
  }

  void finish(CURL* easy, CURLcode code) {
    curl_multi_remove_handle(multi_, easy);
    auto it = std::find_if(active_.begin(), active_.end(),
                           [easy](const auto& t) { return t->easy == easy; });
    if (it == active_.end()) return;
    std::unique_ptr<Transfer> t = std::move(*it);
    *it = std::move(active_.back());
    active_.pop_back();
    OutboundResponse r;
    try {
      r = response(*t, code);
    } catch (...) {
      r = failure("out of memory");
    }
    complete(std::move(t->done), std::move(r));
  }

  static OutboundResponse response(Transfer& t, CURLcode code) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    const bool ok = code == CURLE_OK || (code == CURLE_WRITE_ERROR && t.truncated);
    OutboundResponse r;
    if (ok && status > 0) {
      r.status = static_cast<int>(status);
      r.body = std::move(t.body);
      r.retry_after = retry_after(t.easy);
      return r;
    }
    // A partial answer (timeout or reset mid-body) counts as no answer: the caller retries.
    r.error = !ok ? scrub(t.errbuf[0] != '\0' ? t.errbuf : curl_easy_strerror(code), t.secrets)
                  : "no HTTP status in the answer";
    spdlog::debug("http: request to {} failed: {}", t.origin, r.error);
    return r;
  }

  CurlOptions opts_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> queue_;    // guarded by mu_
  bool stopping_ = false;                          // guarded by mu_
  std::vector<std::unique_ptr<Transfer>> active_;  // the worker's alone
  std::thread worker_;
};

}  // namespace

std::unique_ptr<pipeline::HttpClient> make_curl_client(CurlOptions opts) {
  return std::make_unique<CurlClient>(std::move(opts));
}

}  // namespace kilter::http
