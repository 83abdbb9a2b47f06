// RFC 9110's small pieces of syntax, used wherever the server reads or checks
// a method, a header name or a list value: one definition each.
#pragma once

#include <string>
#include <string_view>

namespace hyperion::http_engine {

// A token (method, header name): one or more of ALPHA / DIGIT / "!#$%&'*+-.^_`|~".
bool is_token(std::string_view s);
// `s` without surrounding optional whitespace (spaces and tabs).
std::string_view trim_ows(std::string_view s);
// ASCII lower case (header names, codings, media types compare case-insensitively).
std::string to_lower(std::string_view s);

}  // namespace hyperion::http_engine
