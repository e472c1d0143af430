// A replay file for the end-to-end tests: many accounts over twelve days, in
// time order, with 1% redelivered copies and a few bad lines.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace kilter::testing {

inline const char* const kTexts[] = {
    "Our quarterly report is out: revenue up 12 percent, read the analysis",
    "We are hiring engineers for the Lyon team, apply on our careers page",
    "Flash sale: 30% off everything with code WINTER30, shop now",
    "Free shipping this weekend only, order today",
    "What a lovely sunday with the kids at the beach",
    "Happy birthday to my wonderful mum, love you",
    "Nouveau partenariat avec la région pour la recherche en énergie",
    "Promo exceptionnelle : -40% sur toute la boutique, code NOEL",
    "Petit déjeuner en famille avant la rando, quel bonheur",
    "Join our webinar on supply chain resilience next Tuesday",
};

// ~100k events over 12 days for 300 accounts, in time order, with 1% redelivered
// copies and a few bad lines.
inline std::string make_events(std::size_t n) {
  std::mt19937_64 rng(7);
  std::string out;
  std::vector<std::string> recent;
  auto t0 = std::int64_t{1'763'596'800'000};  // 2025-11-20T00:00:00Z
  auto span = std::int64_t{12} * 86'400'000;
  for (std::size_t i = 0; i < n; ++i) {
    auto ts = t0 + static_cast<std::int64_t>(i) * span / static_cast<std::int64_t>(n) +
              static_cast<std::int64_t>(rng() % 120'000);  // 2 min jitter < allowed lateness
    auto acct = rng() % 300;
    std::string account = (acct % 10 == 0 ? "exec-" : "brand-") + std::to_string(acct);
    std::string line;
    auto kind = rng() % 10;
    auto id = std::to_string(i);
    if (kind < 4) {
      line = R"({"type":"post","id":"e)" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"post_id":"p)" + id + R"(","text":")" +
             kTexts[(acct + rng() % 3) % 10] + "\"}";
      recent.push_back("p" + id + "|" + account);
    } else if (kind < 9 && !recent.empty()) {
      const auto& pick = recent[rng() % recent.size()];
      auto bar = pick.find('|');
      static const char* kActions[] = {"like", "reply", "repost", "click", "impression", "quote"};
      line = R"({"type":"engagement","id":"e)" + id + R"(","account":")" + pick.substr(bar + 1) +
             R"(","ts":)" + std::to_string(ts) + R"(,"post_id":")" + pick.substr(0, bar) +
             R"(","action":")" + kActions[rng() % 6] + R"(","count":)" +
             std::to_string(1 + rng() % 5) + "}";
    } else {
      line = R"({"type":"followers","id":"e)" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"followers":)" + std::to_string(1000 + rng() % 500) + "}";
    }
    if (recent.size() > 2000) recent.erase(recent.begin(), recent.begin() + 1000);
    out += line + "\n";
    if (rng() % 100 == 0) out += line + "\n";  // redelivered copy
    if (rng() % 5000 == 0) out += "{\"type\":\"post\",\"id\":\n";
  }
  return out;
}

}  // namespace kilter::testing
