// The kilterd binary on configurations the world gets wrong: secrets from
// ${VAR} never reach its output, a configuration error is exit 1 (systemd does
// not restart it), an unusable http.listen is refused or fails the start.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/daemon.h"

namespace kilter::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Recognisable, and in no message kilterd would write by itself.
constexpr const char* kSecret = "s3cr3t-Zq8Xw41-kilter";
const std::string kSecretEnv = std::string("KILTER_TEST_SECRET=") + kSecret;

struct Outcome {
  Exit exit;
  std::string out, err;
};

Outcome kilterd(const TempDir& dir, const std::string& command, const std::string& yaml) {
  write_file(dir / "kilter.yaml", yaml);
  auto out = dir / (command + ".out"), err = dir / (command + ".err");
  auto e = run({KILTERD_BIN, command, "--config", (dir / "kilter.yaml").string()}, out, err,
               {kSecretEnv});
  return {e, read_file(out), read_file(err)};
}

// A Kafka source nobody needs to reach: the property is refused before any connection.
std::string kafka_with(const std::string& properties) {
  return "kafka:\n  brokers: 127.0.0.1:1\n  topics: [t]\n  properties: {" + properties +
         "}\nstorage: {path: state}\nhttp: {listen: 127.0.0.1:0}\n";
}

TEST(SecretsInOutput, CheckConfigDoesNotEchoAnExpandedKafkaProperty) {
  TempDir dir;
  for (const std::string props :
       {"security.protocol: \"${KILTER_TEST_SECRET}\"", "debug: \"all,${KILTER_TEST_SECRET}\"",
        "message.max.bytes: \"99${KILTER_TEST_SECRET}\""}) {
    auto r = kilterd(dir, "check-config", kafka_with(props));
    EXPECT_EQ(r.exit.code, 1) << props << "\n" << r.err;
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecret))) << props;
    EXPECT_THAT(r.err, HasSubstr("kafka property ")) << props;
  }
}

// The changelog's two keys are shown, the default computed from the group id.
TEST(CheckConfig, ShowsTheChangelogTopicAndStandbys) {
  TempDir dir;
  auto r = kilterd(dir, "check-config",
                   "kafka:\n  brokers: 127.0.0.1:1\n  group_id: fraud\n  topics: [t]\n"
                   "storage: {path: state}\n");
  EXPECT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("changelog fraud.changelog, 0 standby replicas"));
  r = kilterd(dir, "check-config",
              "kafka:\n  brokers: 127.0.0.1:1\n  topics: [t]\n  changelog_topic: \"\"\n"
              "storage: {path: state}\n");
  EXPECT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("changelog none, 0 standby replicas"));
  r = kilterd(dir, "check-config",
              "kafka:\n  brokers: 127.0.0.1:1\n  topics: [t]\n  changelog_topic: \"\"\n"
              "  standby_replicas: 1\nstorage: {path: state}\n");
  EXPECT_EQ(r.exit.code, 1);
  EXPECT_THAT(r.err, HasSubstr("kilter.yaml:5:"));
  EXPECT_THAT(r.err, HasSubstr("kafka.standby_replicas"));
}

TEST(SecretsInOutput, RunRefusesABadKafkaPropertyWithExit1AndNoSecret) {
  TempDir dir;
  auto r = kilterd(dir, "run", kafka_with("security.protocol: \"${KILTER_TEST_SECRET}\""));
  EXPECT_FALSE(r.exit.signaled);
  EXPECT_EQ(r.exit.code, 1) << r.err;
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecret)));
  EXPECT_THAT(r.err, HasSubstr("security.protocol"));
}

// librdkafka echoes values outside conf_set too: when it creates the client
// ("Unsupported SASL mechanism: ...") and in its own log lines (CONFWARN "set to
// `...`"). Every log line shows ${VAR} in place of what it expanded to.
TEST(SecretsInOutput, LibrdkafkaMessagesShowTheReferenceNotTheValue) {
  TempDir dir;
  auto r = kilterd(dir, "run",
                   kafka_with("security.protocol: sasl_plaintext, sasl.username: u, "
                              "sasl.password: p, sasl.mechanisms: \"${KILTER_TEST_SECRET}\""));
  // A combination librdkafka refuses only when it creates a client is still a
  // configuration error: exit 1, which systemd does not restart in a loop.
  EXPECT_EQ(r.exit.code, 1) << r.err;
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecret)));
  EXPECT_THAT(r.err, HasSubstr("${KILTER_TEST_SECRET}"));

  write_file(dir / "kilter.yaml", kafka_with("sasl.mechanisms: \"${KILTER_TEST_SECRET}\""));
  Daemon d(dir.path(), {kSecretEnv});
  d.start();
  EXPECT_TRUE(eventually([&] { return d.log().find("sasl.mechanism") != std::string::npos; },
                         std::chrono::seconds(30)))
      << d.log();
  d.stop();
  EXPECT_THAT(d.log(), Not(HasSubstr(kSecret)));
  EXPECT_THAT(d.log(), HasSubstr("${KILTER_TEST_SECRET}"));
}

