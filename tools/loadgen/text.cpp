#include "tools/loadgen/text.h"

#include <chrono>
#include <iterator>

#include <fmt/format.h>

#include "common/json.h"

namespace kilter::loadgen {
namespace {

constexpr int kOffs[] = {15, 20, 25, 30, 35, 40, 50, 60};
constexpr int kPrices[] = {9, 15, 19, 25, 29, 39, 49, 59, 79, 99, 149};

// Values drawn at most once per post, so that "{off}" and "{code}" agree.
struct Fills {
  int off = -1;
  int price = -1;
};

void append_price(std::string& out, Lang lang, int price) {
  if (lang == Lang::en) {
    fmt::format_to(std::back_inserter(out), "${}", price);
  } else {
    fmt::format_to(std::back_inserter(out), "{} €", price);
  }
}

void expand_key(std::string_view key, ComposedPost& post, const Persona& p, const LangPools& lp,
                Fills& f, Rng& rng) {
  auto& out = post.text;
  auto it = std::back_inserter(out);
  if (key == "company") {
    out += p.company;
  } else if (key == "product") {
    out += p.products[rng.below(p.products.size())];
  } else if (key == "name") {
    out += rng.pick(lp.names);
  } else if (key == "city") {
    out += rng.pick(lp.cities);
  } else if (key == "day") {
    out += rng.pick(lp.days);
  } else if (key == "event") {
    out += rng.pick(lp.events);
  } else if (key == "quarter") {
    out += rng.pick(lp.quarters);
  } else if (key == "role") {
    out += rng.pick(lp.roles);
  } else if (key == "mention") {
    auto m = rng.pick(lp.partners);
    out.push_back('@');
    out += m;
    post.mentions.push_back(m);
  } else if (key == "pct") {
    fmt::format_to(it, "{}", rng.between(3, 28));
  } else if (key == "num") {
    fmt::format_to(it, "{}", rng.between(12, 240));
  } else if (key == "off" || key == "code") {
    if (f.off < 0) f.off = kOffs[rng.below(std::size(kOffs))];
    if (key == "off") {
      fmt::format_to(it, "{}", f.off);
    } else {
      fmt::format_to(it, "{}{}", rng.pick(lp.code_words), f.off);
    }
  } else if (key == "price") {
    if (f.price < 0) f.price = kPrices[rng.below(std::size(kPrices))];
    append_price(out, post.lang, f.price);
  } else {
    // An unknown key is a typo in the pools: keep it visible rather than guess.
    out.push_back('{');
    out += key;
    out.push_back('}');
  }
}

void expand(std::string_view tmpl, ComposedPost& post, const Persona& p, const LangPools& lp,
            Rng& rng) {
  Fills f;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    auto open = tmpl.find('{', i);
    if (open == std::string_view::npos) {
      post.text += tmpl.substr(i);
      break;
    }
    auto close = tmpl.find('}', open);
    if (close == std::string_view::npos) {
      post.text += tmpl.substr(i);
      break;
    }
    post.text += tmpl.substr(i, open - i);
    expand_key(tmpl.substr(open + 1, close - open - 1), post, p, lp, f, rng);
    i = close + 1;
  }
}

const Line& pick_line(std::span<const Line> lines, std::uint8_t sector, Rng& rng) {
  // Most lines suit every sector; a few redraws find one that suits this account.
  for (int tries = 0; tries < 16; ++tries) {
    const Line& l = lines[rng.below(lines.size())];
    if ((l.sectors & sector) != 0) return l;
  }
  for (const Line& l : lines) {
    if ((l.sectors & sector) != 0) return l;
  }
  return lines.front();
}

void add_link(ComposedPost& post, const Persona& p, LinkKind kind, Rng& rng) {
  auto slugs = link_slugs(kind);
  if (slugs.empty()) return;
  post.link = "https://";
  if (kind == LinkKind::shop) post.link += "shop.";
  post.link += p.domain;
  post.link.push_back('/');
  if (post.lang == Lang::fr) post.link += "fr/";
  post.link += rng.pick(slugs);
}

}  // namespace

void compose(ComposedPost& post, const Persona& p, Lang lang, Category c, Rng& rng) {
  post.text.clear();
  post.link.clear();
  post.hashtags.clear();
  post.mentions.clear();
  post.kind = PostKind::original;
  post.lang = lang;
  post.category = c;
  const LangPools& lp = pools(lang);
  auto ci = static_cast<std::size_t>(c);

  const Line* line = nullptr;
  if (c == Category::professional && !p.person && rng.chance(0.12)) {
    // A brand answering a customer: a reply that opens with the customer's handle.
    line = &pick_line(lp.support, p.sector, rng);
    post.kind = PostKind::reply;
    auto who = rng.pick(lp.friends);
    post.text.push_back('@');
    post.text += who;
    post.text.push_back(' ');
    post.mentions.push_back(who);
  } else {
    line = &pick_line(lp.lines[ci], p.sector, rng);
  }
  expand(line->text, post, p, lp, rng);

  bool ends_with_colon = !line->text.empty() && line->text.back() == ':';
  if (!ends_with_colon && rng.chance(0.3)) {
    post.text.push_back(' ');
    post.text += rng.pick(lp.closers[ci]);
  }
  if (c == Category::personal && post.mentions.empty() && rng.chance(0.12)) {
    auto who = rng.pick(lp.friends);
    post.text += " @";
    post.text += who;
    post.mentions.push_back(who);
  }
  // Lines that invite a link mostly carry one; one that ends with ':' always does.
  if (line->link != LinkKind::none && (ends_with_colon || rng.chance(0.75))) {
    add_link(post, p, line->link, rng);
    post.text.push_back(' ');
    post.text += post.link;
  }
  double r = rng.uniform();
  int tags = r < 0.15 ? 2 : (r < 0.5 ? 1 : 0);
  for (int i = 0; i < tags; ++i) {
    auto tag = rng.pick(lp.hashtags[ci]);
    if (!post.hashtags.empty() && post.hashtags.front() == tag) continue;
    post.hashtags.push_back(tag);
    post.text += " #";
    post.text += tag;
  }
}

