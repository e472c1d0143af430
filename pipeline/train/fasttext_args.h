// fastText's arguments for TrainOptions (supervised, softmax loss, one thread, fixed
// seed, quiet). Internal to pipeline/train, and to its tests, which train libfasttext
// with the very same arguments to check Kilter's inference against it.
#pragma once

#include <string>

#include <fasttext/args.h>

#include "pipeline/train/train.h"

namespace kilter::pipeline {

inline fasttext::Args fasttext_args(const TrainOptions& o, const std::string& input) {
  fasttext::Args a;
  a.input = input;
  a.model = fasttext::model_name::sup;
  a.loss = fasttext::loss_name::softmax;
  a.epoch = o.epoch;
  a.lr = o.lr;
  a.dim = o.dim;
  a.wordNgrams = o.word_ngrams;
  a.minn = o.maxn > 0 ? o.minn : 0;
  a.maxn = o.maxn;
  a.bucket = o.bucket;
  a.minCount = o.min_count;
  a.minCountLabel = 0;
  a.thread = 1;  // one thread and a fixed seed: the same data gives the same model
  a.seed = o.seed;
  a.verbose = 0;
  return a;
}

}  // namespace kilter::pipeline