TEST(SecretsInOutput, ConfigErrorsShowTheValueAsWritten) {
  TempDir dir;
  auto r = kilterd(dir, "check-config",
                   "source: {file: e.ndjson}\nhttp: {listen: \"${KILTER_TEST_SECRET}\"}\n"
                   "log: {level: \"${KILTER_TEST_SECRET}\"}\n");
  EXPECT_EQ(r.exit.code, 1);
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecret)));
  EXPECT_THAT(r.err, HasSubstr("${KILTER_TEST_SECRET}"));
}

// A webhook whose URL carries a token, failing: its log lines show no URL.
TEST(SecretsInOutput, FailingSinksDoNotLogTheirUrlOrSecret) {
  TempDir dir;
  write_file(
      dir / "e.ndjson",
      R"({"type":"post","id":"e1","account":"acme","ts":"2026-11-20T09:00:00Z","post_id":"p1","text":"my cat","category":"personal"}
)");
  auto r = kilterd(dir, "run", R"(source: {file: e.ndjson}
storage: {path: state}
http: {listen: 127.0.0.1:0}
outbox: {drain_timeout: 1s, retry_initial: 100ms}
profiles:
  brand:
    rules: [{name: r, metric: posts, window: 1h, max: 0}]
sinks:
  - {type: webhook, url: "http://127.0.0.1:1/hook/${KILTER_TEST_SECRET}", secret: "${KILTER_TEST_SECRET}"}
  - {type: slack, url: "http://127.0.0.1:1/services/${KILTER_TEST_SECRET}"}
  - {type: teams, url: "http://127.0.0.1:1/workflows/${KILTER_TEST_SECRET}"}
)");
  EXPECT_FALSE(r.exit.signaled);
  EXPECT_THAT(r.err, HasSubstr("delivery failed"));     // the failure was logged...
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecret)));  // ...without the secret
}

// SIGHUP with refused files: the refusal shows no expanded value, and a Kafka
// sink added to a daemon started without a kafka section is refused (it crashed
// the daemon: the reload keeps the running kafka section, which is none).
TEST(SecretsInOutput, ReloadRefusalsShowNoSecretAndKeepTheDaemon) {
  TempDir dir;
  const std::string base =
      "source: {file: \"-\"}\nstorage: {path: state}\n"
      "http: {listen: 127.0.0.1:0}\n";
  write_file(dir / "kilter.yaml", base);
  auto fifo = dir / "events";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Daemon d(dir.path(), {kSecretEnv});
  d.start_with_stdin(fifo);
  int w = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // keeps the daemon reading
  ASSERT_GE(w, 0);
  ASSERT_NE(d.port(), 0) << d.log();
  auto refusals = [&] {
    std::size_t n = 0;
    auto log = d.log();
    for (auto pos = log.find("reload refused"); pos != std::string::npos;
         pos = log.find("reload refused", pos + 1))
      ++n;
    return n;
  };
  write_file(dir / "kilter.yaml", base + "log: {level: \"${KILTER_TEST_SECRET}\"}\n");
  d.kill_keep(SIGHUP);
  EXPECT_TRUE(eventually([&] { return refusals() == 1; }, std::chrono::seconds(30))) << d.log();
  write_file(dir / "kilter.yaml",
             base +
                 "kafka: {brokers: 127.0.0.1:1, properties: {security.protocol: "
                 "\"${KILTER_TEST_SECRET}\"}}\nsinks: [{type: kafka, topic: alerts}]\n");
  d.kill_keep(SIGHUP);
  EXPECT_TRUE(eventually([&] { return refusals() == 2 || !d.alive(); }, std::chrono::seconds(30)));
  EXPECT_TRUE(d.alive()) << d.log();
  EXPECT_EQ(d.get("/-/healthy").status, 200);
  ::close(w);
  d.stop();
  EXPECT_THAT(d.log(), HasSubstr("${KILTER_TEST_SECRET}"));
  EXPECT_THAT(d.log(), Not(HasSubstr(kSecret)));
}

// A listening socket on a kernel-chosen loopback port, held for the test.
class TakenPort {
 public:
  TakenPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 1) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port_ = ntohs(a.sin_port);
  }
  ~TakenPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HttpListen, CheckConfigRefusesWhatTheServerCannotBind) {
  TempDir dir;
  for (const char* bad : {"300.1.1.1:80", "localhost:99999", "nonsense", "127.0.0.1"}) {
    auto r = kilterd(dir, "check-config",
                     std::string("source: {file: e.ndjson}\nhttp: {listen: \"") + bad + "\"}\n");
    EXPECT_EQ(r.exit.code, 1) << bad;
    EXPECT_THAT(r.err, HasSubstr("kilter.yaml:2:")) << bad;
    EXPECT_THAT(r.err, HasSubstr("http.listen")) << bad;
  }
}

