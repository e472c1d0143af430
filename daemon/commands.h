// The subcommands of kilterd. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "pipeline/train/train.h"

namespace kilter::daemon {

struct RunOptions {
  std::string config_path;
  std::string log_level;  // overrides log.level when set
};

int run(const RunOptions& opts);
int check_config(const std::string& config_path);
int classify(const std::string& config_path);

// `kilterd classify --eval FILE`: labelled post events in, the classifier's figures out.
struct ClassifyEvalOptions {
  std::string config_path;
  std::string file;
  std::string label = "category";  // the label field; with the default, `expected` is a fallback
  bool label_given = false;        // --label given: no fallback
  std::string by;                  // --by FIELD, empty for none
  bool json = false;
};
int classify_eval(const ClassifyEvalOptions& opts);

// `kilterd train --data FILE --out MODEL`: labelled post events in, a model file out.
struct TrainCommandOptions {
  std::string config_path;  // brand terms of the accounts, as for classify
  std::vector<std::string> data;  // one or more files, read in order
  std::string out;
  std::vector<std::string> dev;    // calibration set; empty: a held-out fifth of data
  std::string label = "category";  // the label field; with the default, `expected` is a fallback
  bool label_given = false;
  bool lexicons = true;          // the shipped lexicons' terms as extra examples
  pipeline::TrainOptions train;  // hyperparameters
};
int train(const TrainCommandOptions& opts);

int inspect(const std::string& config_path, const std::string& account);
// NAME or NAME:PARTITIONS per topic.
int dev_broker(int brokers, const std::vector<std::string>& topics);

// Exit codes shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitConfig = 1;   // invalid configuration or usage
inline constexpr int kExitRuntime = 2;  // state store, source or sink failure

}  // namespace kilter::daemon
