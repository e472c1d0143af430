#include "pipeline/ingest/decoder.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/time.h"

namespace kilter::pipeline {

static void PrintTo(BadInput r, std::ostream* os) {
  *os << to_string(r);
}

namespace {

constexpr std::size_t kMax = 16 * 1024;
const std::string kHead =
    R"("type":"post","id":"e-1","account":"acme","ts":"2026-11-20T09:15:00Z","post_id":"p-1")";

std::string post_with(const std::string& extra) {
  return "{" + kHead + extra + "}";
}

// The post of kHead with one of its fields set to another value ("\"ts\":true"):
// the field is replaced, not repeated (a repeated key is bad input of its own).
std::string post_set(const std::string& field) {
  const std::string key = field.substr(0, field.find(':') + 1);
  std::string head = kHead;
  auto at = head.find(key);
  auto end = head.find(",\"", at + 1);
  if (end == std::string::npos) {
    head.erase(at - 1);  // the last field, with the comma before it
  } else {
    head.erase(at, end + 1 - at);
  }
  return "{" + head + "," + field + "}";
}

std::vector<std::string> strings(std::span<const std::string_view> s) {
  return {s.begin(), s.end()};
}

class DecoderTest : public ::testing::Test {
 protected:
  DecodeOutcome decode(std::string_view s) { return dec.decode(s, ev); }

  Decoder dec{kMax};
  Event ev;
};

TEST_F(DecoderTest, PostWithAllOptionalFields) {
  auto r = decode(
      R"({"type":"post","id":"e-1","account":"acme","ts":"2026-11-20T09:15:00Z",
          "post_id":"p-1","text":"Our Q3 report is out","lang":"en","kind":"quote",
          "hashtags":["q3","results"],"mentions":["@bob"],"links":["https://acme.example/q3"],
          "category":"professional"})");
  ASSERT_TRUE(r.ok) << to_string(r.reason) << " " << r.field;
  EXPECT_EQ(ev.type, EventType::post);
  EXPECT_EQ(ev.id, "e-1");
  EXPECT_EQ(ev.account, "acme");
  EXPECT_EQ(ev.ts, parse_rfc3339("2026-11-20T09:15:00Z"));
  EXPECT_EQ(ev.post_id, "p-1");
  EXPECT_EQ(ev.text, "Our Q3 report is out");
  EXPECT_EQ(ev.lang, "en");
  EXPECT_EQ(ev.kind, PostKind::quote);
  EXPECT_EQ(ev.category, Category::professional);
  EXPECT_EQ(strings(ev.hashtags), (std::vector<std::string>{"q3", "results"}));
  EXPECT_EQ(strings(ev.mentions), (std::vector<std::string>{"@bob"}));
  EXPECT_EQ(strings(ev.links), (std::vector<std::string>{"https://acme.example/q3"}));
}

TEST_F(DecoderTest, PostDefaultsAndEveryEnumValue) {
  ASSERT_TRUE(decode(post_with("")).ok);
  EXPECT_EQ(ev.text, "");
  EXPECT_EQ(ev.lang, "");
  EXPECT_EQ(ev.kind, PostKind::unknown);
  EXPECT_FALSE(ev.category.has_value());
  EXPECT_TRUE(ev.hashtags.empty());
  for (auto k : {PostKind::original, PostKind::reply, PostKind::repost, PostKind::quote}) {
    ASSERT_TRUE(decode(post_with(R"(,"kind":")" + std::string(to_string(k)) + "\"")).ok);
    EXPECT_EQ(ev.kind, k);
  }
  for (auto c : {Category::personal, Category::professional, Category::promotional}) {
    ASSERT_TRUE(decode(post_with(R"(,"category":")" + std::string(to_string(c)) + "\"")).ok);
    EXPECT_EQ(ev.category, c);
  }
}

TEST_F(DecoderTest, NullOnOptionalFieldsMeansAbsent) {
  auto r = decode(post_with(
      R"(,"text":null,"lang":null,"kind":null,"category":null,"hashtags":null,"links":null)"));
  ASSERT_TRUE(r.ok) << to_string(r.reason) << " " << r.field;
  EXPECT_FALSE(ev.category.has_value());
  EXPECT_EQ(ev.kind, PostKind::unknown);
  ASSERT_TRUE(decode(R"({"type":"engagement","id":"e","account":"a","ts":1,"post_id":"p",
                        "action":"like","count":null})")
                  .ok);
  EXPECT_EQ(ev.count, 1u);
  auto bad = decode(post_set(R"("id":null)"));
  EXPECT_EQ(bad.reason, BadInput::wrong_type);
  EXPECT_EQ(bad.field, "id");
}

