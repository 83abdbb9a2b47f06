// The one table between ABI status codes (hyperion/plugin.h) and host status
// codes, checked entry by entry in both directions.
#include "hostapi/abi_status.h"

#include <gtest/gtest.h>

namespace hyperion::hostapi {
namespace {

struct Row {
  hyperion_status_t abi;
  StatusCode host;
  const char* name;
  bool round_trips;  // host -> ABI -> host gives back the same code
};

// Every ABI code of 1.0; HYPERION_ERR_UNSUPPORTED has no host code of its own.
constexpr Row kTable[] = {
    {HYPERION_OK, StatusCode::kOk, "HYPERION_OK", true},
    {HYPERION_ERR_INVALID_ARGUMENT, StatusCode::kInvalidArgument, "HYPERION_ERR_INVALID_ARGUMENT", true},
    {HYPERION_ERR_NOT_FOUND, StatusCode::kNotFound, "HYPERION_ERR_NOT_FOUND", true},
    {HYPERION_ERR_FAILED_PRECONDITION, StatusCode::kFailedPrecondition, "HYPERION_ERR_FAILED_PRECONDITION", true},
    {HYPERION_ERR_UNAVAILABLE, StatusCode::kUnavailable, "HYPERION_ERR_UNAVAILABLE", true},
    {HYPERION_ERR_INTERNAL, StatusCode::kInternal, "HYPERION_ERR_INTERNAL", true},
    {HYPERION_ERR_UNSUPPORTED, StatusCode::kFailedPrecondition, "HYPERION_ERR_UNSUPPORTED", false},
    {HYPERION_ERR_DEADLINE_EXCEEDED, StatusCode::kDeadlineExceeded, "HYPERION_ERR_DEADLINE_EXCEEDED", true},
    {HYPERION_ERR_ABORTED, StatusCode::kAborted, "HYPERION_ERR_ABORTED", true},
};

TEST(AbiStatus, EveryAbiCodeMapsToItsHostCodeAndName) {
  for (const Row& row : kTable) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(from_abi(row.abi), row.host);
    EXPECT_EQ(abi_status_name(row.abi), row.name);
    if (row.round_trips) {
      EXPECT_EQ(to_abi(row.host), row.abi);
    }
  }
}

TEST(AbiStatus, EveryHostCodeHasAnAbiCodeThatMapsBack) {
  for (StatusCode code :
       {StatusCode::kOk, StatusCode::kInvalidArgument, StatusCode::kNotFound, StatusCode::kFailedPrecondition,
        StatusCode::kAborted, StatusCode::kUnavailable, StatusCode::kDeadlineExceeded, StatusCode::kInternal}) {
    EXPECT_EQ(from_abi(to_abi(code)), code) << static_cast<int>(code);
  }
}

TEST(AbiStatus, UnknownAbiCodesAreInternalFailures) {
  for (hyperion_status_t garbage : {9, 42, -1, 1 << 30}) {
    EXPECT_EQ(from_abi(garbage), StatusCode::kInternal) << garbage;
    EXPECT_EQ(abi_status_name(garbage), "unknown status " + std::to_string(garbage));
  }
}

}  // namespace
}  // namespace hyperion::hostapi