TEST(HttpListen, RunFailsWhenThePortIsInUse) {
  TempDir dir;
  TakenPort taken;
  ASSERT_NE(taken.port(), 0);
  write_file(dir / "e.ndjson", "");
  auto listen = "127.0.0.1:" + std::to_string(taken.port());
  auto r = kilterd(
      dir, "run",
      "source: {file: e.ndjson}\nstorage: {path: state}\nhttp: {listen: \"" + listen + "\"}\n");
  EXPECT_EQ(r.exit.code, 2) << r.err;  // a runtime condition: systemd retries it
  EXPECT_THAT(r.err, HasSubstr("cannot listen on " + listen));
  EXPECT_THAT(r.err, HasSubstr("in use"));
}

// `kilterd classify --eval FILE`: the binary on a small labelled file.
struct EvalOutcome {
  Exit exit;
  std::string out, err;
};

EvalOutcome eval(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> argv = {KILTERD_BIN, "classify"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto out = dir / "eval.out", err = dir / "eval.err";
  auto e = run(argv, out, err, {});
  return {e, read_file(out), read_file(err)};
}

std::string post(const std::string& id, const std::string& text, const std::string& extra) {
  return "{\"type\":\"post\",\"id\":\"e-" + id +
         "\",\"account\":\"a\",\"ts\":\"2026-11-25T10:00:00Z\"," + "\"post_id\":\"" + id +
         "\",\"text\":\"" + text + "\"," + extra + "}\n";
}

// 1: a clearly personal post labelled promotional as `category` (the decoder would
// trust it): the classifier must classify the text and count a mistake.
// 2: the same text labelled personal through `expected`.
// 3: not JSON. 4: an engagement. 5: a label outside the three classes.
std::string sample() {
  const std::string personal =
      "Happy birthday to my wonderful mom! Family dinner tonight with the kids, love you all";
  return post("p1", personal, "\"lang\":\"en\",\"category\":\"promotional\"") +
         post("p2", personal, "\"lang\":\"fr\",\"expected\":\"personal\"") + "{not json\n" +
         "{\"type\":\"engagement\",\"id\":\"g1\",\"account\":\"a\",\"ts\":\"2026-11-25T10:00:00Z\","
         "\"post_id\":\"p1\",\"action\":\"like\"}\n" +
         post("p3", personal, "\"expected\":\"spam\"");
}

TEST(ClassifyEval, CountsAMistakeForAnUntrustedCategoryLabelAndSkipsBadLines) {
  TempDir dir;
  write_file(dir / "labelled.ndjson", sample());
  auto r = eval(dir, {"--eval", (dir / "labelled.ndjson").string(), "--by", "lang"});
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("posts evaluated: 2 (3 line(s) skipped)"));
  EXPECT_THAT(r.out, HasSubstr("accuracy: 0.500 (1/2)"));
  EXPECT_THAT(r.out, HasSubstr("p1  label=promotional predicted=personal"));
  EXPECT_THAT(r.out, Not(HasSubstr("p2  label=")));
  EXPECT_THAT(r.err, HasSubstr("line 3: skipped: bad input"));
  EXPECT_THAT(r.err, HasSubstr("line 4: skipped: not a post"));
  EXPECT_THAT(r.err, HasSubstr("line 5: skipped: label \"spam\""));
  EXPECT_THAT(r.out, HasSubstr("by lang"));
  EXPECT_THAT(r.out, HasSubstr("en                    1     0.000"));
  EXPECT_THAT(r.out, HasSubstr("fr                    1     1.000"));
}

TEST(ClassifyEval, JsonOutput) {
  TempDir dir;
  write_file(dir / "labelled.ndjson", sample());
  auto r = eval(dir, {"--eval", (dir / "labelled.ndjson").string(), "--json"});
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"evaluated\":2,\"skipped\":3,\"correct\":1,\"accuracy\":0.5"));
  EXPECT_THAT(r.out, HasSubstr("\"promotional\":{\"personal\":1,"));
}

TEST(ClassifyEval, ExplicitLabelFieldHasNoFallback) {
  TempDir dir;
  write_file(dir / "labelled.ndjson", sample());
  auto r = eval(dir, {"--eval", (dir / "labelled.ndjson").string(), "--label", "expected"});
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("accuracy: 1.000 (1/1)"));
  EXPECT_THAT(r.err, HasSubstr("line 1: skipped: no label (field expected)"));
}

TEST(ClassifyEval, MissingFileIsExit1) {
  TempDir dir;
  auto r = eval(dir, {"--eval", (dir / "nope.ndjson").string()});
  EXPECT_EQ(r.exit.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));
  EXPECT_THAT(r.err, HasSubstr("nope.ndjson"));
  auto d = eval(dir, {"--eval", dir.path().string()});
  EXPECT_EQ(d.exit.code, 1);
  EXPECT_THAT(d.err, HasSubstr("is a directory"));
}

}  // namespace
}  // namespace kilter::testing