TEST_F(DecoderTest, Engagement) {
  const char* actions[] = {"reply", "repost", "quote", "like", "click", "impression"};
  for (const char* a : actions) {
    auto r =
        decode(std::string(R"({"ts":1700000000000,"action":")") + a +
               R"(","post_id":"p-9","account":"acme","id":"e-2","type":"engagement","count":3})");
    ASSERT_TRUE(r.ok) << a;
    EXPECT_EQ(ev.type, EventType::engagement);
    EXPECT_EQ(to_string(ev.action), a);
    EXPECT_EQ(ev.post_id, "p-9");
    EXPECT_EQ(ev.count, 3u);
    EXPECT_EQ(epoch_ms(ev.ts), 1700000000000);
  }
  ASSERT_TRUE(decode(R"({"type":"engagement","id":"e","account":"a","ts":0,"post_id":"p",
                        "action":"click"})")
                  .ok);
  EXPECT_EQ(ev.count, 1u);
  ASSERT_TRUE(decode(R"({"type":"engagement","id":"e","account":"a","ts":0,"post_id":"p",
                        "action":"click","count":4294967295})")
                  .ok);
  EXPECT_EQ(ev.count, 4294967295u);
}

TEST_F(DecoderTest, Followers) {
  ASSERT_TRUE(decode(R"({"type":"followers","id":"e-3","account":"acme","ts":"2026-11-20T10:00:00Z",
                 "followers":12850})")
                  .ok);
  EXPECT_EQ(ev.type, EventType::followers);
  EXPECT_EQ(ev.followers, 12850);
  ASSERT_TRUE(decode(R"({"type":"followers","id":"e","account":"a","ts":0,"followers":0})").ok);
  EXPECT_EQ(ev.followers, 0);
}

TEST_F(DecoderTest, FieldsOfOtherTypesAreIgnored) {
  // Wrong types and values in fields that do not belong to the event type are
  // not bad input, and are not passed on.
  auto r = decode(post_with(R"(,"followers":"many","action":"boo","count":-1,"extra":{"a":[1]})"));
  ASSERT_TRUE(r.ok) << to_string(r.reason);
  EXPECT_EQ(ev.followers, 0);
  EXPECT_EQ(ev.count, 1u);
  ASSERT_TRUE(decode(R"({"type":"followers","id":"e","account":"a","ts":0,"followers":5,
                        "text":"hi","post_id":"","category":"nope","hashtags":[1]})")
                  .ok);
  EXPECT_EQ(ev.text, "");
  EXPECT_EQ(ev.post_id, "");
  EXPECT_FALSE(ev.category.has_value());
}

TEST_F(DecoderTest, TimestampForms) {
  const std::int64_t base = epoch_ms(*parse_rfc3339("2026-11-20T09:15:00Z"));
  struct Case {
    std::string ts;
    std::int64_t ms;
  } cases[] = {
      {R"("2026-11-20T09:15:00Z")", base},
      {R"("2026-11-20T10:15:00+01:00")", base},
      {R"("2026-11-20T03:45:00-05:30")", base},
      {R"("2026-11-20T09:15:00.25Z")", base + 250},
      {R"("2026-11-20T09:15:00.123456789Z")", base + 123},
      {R"("2026-11-20t09:15:00z")", base},
      {std::to_string(base), base},
      {"-1000", -1000},
      {"0", 0},
  };
  for (const auto& c : cases) {
    auto r =
        decode(R"({"type":"followers","id":"e","account":"a","followers":1,"ts":)" + c.ts + "}");
    ASSERT_TRUE(r.ok) << c.ts << ": " << to_string(r.reason);
    EXPECT_EQ(epoch_ms(ev.ts), c.ms) << c.ts;
  }
}

struct BadCase {
  std::string json;
  BadInput reason;
  std::string_view field;
};

