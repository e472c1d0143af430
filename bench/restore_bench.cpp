// ./dev bench restore: how fast a partition's state moves (issue 13). Builds a
// realistic partition in a RocksDB store (accounts with weeks of hourly buckets,
// posts and their details, seen-id blocks, alert states, an outbox), exports it
// as snapshot chunks, imports them into a fresh store under another partition
// number, and prints rows/s, MB/s, bytes per row and the chunk count. Then a
// replay-like commit stream (events in time order, one commit per
// --events-per-commit events of the partition) gives the changelog's delta
// bytes per event. Not a test: it measures, asserts nothing but the row count.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "storage/state_store.h"

using namespace kilter;
using namespace kilter::storage;

namespace {

struct Args {
  int accounts = 20'000;
  int days = 21;
  int stream_events = 1'000'000;
  int stream_accounts = 100'000;
  int events_per_commit = 800;
  std::size_t chunk_bytes = kDefaultChunkBytes;
  std::string dir = "bench-out/restore";
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "restore bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}
void must(Result<void> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message);
}

std::unique_ptr<StateStore> open(const std::filesystem::path& p) {
  std::filesystem::remove_all(p);
  RocksOptions o;
  o.path = p.string();
  return must(open_rocks_store(o), "open");
}

const TimePoint kStart = from_epoch_ms(1'763'596'800'000);  // a UTC midnight
constexpr std::int64_t kHour = 3'600'000;

std::string account_name(int i) {
  return std::string("acct-") + std::to_string(i);
}

// The partition a daemon keeps after a few weeks: per account and day, hourly
// buckets (a third of the hours active), one or two posts with their details,
// and the engagement they earned; per account three alert rules; seen-id
// blocks of the last day; a small outbox.
void build(StateStore& s, Partition p, const Args& a, std::mt19937& rng) {
  auto b = s.new_batch();
  std::int64_t position = 0;
  std::uint64_t post_no = 0;
  for (int acc = 0; acc < a.accounts; ++acc) {
    const auto name = account_name(acc);
    for (int d = 0; d < a.days; ++d) {
      const TimePoint day = kStart + Millis{d * 24 * kHour};
      for (int h = 0; h < 24; ++h) {
        if (rng() % 3 != 0) continue;
        BucketCounts c;
        c.posts[rng() % 3] = 1 + rng() % 2;
        c.engagement[rng() % 2][rng() % 4] = rng() % 50;
        if (h == 12) c.followers.add(epoch_ms(day) + 12 * kHour, 1000 + acc);
        b->merge_bucket(p, name, day + Millis{h * kHour}, c);
      }
      const int posts = 1 + static_cast<int>(rng() % 2);
      for (int i = 0; i < posts; ++i) {
        const TimePoint ts = day + Millis{static_cast<std::int64_t>(rng() % (24 * kHour))};
        const auto id = std::string("p-") + std::to_string(post_no++);
        const auto cat = static_cast<Category>(rng() % 3);
        b->put_post(p, id, PostRef{name, cat, ts});
        b->put_post_detail(p, name, ts, id,
                           PostDetail{cat, 0.8f, 0, "launch,product", "https://example.com/x"});
        b->add_post_engagement(p, name, ts, id, rng() % 40);
      }
    }
    for (int r = 0; r < 3; ++r)
      b->put_alert_state(
          p, name, std::string("rule-") + std::to_string(r),
          AlertState{AlertPhase::inactive, kStart, 0.1, false, kStart, std::nullopt});
    if (b->approximate_bytes() > (4 << 20)) {
      // Seen ids as the engine writes them: a block per commit.
      std::vector<SeenId> ids(1000);
      for (auto& id : ids) id = SeenId{kStart + Millis{(a.days - 1) * 24 * kHour}, rng()};
      position += 1000;
      b->put_seen_ids(p, Offset{position}, ids);
      must(s.commit(*b, false), "commit");
    }
  }
  const std::vector<std::string> sinks = {"slack", "file"};
  for (std::uint64_t i = 0; i < 200; ++i)
    b->put_outbox(
        p, i, R"({"type":"alert","alert_id":"acct-1/personal_share/7d","status":"firing"})", sinks);
  b->put_meta(p, PartitionMeta{Offset{position}, kStart, kStart, 200, {}, 0, {}});
  must(s.commit(*b, true), "commit");
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--accounts")
      a.accounts = std::stoi(v);
    else if (k == "--days")
      a.days = std::stoi(v);
    else if (k == "--stream-events")
      a.stream_events = std::stoi(v);
    else if (k == "--stream-accounts")
      a.stream_accounts = std::stoi(v);
    else if (k == "--events-per-commit")
      a.events_per_commit = std::stoi(v);
    else if (k == "--chunk-bytes")
      a.chunk_bytes = std::stoul(v);
    else if (k == "--dir")
      a.dir = v;
    else
      die("unknown argument " + k);
  }
  SystemClock clock;
  std::mt19937 rng(42);
  const std::filesystem::path root(a.dir);
  const Partition src{(1 << 16) | 3};
  const Partition dst{(7 << 16) | 3};

