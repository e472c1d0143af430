// Issue 13 x issue 14, "digests follow partitions", end to end: each digest's
// progress (the instant through which its periods were emitted) is stored in
// its partition's meta, so it moves with the partition through the changelog.
// A member killed -9 leaves its partitions' digests to the survivor, and a
// restart on a wiped disk gets its progress back: every period of a reference
// run (one daemon alone on the same stream) is emitted, with the reference's
// very figures (the whole JSON line), and a restored period is not emitted again.
//
// The members evaluate on event time only (as the reference does), so the
// state a period is built from is the partition's messages up to the one that
// closes it: the same in every run, whoever holds the partition.
#include <ctime>
#include <map>

#include "tests/kafka/state_moves.h"

namespace kilter::testing {
namespace {

using std::chrono::milliseconds;

// A workload in two parts with a gap of 6 h between them in event time: the
// first part spans the 24 h up to 30 h before `end_ms`, the second the 24 h up
// to `end_ms`; the last `quiet` of the `accounts` have events only in the
// first. `split` is where the second part starts in w.events.
Workload gapped(std::size_t n, std::size_t accounts, std::size_t quiet, std::uint64_t seed,
                std::int64_t end_ms, std::size_t& split) {
  auto w = make_workload(n / 2, accounts, 0.01, seed, end_ms - 30 * 3'600'000);
  auto second = make_workload(n - n / 2, accounts - quiet, 0.01, seed + 1000, end_ms, n);
  split = w.events.size();
  w.events.insert(w.events.end(), second.events.begin(), second.events.end());
  add_truth(w.truth, second.truth);
  w.distinct += second.distinct;
  return w;
}

// Rules that give the digests rule statuses (firing ones too) and advice, a
// daily digest, and no wall-clock evaluation: event time only.
//
// The periods end at `at`, the UTC hour 27 h before `end_ms`: a gapped()
// workload then holds three period ends, ~51 h (in the first part), ~27 h (in
// the gap: the second part's first event moves the watermark over it) and ~3 h
// (in the second part) before `end_ms`. None is near the workload's ends or the
// wall clock, so whether a period is due never depends on when the test runs.
std::string digest_config(std::int64_t end_ms) {
  const std::time_t t = (end_ms - 27 * 3'600'000) / 1000;
  std::tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format(
      "pipeline: {{evaluation_interval: 1h}}\n"
      "profiles:\n"
      "  t:\n"
      "    rules:\n"
      "      - {{name: few-posts, metric: posts, window: 1d, min: 8}}\n"
      "      - {{name: many-posts, metric: posts, window: 2d, max: 20}}\n"
      "      - {{name: too-personal, metric: personal_share, window: 1d, max: 0.45, "
      "min_posts: 6}}\n"
      "default_profile: t\n"
      "digests: [{{name: daily, every: 1d, at: \"{:02}:00\", timezone: UTC}}]\n",
      utc.tm_hour);
}

struct DigestLine {
  std::string id;    // digest_id
  std::string to;    // the period's end
  std::string line;  // the whole record
};

// The digest records of a file sink, in order. A member killed -9 may have left
// a last line half written: only whole records count.
std::vector<DigestLine> digest_lines(const fs::path& dir) {
  std::vector<DigestLine> out;
  for (const auto& line : read_lines(dir / "alerts.ndjson")) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view type, id, to;
    if (parser.parse(line).get(doc) || doc["type"].get(type) || type != "digest") continue;
    if (doc["digest_id"].get(id) || doc["to"].get(to)) {
      ADD_FAILURE() << "a digest record without digest_id or to: " << line;
      continue;
    }
    out.push_back({std::string(id), std::string(to), line});
  }
  return out;
}

class DigestMoves : public StateMoves {
 protected:
  static bool outbox_empty(Daemon& d) {
    return metric(d.metrics(), "kilter_outbox_entries").value_or(0) == 0;
  }
  static double digests_staged(Daemon& d) { return gauge(d, "kilter_digests_total"); }

