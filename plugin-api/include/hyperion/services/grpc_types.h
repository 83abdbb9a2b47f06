/*
 * hyperion/services/grpc_types.h — what the "grpc.server" and "grpc.client"
 * service APIs share: RPC kinds, status codes (gRPC's own numbers) and a
 * metadata entry.
 */
#ifndef HYPERION_SERVICES_GRPC_TYPES_H_
#define HYPERION_SERVICES_GRPC_TYPES_H_

#include <hyperion/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RPC kinds (how many messages flow each way). */
typedef int32_t hyperion_grpc_kind_t;
#define HYPERION_GRPC_UNARY 0            /* one request, one response */
#define HYPERION_GRPC_SERVER_STREAMING 1 /* one request, any number of responses */
#define HYPERION_GRPC_CLIENT_STREAMING 2 /* any number of requests, one response */
#define HYPERION_GRPC_BIDI_STREAMING 3   /* any number each way */

/* gRPC status codes, with gRPC's numbers. */
typedef int32_t hyperion_grpc_code_t;
#define HYPERION_GRPC_OK 0
#define HYPERION_GRPC_CANCELLED 1
#define HYPERION_GRPC_UNKNOWN 2
#define HYPERION_GRPC_INVALID_ARGUMENT 3
#define HYPERION_GRPC_DEADLINE_EXCEEDED 4
#define HYPERION_GRPC_NOT_FOUND 5
#define HYPERION_GRPC_ALREADY_EXISTS 6
#define HYPERION_GRPC_PERMISSION_DENIED 7
#define HYPERION_GRPC_RESOURCE_EXHAUSTED 8
#define HYPERION_GRPC_FAILED_PRECONDITION 9
#define HYPERION_GRPC_ABORTED 10
#define HYPERION_GRPC_OUT_OF_RANGE 11
#define HYPERION_GRPC_UNIMPLEMENTED 12
#define HYPERION_GRPC_INTERNAL 13
#define HYPERION_GRPC_UNAVAILABLE 14
#define HYPERION_GRPC_DATA_LOSS 15
#define HYPERION_GRPC_UNAUTHENTICATED 16

/* One metadata entry. Keys are lower-case ASCII; values of keys ending in
 * "-bin" are raw bytes, other values printable ASCII. OWNERSHIP: whoever
 * passes it; valid only during the call it is passed to. */
typedef struct hyperion_grpc_metadata_t {
  hyperion_str_t key;
  hyperion_bytes_t value;
} hyperion_grpc_metadata_t;

#ifdef __cplusplus
}
#endif

#endif /* HYPERION_SERVICES_GRPC_TYPES_H_ */
