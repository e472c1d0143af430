// Issue 13, "state follows partitions": members of one consumer group that
// write each partition's state to a changelog topic, so that whichever member
// owns a partition after a failover (or a restart on a wiped disk) rebuilds its
// state before consuming it, and answers with exact figures.
//
// What the StateMoves tests share: members configured with a changelog, the
// figures of a group read from the member that owns each account, and the
// restore metrics. The metric names of the contract are here, in one place.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/kafka/support.h"

namespace kilter::testing {

// Partitions assigned but still restoring (not consumed, not evaluated).
inline constexpr const char* kWarming = "kilter_partitions_warming";
// Restores, by result: "partial" (the records after the local head), "full"
// (from a snapshot), "failed" (the partition went on from local state: never
// in these tests). The label was first specified as `kind`: both are read.
inline constexpr const char* kRestores = "kilter_changelog_restores_total";
inline constexpr const char* kRestoreRecords = "kilter_changelog_restore_records_total";
inline constexpr const char* kChangelogRecords = "kilter_changelog_records_total";

inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The last `n` characters of a log, for failure messages (whole logs of several
// members would drown the message).
inline std::string tail(const std::string& log, std::size_t n = 6000) {
  return log.size() <= n ? log : "[...]\n" + log.substr(log.size() - n);
}

// A workload in two parts, the second a day later in event time; the last
// `quiet` of the `accounts` have events only in the first part. `split` is
// where the second part starts in w.events. After a failover (or a restart on
// a wiped disk) between the parts, a quiet account's figures are only in the
// restored state: nothing the new owner consumes mentions it again.
inline Workload two_parts(std::size_t n, std::size_t accounts, std::size_t quiet,
                          std::uint64_t seed, std::size_t& split) {
  const auto now = wall_ms();
  auto w = make_workload(n / 2, accounts, 0.01, seed, now - 86'400'000);
  auto second = make_workload(n - n / 2, accounts - quiet, 0.01, seed + 1000, now, n);
  split = w.events.size();
  w.events.insert(w.events.end(), second.events.begin(), second.events.end());
  add_truth(w.truth, second.truth);
  w.distinct += second.distinct;
  return w;
}

class StateMoves : public KafkaTest {
 protected:
  // Not the default name (<group_id>.changelog): the fixture may make that one
  // for the other tests, with another partition count.
  static constexpr const char* kChangelog = "state-moves.changelog";

  // A member's directory: daemon_dir's configuration with `kafka.changelog_topic`
  // set to `changelog` ("" = none). The test creates the topic itself (the mock
  // cluster cannot create topics through the admin API).
  fs::path member_dir(const std::string& name, const std::string& changelog = kChangelog,
                      const std::string& extra = {}, const std::string& group = "kilter-test",
                      int session_ms = 3000) {
    auto dir = daemon_dir(name, extra, group, session_ms);
    auto yaml = read_file(dir / "kilter.yaml");
    const std::string line = "  changelog_topic: \"" + changelog + "\"\n";
    // A default written by daemon_dir (if it ever writes one) is replaced, not repeated.
    if (auto at = yaml.find("  changelog_topic:"); at != std::string::npos) {
      yaml.replace(at, yaml.find('\n', at) + 1 - at, line);
    } else {
      const std::string kafka = "kafka:\n";
      yaml.insert(yaml.find(kafka) + kafka.size(), line);
    }
    write_file(dir / "kilter.yaml", yaml);
    return dir;
  }

  void create_changelog(int partitions, const std::string& name = kChangelog) {
    auto r = cluster_->create_topic(name, partitions);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  static double gauge(Daemon& d, const char* name) { return metric(d.metrics(), name).value_or(0); }
  static double partitions(Daemon& d) { return gauge(d, "kilter_source_partitions"); }
  static double warming(Daemon& d) { return gauge(d, kWarming); }
  static double restores(Daemon& d, const std::string& result) {
    auto m = d.metrics();
    return metric(m, std::string(kRestores) + "{result=\"" + result + "\"}").value_or(0) +
           metric(m, std::string(kRestores) + "{kind=\"" + result + "\"}").value_or(0);
  }
  // Restores that rebuilt a partition (partial or full).
  static double restores(Daemon& d) { return restores(d, "partial") + restores(d, "full"); }
  static double full_restores(Daemon& d) { return restores(d, "full"); }
  static void expect_no_failed_restore(const std::vector<Daemon*>& members) {
    for (auto* d : members)
      EXPECT_EQ(restores(*d, "failed"), 0) << d->dir().filename() << " went on from local state\n"
                                           << restore_metrics({d}) << tail(d->log());
  }
  static double discarded(Daemon& d) { return gauge(d, "kilter_discarded_messages_total"); }

  // The members consumed the first `count` messages between them (a batch given
  // up in a rebalance is read again by the next owner: taken twice, discarded
  // once), each owns a share of the partitions, and all is committed.
  bool took_between(const std::vector<Daemon*>& members, std::size_t count) {
    double sum = 0;
    for (auto* d : members) {
      if (partitions(*d) == 0) return false;
      sum += events_taken(*d) - discarded(*d);
    }
    return sum == static_cast<double>(count) && settled(members);
  }

  // Whether the group has committed every partition of the input up to its
  // end, as the coordinator says (not the members: a member that has just
  // resumed a partition may not have heard of its newest messages yet, and its
  // lag then reads 0).
  bool group_at_end(const std::string& group = "kilter-test") {
    char err[512];
    auto* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstraps().c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
    auto* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk == nullptr) return false;
    auto* list = rd_kafka_topic_partition_list_new(8);
    for (int p = 0; p < 8; ++p) rd_kafka_topic_partition_list_add(list, kTopic, p);
    bool at_end = rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int p = 0; p < 8 && at_end; ++p) {
      std::int64_t lo = 0, hi = 0;
      at_end = rd_kafka_query_watermark_offsets(rk, kTopic, p, &lo, &hi, 5000) ==
                   RD_KAFKA_RESP_ERR_NO_ERROR &&
               list->elems[p].err == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[p].offset == hi;
    }
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    return at_end;
  }

  // The end of a test: no member went on from local state, every account's
  // figures on the member that owns it are its truth (attributed), and every
  // member stops cleanly.
  void expect_exact_and_stop(const std::vector<Daemon*>& members, const Workload& w) {
    expect_no_failed_restore(members);
    expect_equal_totals(w.truth, owners_totals(members, w), /*attributed=*/true);
    for (auto* d : members) EXPECT_EQ(d->stop().code, 0) << tail(d->log());
  }

  // `a` alone consumes the first `count` messages of the input (produced
  // already), commits them and stops.
  void consume_alone_and_stop(Daemon& a, std::size_t count) {
    a.start();
    ASSERT_TRUE(eventually([&] {
      return events_taken(a) == static_cast<double>(count) && settled({&a});
    })) << restore_metrics({&a})
        << tail(a.log());
    ASSERT_EQ(a.stop().code, 0) << tail(a.log());
  }

  // The live members own every partition between them, none is warming, each
  // has consumed and committed all it owns, and the group's offsets are at the
  // end of every partition.
  bool settled(const std::vector<Daemon*>& members) {
    double owned = 0;
    for (auto* d : members) {
      if (!d->alive()) return false;
      auto m = d->metrics();
      if (metric(m, kWarming).value_or(0) != 0) return false;
      owned += metric(m, "kilter_source_partitions").value_or(0);
      if (!caught_up(*d)) return false;
    }
    return owned == 8 && group_at_end();
  }

  static std::string logs(const std::vector<Daemon*>& members) {
    std::string out;
    for (auto* d : members)
      out += "----- " + d->dir().filename().string() + " -----\n" + tail(d->log()) + "\n";
    return out;
  }

  static std::string restore_metrics(const std::vector<Daemon*>& members) {
    std::string out;
    for (auto* d : members) {
      out += d->dir().filename().string() + ":";
      auto m = d->metrics();
      for (std::size_t p = 0; (p = m.find("\nkilter_", p)) != std::string::npos; ++p) {
        auto line = m.substr(p + 1, m.find('\n', p + 1) - p - 1);
        if (line.find("changelog") != std::string::npos ||
            line.find("warming") != std::string::npos ||
            line.find("source_partitions") != std::string::npos)
          out += " " + line + ";";
      }
      out += "\n";
    }
    return out;
  }

  // Every account's figures, each from the live member that owns it: exactly one
  // of `members` must know the account (the others forgot the partitions they
  // gave up).
  static Totals owners_totals(const std::vector<Daemon*>& members, const Workload& w) {
    Totals got;
    std::size_t unowned = 0, shared = 0;
    for (const auto& [account, truth] : w.truth) {
      int owners = 0;
      std::string bodies;
      for (auto* d : members) {
        auto r = d->get("/api/v1/accounts/" + account);
        if (r.status == 200) {
          if (owners++ == 0) add_account_json(got, r.body);
        } else if (r.status != 404) {
          ADD_FAILURE() << d->dir().filename() << " on " << account << ": " << r.status << " "
                        << r.body;
        }
      }
      if (owners == 0 && ++unowned <= 5) ADD_FAILURE() << account << ": no member knows it";
      if (owners > 1 && ++shared <= 5)
        ADD_FAILURE() << account << ": " << owners << " members know it";
    }
    EXPECT_EQ(unowned, 0u) << "accounts no live member answers for";
    EXPECT_EQ(shared, 0u) << "accounts more than one live member answers for";
    return got;
  }

  // The alert notifications (alert_id, status, starts_at) of the members' file
  // sinks together, copies merged. A member killed -9 may have left a last line
  // half written: only whole records count.
  static std::set<AlertKey> alert_set(const std::vector<fs::path>& dirs) {
    std::set<AlertKey> out;
    for (const auto& dir : dirs)
      for (const auto& line : read_lines(dir / "alerts.ndjson")) {
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        if (parser.parse(line).get(doc)) continue;
        out.emplace(json_field(line, "alert_id"), json_field(line, "status"),
                    json_field(line, "starts_at"));
      }
    return out;
  }

  // Produces w.events[from, to) in chunks of `chunk`, pausing `pause` between
  // them: messages keep arriving while members fail and partitions move.
  void trickle(const Workload& w, std::size_t from, std::size_t to, std::size_t chunk,
               std::chrono::milliseconds pause) {
    for (std::size_t i = from; i < to; i += chunk) {
      produce(w, i, std::min(to, i + chunk));
      std::this_thread::sleep_for(pause);
    }
  }
};

// Prints a note in the test's output (and its XML properties): what a run could
// not observe, without failing on timing.
inline void note(const std::string& key, const std::string& text) {
  ::testing::Test::RecordProperty(key, text);
  std::fprintf(stderr, "[   NOTE   ] %s: %s\n", key.c_str(), text.c_str());
}

}  // namespace kilter::testing
