// `kilterd train --data FILE --out MODEL`: labelled post events (NDJSON, read as
// `classify --eval` reads them) in, a model file out (written atomically: a temp file
// in the same directory, fsync, rename). Progress and the report go to stderr.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.h"
#include "config/loader.h"
#include "daemon/commands.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/train/labelled.h"
#include "pipeline/train/lexicon_examples.h"
#include "pipeline/train/train.h"

namespace kilter::daemon {
namespace {

// Writes `bytes` to `path` through a temp file and a rename: readers see the old file
// or the new one, never a part; a failed write leaves nothing behind.
Result<void> write_atomically(const std::string& path, std::span<const std::byte> bytes) {
  auto target = std::filesystem::path(path);
  if (target.filename().empty()) return Error{fmt::format("{}: not a file name", path)};
  auto tmp = target;
  tmp += fmt::format(".tmp-{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
  auto fail = [&](std::string_view what) {
    auto err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot write {}: {}: {}", path, what, std::strerror(err)),
                 errc_from_errno(err)};
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    auto err = errno;
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot write {}: close: {}", path, std::strerror(err))};
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    auto err = errno;
    ::unlink(tmp.c_str());
    return Error{fmt::format("cannot write {}: rename: {}", path, std::strerror(err))};
  }
  return ok();
}

std::optional<std::vector<pipeline::LabelledPost>> read(const std::string& what,
                                                        const std::vector<std::string>& files,
                                                        const TrainCommandOptions& opts,
                                                        const config::Config& cfg) {
  pipeline::LabelledReadOptions r;
  r.label = opts.label;
  r.fallback_expected = !opts.label_given;
  r.max_event_bytes = cfg.pipeline.max_event_bytes;
  std::map<std::string, std::vector<std::string>, std::less<>> terms;
  r.brand_terms = [&](std::string_view account) {
    auto it = terms.find(account);
    if (it == terms.end()) {
      auto policy = config::resolve_account(cfg, account);
      it = terms.emplace(std::string(account), pipeline::normalize_terms(policy.brand_terms)).first;
    }
    return it->second;
  };
  std::vector<pipeline::LabelledPost> posts;
  for (const auto& file : files) {
    auto got = pipeline::read_labelled(file, r);
    if (!got.ok()) {
      fmt::print(stderr, "train: {}\n", got.error().message);
      return std::nullopt;
    }
    for (const auto& s : got->skipped) fmt::print(stderr, "{}: {}\n", file, s);
    fmt::print(stderr, "train: {} {} labelled post(s) read from {} ({} line(s) skipped)\n",
               got->posts.size(), what, file, got->skipped.size());
    for (auto& p : got->posts) posts.push_back(std::move(p));
  }
  return posts;
}

// The files' names without their directories: the model's info must not depend on
// where the build or the checkout is (a reproducible shipped model).
std::string names(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) {
    if (!out.empty()) out += ", ";
    out += std::filesystem::path(f).filename().string();
  }
  return out;
}

}  // namespace

int train(const TrainCommandOptions& opts) {
  config::Config cfg;
  if (!opts.config_path.empty()) {
    auto loaded = config::load_file(opts.config_path);
    if (!loaded.errors.empty()) {
      for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
      return kExitConfig;
    }
    cfg = std::move(*loaded.config);
  }
  auto posts = read("training", opts.data, opts, cfg);
  if (!posts) return kExitConfig;
  if (opts.lexicons) {
    auto terms = pipeline::shipped_lexicon_examples();
    if (!terms) {
      fmt::print(stderr, "train: the shipped lexicons: {}\n", terms.error().message);
      return kExitConfig;
    }
    fmt::print(stderr, "train: {} lexicon term(s) added as examples (--no-lexicons: none)\n",
               terms->size());
    for (auto& t : *terms) posts->push_back(std::move(t));
  }
  std::optional<std::vector<pipeline::LabelledPost>> dev;
  if (!opts.dev.empty()) {
    dev = read("calibration", opts.dev, opts, cfg);
    if (!dev) return kExitConfig;
    if (dev->empty()) {
      fmt::print(stderr, "train: {} hold(s) no labelled post to calibrate on\n",
                 fmt::join(opts.dev, ", "));
      return kExitConfig;
    }
  }
  SystemClock clock;
  auto t = opts.train;
  t.clock = &clock;
  if (dev) t.calibration = *dev;
  if (t.info.empty())
    t.info =
        fmt::format("trained by kilterd train on {} ({} examples{}){}", names(opts.data),
                    posts->size(), opts.lexicons ? ", with the shipped lexicons' terms" : "",
                    opts.dev.empty() ? "" : fmt::format(", calibrated on {}", names(opts.dev)));
  pipeline::TrainCallbacks cb;
  cb.progress = [](std::string_view s) { fmt::print(stderr, "train: {}\n", s); };
  auto trained = pipeline::train(*posts, t, cb);
  if (!trained.ok()) {
    auto msg = trained.error().message;
    fmt::print(stderr, "{}{}\n", msg.starts_with("train:") ? "" : "train: ", msg);
    return kExitConfig;
  }
  if (auto w = write_atomically(opts.out, trained->bytes); !w.ok()) {
    fmt::print(stderr, "train: {}\n", w.error().message);
    return kExitConfig;
  }
  const auto& r = trained->report;
  fmt::print(stderr, "train: examples:");
  for (std::size_t c = 0; c < 3; ++c)
    fmt::print(stderr, " {} {}", to_string(kClassifiedCategoryList[c]), r.examples[c]);
  fmt::print(stderr, "\ntrain: vocabulary {} words, {:.1f} s, training-set accuracy {:.3f}\n",
             r.vocabulary, r.seconds, r.train_accuracy);
  if (t.solver == pipeline::Solver::logistic)
    fmt::print(stderr, "train: logistic regression: {} L-BFGS iterations{}, objective {:.6f}\n",
               r.iterations, r.converged ? " (converged)" : " (the --iterations cap)", r.objective);
  if (r.calibration_posts > 0)
    fmt::print(stderr,
               "train: calibration on {} {} posts: temperature {:.3f}, NLL {:.4f} -> {:.4f}\n",
               r.calibration_posts, r.calibration_held_out ? "held-out" : "given", r.temperature,
               r.nll_before, r.nll_after);
  else
    fmt::print(stderr, "train: not calibrated (temperature 1)\n");
  fmt::print(stderr, "train: wrote {} ({} bytes)\n", opts.out, r.model_bytes);
  return kExitOk;
}

}  // namespace kilter::daemon
