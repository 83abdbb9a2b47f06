// test.counter 1.0: the service the swap test plugins provide and consume.
#pragma once

#include <stdint.h>

typedef struct test_counter_v1_t {
  uint32_t struct_size;
  /* Adds one and returns the new count. */
  int64_t (*increment)(void* ctx);
  /* Which build answers: "v1", "v2", ... (a static string). */
  const char* (*build)(void* ctx);
} test_counter_v1_t;
