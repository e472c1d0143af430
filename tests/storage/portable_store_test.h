// Shared by the changelog tests of storage: temporary stores, a realistic
// random commit stream (the engine's batch operations) and a full dump of a
// partition to compare stores with.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/state_store.h"

namespace kilter::storage::testing {

constexpr std::int64_t kHourMs = 3'600'000;
inline const TimePoint kStart = from_epoch_ms(1'763'630'100'000);  // an hour boundary

class TempStore {
 public:
  TempStore() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("kilter-portable-") + std::to_string((std::uint64_t{rd()} << 32) | rd()));
    reopen();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void reopen() {
    store_.reset();
    auto r = open_rocks_store(RocksOptions{dir_.string(), 8 << 20});
    if (!r.ok()) ADD_FAILURE() << r.error().message;
    store_ = std::move(r).value();
  }
  StateStore& operator*() { return *store_; }
  StateStore* operator->() { return store_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

// Every key/value of the partition (raw, all column families, as export gives
// them) plus what the public scans return (the retention filter applied).
inline std::string dump(StateStore& s, Partition p) {
  std::string out;
  auto r = s.export_partition(p, std::size_t{1} << 30, [&](std::string_view chunk) -> Result<void> {
    out.append(chunk);
    return ok();
  });
  if (!r.ok()) ADD_FAILURE() << r.error().message;
  out += "|buckets:";
  s.scan_buckets(p, TimePoint::min(), [&](std::string_view a, TimePoint t, const BucketCounts& c) {
    out += std::string(a) + "@" + std::to_string(epoch_ms(t)) + "=" +
           std::to_string(c.total_posts()) + std::string("/") + std::to_string(c.engagement[0][0]) +
           ";";
  });
  out += "|seen:";
  s.scan_seen_ids(p, TimePoint::min(), [&](const SeenId& id) {
    out += std::to_string(epoch_ms(id.ts)) + std::string(":") + std::to_string(id.id) + ";";
  });
  out += "|alerts:";
  s.scan_alert_states(p, [&](std::string_view a, std::string_view r, const AlertState& st) {
    out += std::string(a) + "/" + std::string(r) + "=" +
           std::to_string(static_cast<int>(st.phase)) + ";";
  });
  out += "|outbox:";
  s.scan_outbox(
      p, [&](std::uint64_t seq, std::string_view rec, const std::vector<std::string>& sinks, bool) {
        out += std::to_string(seq) + std::string(rec) + std::to_string(sinks.size()) + ";";
      });
  out += "|details:";
  for (int a = 0; a < 64; ++a)
    s.scan_post_details(p, std::string("acct-") + std::to_string(a), TimePoint::min(),
                        TimePoint::max(),
                        [&](TimePoint ts, std::string_view id, const PostDetail& d) {
                          out += std::to_string(epoch_ms(ts)) + std::string(id) + "=" +
                                 std::to_string(d.engagement) + ";";
                        });
  return out;
}

// Compares two dumps without printing megabytes: where they first differ.
inline ::testing::AssertionResult same_dump(const std::string& a, const std::string& b) {
  if (a == b) return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto near = [&](const std::string& s) {
    const auto from = i < 40 ? 0 : i - 40;
    std::string out;
    for (char c : s.substr(from, 80)) out += (c >= 32 && c < 127) ? c : '.';
    return out;
  };
  return ::testing::AssertionFailure()
         << "sizes " << a.size() << " vs " << b.size() << ", first difference at " << i << ":\n  "
         << near(a) << "\n  " << near(b);
}

// A random stream of engine-like commits to some partitions of one store.
class CommitStream {
 public:
  explicit CommitStream(std::uint32_t seed, int accounts = 24) : rng_(seed), accounts_(accounts) {}

  bool expire = true;  // moves the retention cutoffs now and then

  // Stages one commit's operations for partition p (state kept per partition).
  void stage(StateStore& store, Batch& b, Partition p) {
    auto& st = parts_[p.value()];
    const int events = 1 + pick(40);
    std::vector<SeenId> seen;
    for (int i = 0; i < events; ++i) {
      st.now += Millis{pick(600'000)};
      const std::string account = std::string("acct-") + std::to_string(pick(accounts_));
      const TimePoint bucket =
          kStart + Millis{(epoch_ms(st.now) - epoch_ms(kStart)) / kHourMs * kHourMs};
      BucketCounts c;
      switch (pick(3)) {
        case 0: {
          c.posts[static_cast<std::size_t>(pick(4))] = 1;
          const std::string post = std::string("p") + std::to_string(st.next_post++);
          b.put_post(p, post, PostRef{account, static_cast<Category>(pick(4)), st.now});
          b.put_post_detail(
              p, account, st.now, post,
              PostDetail{static_cast<Category>(pick(4)), 0.5f, 0, "terms,x", "https://l"});
          st.posts.push_back({account, st.now, post});
          break;
        }
        case 1:
          c.engagement[pick(2)][pick(3)] = 1 + pick(5);
          if (!st.posts.empty()) {
            const auto& [acc, ts, post] = st.posts[pick(static_cast<int>(st.posts.size()))];
            b.add_post_engagement(p, acc, ts, post, 1 + pick(9));
          }
          break;
        default:
          c.followers.add(epoch_ms(st.now), 1000 + pick(100));
      }
      b.merge_bucket(p, account, bucket, c);
      seen.push_back(SeenId{st.now, rng_()});
    }
    b.put_seen_ids(p, Offset{st.position + events}, seen);
    st.position += events;
    if (pick(3) == 0)
      b.put_alert_state(
          p, std::string("acct-") + std::to_string(pick(accounts_)),
          std::string("rule-") + std::to_string(pick(3)),
          AlertState{static_cast<AlertPhase>(pick(3)), st.now, 0.25 * pick(8), pick(2) == 1, st.now,
                     pick(2) == 1 ? std::optional(st.now) : std::nullopt});
    if (pick(3) == 0) {
      const std::vector<std::string> sinks = {"file", "slack"};
      b.put_outbox(p, st.next_seq, std::string("{\"alert\":") + std::to_string(st.next_seq) + "}",
                   sinks);
      st.outbox.push_back(st.next_seq++);
    }
    if (!st.outbox.empty() && pick(3) == 0) {
      const std::vector<std::string> one = {"slack"};
      b.put_outbox(p, st.outbox.front(), "{\"again\":1}", one);
    }
    if (!st.outbox.empty() && pick(4) == 0) {
      b.delete_outbox(p, st.outbox.front());
      st.outbox.erase(st.outbox.begin());
    }
    b.put_meta(p, PartitionMeta{
                      Offset{st.position}, st.now, st.now - Millis{kHourMs}, st.next_seq, {}, 0, {}});
    if (expire && pick(5) == 0) {
      // Retention as the engine does it: cutoffs behind the watermark.
      const auto r =
          store.expire(p, st.now - Millis{2 * kHourMs * 24}, st.now - Millis{6 * kHourMs});
      if (!r.ok()) ADD_FAILURE() << r.error().message;
    }
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint32_t>(n)); }

  struct Posted {
    std::string account;
    TimePoint ts;
    std::string id;
  };
  struct PartState {
    TimePoint now = kStart;
    std::int64_t position = 0;
    std::uint64_t next_post = 0;
    std::uint64_t next_seq = 0;
    std::vector<Posted> posts;
    std::vector<std::uint64_t> outbox;
  };
  std::mt19937 rng_;
  int accounts_;
  std::map<std::int32_t, PartState> parts_;
};

}  // namespace kilter::storage::testing
