// Decoder throughput on small events. Run with --benchmark_min_time=1 for stable
// numbers; items_per_second is events per second on one core.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "pipeline/ingest/decoder.h"

namespace {

using kilter::Event;
using kilter::pipeline::Decoder;

const std::string kPost =
    R"({"type":"post","id":"e-184467","account":"acme","ts":"2026-11-20T09:15:00Z",)"
    R"("post_id":"p-1","text":"Our Q3 report is out: revenue up 12%, thanks to the whole team!",)"
    R"("lang":"en","kind":"original","hashtags":["q3","results"],"mentions":[],)"
    R"("links":["https://acme.example/q3"],"category":"professional"})";
const std::string kEngagement =
    R"({"type":"engagement","id":"e-184468","account":"acme","ts":1795166100000,)"
    R"("post_id":"p-1","action":"repost","count":3})";
const std::string kFollowers =
    R"({"type":"followers","id":"e-184469","account":"acme","ts":"2026-11-20T10:00:00+01:00",)"
    R"("followers":12850})";

// One event, decoded over and over; `in_place` gives the decoder padded input.
void run(benchmark::State& state, const std::string& json, bool in_place, bool valid = true) {
  Decoder dec(1 << 20);
  std::string buf = json + std::string(Decoder::padding(), ' ');
  const std::size_t capacity = in_place ? buf.size() : json.size();
  Event ev;
  for (auto _ : state) {
    auto r = dec.decode(std::string_view(buf.data(), json.size()), capacity, ev);
    if (r.ok != valid) state.SkipWithError("unexpected decode outcome");
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(json.size()));
}

void BM_Post(benchmark::State& s) {
  run(s, kPost, true);
}
void BM_PostCopy(benchmark::State& s) {
  run(s, kPost, false);
}
void BM_Engagement(benchmark::State& s) {
  run(s, kEngagement, true);
}
void BM_Followers(benchmark::State& s) {
  run(s, kFollowers, true);
}
void BM_PostWithUnknownFields(benchmark::State& s) {
  std::string json = kPost;
  json.insert(json.size() - 1,
              R"(,"source":{"app":"web","v":[1,2,3],"geo":null},"score":0.75,"pinned":false)");
  run(s, json, true);
}

// A stream of distinct events, as read from an NDJSON file or a Kafka batch.
void BM_MixedStream(benchmark::State& state) {
  std::vector<std::string> events;
  for (int i = 0; i < 1024; ++i) {
    const std::string id = std::to_string(100000 + i);
    switch (i % 4) {
      case 0:
      case 1:
        events.push_back(R"({"type":"engagement","id":"e-)" + id + R"(","account":"acc-)" +
                         std::to_string(i % 97) + R"(","ts":)" + std::to_string(1795166100000 + i) +
                         R"(,"post_id":"p-)" + id + R"(","action":"like"})");
        break;
      case 2:
        events.push_back(R"({"type":"post","id":"e-)" + id + R"(","account":"acc-)" +
                         std::to_string(i % 97) +
                         R"(","ts":"2026-11-20T09:15:00.123Z","post_id":"p-)" + id +
                         R"(","text":"Lunch with the team \ud83c\udf55 at the new place #friday",)"
                         R"("hashtags":["friday"],"lang":"en"})");
        break;
      default:
        events.push_back(R"({"type":"followers","id":"e-)" + id + R"(","account":"acc-)" +
                         std::to_string(i % 97) + R"(","ts":)" + std::to_string(1795166100000 + i) +
                         R"(,"followers":)" + std::to_string(1000 + i) + "}");
    }
  }
  std::string arena;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& e : events) {
    spans.emplace_back(arena.size(), e.size());
    arena += e;
    arena += '\n';
  }
  arena.append(Decoder::padding(), '\n');
  Decoder dec(1 << 20);
  Event ev;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    for (auto [off, len] : spans) {
      auto r = dec.decode(std::string_view(arena.data() + off, len), arena.size() - off, ev);
      if (!r.ok) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(ev);
      bytes += static_cast<std::int64_t>(len);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(spans.size()));
  state.SetBytesProcessed(bytes);
}

// Bad input must not be a slow path: it is counted, not special-cased.
void BM_BadInput(benchmark::State& s) {
  run(s,
      R"({"type":"engagement","id":"e-1","account":"acme","ts":0,"post_id":"p","action":"share"})",
      true, false);
}

BENCHMARK(BM_Post);
BENCHMARK(BM_PostCopy);
BENCHMARK(BM_Engagement);
BENCHMARK(BM_Followers);
BENCHMARK(BM_PostWithUnknownFields);
BENCHMARK(BM_MixedStream);
BENCHMARK(BM_BadInput);

}  // namespace

BENCHMARK_MAIN();
