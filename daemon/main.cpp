// kilterd: command line entry point. Only parsing and dispatch live here, and
// the allocator's one process-wide setting.
#include <malloc.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include "daemon/commands.h"

int main(int argc, char** argv) {
  // glibc gives each thread that allocates an arena of its own, up to 8 per
  // core. librdkafka's threads allocate the fetched messages the event loop
  // frees, and the freed room stayed in their arenas: with at most two, the
  // Kafka benchmark's peak RSS was ~20-40 MiB lower at the same rate, and a
  // file replay's CPU the same (issue 13, BENCHMARKS.md). MALLOC_ARENA_MAX,
  // when set, decides instead.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  CLI::App app{"kilterd: keeps social-media accounts on balance"};
  app.set_version_flag("--version", std::string("kilterd ") + KILTER_VERSION);
  app.require_subcommand(0, 1);

  kilter::daemon::RunOptions run_opts;
  run_opts.config_path = "/etc/kilter/kilter.yaml";
  app.add_option("--config,-c", run_opts.config_path, "configuration file");
  app.add_option("--log-level", run_opts.log_level, "trace|debug|info|warn|error");

  auto* run = app.add_subcommand("run", "run the daemon (the default)");
  run->add_option("--config,-c", run_opts.config_path, "configuration file");
  run->add_option("--log-level", run_opts.log_level, "trace|debug|info|warn|error");

  std::string check_path = run_opts.config_path;
  auto* check = app.add_subcommand("check-config", "validate a configuration file");
  check->add_option("--config,-c", check_path, "configuration file")->required();

  std::string classify_path;
  auto* classify = app.add_subcommand("classify", "classify post events read from stdin (NDJSON)");
  classify->add_option("--config,-c", classify_path,
                       "configuration file (classifier section and brand terms)");
  kilter::daemon::ClassifyEvalOptions eval_opts;
  auto* eval_file = classify->add_option(
      "--eval", eval_opts.file,
      "evaluate on labelled post events (NDJSON) in FILE: accuracy, precision, recall, "
      "confusion matrix, worst mistakes");
  auto* eval_label = classify
                         ->add_option("--label", eval_opts.label,
                                      "the label field (default: category, else expected)")
                         ->needs(eval_file);
  classify->add_option("--by", eval_opts.by, "also break the figures down by this field")
      ->needs(eval_file);
  classify->add_flag("--json", eval_opts.json, "the figures as one JSON object")->needs(eval_file);

  kilter::daemon::TrainCommandOptions train_opts;
  auto* train = app.add_subcommand(
      "train", "train a classifier model on labelled post events (NDJSON) and write it");
  train->add_option("--data", train_opts.data, "labelled post events to train on (repeatable)")
      ->required();
  train->add_option("--out", train_opts.out, "the model file to write")->required();
  train->add_option("--dev", train_opts.dev,
                    "labelled posts to calibrate confidences on (repeatable; default: a fifth "
                    "of --data held out)");
  auto* train_label = train->add_option("--label", train_opts.label,
                                        "the label field (default: category, else expected)");
  train->add_option("--config,-c", train_opts.config_path,
                    "configuration file (the accounts' brand terms)");
  train->add_flag("!--no-lexicons", train_opts.lexicons,
                  "train on the posts alone, without the shipped lexicons' terms as examples");
  auto& to = train_opts.train;
  std::string solver(kilter::pipeline::to_string(to.solver));
  train->add_option("--solver", solver, "logistic (L-BFGS) or fasttext (SGD)")
      ->check(CLI::IsMember({std::string(to_string(kilter::pipeline::Solver::logistic)),
                             std::string(to_string(kilter::pipeline::Solver::fasttext))}))
      ->capture_default_str();
  train->add_option("--l2", to.l2, "logistic: L2 penalty λ")->capture_default_str();
  train
      ->add_option("--prior-weight", to.prior_weight,
                   "logistic: weight of a lexicon term relative to a post's 1")
      ->capture_default_str();
  train->add_option("--iterations", to.iterations, "logistic: L-BFGS iteration cap")
      ->capture_default_str();
  train->add_option("--epoch", to.epoch, "fasttext: passes over the data")->capture_default_str();
  train->add_option("--lr", to.lr, "fasttext: learning rate")->capture_default_str();
  train->add_option("--dim", to.dim, "fasttext: vector dimension")->capture_default_str();
  train->add_option("--word-ngrams", to.word_ngrams, "longest word n-gram")->capture_default_str();
  train->add_option("--minn", to.minn, "shortest character n-gram")->capture_default_str();
  train->add_option("--maxn", to.maxn, "longest character n-gram (0: none)")->capture_default_str();
  train->add_option("--bucket", to.bucket, "hashed n-gram rows")->capture_default_str();

  std::string inspect_path, inspect_account;
  auto* inspect = app.add_subcommand(
      "inspect", "print the stored per-account figures (while the daemon is stopped)");
  inspect->add_option("--config,-c", inspect_path, "configuration file")->required();
  inspect->add_option("--account", inspect_account, "only this account");

  int broker_count = 1;
  std::vector<std::string> broker_topics;
  auto* broker = app.add_subcommand(
      "dev-broker",
      "a local Kafka-protocol broker for development and tests (librdkafka's mock cluster); "
      "prints its bootstrap address");
  broker->add_option("--brokers", broker_count, "number of brokers")->check(CLI::Range(1, 16));
  broker->add_option("--topic", broker_topics, "topic to create, NAME:PARTITIONS (repeatable)");

  CLI11_PARSE(app, argc, argv);

  if (*check) return kilter::daemon::check_config(check_path);
  if (*classify && !eval_opts.file.empty()) {
    eval_opts.config_path = classify_path;
    eval_opts.label_given = eval_label->count() > 0;
    return kilter::daemon::classify_eval(eval_opts);
  }
  if (*classify) return kilter::daemon::classify(classify_path);
  if (*train) {
    train_opts.label_given = train_label->count() > 0;
    train_opts.train.solver = *kilter::pipeline::parse_solver(solver);
    return kilter::daemon::train(train_opts);
  }
  if (*inspect) return kilter::daemon::inspect(inspect_path, inspect_account);
  if (*broker) return kilter::daemon::dev_broker(broker_count, broker_topics);
  return kilter::daemon::run(run_opts);
}