void append_post_id(std::string& out, std::string_view account, std::uint64_t post_no) {
  fmt::format_to(std::back_inserter(out), "{}-p{}", account, post_no);
}

void append_timestamp(std::string& out, TimePoint t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto secs = duration_cast<seconds>(t - day).count();
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                 static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                 static_cast<unsigned>(ymd.day()), secs / 3600, secs / 60 % 60, secs % 60);
}

namespace {

void begin(std::string& out, std::string_view type, std::string_view event_id,
           std::string_view account, TimePoint ts) {
  out.clear();
  out += R"({"type":")";
  out += type;
  out += R"(","id":)";
  json::append_string(out, event_id);
  out += R"(,"account":)";
  json::append_string(out, account);
  out += R"(,"ts":")";
  append_timestamp(out, ts);
  out.push_back('"');
}

void append_post_ref(std::string& out, std::string_view account, std::uint64_t post_no) {
  out += R"(,"post_id":")";
  append_post_id(out, account, post_no);
  out.push_back('"');
}

// Strings (std::string or std::string_view) as a JSON array; nothing when empty.
template <class Strings>
void append_array(std::string& out, std::string_view name, const Strings& v) {
  if (v.empty()) return;
  out += ",\"";
  out += name;
  out += "\":[";
  bool first = true;
  for (const auto& s : v) {
    if (!first) out.push_back(',');
    first = false;
    json::append_string(out, s);
  }
  out.push_back(']');
}

void append_labels(std::string& out, Category c, Labels labels) {
  if (labels.trusted) {
    out += R"(,"category":")";
    out += to_string(c);
    out.push_back('"');
  }
  if (!labels.field.empty()) {
    out.push_back(',');
    json::append_string(out, labels.field);
    out += ":\"";
    out += to_string(c);
    out.push_back('"');
  }
}

}  // namespace

void write_post(std::string& out, std::string_view event_id, std::string_view account, TimePoint ts,
                std::uint64_t post_no, const ComposedPost& post, Labels labels) {
  begin(out, "post", event_id, account, ts);
  append_post_ref(out, account, post_no);
  out += R"(,"text":)";
  json::append_string(out, post.text);
  out += R"(,"lang":")";
  out += to_string(post.lang);
  out += R"(","kind":")";
  out += to_string(post.kind);
  out.push_back('"');
  append_array(out, "hashtags", post.hashtags);
  append_array(out, "mentions", post.mentions);
  if (!post.link.empty()) append_array(out, "links", std::span<const std::string>(&post.link, 1));
  append_labels(out, post.category, labels);
  out.push_back('}');
}

void write_post(std::string& out, std::string_view event_id, std::string_view account, TimePoint ts,
                std::uint64_t post_no, const TextPost& post, Lang lang, Category c, Labels labels) {
  begin(out, "post", event_id, account, ts);
  append_post_ref(out, account, post_no);
  out += R"(,"text":)";
  json::append_string(out, post.text);
  if (post.has_lang) {
    out += R"(,"lang":")";
    out += to_string(lang);
    out.push_back('"');
  }
  if (post.kind != PostKind::unknown) {
    out += R"(,"kind":")";
    out += to_string(post.kind);
    out.push_back('"');
  }
  append_array(out, "hashtags", post.hashtags);
  append_array(out, "mentions", post.mentions);
  append_array(out, "links", post.links);
  append_labels(out, c, labels);
  out.push_back('}');
}

void write_engagement(std::string& out, std::string_view event_id, std::string_view account,
                      TimePoint ts, std::uint64_t post_no, Action action, std::uint64_t count) {
  begin(out, "engagement", event_id, account, ts);
  append_post_ref(out, account, post_no);
  out += R"(,"action":")";
  out += to_string(action);
  fmt::format_to(std::back_inserter(out), R"(","count":{}}})", count);
}

void write_followers(std::string& out, std::string_view event_id, std::string_view account,
                     TimePoint ts, std::int64_t followers) {
  begin(out, "followers", event_id, account, ts);
  fmt::format_to(std::back_inserter(out), R"(,"followers":{}}})", followers);
}

}  // namespace kilter::loadgen