TEST_F(DecoderTest, EveryBadInputReason) {
  const std::string eng = R"("type":"engagement","id":"e","account":"a","ts":0,"post_id":"p")";
  const std::string fol = R"("type":"followers","id":"e","account":"a","ts":0)";
  const std::vector<BadCase> cases = {
      {"", BadInput::empty, ""},
      {" \n\t\r ", BadInput::empty, ""},
      {"{" + kHead + R"(,"text":")" + std::string(kMax, 'x') + "\"}", BadInput::oversized, ""},
      {"{" + kHead, BadInput::invalid_json, ""},
      {post_with(","), BadInput::invalid_json, ""},
      {post_with(R"(,"hashtags":["a",])"), BadInput::invalid_json, ""},
      {post_with("") + "x", BadInput::invalid_json, ""},
      {post_with("") + "{}", BadInput::invalid_json, ""},
      {post_with("") + "}", BadInput::invalid_json, ""},
      {"{'type':'post'}", BadInput::invalid_json, ""},
      {"xyz", BadInput::invalid_json, ""},
      {post_with(",\"text\":\"caf\xc3\""), BadInput::invalid_utf8, ""},
      {post_with(",\"x\":\"\xff\xfe\""), BadInput::invalid_utf8, ""},
      {"[]", BadInput::not_an_object, ""},
      {"42", BadInput::not_an_object, ""},
      {R"("post")", BadInput::not_an_object, ""},
      {"{}", BadInput::missing_field, "type"},
      {R"({"type":"post","account":"a","ts":0,"post_id":"p"})", BadInput::missing_field, "id"},
      {R"({"type":"post","id":"e","ts":0,"post_id":"p"})", BadInput::missing_field, "account"},
      {R"({"type":"post","id":"e","account":"a","post_id":"p"})", BadInput::missing_field, "ts"},
      {R"({"type":"post","id":"e","account":"a","ts":0})", BadInput::missing_field, "post_id"},
      {"{" + eng + "}", BadInput::missing_field, "action"},
      {"{" + fol + "}", BadInput::missing_field, "followers"},
      {R"({"type":1,"id":"e","account":"a","ts":0})", BadInput::wrong_type, "type"},
      {R"({"type":"post","id":7,"account":"a","ts":0,"post_id":"p"})", BadInput::wrong_type, "id"},
      {post_set(R"("account":["a"])"), BadInput::wrong_type, "account"},
      {post_set(R"("ts":true)"), BadInput::wrong_type, "ts"},
      {post_with(R"(,"text":42)"), BadInput::wrong_type, "text"},
      {post_with(R"(,"lang":{})"), BadInput::wrong_type, "lang"},
      {post_with(R"(,"hashtags":"q3")"), BadInput::wrong_type, "hashtags"},
      {post_with(R"(,"mentions":["a",1])"), BadInput::wrong_type, "mentions"},
      {post_with(R"(,"links":[null])"), BadInput::wrong_type, "links"},
      {"{" + eng + R"(,"action":"like","count":"3"})", BadInput::wrong_type, "count"},
      {"{" + fol + R"(,"followers":"12"})", BadInput::wrong_type, "followers"},
      {R"({"type":"story","id":"e","account":"a","ts":0})", BadInput::unknown_type, "type"},
      {R"({"type":"","id":"e","account":"a","ts":0})", BadInput::unknown_type, "type"},
      {"{" + eng + R"(,"action":"share"})", BadInput::unknown_action, "action"},
      {post_with(R"(,"category":"unclassified")"), BadInput::unknown_category, "category"},
      {post_with(R"(,"category":"Personal")"), BadInput::unknown_category, "category"},
      {post_with(R"(,"kind":"thread")"), BadInput::unknown_kind, "kind"},
      {post_set(R"("ts":"2026-11-20 09:15")"), BadInput::bad_timestamp, "ts"},
      {post_set(R"("ts":"2026-13-01T00:00:00Z")"), BadInput::bad_timestamp, "ts"},
      {post_set(R"("ts":1.5)"), BadInput::bad_timestamp, "ts"},
      {post_set(R"("ts":99999999999999999999)"), BadInput::bad_timestamp, "ts"},
      {post_set(R"("ts":253402300800000)"), BadInput::bad_timestamp, "ts"},
      {post_set(R"("id":"")"), BadInput::bad_value, "id"},
      {post_set(R"("account":"")"), BadInput::bad_value, "account"},
      {post_set(R"("post_id":"")"), BadInput::bad_value, "post_id"},
      {"{" + eng + R"(,"action":"like","count":0})", BadInput::bad_value, "count"},
      {"{" + eng + R"(,"action":"like","count":-2})", BadInput::bad_value, "count"},
      {"{" + eng + R"(,"action":"like","count":1.5})", BadInput::bad_value, "count"},
      {"{" + eng + R"(,"action":"like","count":2.0})", BadInput::bad_value, "count"},
      {"{" + eng + R"(,"action":"like","count":1e400})", BadInput::bad_value, "count"},
      {"{" + fol + R"(,"followers":-1})", BadInput::bad_value, "followers"},
      {"{" + fol + R"(,"followers":10.5})", BadInput::bad_value, "followers"},
      {"{" + fol + R"(,"followers":9223372036854775808})", BadInput::bad_value, "followers"},
      {"{" + eng + R"(,"action":"like","count":4294967296})", BadInput::bad_value, "count"},
      {post_with(R"(,"id":"e-2")"), BadInput::duplicate_key, "id"},
  };
  std::set<BadInput> seen;
  for (const auto& c : cases) {
    auto r = decode(c.json);
    EXPECT_FALSE(r.ok) << c.json.substr(0, 200);
    EXPECT_EQ(to_string(r.reason), to_string(c.reason)) << c.json.substr(0, 200);
    EXPECT_EQ(r.field, c.field) << c.json.substr(0, 200);
    seen.insert(c.reason);
  }
  // Every reason but future_timestamp, which the engine gives (it needs the clock).
  EXPECT_EQ(seen.size(), kBadInputReasons - 1);
  EXPECT_FALSE(seen.contains(BadInput::future_timestamp));
}

