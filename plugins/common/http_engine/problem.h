// RFC 9457 problem details: the JSON body of every error the server answers
// itself (404, 405, 413, 431, ...) and of the C++ helpers' Problem exceptions.
#pragma once

#include <string>
#include <string_view>

namespace hyperion::http_engine {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// {"type":"about:blank","title":<reason>,"status":N,"detail":...,"instance":...}
std::string problem_body(int status, std::string_view detail, std::string_view instance = {});
// "Not Found" for 404; "Unknown" for codes without a standard reason.
std::string_view reason_phrase(int status);

}  // namespace hyperion::http_engine
