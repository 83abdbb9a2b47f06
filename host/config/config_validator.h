// ConfigValidator: checks one instance's config against its plugin's JSON Schema
// (draft 7, through valijson) after filling in the schema's defaults, and
// reports each error with the JSON Pointer of the offending field.
// Thread-safety: a ConfigValidator is immutable after compile(); validate() may
// run concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace hyperion::config {

struct ConfigError {
  std::string pointer;  // "/port", "" for the whole config
  std::string message;
};

class ConfigValidator {
 public:
  ~ConfigValidator();
  ConfigValidator(ConfigValidator&&) noexcept;

  // kInvalidArgument when `schema` is not a usable JSON Schema.
  static StatusOr<ConfigValidator> compile(const boost::json::object& schema);

  // Fills defaults into `config` (objects only, recursively), then validates.
  // Returns every error; empty means valid.
  std::vector<ConfigError> apply_defaults_and_validate(boost::json::object& config) const;

 private:
  ConfigValidator();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fills the "default" of every property missing in `config`, recursing into
// properties that are objects. Exposed for tests.
void fill_defaults(const boost::json::object& schema, boost::json::object& config);

}  // namespace hyperion::config
