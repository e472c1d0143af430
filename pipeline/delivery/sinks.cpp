// The local sinks (file, log) and the factory of every sink but kafka's.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/delivery/http_sinks.h"
#include "pipeline/delivery/sink.h"

namespace kilter::pipeline {
namespace {

// Appends one NDJSON line per record (alert or digest): its SPEC JSON line as made once. The
// write is a single
// write(2) of the whole line on an O_APPEND descriptor, so concurrent readers never see half
// a record.
class FileSink final : public Sink {
 public:
  FileSink(std::string name, std::string path, int fd)
      : name_(std::move(name)), path_(std::move(path)), fd_(fd) {}
  ~FileSink() override { ::close(fd_); }
  const std::string& name() const override { return name_; }
  void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) override {
    for (const auto& a : alerts) {
      line_.assign(a->json);
      line_.push_back('\n');
      std::size_t off = 0;
      while (off < line_.size()) {
        auto n = ::write(fd_, line_.data() + off, line_.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
          return done({false, false, {}, fmt::format("write {}: {}", path_, std::strerror(errno))});
        off += static_cast<std::size_t>(n);
      }
    }
    done({true, false, {}, {}});
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
  void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) override {
    for (const auto& a : alerts) {
      if (a->digest)
        spdlog::info("digest {}", render_digest_line(*a->digest));  // one line per digest
      else
        spdlog::info("alert {}", render_alert_line(a->record));
    }
    done({true, false, {}, {}});
  }

 private:
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<Sink>> make_sink(const config::SinkConfig& c, const SinkContext& ctx) {
  switch (c.type()) {
    case config::SinkType::file: {
      const auto& path = std::get<config::FileSinkOptions>(c.options).path;
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        return Error{
            fmt::format("sink {}: cannot open {}: {}", c.name, path, std::strerror(errno))};
      return std::unique_ptr<Sink>(std::make_unique<FileSink>(c.name, path, fd));
    }
    case config::SinkType::log:
      return std::unique_ptr<Sink>(std::make_unique<LogSink>(c.name));
    case config::SinkType::webhook:
    case config::SinkType::slack:
    case config::SinkType::teams:
    case config::SinkType::alertmanager:
      if (ctx.http == nullptr || ctx.dispatcher == nullptr)
        return Error{fmt::format("sink {}: no HTTP client", c.name)};
      return make_http_sink(c, ctx);
    case config::SinkType::kafka:
      break;
  }
  return Error{fmt::format("sink {}: type {} is made by the kafka module", c.name,
                           config::to_string(c.type()))};
}

}  // namespace kilter::pipeline
