// The shipped model's file, embedded as read-only data with the assembler's .incbin
// (a generated C array of a few megabytes would slow every build down).
#include "pipeline/classify/shipped_model.h"

#ifndef KILTER_SHIPPED_MODEL
#error "KILTER_SHIPPED_MODEL must name the model file to embed"
#endif

asm(".section .rodata\n"
    ".balign 16\n"
    "kilter_shipped_model_begin:\n"
    ".incbin \"" KILTER_SHIPPED_MODEL "\"\n"
    "kilter_shipped_model_end:\n"
    ".previous\n");

extern "C" const std::byte kilter_shipped_model_begin[];
extern "C" const std::byte kilter_shipped_model_end[];

std::span<const std::byte> kilter::pipeline::shipped_model_bytes() {
  return {kilter_shipped_model_begin, kilter_shipped_model_end};
}
