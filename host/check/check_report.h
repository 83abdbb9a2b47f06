// CheckReport: what `hyperion check` found about one plugin library — one row
// per check (its group, what it tried, pass/fail/skip and why) — printed as a
// table for people or as JSON for CI.
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <vector>

namespace hyperion::check {

enum class Outcome { kPass, kFail, kSkip };
const char* outcome_name(Outcome outcome);  // "pass", "fail", "skip"

struct CheckRow {
  std::string group;  // metadata, abi, lifecycle, health, services, reload, state, unload
  std::string check;  // what was tried, one line
  Outcome outcome = Outcome::kPass;
  std::string detail;  // why it failed or was skipped; a figure when it passed
};

struct CheckReport {
  std::string library;
  std::string plugin;  // "name version", once the metadata was read
  std::vector<CheckRow> rows;
  // The call the plugin never returned from ("stop"), if it hung: its code
  // may still run, so whoever ran the check must not unload or tear down under it.
  std::string hung_in;

  void pass(std::string group, std::string check, std::string detail = {});
  void fail(std::string group, std::string check, std::string detail);
  void skip(std::string group, std::string check, std::string detail);

  [[nodiscard]] bool passed() const;  // no row failed
  [[nodiscard]] size_t count(Outcome outcome) const;
  [[nodiscard]] std::string to_text() const;
  [[nodiscard]] std::string to_json() const;
};

}  // namespace hyperion::check
