// The `digests:` section and the time zones of accounts. Zones come from the
// system's tz database through Abseil (never hand-written offsets); a zone whose
// UTC offsets, or a digest `at` that, are not multiples of storage.bucket are
// refused: a period must start and end on bucket boundaries to be summed exactly.
#include <absl/time/time.h>
#include <fmt/format.h>

#include <numeric>
#include <set>

#include "common/time.h"
#include "config/reader.h"

namespace kilter::config::detail {
namespace {

constexpr std::string_view kDigestKeys[] = {"name",    "every", "at",   "timezone",
                                            "weekday", "match", "sinks"};
constexpr std::string_view kEvery[] = {"1d", "7d"};
constexpr std::string_view kWeekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};

// The offsets are checked over the years a deployment can meet.
const absl::Time kZonesFrom = absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone());
const absl::Time kZonesTo = absl::FromCivil(absl::CivilSecond(2100, 1, 1), absl::UTCTimeZone());

// "HH:MM", 00:00 to 23:59, as milliseconds after midnight.
std::optional<Millis> parse_at(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return std::chrono::hours(h) + std::chrono::minutes(m);
}

// Every UTC offset `zone` uses from 2000 to 2100 (seconds east of UTC).
std::set<std::int64_t> offsets(const std::string& zone) {
  std::set<std::int64_t> out;
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(zone, &tz)) return out;
  out.insert(tz.At(kZonesFrom).offset);
  absl::TimeZone::CivilTransition t;
  absl::Time at = kZonesFrom;
  // A zone has at most a few hundred transitions in a century; the bound is a guard.
  for (int i = 0; i < 10'000 && tz.NextTransition(at, &t); ++i) {
    at = absl::FromCivil(t.to, tz);
    if (at >= kZonesTo) break;
    out.insert(tz.At(at).offset);
  }
  return out;
}

// The largest bucket dividing the current one, every offset of `zone` and `at`
// (what the error proposes: it keeps the rule windows multiples too).
Millis working_bucket(Millis bucket, const std::set<std::int64_t>& zone, Millis at) {
  std::int64_t g = bucket.count();
  for (auto o : zone) g = std::gcd(g, o * 1000);
  g = std::gcd(g, at.count());
  return Millis{g};
}

bool aligned(Millis bucket, const std::set<std::int64_t>& zone) {
  for (auto o : zone)
    if ((o * 1000) % bucket.count() != 0) return false;
  return true;
}

// The offsets of `zone` against the bucket, reported at `path`.
void check_zone(Reader& r, const Config& c, const std::string& path, const std::string& zone,
                Millis at) {
  const Millis bucket = c.storage.bucket;
  if (bucket.count() <= 0) return;
  const auto used = offsets(zone);
  if (aligned(bucket, used)) return;
  std::vector<std::string> shown;
  for (auto o : used)
    if ((o * 1000) % bucket.count() != 0)
      shown.push_back(format_duration(Millis{std::abs(o) * 1000}));
  r.error(r.where(path), path,
          fmt::format("time zone {} uses UTC offsets ({}) that are not multiples of "
                      "storage.bucket ({}): its periods would not start on bucket boundaries; "
                      "use storage.bucket {}",
                      zone, join_keys(std::vector<std::string_view>(shown.begin(), shown.end())),
                      format_duration(bucket), format_duration(working_bucket(bucket, used, at))));
}

