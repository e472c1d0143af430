// The digest record of one account over one period (pipeline/model/digest.h):
// its posts by category, engagement by action and by the category of the post
// engaged with, followers at the start and end, the posts that weighed most,
// and each rule of its profile as it stood at the period's end. Pure: the
// engine gives the windows, the alert states and the posts.
#pragma once

#include <span>
#include <string>

#include "config/config.h"
#include "pipeline/digests/schedule.h"
#include "pipeline/model/digest.h"
#include "pipeline/rules/evidence.h"
#include "pipeline/windows/windows.h"

namespace kilter::pipeline::digests {

// Top posts a digest lists.
inline constexpr std::size_t kTopPosts = 5;

// What one account's digest reads.
struct DigestInput {
  const config::Digest& digest;
  const Schedule& schedule;  // in the account's zone
  AccountRef account;
  const config::Profile* profile;      // null: no rules
  const AccountWindows& windows;       // holding the period's buckets
  std::span<const AlertState> alerts;  // parallel to the profile's rules
  const std::array<double, kActions>& weights;
};

// Whether the digest covers the account: its matcher's account glob and profile.
bool matches(const config::Digest& d, AccountRef account, const config::Profile* profile);

// Whether the account has anything to review at the end of `p`: a bucket in the
// period, or in the longest rule window (with baseline) of its profile before
// `p.to`.
bool active(const AccountWindows& w, const config::Profile* profile, const Period& p);

// "morning-review/acme/2026-11-20T09:00:00+01:00"
std::string digest_id(std::string_view digest, std::string_view account, std::string_view to);

// The record of `p`. The window sum over [from, to) is exact because both ends
// are bucket boundaries (config/ refuses a zone or `at` for which they are not).
DigestRecord build(const DigestInput& in, const Period& p, const PostSource& posts);

}  // namespace kilter::pipeline::digests
