// HealthEndpoints: what each health URL answers, from the host's aggregated
// health (the JSON of hyperion/services/health.h). Pure logic, no HTTP: the
// plugin's server maps requests onto it, and tests call it directly.
//   /livez, /health/live    200 while the host answers
//   /readyz, /health/ready  200 when ready (running, not draining, no required instance unhealthy)
//   /readyz/<instance>      200 unless that instance is unhealthy; 404 if unknown
//   /startupz               200 once the host has started
//   /healthz                200 unless the (non-excluded) aggregate is unhealthy
// ?exclude=<instance> (repeatable) leaves instances out; ?verbose answers JSON,
// with each instance's plugin-reported `details` only when `details` is set.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace hyperion::plugins::health {

struct Answer {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

// `path` without the query; `snapshot` as the host service wrote it.
// `details`: keep each instance's details in verbose answers. They are what
// plugins report — addresses, counts, limits, much of it from their configs —
// and the port has no authentication, so the operator has to ask for them.
Answer answer(const std::string& path, const boost::json::object& snapshot, const std::vector<std::string>& exclude,
              bool verbose, bool details = false);

}  // namespace hyperion::plugins::health
