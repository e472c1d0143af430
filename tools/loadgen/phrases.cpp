#include "tools/loadgen/phrases.h"

namespace kilter::loadgen {
namespace {

constexpr std::string_view kShopSlugs[] = {"winter-sale", "gift-ideas",   "new-arrivals",
                                           "offers",      "black-friday", "bundles"};
constexpr std::string_view kBlogSlugs[] = {"engineering/faster-search", "news/customer-survey",
                                           "insights/market-outlook", "engineering/migration",
                                           "research/demand-forecasting"};
constexpr std::string_view kPressSlugs[] = {"press/quarterly-results", "press/impact-report",
                                            "press/new-site", "investors/outlook"};
constexpr std::string_view kCareersSlugs[] = {"careers/open-roles", "careers/internships",
                                              "careers/why-join-us"};
constexpr std::string_view kDocsSlugs[] = {"help/release-notes", "help/account-settings",
                                           "help/delivery"};

}  // namespace

std::string_view to_string(Lang l) {
  return l == Lang::en ? "en" : "fr";
}

const LangPools& pools(Lang l) {
  return l == Lang::en ? en_pools() : fr_pools();
}

Words link_slugs(LinkKind k) {
  switch (k) {
    case LinkKind::shop:
      return kShopSlugs;
    case LinkKind::blog:
      return kBlogSlugs;
    case LinkKind::press:
      return kPressSlugs;
    case LinkKind::careers:
      return kCareersSlugs;
    case LinkKind::docs:
      return kDocsSlugs;
    case LinkKind::none:
      break;
  }
  return {};
}

}  // namespace kilter::loadgen
