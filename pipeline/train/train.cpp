// The trainer: featurize, write fastText's input file in a private temp dir, train
// (one thread, fixed seed: the same data gives the same bytes), export the matrices
// into class contributions, fit the temperature. See pipeline/train/README.md.
#include "pipeline/train/train.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "common/hash.h"
#include "pipeline/classify/features.h"
#include "pipeline/train/fit.h"

namespace kilter::pipeline {
namespace {

// A private directory (mode 0700) removed with everything in it when it goes away.
class TempDir {
 public:
  static Result<TempDir> make(const std::string& base) {
    std::error_code ec;
    auto root =
        base.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(base);
    if (ec) return Error{fmt::format("no temporary directory: {}", ec.message())};
    std::string tmpl = (root / "kilter-train-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      return Error{fmt::format("cannot create a temporary directory in {}: {}", root.string(),
                               std::strerror(errno)),
                   errc_from_errno(errno)};
    TempDir d;
    d.path_ = tmpl;
    return d;
  }
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<void> check(const TrainOptions& o) {
  auto bad = [](std::string what) { return Error{"train: " + what}; };
  if (o.epoch < 1 || o.epoch > 10'000) return bad("epoch must be 1..10000");
  if (!(o.lr > 0 && o.lr <= 10)) return bad("lr must be in (0, 10]");
  if (o.dim < 1 || o.dim > 1000) return bad("dim must be 1..1000");
  if (o.word_ngrams < 1 || o.word_ngrams > kModelMaxWordNgrams)
    return bad(fmt::format("word_ngrams must be 1..{}", kModelMaxWordNgrams));
  if (o.maxn < 0 || o.maxn > kModelMaxCharNgram || (o.maxn > 0 && (o.minn < 1 || o.minn > o.maxn)))
    return bad(fmt::format("minn..maxn must be 0..0 or within 1..{}", kModelMaxCharNgram));
  if (o.bucket < 1 || static_cast<std::uint32_t>(o.bucket) > kModelMaxBucket)
    return bad(fmt::format("bucket must be 1..{}", kModelMaxBucket));
  if (o.min_count < 1) return bad("min_count must be at least 1");
  if (!(o.l2 >= 0 && o.l2 <= 1)) return bad("l2 must be in [0, 1]");
  if (!(o.prior_weight >= 0 && o.prior_weight <= 1)) return bad("prior_weight must be in [0, 1]");
  if (o.iterations < 1 || o.iterations > 100'000) return bad("iterations must be 1..100000");
  return ok();
}

// One featurized post: the tokens fastText reads, space-separated.
struct Line {
  std::string tokens;
  std::size_t cls = 0;
  bool prior = false;  // a lexicon term (LabelledPost::prior)
};

std::vector<Line> featurize(std::span<const LabelledPost> posts) {
  Featurizer f;
  LabelledPost::View v;
  std::vector<Line> lines(posts.size());
  for (std::size_t i = 0; i < posts.size(); ++i) {
    posts[i].view(v);
    for (auto t : f.run(v.event, posts[i].brand_terms)) {
      if (!model_token(t)) continue;
      if (!lines[i].tokens.empty()) lines[i].tokens.push_back(' ');
      lines[i].tokens.append(t);
    }
    lines[i].cls = class_index(posts[i].label);
    lines[i].prior = posts[i].prior;
  }
  return lines;
}

// fastText reads its file in order and does not shuffle; a file sorted by class (as
// labelled sets often are) trains badly. The order is a stable hash of the post ids.
std::vector<std::size_t> training_order(std::span<const LabelledPost> posts) {
  std::vector<std::pair<std::uint64_t, std::size_t>> keyed(posts.size());
  for (std::size_t i = 0; i < posts.size(); ++i) keyed[i] = {hash64(posts[i].id, 0x5EED), i};
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::size_t> out(posts.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = keyed[i].second;
  return out;
}

std::string fasttext_line(const Line& l) {
  std::string s(kLabelPrefix);
  s.append(to_string(kClassifiedCategoryList[l.cls]));
  if (!l.tokens.empty()) s.append(" ").append(l.tokens);
  return s;
}

// Splits a featurized line back into token views (for Model::logits).
void split(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    auto j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
}

// Writes the lines at `which` as the solvers' input file, fits, exports the model.
Result<Model> fit(const std::vector<Line>& lines, std::span<const std::size_t> which,
                  const TrainOptions& o, const std::string& dir, std::string_view name,
                  const TrainCallbacks& cb, TrainReport* report = nullptr) {
  auto path = dir + "/" + std::string(name) + ".txt";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    for (auto i : which) f << fasttext_line(lines[i]) << '\n';
    f.flush();
    if (!f)
      return Error{fmt::format("train: cannot write {}: {}", path, std::strerror(errno)),
                   errc_from_errno(errno)};
  }
  std::vector<float> weights;  // in the file's order
  for (auto i : which)
    weights.push_back(lines[i].prior ? static_cast<float>(o.prior_weight) : 1.0f);
  auto data = fit_file(path, weights, o, cb, report);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!data.ok()) return data.error();
  return Model::from_data(std::move(*data));
}

void logits_of(const Model& m, const std::vector<Line>& lines, std::span<const std::size_t> which,
               std::vector<Scores>& logits, std::vector<Category>& labels) {
  std::vector<std::string_view> toks;
  for (auto i : which) {
    split(lines[i].tokens, toks);
    logits.push_back(m.logits(toks));
    labels.push_back(kClassifiedCategoryList[lines[i].cls]);
  }
}

double nll(std::span<const Scores> logits, std::span<const Category> labels, float t) {
  double sum = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    auto p = Model::softmax(logits[i], t)[class_index(labels[i])];
    sum -= std::log(std::max(p, 1e-12f));
  }
  return logits.empty() ? 0 : sum / static_cast<double>(logits.size());
}

}  // namespace

std::string_view to_string(Solver s) {
  return s == Solver::logistic ? "logistic" : "fasttext";
}

std::optional<Solver> parse_solver(std::string_view s) {
  if (s == "logistic") return Solver::logistic;
  if (s == "fasttext") return Solver::fasttext;
  return std::nullopt;
}

void LabelledPost::view(View& out) const {
  out.hashtags.assign(hashtags.begin(), hashtags.end());
  out.mentions.assign(mentions.begin(), mentions.end());
  out.links.assign(links.begin(), links.end());
  out.event = Event{};
  out.event.type = EventType::post;
  out.event.id = id;
  out.event.post_id = id;
  out.event.text = text;
  out.event.lang = lang;
  out.event.kind = kind;
  out.event.hashtags = out.hashtags;
  out.event.mentions = out.mentions;
  out.event.links = out.links;
}

LabelledPost LabelledPost::from(const Event& e, Category label, std::vector<std::string> terms) {
  LabelledPost p;
  p.id = std::string(e.id.empty() ? e.post_id : e.id);
  p.text = e.text;
  p.lang = e.lang;
  p.kind = e.kind;
  p.hashtags.assign(e.hashtags.begin(), e.hashtags.end());
  p.mentions.assign(e.mentions.begin(), e.mentions.end());
  p.links.assign(e.links.begin(), e.links.end());
  p.brand_terms = std::move(terms);
  p.label = label;
  return p;
}

std::vector<std::string> fasttext_lines(std::span<const LabelledPost> posts) {
  auto lines = featurize(posts);
  std::vector<std::string> out;
  for (auto i : training_order(posts)) out.push_back(fasttext_line(lines[i]));
  return out;
}

Calibration fit_temperature(std::span<const Scores> logits, std::span<const Category> labels) {
  Calibration c;
  c.nll_before = nll(logits, labels, 1.0f);
  // The NLL is convex in b = 1/T: golden-section search over b in [1/20, 1/0.05].
  double lo = 1.0 / 20, hi = 1.0 / 0.05;
  const double g = (std::sqrt(5.0) - 1) / 2;
  auto f = [&](double b) { return nll(logits, labels, static_cast<float>(1 / b)); };
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1), f2 = f(x2);
  for (int i = 0; i < 80 && hi - lo > 1e-6; ++i) {
    if (f1 <= f2) {
      hi = x2, x2 = x1, f2 = f1, x1 = hi - g * (hi - lo), f1 = f(x1);
    } else {
      lo = x1, x1 = x2, f1 = f2, x2 = lo + g * (hi - lo), f2 = f(x2);
    }
  }
  c.temperature = static_cast<float>(1 / ((lo + hi) / 2));
  c.nll_after = nll(logits, labels, c.temperature);
  if (c.nll_after > c.nll_before) c = {1.0f, c.nll_before, c.nll_before};
  return c;
}

