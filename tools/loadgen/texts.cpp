#include "tools/loadgen/texts.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

namespace kilter::loadgen {
namespace {

// A string field: absent (nullopt, no error), a string, or an error message.
struct Field {
  bool present = false;
  std::string_view value;
  std::string error;
};

Field string_field(simdjson::dom::object obj, std::string_view key) {
  Field f;
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return f;
  f.present = true;
  if (v.get_string().get(f.value) != simdjson::SUCCESS) {
    f.error = fmt::format("\"{}\" is not a string", key);
  }
  return f;
}

// An array of strings into `out`; absent leaves it empty. Returns an error message.
std::string string_array(simdjson::dom::object obj, std::string_view key,
                         std::vector<std::string>& out) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return {};
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) {
    return fmt::format("\"{}\" is not an array", key);
  }
  for (auto item : arr) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return fmt::format("\"{}\" holds something other than strings", key);
    }
    out.emplace_back(s);
  }
  return {};
}

// The first of `keys` present; an error when the first present one is no string.
Field first_of(simdjson::dom::object obj, std::string_view a, std::string_view b) {
  Field f = string_field(obj, a);
  return f.present ? f : string_field(obj, b);
}

std::optional<Lang> parse_lang(std::string_view s) {
  if (s == "en") return Lang::en;
  if (s == "fr") return Lang::fr;
  return std::nullopt;
}

}  // namespace

Result<Texts> Texts::load(std::span<const std::string> paths) {
  Texts texts;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{fmt::format("--texts: cannot read {}", path)};
    std::stringstream ss;
    ss << in.rdbuf();
    if (auto r = texts.add(ss.str(), path); !r) return r.error();
  }
  return texts;
}

Result<void> Texts::add(std::string_view ndjson, std::string_view source) {
  simdjson::dom::parser parser;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < ndjson.size()) {
    auto end = ndjson.find('\n', pos);
    if (end == std::string_view::npos) end = ndjson.size();
    std::string_view line = ndjson.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto fail = [&](std::string_view why) {
      return Error{fmt::format("--texts: {}:{}: {}", source, line_no, why)};
    };

    simdjson::dom::object obj;
    if (auto err = parser.parse(line.data(), line.size()).get_object().get(obj)) {
      return fail(fmt::format("not a JSON object ({})", simdjson::error_message(err)));
    }
    Field type = string_field(obj, "type");
    if (!type.error.empty()) return fail(type.error);
    if (type.present && type.value != "post") continue;

    Field text = string_field(obj, "text");
    if (!text.error.empty()) return fail(text.error);
    if (!text.present) return fail("a post without \"text\"");
    Field label = first_of(obj, "category", "expected");
    if (!label.error.empty()) return fail(label.error);
    if (!label.present) return fail("a post without a label (\"category\" or \"expected\")");
    auto category = parse_category(label.value);
    if (!category) {
      return fail(
          fmt::format("label \"{}\" is not personal, professional or promotional", label.value));
    }
    Field lang_field = string_field(obj, "lang");
    if (!lang_field.error.empty()) return fail(lang_field.error);
    Field lang_name = lang_field.present ? lang_field : string_field(obj, "expected_lang");
    if (!lang_name.error.empty()) return fail(lang_name.error);
    if (!lang_name.present)
      return fail("a post without a language (\"lang\" or \"expected_lang\")");
    auto lang = parse_lang(lang_name.value);
    if (!lang) return fail(fmt::format("language \"{}\" is not en or fr", lang_name.value));

    TextPost post;
    post.text.assign(text.value);
    post.has_lang = lang_field.present;
    Field kind = string_field(obj, "kind");
    if (!kind.error.empty()) return fail(kind.error);
    if (kind.present) {
      auto k = parse_post_kind(kind.value);
      if (!k || *k == PostKind::unknown) {
        return fail(fmt::format("kind \"{}\" is not original, reply, repost or quote", kind.value));
      }
      post.kind = *k;
    }
    for (auto [key, out] :
         {std::pair{"hashtags", &post.hashtags}, std::pair{"mentions", &post.mentions},
          std::pair{"links", &post.links}}) {
      if (auto why = string_array(obj, key, *out); !why.empty()) return fail(why);
    }
    pools_[static_cast<std::size_t>(*category)][static_cast<std::size_t>(*lang)].push_back(
        std::move(post));
  }
  return ok();
}

std::size_t Texts::size() const {
  std::size_t n = 0;
  for (const auto& by_lang : pools_) {
    for (const auto& pool : by_lang) n += pool.size();
  }
  return n;
}

}  // namespace kilter::loadgen
