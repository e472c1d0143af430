#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/sink.h"

namespace kilter::pipeline {
namespace {

// Appends one NDJSON line per record. The write is a single write(2) of the whole
// line on an O_APPEND descriptor, so concurrent readers never see half a record.
class FileSink final : public Sink {
 public:
  FileSink(std::string name, std::string path, int fd)
      : name_(std::move(name)), path_(std::move(path)), fd_(fd) {}
  ~FileSink() override { ::close(fd_); }
  const std::string& name() const override { return name_; }
  Result<void> deliver(std::string_view record) override {
    line_.assign(record);
    line_.push_back('\n');
    std::size_t off = 0;
    while (off < line_.size()) {
      auto n = ::write(fd_, line_.data() + off, line_.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error{fmt::format("write {}: {}", path_, std::strerror(errno))};
      off += static_cast<std::size_t>(n);
    }
    return ok();
  }

 private:
  std::string name_, path_;
  int fd_;
  std::string line_;
};

class LogSink final : public Sink {
 public:
  explicit LogSink(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Result<void> deliver(std::string_view record) override {
    spdlog::info("alert {}", render_alert_line(record));
    return ok();
  }

 private:
  std::string name_;
};

}  // namespace

std::string render_alert_line(std::string_view record) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(record);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return std::string(record);
  auto field = [&](const char* k) -> std::string_view {
    std::string_view v;
    if (doc[k].get(v)) return "?";
    return v;
  };
  std::string status(field("status"));
  for (auto& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("{:<8} {:<24} {:<20} {}", status, field("alert_id"), field("rule"),
                     field("summary"));
}

Result<std::unique_ptr<Sink>> make_sink(const config::SinkConfig& c) {
  switch (c.type) {
    case config::SinkType::file: {
      int fd = ::open(c.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        return Error{
            fmt::format("sink {}: cannot open {}: {}", c.name, c.path, std::strerror(errno))};
      return std::unique_ptr<Sink>(std::make_unique<FileSink>(c.name, c.path, fd));
    }
    case config::SinkType::log:
      return std::unique_ptr<Sink>(std::make_unique<LogSink>(c.name));
    default:
      return Error{fmt::format("sink {}: type {} is not available in this version", c.name,
                               config::to_string(c.type))};
  }
}

Result<std::vector<std::unique_ptr<Sink>>> make_sinks(const std::vector<config::SinkConfig>& cs) {
  std::vector<std::unique_ptr<Sink>> out;
  for (const auto& c : cs) {
    auto s = make_sink(c);
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace kilter::pipeline