TEST_F(DecoderTest, GarbageInsideUnknownValuesIsInvalidJson) {
  // on-demand would skip these values without looking at them.
  const char* values[] = {"tru",
                          "nul",
                          "truex",
                          "01",
                          "1.",
                          "-",
                          "\"\\q\"",
                          "\"\\ud800\"",
                          "[1 2]",
                          "[1,]",
                          "{\"a\" 1}",
                          "{\"a\":1,}",
                          "{,}",
                          "[,]",
                          "{\"a\":[1,{\"b\":-}]}",
                          "[[[[1]]]",
                          "\"a\x01"
                          "b\""};
  for (const char* v : values) {
    auto r = decode(post_with(std::string(R"(,"unknown":)") + v));
    EXPECT_EQ(r.reason, BadInput::invalid_json) << v;
    EXPECT_FALSE(r.ok) << v;
  }
  const char* ok_values[] = {"true",  "null", "-0.5e-3", "123456789012345678901234567890",
                             "1e999", "[]",   "{}",      R"({"a":[1,{"b":null}],"c":"\u00e9"})"};
  for (const char* v : ok_values) {
    auto r = decode(post_with(std::string(R"(,"unknown":)") + v));
    EXPECT_TRUE(r.ok) << v << ": " << to_string(r.reason);
  }
}

TEST_F(DecoderTest, GarbageAfterTheObjectIsInvalidJson) {
  for (std::string tail : {"x", "{}", "}", "]", ",", "1", "\"s\"", "{\"a\":1}", "null"}) {
    auto r = decode(post_with("") + " " + tail);
    EXPECT_EQ(r.reason, BadInput::invalid_json) << tail;
    EXPECT_FALSE(r.ok);
  }
  EXPECT_TRUE(decode(post_with("") + " \r\n\t").ok);
}

TEST_F(DecoderTest, InvalidJsonWinsOverEarlierSemanticErrors) {
  auto r = decode(R"({"type":"story","id":"","account":7,"x":tru})");
  EXPECT_EQ(r.reason, BadInput::invalid_json);
}

