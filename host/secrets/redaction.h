// The one redaction marker. Wherever the host shows a value it must not show —
// a secret field in a diff, a view or a stored revision, a secret a plugin
// wrote into a log line — the value is replaced by this text. Code never looks
// for the text to learn whether something was redacted: redact() reports it
// (Redacted::withheld) and revisions store it as a flag.
#pragma once

#include <string_view>

namespace hyperion::secrets {

inline constexpr std::string_view kRedactedMarker = "<redacted>";

}  // namespace hyperion::secrets
