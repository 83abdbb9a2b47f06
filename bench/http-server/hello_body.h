// The benchmark's answer: 64 bytes of JSON, served alike by every server measured.
#pragma once

#include <string_view>

inline constexpr std::string_view kHelloBody = R"({"message":"hello, world","server":"bench","padding":"xxxxxxxx"})";
static_assert(kHelloBody.size() == 64);