void read_digest(Reader& r, const Field& item, const Config& c, Digest& d) {
  auto m = r.map(item, kDigestKeys);
  if (!m) return;
  if (const auto* v = m->get("name"))
    r.nonempty_string(*v, d.name);
  else
    r.error(item.loc, child_path(item.path, "name"), "missing: the digest's name (in digest_id)");
  if (const auto* v = m->get("every"); v && r.choice(*v, kEvery, d.every_text))
    d.every = std::chrono::days(d.every_text == "7d" ? 7 : 1);
  if (const auto* v = m->get("at")) {
    if (auto s = r.scalar(*v)) {
      if (auto at = parse_at(s->text)) {
        d.at = *at;
        d.at_text = s->text;
      } else {
        r.error(*v,
                fmt::format("expected a local time HH:MM, 00:00 to 23:59 (got {})", s->shown()));
      }
    }
  }
  if (const auto* v = m->get("timezone")) read_timezone(r, *v, d.timezone);
  if (const auto* v = m->get("weekday")) {
    std::string day;
    if (d.every_text != "7d") {
      r.error(*v, "a weekday is for weekly digests (every: 7d)");
    } else if (r.choice(*v, kWeekdays, day)) {
      for (std::size_t i = 0; i < std::size(kWeekdays); ++i)
        if (kWeekdays[i] == day) d.weekday = static_cast<int>(i);
    }
  }
  if (const auto* v = m->get("match")) {
    if (read_matcher(r, *v, c, d.match) &&
        (!d.match.rule.empty() || !d.match.metric.empty() || !d.match.severity.empty()))
      r.error(*v, "a digest matches accounts: use account and profile only");
  }
  if (const auto* v = m->get("sinks")) {
    std::vector<std::string> names;
    if (r.string_list(*v, names)) {
      if (names.empty()) r.error(*v, "list at least one sink (remove the key for every sink)");
      for (const auto& n : names) {
        bool known = false;
        for (const auto& s : c.sinks) known = known || s.name == n;
        if (!known) {
          std::vector<std::string_view> list;
          for (const auto& s : c.sinks) list.push_back(s.name);
          r.error(*v, fmt::format("unknown sink '{}'; sinks: {}", n, join_keys(list)));
        }
      }
      d.sinks = std::move(names);
    }
  }
}

}  // namespace

bool read_timezone(Reader& r, const Field& f, std::string& out) {
  std::string name;
  if (!r.nonempty_string(f, name)) return false;
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(name, &tz)) {
    r.error(f,
            fmt::format("unknown time zone '{}': use an IANA name like Europe/Paris or UTC", name));
    return false;
  }
  out = std::move(name);
  return true;
}

void read_digests(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  std::map<std::string, int> names;
  for (const auto& item : *items) {
    Digest d;
    const auto errors = r.error_count();
    read_digest(r, item, c, d);
    if (!d.name.empty()) {
      if (auto [pos, fresh] = names.emplace(d.name, item.loc.line); !fresh)
        r.error(r.where(child_path(item.path, "name")), child_path(item.path, "name"),
                fmt::format("digest name '{}' is already used at line {}", d.name, pos->second));
    }
    if (r.error_count() != errors) continue;
    // Its periods end at `at` local time: on a bucket boundary only if `at` is
    // a multiple of the bucket and so is every offset of the zone.
    const Millis bucket = c.storage.bucket;
    if (bucket.count() > 0 && d.at.count() % bucket.count() != 0)
      r.error(r.where(child_path(item.path, "at")), child_path(item.path, "at"),
              fmt::format("{} is not a multiple of storage.bucket ({}) after midnight; use "
                          "storage.bucket {} or another time",
                          d.at_text, format_duration(bucket),
                          format_duration(Millis{std::gcd(bucket.count(), d.at.count())})));
    const auto tz_path = child_path(item.path, "timezone");
    check_zone(r, c, r.written(tz_path) ? tz_path : item.path, d.timezone, d.at);
    // The windows and the store keep a period's buckets (and a day more: a
    // daylight-saving change, a wall clock behind the events).
    const Millis needed = d.every + std::chrono::days(1);
    if (needed > c.storage.retention)
      r.error(r.where(child_path(item.path, "every")), child_path(item.path, "every"),
              fmt::format("storage.retention ({}) must be at least a digest's period plus a "
                          "day ({})",
                          format_duration(c.storage.retention), format_duration(needed)));
    c.digests.push_back(std::move(d));
  }
  // An account's own zone cuts its periods of every digest.
  if (c.digests.empty()) return;
  Millis ats{0};
  for (const auto& d : c.digests) ats = Millis{std::gcd(ats.count(), d.at.count())};
  for (std::size_t i = 0; i < c.accounts.size(); ++i) {
    const auto& zone = c.accounts[i].timezone;
    if (zone.empty()) continue;
    check_zone(r, c, child_path(index_path("accounts", i), "timezone"), zone, ats);
  }
}

}  // namespace kilter::config::detail
