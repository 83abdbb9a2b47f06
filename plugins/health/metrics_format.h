// Which exposition a scraper asked for in its Accept header: Prometheus sends
//   application/openmetrics-text;version=1.0.0,application/openmetrics-text;
//   version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1
// and gets OpenMetrics; curl (*/*) and older scrapers get the text format.
#pragma once

#include <string_view>

namespace hyperion::plugins::health {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// True when `accept` prefers application/openmetrics-text (version 1.0.0 or
// unversioned) to text/plain, by quality value; ties go to OpenMetrics, which
// a client that names it explicitly understands.
bool wants_openmetrics(std::string_view accept);

}  // namespace hyperion::plugins::health