Result<TrainedModel> train(std::span<const LabelledPost> posts, const TrainOptions& o,
                           const TrainCallbacks& cb) {
  auto say = [&](std::string_view s) {
    if (cb.progress) cb.progress(s);
  };
  auto t0 = o.clock ? o.clock->steady_now() : std::chrono::steady_clock::time_point{};
  if (auto r = check(o); !r.ok()) return r.error();
  TrainedModel out;
  auto& rep = out.report;
  // The posts alone must hold every class: lexicon terms (`prior`) are a prior, not posts.
  std::array<std::size_t, 3> real{};
  for (const auto& p : posts) {
    auto c = class_index(p.label);
    if (c >= 3) return Error{fmt::format("train: post {} is labelled unclassified", p.id)};
    ++rep.examples[c];
    if (!p.prior) ++real[c];
  }
  if (real[0] + real[1] + real[2] == 0) return Error{"train: no labelled post to train on"};
  for (std::size_t c = 0; c < 3; ++c)
    if (real[c] == 0)
      return Error{fmt::format("train: no {} example: every class needs at least one post",
                               to_string(kClassifiedCategoryList[c]))};
  auto dir = TempDir::make(o.temp_dir);
  if (!dir.ok()) return Error{"train: " + dir.error().message, dir.error().code};

  say(fmt::format("featurizing {} posts", posts.size()));
  auto lines = featurize(posts);
  const auto all = training_order(posts);

  std::vector<Scores> cal_logits;
  std::vector<Category> cal_labels;
  std::optional<Model> final_model;
  if (!o.calibration.empty()) {
    say("training on all posts");
    auto m = fit(lines, all, o, dir->path(), "all", cb, &rep);
    if (!m.ok()) return m.error();
    for (const auto& p : o.calibration)
      if (class_index(p.label) >= 3)
        return Error{fmt::format("train: calibration post {} is labelled unclassified", p.id)};
    auto cal = featurize(o.calibration);
    std::vector<std::size_t> idx(cal.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    logits_of(*m, cal, idx, cal_logits, cal_labels);
    final_model.emplace(std::move(*m));
  } else {
    std::vector<std::size_t> rest, held;
    std::array<std::size_t, 3> rest_classes{};
    for (auto i : all) {
      bool hold = !posts[i].prior && hash64(posts[i].id) % 5 == 0;
      (hold ? held : rest).push_back(i);
      if (!hold) ++rest_classes[lines[i].cls];
    }
    if (!held.empty() && rest_classes[0] > 0 && rest_classes[1] > 0 && rest_classes[2] > 0) {
      say(fmt::format("calibration: training on {} posts, holding out {}", rest.size(),
                      held.size()));
      auto m = fit(lines, rest, o, dir->path(), "rest", cb);
      if (!m.ok()) return m.error();
      logits_of(*m, lines, held, cal_logits, cal_labels);
      rep.calibration_held_out = true;
    } else {
      say("calibration skipped: too few posts to hold a fifth out (temperature 1)");
    }
  }
  if (!cal_logits.empty()) {
    auto c = fit_temperature(cal_logits, cal_labels);
    rep.calibration_posts = cal_logits.size();
    rep.nll_before = c.nll_before;
    rep.nll_after = c.nll_after;
    rep.temperature = c.temperature;
    say(fmt::format("calibration on {} posts: temperature {:.3f}, NLL {:.4f} -> {:.4f}",
                    cal_logits.size(), c.temperature, c.nll_before, c.nll_after));
  }
  if (!final_model) {
    say(fmt::format("training on all {} posts", posts.size()));
    auto m = fit(lines, all, o, dir->path(), "all", cb, &rep);
    if (!m.ok()) return m.error();
    final_model.emplace(std::move(*m));
  }
  auto data = final_model->data();
  data.temperature = rep.temperature;
  rep.vocabulary = data.words.size();
  out.bytes = encode_model(data);
  rep.model_bytes = out.bytes.size();

  std::vector<Scores> train_logits;
  std::vector<Category> train_labels;
  logits_of(*final_model, lines, all, train_logits, train_labels);
  std::size_t right = 0;
  for (std::size_t i = 0; i < train_logits.size(); ++i) {
    const auto& l = train_logits[i];
    std::size_t best = 0;
    for (std::size_t c = 1; c < 3; ++c)
      if (l[c] > l[best]) best = c;
    right += kClassifiedCategoryList[best] == train_labels[i];
  }
  rep.train_accuracy = static_cast<double>(right) / static_cast<double>(train_logits.size());
  if (o.clock) rep.seconds = std::chrono::duration<double>(o.clock->steady_now() - t0).count();
  return out;
}

}  // namespace kilter::pipeline