TEST_F(DecoderTest, DeepNestingIsRefusedShallowIsFine) {
  std::string deep(5'000, '[');
  deep += std::string(5'000, ']');
  EXPECT_EQ(decode(post_with(",\"x\":" + deep)).reason, BadInput::invalid_json);
  std::string shallow = std::string(30, '[') + std::string(30, ']');
  EXPECT_TRUE(decode(post_with(",\"x\":" + shallow)).ok);
}

TEST_F(DecoderTest, EscapedStrings) {
  auto r = decode(post_with(
      R"(,"text":"line1\nline2 caf\u00e9 \ud83d\ude00 \"q\" \\ \/","hashtags":["\u0063af\u00e9"])"));
  ASSERT_TRUE(r.ok) << to_string(r.reason);
  EXPECT_EQ(ev.text, "line1\nline2 caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ /");
  EXPECT_EQ(strings(ev.hashtags), (std::vector<std::string>{"caf\xc3\xa9"}));
  // Raw UTF-8 passes through unchanged; escaped keys name the same field.
  ASSERT_TRUE(decode(post_with(",\"t\\u0065xt\":\"\xc3\xa9t\xc3\xa9\"")).ok);
  EXPECT_EQ(ev.text, "\xc3\xa9t\xc3\xa9");
}

TEST_F(DecoderTest, RepeatedKnownKeyIsBadInput) {
  const std::string eng = R"({"type":"engagement","id":"e","account":"a","ts":0,"post_id":"p",)"
                          R"("action":"like")";
  const std::vector<std::pair<std::string, std::string_view>> cases = {
      {R"({"type":"post","type":"engagement","id":"e","account":"a","ts":0,"post_id":"p",)"
       R"("action":"like"})",
       "type"},
      {eng + R"(,"count":1,"count":1000})", "count"},
      {post_with(R"(,"hashtags":["a","b"],"hashtags":["c"])"), "hashtags"},
      {post_with(R"(,"text":1,"text":"t")"), "text"},
      {post_with(R"(,"text":null,"text":"t")"), "text"},
      {post_with(R"(,"text":"a","t\u0065xt":"b")"), "text"},        // the same key, escaped
      {post_with(R"(,"followers":1,"followers":2)"), "followers"},  // not even a post's field
      {post_with(R"(,"id":"e-2")"), "id"},
  };
  for (const auto& [json, field] : cases) {
    auto r = decode(json);
    EXPECT_FALSE(r.ok) << json;
    EXPECT_EQ(to_string(r.reason), "duplicate_key") << json;
    EXPECT_EQ(r.field, field) << json;
  }
  // Unknown fields are ignored, repeated or not; nested objects are not ours.
  EXPECT_TRUE(decode(post_with(R"(,"x":1,"x":2,"meta":{"a":1,"a":2})")).ok);
  // A malformed document is invalid_json first.
  EXPECT_EQ(decode(post_with(R"(,"text":"a","text":tru)")).reason, BadInput::invalid_json);
}

TEST_F(DecoderTest, CountIsBoundedLikeFollowers) {
  const std::string eng = R"({"type":"engagement","id":"e","account":"a","ts":0,"post_id":"p",)"
                          R"("action":"like","count":)";
  ASSERT_TRUE(decode(eng + std::to_string(kMaxEngagementCount) + "}").ok);
  EXPECT_EQ(ev.count, kMaxEngagementCount);
  EXPECT_EQ(kMaxEngagementCount, 4'294'967'295u);
  for (const char* n : {"4294967296", "9223372036854775807", "9223372036854775808",
                        "18446744073709551615", "18446744073709551616"}) {
    auto r = decode(eng + n + "}");
    EXPECT_EQ(to_string(r.reason), "bad_value") << n;
    EXPECT_EQ(r.field, "count") << n;
  }
  const std::string fol = R"({"type":"followers","id":"e","account":"a","ts":0,"followers":)";
  ASSERT_TRUE(decode(fol + "9223372036854775807}").ok);
  EXPECT_EQ(ev.followers, kMaxFollowers);
}

TEST_F(DecoderTest, SizeLimitIsInclusive) {
  Decoder small(100);
  std::string json = post_with(R"(,"text":")");
  json += std::string(100 - json.size() - 2, 'x') + "\"}";
  ASSERT_EQ(json.size(), 100u);
  EXPECT_TRUE(small.decode(json, ev).ok);
  EXPECT_EQ(small.decode(json + " ", ev).reason, BadInput::oversized);
}

TEST_F(DecoderTest, InPlaceAndCopyPathsAgree) {
  const std::string json = post_with(R"(,"text":"hello \u00e9","hashtags":["x","y"])");
  // Copy path: no slack after the input.
  ASSERT_TRUE(dec.decode(json, json.size(), ev).ok);
  const std::string copied_text(ev.text);
  // In place: the slack holds bytes that must not be taken for JSON.
  for (char fill : {'\0', '}', ']', ',', '"', 'x', ' '}) {
    std::string buf = json + std::string(Decoder::padding(), fill);
    ASSERT_TRUE(dec.decode(std::string_view(buf.data(), json.size()), buf.size(), ev).ok) << fill;
    EXPECT_EQ(ev.text, copied_text);
    EXPECT_EQ(strings(ev.hashtags), (std::vector<std::string>{"x", "y"}));
  }
}

TEST_F(DecoderTest, TruncatedInPlaceInputIsNotCompletedByThePadding) {
  const std::string cut[] = {
      "{" + kHead,
      "{" + kHead + R"(,"x":{"a":1})",
      "{" + kHead + R"(,"x":[1,2)",
      "{" + kHead + R"(,"x":)",
      "{" + kHead + R"(,"x")",
  };
  for (const auto& json : cut) {
    for (std::string fill : {"}", "]}", ",\"y\":1}", "\"}", "0}"}) {
      std::string buf = json;
      while (buf.size() < json.size() + Decoder::padding()) buf += fill;
      auto r = dec.decode(std::string_view(buf.data(), json.size()), buf.size(), ev);
      EXPECT_FALSE(r.ok) << json << " + " << fill;
      EXPECT_EQ(r.reason, BadInput::invalid_json) << json << " + " << fill;
    }
  }
}

TEST_F(DecoderTest, ReuseAcrossManyDecodes) {
  for (int i = 0; i < 2000; ++i) {
    std::string id = "e-" + std::to_string(i);
    std::string text(static_cast<std::size_t>(i % 300), static_cast<char>('a' + i % 26));
    std::string json;
    switch (i % 4) {
      case 0:
        json = R"({"type":"post","id":")" + id + R"(","account":"acc","ts":)" + std::to_string(i) +
               R"(,"post_id":"p","text":")" + text + R"(","hashtags":[")" + id + R"("]})";
        break;
      case 1:
        json = R"({"type":"engagement","id":")" + id + R"(","account":"acc","ts":)" +
               std::to_string(i) + R"(,"post_id":"p","action":"like","count":)" +
               std::to_string(i + 1) + "}";
        break;
      case 2:
        json = R"({"type":"followers","id":")" + id + R"(","account":"acc","ts":)" +
               std::to_string(i) + R"(,"followers":)" + std::to_string(i) + "}";
        break;
      default:
        json = "{\"id\":\"" + id + "\",";  // bad input in between must not disturb the next
        break;
    }
    auto r = decode(json);
    if (i % 4 == 3) {
      EXPECT_EQ(r.reason, BadInput::invalid_json);
      continue;
    }
    ASSERT_TRUE(r.ok) << json;
    EXPECT_EQ(ev.id, id);
    EXPECT_EQ(epoch_ms(ev.ts), i);
    if (i % 4 == 0) {
      EXPECT_EQ(ev.text, text);
      EXPECT_EQ(strings(ev.hashtags), (std::vector<std::string>{id}));
    }
    if (i % 4 == 1) {
      EXPECT_EQ(ev.count, static_cast<std::uint64_t>(i + 1));
    }
    if (i % 4 == 2) {
      EXPECT_EQ(ev.followers, i);
    }
  }
}

TEST(BadInputNames, AreTheEnumeratorNamesAndUnique) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kBadInputReasons; ++i)
    names.insert(to_string(static_cast<BadInput>(i)));
  EXPECT_EQ(names.size(), kBadInputReasons);
  EXPECT_EQ(to_string(BadInput::empty), "empty");
  EXPECT_EQ(to_string(BadInput::invalid_utf8), "invalid_utf8");
  EXPECT_EQ(to_string(BadInput::unknown_category), "unknown_category");
  EXPECT_EQ(to_string(BadInput::bad_value), "bad_value");
  EXPECT_EQ(to_string(BadInput::duplicate_key), "duplicate_key");
  EXPECT_EQ(to_string(BadInput::future_timestamp), "future_timestamp");
}

}  // namespace
}  // namespace kilter::pipeline
