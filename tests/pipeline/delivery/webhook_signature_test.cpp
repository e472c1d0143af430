// The Standard Webhooks signature: known values computed independently (openssl
// CLI), and the reference implementation (npm `standardwebhooks`) verifying what
// we sign, when Node.js is here.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "pipeline/delivery/hmac.h"

namespace kilter::pipeline {
namespace {

namespace fs = std::filesystem;

TEST(Base64, RoundTripsAndRefusesGarbage) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9v"), "foo");
  EXPECT_EQ(base64_decode(""), "");
  for (const char* bad : {"Zg", "Zg=", "Z===", "!!!!", "Zm9v\n"})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

TEST(WebhookKey, WhsecSecretsAreDecodedOthersAreTheKey) {
  EXPECT_EQ(webhook_key("s3cret"), "s3cret");
  EXPECT_EQ(webhook_key("whsec_czNjcmV0"), "s3cret");
  EXPECT_FALSE(webhook_key("whsec_not base64").has_value());
}

// Expected values from the openssl CLI:
//   printf '%s' 'msg_1.1763600000.{"a":1}' |
//     openssl dgst -sha256 -hmac s3cret -binary | base64
TEST(StandardWebhookSignature, MatchesAnIndependentComputation) {
  EXPECT_EQ(standard_webhook_signature("s3cret", "msg_1", 1763600000, R"({"a":1})"),
            "v1,uHDUI6V6tf6MpQfREJpLVyrqqoZwNeqQQyz/M8OnZEc=");
  // printf '%s' 'abc' | openssl dgst -sha256
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::string run_capture(const std::string& cmd, int& status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int st = ::pclose(p);
  status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// The reference implementation verifies our headers. It comes from
// $KILTER_STANDARDWEBHOOKS_DIR (a directory holding node_modules/standardwebhooks),
// else is installed with npm into a temporary directory; without Node.js, npm or
// the registry the test is skipped, saying which.
TEST(StandardWebhookSignature, TheReferenceImplementationVerifiesIt) {
  int st = 0;
  run_capture("node --version >/dev/null 2>&1", st);
  if (st != 0) GTEST_SKIP() << "node is not installed: the reference check is skipped";
  std::random_device rd;
  const fs::path tmp = fs::temp_directory_path() / ("kilter-swh-" + std::to_string(rd()));
  fs::create_directories(tmp);
  fs::path modules;
  if (const char* dir = std::getenv("KILTER_STANDARDWEBHOOKS_DIR"))
    modules = fs::path(dir) / "node_modules";
  if (modules.empty() || !fs::exists(modules / "standardwebhooks")) {
    run_capture("cd '" + tmp.string() +
                    "' && timeout 120 npm install --no-audit --no-fund --silent "
                    "standardwebhooks@1.3.0 >/dev/null 2>&1",
                st);
    modules = tmp / "node_modules";
    if (st != 0 || !fs::exists(modules / "standardwebhooks")) {
      fs::remove_all(tmp);
      GTEST_SKIP() << "npm could not install standardwebhooks (no npm or no registry): the "
                      "reference check is skipped";
    }
  }
  const std::string secret = "s3cret with spaces & symbols";
  const std::string body = R"({"alert_id":"acme/posts/1d","status":"firing","note":"é ✓"})";
  const std::string id = "msg_0123456789abcdef";
  const std::int64_t ts = 1763600000;
  const auto key = webhook_key(secret);
  ASSERT_TRUE(key);
  const auto sig = standard_webhook_signature(*key, id, ts, body);
  ASSERT_EQ(sig.rfind("v1,", 0), 0u) << sig;
  {
    std::ofstream(tmp / "body.json", std::ios::binary) << body;
    std::ofstream js(tmp / "verify.js");
    js << "const { Webhook } = require(" << '"' << (modules / "standardwebhooks").string() << '"'
       << ");\n"
       << "const fs = require('fs');\n"
       << "Date.now = () => " << ts << " * 1000;  // the signed time is 'now'\n"
       << "const wh = new Webhook(Buffer.from(process.argv[2]).toString('base64'));\n"
       << "wh.verify(fs.readFileSync(process.argv[3], 'utf8'), {'webhook-id': process.argv[4],\n"
       << "  'webhook-timestamp': process.argv[5], 'webhook-signature': process.argv[6]});\n"
       << "try { wh.verify(fs.readFileSync(process.argv[3], 'utf8') + ' ', {'webhook-id':\n"
       << "  process.argv[4], 'webhook-timestamp': process.argv[5], 'webhook-signature':\n"
       << "  process.argv[6]}); process.exit(3); } catch (e) {}\n"
       << "console.log('verified');\n";
  }
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  auto out = run_capture("node " + quote((tmp / "verify.js").string()) + " " + quote(secret) + " " +
                             quote((tmp / "body.json").string()) + " " + quote(id) + " " +
                             std::to_string(ts) + " " + quote(sig) + " 2>&1",
                         st);
  fs::remove_all(tmp);
  EXPECT_EQ(st, 0) << out;
  EXPECT_EQ(out, "verified\n");
}

}  // namespace
}  // namespace kilter::pipeline
