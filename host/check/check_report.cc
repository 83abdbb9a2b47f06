#include "check/check_report.h"

#include <boost/json.hpp>

#include <algorithm>

namespace hyperion::check {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
  }
  return "?";
}

void CheckReport::pass(std::string group, std::string check, std::string detail) {
  rows.push_back({std::move(group), std::move(check), Outcome::kPass, std::move(detail)});
}
void CheckReport::fail(std::string group, std::string check, std::string detail) {
  rows.push_back({std::move(group), std::move(check), Outcome::kFail, std::move(detail)});
}
void CheckReport::skip(std::string group, std::string check, std::string detail) {
  rows.push_back({std::move(group), std::move(check), Outcome::kSkip, std::move(detail)});
}

bool CheckReport::passed() const { return count(Outcome::kFail) == 0; }

size_t CheckReport::count(Outcome outcome) const {
  return static_cast<size_t>(
      std::count_if(rows.begin(), rows.end(), [&](const CheckRow& r) { return r.outcome == outcome; }));
}

std::string CheckReport::to_text() const {
  // Columns sized to what is in them; the detail is last and free.
  size_t group_width = 5, check_width = 5;
  for (const CheckRow& r : rows) {
    group_width = std::max(group_width, r.group.size());
    check_width = std::max(check_width, r.check.size());
  }
  auto pad = [](const std::string& s, size_t width) { return s + std::string(width - std::min(width, s.size()), ' '); };
  std::string out = "hyperion check " + library + (plugin.empty() ? "" : " (" + plugin + ")") + "\n";
  out += "  " + pad("RESULT", 6) + "  " + pad("GROUP", group_width) + "  " + pad("CHECK", check_width) + "  DETAIL\n";
  for (const CheckRow& r : rows) {
    std::string result = r.outcome == Outcome::kPass ? "pass" : r.outcome == Outcome::kFail ? "FAIL" : "skip";
    std::string line = "  " + pad(result, 6) + "  " + pad(r.group, group_width) + "  " + pad(r.check, check_width);
    if (!r.detail.empty()) line += "  " + r.detail;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += std::to_string(count(Outcome::kPass)) + " passed, " + std::to_string(count(Outcome::kFail)) + " failed, " +
         std::to_string(count(Outcome::kSkip)) + " skipped: " + (passed() ? "PASS" : "FAIL") + "\n";
  return out;
}

std::string CheckReport::to_json() const {
  boost::json::array checks;
  for (const CheckRow& r : rows) {
    checks.push_back(
        {{"group", r.group}, {"check", r.check}, {"result", outcome_name(r.outcome)}, {"detail", r.detail}});
  }
  boost::json::object o{
      {"library", library},
      {"plugin", plugin},
      {"passed", passed()},
      {"hung_in", hung_in},
      {"counts", {{"pass", count(Outcome::kPass)}, {"fail", count(Outcome::kFail)}, {"skip", count(Outcome::kSkip)}}},
      {"checks", std::move(checks)}};
  return boost::json::serialize(o);
}

}  // namespace hyperion::check
