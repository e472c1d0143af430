// The durable alert outbox and its delivery workers. Digest records travel
// through it too, as entries of their own (OutboundAlert::digest).
//
// An alert record enters the store in the batch holding the state that produced
// it (the engine writes its SPEC JSON line), with the names of the sinks it is
// routed to. Once that batch is committed the engine hands the entry here, typed
// and with that line; in memory the outbox holds both (OutboundAlert), and a
// restart reads the stored line back into a typed record once (parse_alert_record). One worker per
// sink drains it on the event loop: one delivery in flight at a time (order kept), the sink's rate
// limit, grouping of an account's alerts (group_wait), retries with exponential backoff and jitter.
// When a sink confirms, it is struck off the entry in the store; the entry is deleted when no sink
// is left. A restart (or a kill -9) finds the entries still owed and delivers them again: every
// alert reaches every sink at least once.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/dispatcher.h"
#include "config/config.h"
#include "pipeline/delivery/sink.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

struct SinkStats {
  std::string name;
  std::size_t pending = 0;      // entries this sink still owes
  std::uint64_t delivered = 0;  // records confirmed
  std::uint64_t attempts_failed = 0;
  std::uint64_t rejected = 0;   // records given up after the receiver refused them
  std::uint64_t reminders = 0;  // still-firing reminders sent (repeat_interval)
  std::uint64_t skipped = 0;    // digests confirmed without a delivery (takes_digests false)
};

struct OutboxStats {
  std::size_t entries = 0;      // records not yet taken by every sink
  std::uint64_t delivered = 0;  // entries done (every sink took them)
  bool full = false;
  std::uint64_t unknown_sinks = 0;    // routed to a sink the configuration no longer has
  std::uint64_t record_failures = 0;  // confirmations the store failed to record (redelivered)
  std::uint64_t unreadable = 0;       // stored entries that are no alert or digest record: dropped
};

struct SinkSlot {
  std::unique_ptr<Sink> sink;
  double rate_limit = 0;  // notifications per second; 0: no limit
  Millis group_wait{0};
  Millis repeat_interval{0};  // remind of still-firing alerts; 0: never
};

class Outbox {
 public:
  Outbox(Dispatcher& d, storage::StateStore& store, std::vector<SinkSlot> sinks,
         config::OutboxConfig cfg, FiringAlerts firing = {});
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Every entry of every partition in the store: what earlier runs still owe,
  // whoever owns those partitions now.
  void restore_all();
  // With a changelog: the confirmations (entries rewritten with fewer sinks, or
  // deleted) of the partitions `held` says the engine holds are written in the
  // engine's commits (stage_confirmations), so that they move with the
  // partition and its next holder does not deliver them again; the others are
  // written here as before. Unset (the default, or {}): all written here.
  void record_with(std::function<bool(Partition)> held) { held_ = std::move(held); }
  // Moves the pending confirmations of held partitions into `batch`.
  void stage_confirmations(storage::Batch& batch);
  // Whether any is pending (the engine then has something to commit).
  bool has_confirmations() const;
  // The entries of one partition (with a changelog: what its previous owner
  // still owed, once its state is restored here). Entries already here stay.
  void restore(Partition p);
  // An entry whose batch has just been committed: the record, and `json`, the
  // SPEC JSON line of it that the batch stored.
  void committed(Partition p, std::uint64_t seq, AlertRecord record, std::string json,
                 std::vector<std::string> sinks);
  // The same for a digest record (SPEC section 3, "Digests").
  void committed(Partition p, std::uint64_t seq, DigestRecord record, std::string json,
                 std::vector<std::string> sinks);

  // A new set of sinks (SIGHUP). A sink whose name stays keeps its queue and
  // takes the new settings (an in-flight delivery finishes on the old one); a sink
  // that is gone is struck off what it still owed; a new sink starts empty.
  void replace_sinks(std::vector<SinkSlot> sinks, config::OutboxConfig cfg);

  // At or above outbox.max_entries: the source should take no more messages.
  bool full() const;
  // Nothing owed and nothing in flight.
  bool idle() const;
  // Nothing in flight, and whatever is owed waits for a retry after failing:
  // waiting longer at shutdown (SIGTERM) would only wait for a sink that fails.
  bool settled() const;
  OutboxStats stats() const;
  std::vector<SinkStats> sink_stats() const;

 private:
  struct Entry;
  struct Worker;

  Worker* find(std::string_view name);
  void add(Partition p, std::uint64_t seq, AlertRef record, std::vector<std::string> sinks);
  void enqueue(Entry* e);
  void kick(Worker& w);
  void start(Worker& w);
  void finished(Worker& w, std::vector<Entry*> group, std::size_t reminders, SinkResult r);
  void struck_off(Entry* e, Worker& w);
  void schedule_flush();
  void flush();
  // Loads p's stored entries not here yet; how many.
  std::size_t load(Partition p);
  // The stored form of an entry now: rewritten with what it still owes, or deleted.
  void record(storage::Batch& batch, const std::pair<Partition, std::uint64_t>& key) const;
  void schedule_reminders(Worker& w);
  void remind(Worker& w);
  Millis backoff(int attempt);
  void check_full();

  Dispatcher& d_;
  storage::StateStore& store_;
  config::OutboxConfig cfg_;
  FiringAlerts firing_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::pair<Partition, std::uint64_t>, std::unique_ptr<Entry>> entries_;
  std::set<std::pair<Partition, std::uint64_t>> dirty_;  // to rewrite or delete
  std::function<bool(Partition)> held_;                  // record_with()
  std::unique_ptr<storage::Batch> batch_;
  bool flush_scheduled_ = false;
  bool full_logged_ = false;
  bool record_failing_ = false;  // the last recording of confirmations failed
  std::uint64_t delivered_ = 0, unknown_sinks_ = 0, record_failures_ = 0, unreadable_ = 0;
  std::mt19937_64 jitter_{0x6b696c746572};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards late completions
};

}  // namespace kilter::pipeline