  // The reference's digests by digest_id, each once; three period ends in all.
  static std::map<std::string, std::string> reference_digests(const fs::path& dir) {
    std::map<std::string, std::string> out;
    std::set<std::string> ends;
    for (auto& d : digest_lines(dir)) {
      ends.insert(d.to);
      EXPECT_TRUE(out.emplace(d.id, std::move(d.line)).second)
          << d.id << ": the reference emitted it twice";
    }
    EXPECT_EQ(ends.size(), 3u) << "period ends the workload was made to hold";
    // The records carry what the restored state decides too: alert states and advice.
    auto any = [&](const char* text) {
      return std::any_of(out.begin(), out.end(),
                         [&](const auto& d) { return d.second.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(any(R"("status":"firing")")) << "no digest with a firing rule";
    EXPECT_TRUE(any(R"("advice":[{)")) << "no digest with advice";
    EXPECT_GT(out.size(), 300u) << "digests of the reference (300 accounts, three periods)";
    return out;
  }

  // Every line of `got` is the reference's line of its digest_id (copies
  // allowed), and every digest of the reference is among them.
  static void expect_reference_lines(const std::map<std::string, std::string>& want,
                                     const std::vector<DigestLine>& got) {
    std::set<std::string> seen;
    std::size_t wrong = 0;
    for (const auto& d : got) {
      seen.insert(d.id);
      auto it = want.find(d.id);
      if (it == want.end()) {
        if (++wrong <= 5) ADD_FAILURE() << d.id << ": not in the reference run\n  " << d.line;
      } else if (it->second != d.line) {
        if (++wrong <= 5)
          ADD_FAILURE() << d.id << ": other figures than the reference's\n  got  " << d.line
                        << "\n  want " << it->second;
      }
    }
    EXPECT_EQ(wrong, 0u) << "digest records unlike the reference's";
    std::size_t missing = 0;
    for (const auto& [id, line] : want)
      if (!seen.contains(id) && ++missing <= 5) ADD_FAILURE() << id << ": never emitted";
    EXPECT_EQ(missing, 0u) << "digests of the reference the members never emitted (of "
                           << want.size() << ")";
  }

  enum class Kill { mid_stream, before_the_gap };

  // Two members and a reference on a gapped() stream; a is killed -9 for good
  // (`kill`: while the stream flows in the first part, or once the first part
  // is consumed and committed, before the second comes); then the union of the
  // members' digests is the reference's, line for line.
  void failover(std::uint64_t seed, Kill kill) {
    create_changelog(8);
    std::size_t half = 0;
    const auto end_ms = wall_ms();
    auto w = gapped(20'000, 300, 30, seed, end_ms, half);
    const auto cfg = digest_config(end_ms);
    const std::size_t n = w.events.size();
    // A quarter holds the first period's end (3 h into the first part).
    const std::size_t first = kill == Kill::mid_stream ? half / 2 : half;
    produce(w, 0, first);
    // The reference: one daemon, a group of its own, no changelog, never killed.
    Daemon reference(member_dir("reference", "", cfg, "kilter-reference"));
    Daemon a(member_dir("a", kChangelog, cfg)), b(member_dir("b", kChangelog, cfg));
    reference.start();
    a.start();
    b.start();
    ASSERT_TRUE(eventually([&] {
      return took_between({&a, &b}, first);
    })) << restore_metrics({&a, &b})
        << logs({&a, &b});
    EXPECT_GT(digests_staged(a), 0) << tail(a.log());
    EXPECT_GT(digests_staged(b), 0) << tail(b.log());

    if (kill == Kill::mid_stream) {
      // a dies while the rest arrives, perhaps with digests staged and
      // committed but not delivered: the survivor delivers them (again,
      // perhaps), and emits the periods of a's partitions a had not.
      std::thread producer([&] { trickle(w, first, n, 400, milliseconds(50)); });
      const double a_before = events_taken(a);
      if (!eventually([&] { return events_taken(a) >= a_before + 1000; }))
        note("kill", "a was killed before it took 1000 more messages");
      a.kill(SIGKILL);
      producer.join();
    } else {
      a.kill(SIGKILL);
      produce(w, first, n);
    }
    ASSERT_TRUE(eventually([&] { return partitions(b) == 8 && settled({&b}) && outbox_empty(b); }))
        << restore_metrics({&b}) << logs({&b});
    EXPECT_GT(restores(b), 0) << restore_metrics({&b});
    expect_no_failed_restore({&b});
    ASSERT_EQ(b.stop().code, 0) << tail(b.log());
    finish_reference(reference, w);

    const auto want = reference_digests(reference.dir());
    auto got = digest_lines(a.dir());
    const std::size_t from_a = got.size();
    for (auto& d : digest_lines(b.dir())) got.push_back(std::move(d));
    EXPECT_GT(from_a, 0u);
    expect_reference_lines(want, got);
    if (got.size() > want.size())
      note("copies", fmt::format("{} digest records delivered twice", got.size() - want.size()));
  }

  // The reference consumed everything and delivered every record; then stops.
  void finish_reference(Daemon& reference, const Workload& w) {
    ASSERT_TRUE(eventually([&] { return took_all(reference, w) && outbox_empty(reference); }))
        << tail(reference.log());
    ASSERT_EQ(reference.stop().code, 0) << tail(reference.log());
  }
};

TEST_F(DigestMoves, AKilledMembersDigestsAreEmittedByTheSurvivorWithTheReferenceFigures) {
  failover(141, Kill::mid_stream);
}

// a dies with the first part consumed and committed: the survivor's first event
// of each of a's partitions moves the watermark over the second period's end,
// which only the restored progress says is still to be emitted.
TEST_F(DigestMoves, AFailoverJustBeforeAPeriodsEndEmitsThatPeriod) {
  failover(143, Kill::before_the_gap);
}

TEST_F(DigestMoves, ARestartOnAWipedStateDirectoryEmitsEveryPeriodOnce) {
  create_changelog(8);
  std::size_t half = 0;
  const auto end_ms = wall_ms();
  auto w = gapped(12'000, 300, 30, 142, end_ms, half);
  const auto cfg = digest_config(end_ms);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  Daemon reference(member_dir("reference", "", cfg, "kilter-reference"));
  reference.start();

  // a alone takes the first part (the first period's end is in it), delivers
  // every record, and stops.
  Daemon a(member_dir("a", kChangelog, cfg));
  a.start();
  ASSERT_TRUE(eventually([&] {
    return events_taken(a) == static_cast<double>(half) && settled({&a}) && outbox_empty(a);
  })) << restore_metrics({&a})
      << tail(a.log());
  ASSERT_EQ(a.stop().code, 0) << tail(a.log());
  const auto before = digest_lines(a.dir());
  ASSERT_FALSE(before.empty()) << "no period emitted before the wipe";
  std::set<std::string> before_ids;
  for (const auto& d : before)
    EXPECT_TRUE(before_ids.insert(d.id).second) << d.id << ": emitted twice before the wipe";

  // The disk is lost: the progress must come back from the changelog with the
  // rest of the state. The first event after the restart moves the watermark
  // over the second period's end: a partition without its progress would take
  // the digest as new to it and start there, skipping that period.
  fs::remove_all(a.dir() / "state");
  a.start();
  produce(w, half, n);
  double staged = 0;
  ASSERT_TRUE(eventually([&] {
    if (!(events_taken(a) >= static_cast<double>(n - half) && settled({&a}) && outbox_empty(a)))
      return false;
    staged = digests_staged(a);
    return true;
  })) << restore_metrics({&a})
      << tail(a.log());
  EXPECT_EQ(events_taken(a), static_cast<double>(n - half));
  EXPECT_GT(full_restores(a), 0) << restore_metrics({&a});
  expect_no_failed_restore({&a});
  ASSERT_EQ(a.stop().code, 0) << tail(a.log());
  finish_reference(reference, w);

  const auto all = digest_lines(a.dir());
  ASSERT_GE(all.size(), before.size());
  const std::vector<DigestLine> after(all.begin() + static_cast<std::ptrdiff_t>(before.size()),
                                      all.end());
  // Emitted after the restart: the second and third periods, each record once.
  EXPECT_EQ(staged, static_cast<double>(after.size()));
  std::size_t again = 0;
  std::set<std::string> after_ids;
  for (const auto& d : after) {
    if (before_ids.contains(d.id) && ++again <= 5)
      ADD_FAILURE() << d.id << ": emitted before the wipe and again after it";
    EXPECT_TRUE(after_ids.insert(d.id).second) << d.id << ": emitted twice after the restart";
  }
  EXPECT_EQ(again, 0u) << "periods emitted twice";
  std::set<std::string> ends_before, ends_after;
  for (const auto& d : before) ends_before.insert(d.to);
  for (const auto& d : after) ends_after.insert(d.to);
  EXPECT_EQ(ends_before.size(), 1u);
  EXPECT_EQ(ends_after.size(), 2u);

  // Nothing skipped, every figure the reference's.
  const auto want = reference_digests(reference.dir());
  EXPECT_EQ(all.size(), want.size());
  expect_reference_lines(want, all);
}

}  // namespace
}  // namespace kilter::testing
