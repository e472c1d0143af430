// The digest record (SPEC section 3, "Digests", a contract): the review of one
// account over one period [from, to) of local time, as typed data. Built by
// pipeline/digests, serialised by pipeline/delivery/record_format.h, delivered
// through the outbox like alert records.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/types.h"
#include "pipeline/model/alert.h"

namespace kilter {

// One rule of the account's profile as it stood at the period's end.
struct DigestRule {
  std::string rule;    // rule name
  std::string metric;  // contract metric name
  std::string window;  // as written ("7d")
  std::optional<double> value;  // nullopt: no verdict (min_posts not met...)
  std::optional<double> min;
  std::optional<double> max;
  std::string status;  // "ok" | "pending" | "firing" | "no_verdict"
};

struct DigestFollowers {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::optional<double> change;  // (end - start) / start; nullopt when start is 0
};

struct DigestRecord {
  std::string digest_id;  // "morning-review/acme/2026-11-20T09:00:00+01:00" (NAME/ACCOUNT/TO)
  std::string digest;     // the digest's name
  std::string account;
  std::string profile;
  std::string timezone;  // IANA name the period was cut in
  TimePoint from;        // the period [from, to), instants
  TimePoint to;
  std::string from_text;  // RFC 3339 with the local offset: "2026-11-19T09:00:00+01:00"
  std::string to_text;
  std::array<std::uint64_t, kCategories> posts{};  // by kilter::Category
  std::optional<double> personal_share;             // nullopt: no classified post
  std::optional<double> promotional_share;
  std::array<std::uint64_t, kActions> engagement{};  // by kilter::Action (raw counts)
  // Raw counts by the category of the post engaged with (kilter::EngagementClass).
  std::array<std::array<std::uint64_t, kActions>, kEngagementClasses> engagement_by_category{};
  std::optional<DigestFollowers> followers;  // when the period holds snapshots
  std::vector<TopPost> top_posts;            // heaviest first
  std::vector<DigestRule> rules;
  std::vector<Advice> advice;
};

}  // namespace kilter
