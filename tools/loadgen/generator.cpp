#include "tools/loadgen/generator.h"

#include <fmt/format.h>

#include "tools/loadgen/scenario.h"

namespace kilter::loadgen {

std::optional<Scenario> parse_scenario(std::string_view s) {
  if (s == "demo") return Scenario::demo;
  if (s == "load") return Scenario::load;
  return std::nullopt;
}

std::string_view to_string(Scenario s) {
  return s == Scenario::demo ? "demo" : "load";
}

Result<Generator> Generator::create(const GeneratorOptions& opts) {
  if (opts.days < 1 || opts.days > 366) {
    return Error{fmt::format("days must be within 1..366, got {}", opts.days)};
  }
  if (opts.span < Millis{0} || opts.span > std::chrono::days(366)) {
    return Error{"span must be within 0..366d"};
  }
  if (opts.span > Millis{0} && opts.scenario != Scenario::load) {
    return Error{"an event-time span other than whole days is for the load scenario only"};
  }
  if (!(opts.duplicate_rate >= 0 && opts.duplicate_rate <= 0.5)) {
    return Error{fmt::format("duplicate rate must be within 0..0.5, got {}", opts.duplicate_rate)};
  }
  if (opts.max_jitter < Millis{0} || opts.max_jitter > std::chrono::hours(1)) {
    return Error{"jitter must be within 0..1h"};
  }
  if (opts.label_field == "category") {
    return Error{
        "the label field cannot be \"category\": the daemon would trust it (for a "
        "ground-truth run that wants exactly that, ask for --trusted-labels)"};
  }
  if (!opts.texts.empty() && opts.scenario != Scenario::demo) {
    return Error{"texts from a file (--texts) are for the demo scenario only"};
  }
  if (opts.scenario == Scenario::load) {
    if (opts.accounts == 0 || opts.accounts > 10'000'000) {
      return Error{fmt::format("accounts must be within 1..10000000, got {}", opts.accounts)};
    }
    if (opts.events == 0) return Error{"events must be positive"};
    if (!(opts.zipf_exponent > 0 && opts.zipf_exponent < 10)) {
      return Error{fmt::format("zipf exponent must be within (0, 10), got {}", opts.zipf_exponent)};
    }
  }
  if (opts.scenario == Scenario::load) return Generator(make_load(opts));
  Texts texts;
  if (!opts.texts.empty()) {
    auto loaded = Texts::load(opts.texts);
    if (!loaded) return loaded.error();
    texts = std::move(*loaded);
  }
  auto demo = make_demo(opts, std::move(texts));
  if (!demo) return demo.error();
  return Generator(std::move(*demo));
}

Generator::Generator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;
Generator::~Generator() = default;

bool Generator::next(std::string& out) {
  if (!impl_->next(out)) return false;
  ++impl_->emitted;
  return true;
}

std::uint64_t Generator::emitted() const {
  return impl_->emitted;
}

}  // namespace kilter::loadgen