  auto store_a = open(root / "a");
  auto t0 = clock.steady_now();
  build(*store_a, src, a, rng);
  const double build_s = seconds(clock.steady_now() - t0);

  std::vector<std::string> chunks;
  t0 = clock.steady_now();
  auto exported = must(store_a->export_partition(src, a.chunk_bytes,
                                                 [&](std::string_view c) -> Result<void> {
                                                   chunks.emplace_back(c);
                                                   return ok();
                                                 }),
                       "export");
  const double export_s = seconds(clock.steady_now() - t0);

  auto store_b = open(root / "b");
  t0 = clock.steady_now();
  const double cpu0 = process_cpu_seconds();
  auto im = must(store_b->begin_import(dst), "begin import");
  for (const auto& c : chunks) must(im->add(c), "import");
  auto imported = must(im->finish(std::nullopt), "finish import");
  const double import_s = seconds(clock.steady_now() - t0);
  const double import_cpu = process_cpu_seconds() - cpu0;
  if (imported.rows != exported.rows) die("imported rows differ from exported rows");
  store_b.reset();

  // A replay-like stream: events in time order over many accounts, one commit
  // per events_per_commit events, each commit's delta body measured.
  auto store_c = open(root / "c");
  auto b = store_c->new_batch();
  std::uint64_t delta_bytes = 0, deltas = 0, posts = 0;
  std::int64_t position = 0;
  std::vector<SeenId> seen;
  std::vector<std::pair<std::string, TimePoint>> recent;
  TimePoint now = kStart;
  for (int e = 0; e < a.stream_events;) {
    seen.clear();
    for (int i = 0; i < a.events_per_commit && e < a.stream_events; ++i, ++e) {
      now += Millis{static_cast<std::int64_t>(rng() % 2000)};
      const auto name = account_name(static_cast<int>(rng() % a.stream_accounts));
      const TimePoint bucket = kStart + Millis{(epoch_ms(now) - epoch_ms(kStart)) / kHour * kHour};
      BucketCounts c;
      const auto kind = rng() % 10;
      if (kind < 4 || recent.empty()) {
        const auto cat = static_cast<Category>(rng() % 3);
        c.posts[static_cast<std::size_t>(cat)] = 1;
        const auto id = std::string("p-") + std::to_string(posts++);
        b->put_post(src, id, PostRef{name, cat, now});
        b->put_post_detail(src, name, now, id,
                           PostDetail{cat, 0.7f, 0, "launch,product", "https://example.com/x"});
        recent.emplace_back(id, now);
        if (recent.size() > 10'000) recent.erase(recent.begin(), recent.begin() + 5'000);
      } else if (kind < 9) {
        c.engagement[0][rng() % 4] = 1;
        const auto& [id, ts] = recent[rng() % recent.size()];
        b->add_post_engagement(src, name, ts, id, 1);
      } else {
        c.followers.add(epoch_ms(now), 1000);
      }
      b->merge_bucket(src, name, bucket, c);
      seen.push_back(SeenId{now, rng()});
    }
    position += static_cast<std::int64_t>(seen.size());
    b->put_seen_ids(src, Offset{position}, seen);
    b->put_meta(src, PartitionMeta{Offset{position}, now, now, 0, {}, 0, {}});
    must(store_c->partition_deltas(*b,
                                   [&](Partition, std::string_view body) {
                                     delta_bytes += body.size();
                                     ++deltas;
                                   }),
         "deltas");
    must(store_c->commit(*b, false), "commit");
  }
  store_c.reset();
  store_a.reset();
  std::filesystem::remove_all(root);

  const double mb = static_cast<double>(imported.bytes) / 1e6;
  std::printf("restore_rows=%llu\n", static_cast<unsigned long long>(imported.rows));
  std::printf("restore_chunks=%llu\n", static_cast<unsigned long long>(imported.chunks));
  std::printf("restore_bytes=%llu\n", static_cast<unsigned long long>(imported.bytes));
  std::printf("restore_bytes_per_row=%.1f\n",
              static_cast<double>(imported.bytes) / static_cast<double>(imported.rows));
  std::printf("build_seconds=%.2f\n", build_s);
  std::printf("export_seconds=%.3f\n", export_s);
  std::printf("export_rows_per_s=%.0f\n", static_cast<double>(exported.rows) / export_s);
  std::printf("import_seconds=%.3f\n", import_s);
  std::printf("import_rows_per_s=%.0f\n", static_cast<double>(imported.rows) / import_s);
  std::printf("import_mb_per_s=%.1f\n", mb / import_s);
  std::printf("import_cpu_seconds=%.3f\n", import_cpu);
  std::printf("import_rows_per_cpu_s=%.0f\n", static_cast<double>(imported.rows) / import_cpu);
  std::printf("stream_events=%d\n", a.stream_events);
  std::printf("stream_commits=%llu\n", static_cast<unsigned long long>(deltas));
  std::printf("delta_bytes_per_event=%.1f\n",
              static_cast<double>(delta_bytes) / static_cast<double>(a.stream_events));
  return 0;
}
