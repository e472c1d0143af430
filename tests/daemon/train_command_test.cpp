// `kilterd train` end to end: it writes a model Model::load_file accepts, refuses a
// bad data file and an unwritable output with exit 1 and leaves no partial file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/classify/model.h"
#include "tests/e2e/daemon.h"

namespace kilter::testing {
namespace {

using ::testing::HasSubstr;

const std::string kDev = std::string(KILTER_SOURCE_DIR) + "/tests/data/classifier_dev.ndjson";

struct Outcome {
  Exit exit;
  std::string out, err;
};

Outcome train(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {KILTERD_BIN, "train"});
  auto out = dir / "train.out", err = dir / "train.err";
  auto e = run(args, out, err);
  return {e, read_file(out), read_file(err)};
}

TEST(TrainCommand, WritesAModelTheLoaderAccepts) {
  TempDir dir;
  auto model = (dir / "m.kmodel").string();
  auto r = train(
      dir, {"--data", kDev, "--out", model, "--epoch", "5", "--dim", "10", "--bucket", "5000"});
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("421 training labelled post(s)"));
  EXPECT_THAT(r.err, HasSubstr("temperature"));
  EXPECT_THAT(r.err, HasSubstr("wrote " + model));
  auto m = pipeline::Model::load_file(model);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->data().bucket, 5000u);
  EXPECT_THAT(m->data().info, HasSubstr("classifier_dev.ndjson"));
  // Nothing else is left in the directory (no temp file).
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path()))
    files += e.path().extension() != ".out" && e.path().extension() != ".err";
  EXPECT_EQ(files, 1u);
  // Another process, the same data and options: the same bytes.
  auto again = (dir / "again.kmodel").string();
  auto r2 = train(
      dir, {"--data", kDev, "--out", again, "--epoch", "5", "--dim", "10", "--bucket", "5000"});
  ASSERT_EQ(r2.exit.code, 0) << r2.err;
  EXPECT_EQ(read_file(again), read_file(model));
}

TEST(TrainCommand, ACalibrationFileIsUsedAndLabelsCanComeFromAnyField) {
  TempDir dir;
  auto model = (dir / "m.kmodel").string();
  auto r = train(dir, {"--data", kDev, "--dev", kDev, "--label", "expected", "--out", model,
                       "--epoch", "5", "--bucket", "5000"});
  ASSERT_EQ(r.exit.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("calibration on 421 given posts"));
  auto nolabel = train(dir, {"--data", kDev, "--label", "category", "--out", model});
  EXPECT_EQ(nolabel.exit.code, 1) << nolabel.err;  // --label given: no fallback to expected
  EXPECT_THAT(nolabel.err, HasSubstr("line 1: skipped: no label (field category)"));
  EXPECT_THAT(nolabel.err, HasSubstr("no labelled post"));
}

TEST(TrainCommand, BadDataIsExit1) {
  TempDir dir;
  auto model = (dir / "m.kmodel").string();
  auto missing = train(dir, {"--data", (dir / "none.ndjson").string(), "--out", model});
  EXPECT_EQ(missing.exit.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("none.ndjson"));
  write_file(dir / "bad.ndjson", "not json\n{\"type\":\"post\"}\n");
  auto bad = train(dir, {"--data", (dir / "bad.ndjson").string(), "--out", model});
  EXPECT_EQ(bad.exit.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("line 1: skipped"));
  EXPECT_THAT(bad.err, HasSubstr("line 2: skipped"));
  EXPECT_THAT(bad.err, HasSubstr("no labelled post"));
  // One class only.
  std::string one;
  for (int i = 0; i < 5; ++i)
    one +=
        R"({"type":"post","id":"e)" + std::to_string(i) +
        R"(","account":"a","ts":"2026-01-01T00:00:00Z","post_id":"p","text":"my cat","category":"personal"})" +
        "\n";
  write_file(dir / "one.ndjson", one);
  auto single = train(dir, {"--data", (dir / "one.ndjson").string(), "--out", model});
  EXPECT_EQ(single.exit.code, 1);
  EXPECT_THAT(single.err, HasSubstr("no professional example"));
  EXPECT_FALSE(fs::exists(model));
}

TEST(TrainCommand, AnUnwritableOutputIsExit1AndLeavesNoFile) {
  TempDir dir;
  auto out = dir / "no-such-dir" / "m.kmodel";
  auto r = train(dir, {"--data", kDev, "--out", out.string(), "--epoch", "2", "--bucket", "1000"});
  EXPECT_EQ(r.exit.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot write"));
  EXPECT_FALSE(fs::exists(dir / "no-such-dir"));
  // A directory in the way: the rename fails, the temp file is removed.
  fs::create_directories(dir / "taken");
  auto r2 = train(
      dir, {"--data", kDev, "--out", (dir / "taken").string(), "--epoch", "2", "--bucket", "1000"});
  EXPECT_EQ(r2.exit.code, 1);
  EXPECT_THAT(r2.err, HasSubstr("cannot write"));
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".tmp-")));
}

TEST(TrainCommand, BadHyperparametersAreExit1) {
  TempDir dir;
  auto r =
      train(dir, {"--data", kDev, "--out", (dir / "m").string(), "--minn", "4", "--maxn", "3"});
  EXPECT_EQ(r.exit.code, 1);
  EXPECT_THAT(r.err, HasSubstr("minn"));
}

}  // namespace
}  // namespace kilter::testing
