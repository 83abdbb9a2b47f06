#include "hostapi/abi_status.h"

namespace hyperion::hostapi {

hyperion_status_t to_abi(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return HYPERION_OK;
    case StatusCode::kInvalidArgument: return HYPERION_ERR_INVALID_ARGUMENT;
    case StatusCode::kNotFound: return HYPERION_ERR_NOT_FOUND;
    case StatusCode::kFailedPrecondition: return HYPERION_ERR_FAILED_PRECONDITION;
    case StatusCode::kAborted: return HYPERION_ERR_ABORTED;
    case StatusCode::kUnavailable: return HYPERION_ERR_UNAVAILABLE;
    case StatusCode::kDeadlineExceeded: return HYPERION_ERR_DEADLINE_EXCEEDED;
    case StatusCode::kInternal: return HYPERION_ERR_INTERNAL;
  }
  return HYPERION_ERR_INTERNAL;
}

StatusCode from_abi(hyperion_status_t code) {
  switch (code) {
    case HYPERION_OK: return StatusCode::kOk;
    case HYPERION_ERR_INVALID_ARGUMENT: return StatusCode::kInvalidArgument;
    case HYPERION_ERR_NOT_FOUND: return StatusCode::kNotFound;
    case HYPERION_ERR_FAILED_PRECONDITION: return StatusCode::kFailedPrecondition;
    case HYPERION_ERR_UNAVAILABLE: return StatusCode::kUnavailable;
    case HYPERION_ERR_INTERNAL: return StatusCode::kInternal;
    case HYPERION_ERR_UNSUPPORTED: return StatusCode::kFailedPrecondition;
    case HYPERION_ERR_DEADLINE_EXCEEDED: return StatusCode::kDeadlineExceeded;
    case HYPERION_ERR_ABORTED: return StatusCode::kAborted;
    default: return StatusCode::kInternal;
  }
}

std::string abi_status_name(hyperion_status_t code) {
  switch (code) {
    case HYPERION_OK: return "HYPERION_OK";
    case HYPERION_ERR_INVALID_ARGUMENT: return "HYPERION_ERR_INVALID_ARGUMENT";
    case HYPERION_ERR_NOT_FOUND: return "HYPERION_ERR_NOT_FOUND";
    case HYPERION_ERR_FAILED_PRECONDITION: return "HYPERION_ERR_FAILED_PRECONDITION";
    case HYPERION_ERR_UNAVAILABLE: return "HYPERION_ERR_UNAVAILABLE";
    case HYPERION_ERR_INTERNAL: return "HYPERION_ERR_INTERNAL";
    case HYPERION_ERR_UNSUPPORTED: return "HYPERION_ERR_UNSUPPORTED";
    case HYPERION_ERR_DEADLINE_EXCEEDED: return "HYPERION_ERR_DEADLINE_EXCEEDED";
    case HYPERION_ERR_ABORTED: return "HYPERION_ERR_ABORTED";
    default: return "unknown status " + std::to_string(code);
  }
}

}  // namespace hyperion::hostapi
