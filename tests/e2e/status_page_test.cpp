// The status page as a browser shows it: kilterd replays the demo week (the
// generator's, with deploy/examples/demo.yaml's profiles) and headless Chromium
// renders `/`. Every account of the scenario is on it, the firing ones first,
// each with its two sparklines, and an id full of markup is shown as text.
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

#include "tests/e2e/daemon.h"
#include "tools/loadgen/generator.h"

namespace kilter::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
// Parsed by Chromium as text, never as markup (its DOM serialises it escaped).
constexpr const char* kOddAccount = "<b>o'hara</b> & co";
constexpr const char* kOddAccountInDom = "&lt;b&gt;o'hara&lt;/b&gt; &amp; co";

void replace(std::string& s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  s.replace(pos, from.size(), to);
}

std::set<std::string> accounts(const std::string& json) {
  static const std::regex re("\"account\":\"([^\"]+)\"");
  std::set<std::string> out;
  for (std::sregex_iterator it(json.begin(), json.end(), re), end; it != end; ++it)
    out.insert((*it)[1]);
  return out;
}

std::string as_in_dom(const std::string& id) {
  return id == kOddAccount ? kOddAccountInDom : id;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TEST(StatusPage, ChromiumShowsTheReplayedAccountsFiringFirst) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is absent (./dev setup)";
  std::signal(SIGPIPE, SIG_IGN);  // a daemon that dies makes the writes fail, not the test
  TempDir dir;
  auto yaml = read_file(fs::path(KILTER_SOURCE_DIR) / "deploy/examples/demo.yaml");
  // stdin from a FIFO kept open: the daemon keeps serving once the week is in.
  replace(yaml, "source: {file: demo-events.ndjson}", "source: {file: \"-\"}");
  replace(yaml, "path: demo-state", "path: state");
  replace(yaml, "{name: alerts, type: file, path: demo-alerts.ndjson}",
          "{name: alerts, type: file, path: alerts.ndjson}");
  replace(yaml, "http: {listen: 127.0.0.1:9464}", "http: {listen: 127.0.0.1:0}");
  write_file(dir / "kilter.yaml", yaml);

  std::string events =
      std::string(R"({"type":"post","id":"odd-1","account":")") + kOddAccount +
      R"(","ts":"2026-11-16T00:00:00Z","post_id":"odd-p1","text":"x","category":"personal"})" +
      "\n";
  std::size_t lines = 1;
  auto gen = loadgen::Generator::create(loadgen::GeneratorOptions{});
  ASSERT_TRUE(gen.ok()) << gen.error().message;
  for (std::string e; gen->next(e); ++lines) events += e + "\n";

  const auto fifo = dir / "events";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Daemon d(dir.path());
  d.start_with_stdin(fifo);
  int w = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(w, 0);
  for (std::size_t done = 0; done < events.size();) {
    auto n = ::write(w, events.data() + done, events.size() - done);
    ASSERT_GT(n, 0) << d.log();
    done += static_cast<std::size_t>(n);
  }
  ASSERT_TRUE(eventually([&] {
    auto m = d.metrics();
    return metric_sum(m, "kilter_events_total") == static_cast<double>(lines) &&
           metric(m, "kilter_uncommitted_messages") == 0;
  })) << d.log();

  const auto all = accounts(d.get("/api/v1/accounts?status=all&limit=1000").body);
  const auto firing = accounts(d.get("/api/v1/accounts?status=firing&limit=1000").body);
  ASSERT_EQ(all.size(), 21u);  // the demo's 20 accounts and the odd one
  ASSERT_TRUE(all.count(kOddAccount));
  ASSERT_FALSE(firing.empty());  // the week drifts on purpose (demo.yaml lists how)
  ASSERT_LT(firing.size(), all.size());

  const auto url = "http://127.0.0.1:" + std::to_string(d.port()) + "/";
  auto browser =
      run({"/usr/bin/timeout", "180", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + (dir / "chromium").string(), "--dump-dom", url},
          dir / "dom.html", dir / "chromium.log");
  ASSERT_EQ(browser.code, 0) << read_file(dir / "chromium.log");
  const auto dom = read_file(dir / "dom.html");

  // The rows as the browser holds them: status and account, in page order.
  static const std::regex row_re(
      "<tr class=\"(firing|pending|ok)\"><td><a class=\"acct\" href=\"[^\"]*\"[^>]*>([^<]*)</a>");
  std::vector<std::pair<std::string, std::string>> rows;
  for (std::sregex_iterator it(dom.begin(), dom.end(), row_re), end; it != end; ++it)
    rows.emplace_back((*it)[1], (*it)[2]);
  ASSERT_EQ(rows.size(), all.size()) << dom;
  std::set<std::string> shown, shown_firing;
  for (const auto& [status, id] : rows) {
    shown.insert(id);
    if (status == "firing") shown_firing.insert(id);
  }
  std::set<std::string> expected, expected_firing;
  for (const auto& id : all) expected.insert(as_in_dom(id));
  for (const auto& id : firing) expected_firing.insert(as_in_dom(id));
  EXPECT_EQ(shown, expected);
  EXPECT_EQ(shown_firing, expected_firing);
  // Firing first, then pending, then ok; by id within each.
  auto rank = [](const std::string& s) { return s == "firing" ? 0 : s == "pending" ? 1 : 2; };
  for (std::size_t i = 1; i < rows.size(); ++i)
    EXPECT_LE(rank(rows[i - 1].first), rank(rows[i].first)) << rows[i].second;
  EXPECT_EQ(rows.front().first, "firing");
  // Each row's two sparklines, drawn from a week of data, and its balance.
  EXPECT_EQ(count(dom, "<svg class=\"spark-share\""), rows.size());
  EXPECT_EQ(count(dom, "<svg class=\"spark-engagement\""), rows.size());
  EXPECT_GE(count(dom, "<polyline class=\"share\""), rows.size() - 1);
  EXPECT_GE(count(dom, "<rect class=\"eng"), 7 * (rows.size() - 1));
  EXPECT_EQ(count(dom, "<svg class=\"balance\""), rows.size());
  // Markup in an id stays text: no element came out of it.
  EXPECT_EQ(dom.find("<b>o'hara"), std::string::npos);
  EXPECT_NE(dom.find(std::string(">") + kOddAccountInDom + "</a>"), std::string::npos);
  EXPECT_NE(dom.find(std::to_string(firing.size()) + " firing"), std::string::npos);
  // The share rules out of limits (globex, boulangerie-dupont, exec-john-smith:
  // demo.yaml) say what to post next.
  EXPECT_GE(count(dom, "<div class=\"advice\"><b>Advice</b> "), 3u) << dom;
  EXPECT_NE(dom.find("posts would be needed"), std::string::npos) << dom;

  EXPECT_EQ(d.stop().code, 0) << d.log();
  ::close(w);
}

}  // namespace
}  // namespace kilter::testing
