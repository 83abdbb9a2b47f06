/*
 * hello/greeter.h — the "hello.greeter" service API, version 1.0, provided by the
 * hello example plugin. A service API is a plain C vtable: any plugin, in any
 * language, reaches it through a handle from the host's service_acquire().
 */
#ifndef HELLO_GREETER_H_
#define HELLO_GREETER_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HELLO_GREETER_API "hello.greeter"
#define HELLO_GREETER_MAJOR 1

typedef struct hello_greeter_v1_t {
  uint32_t struct_size;
  /* --- Version 1.0 --- */
  /* Writes "<greeting>, <name>!" into `out`.
   * THREAD: any thread, concurrently. */
  hyperion_status_t (*greet)(void* ctx, hyperion_str_t name, const hyperion_sink_t* out, hyperion_error_t* err);
} hello_greeter_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* HELLO_GREETER_H_ */
