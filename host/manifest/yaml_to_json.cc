#include "manifest/yaml_to_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>

#include "base/json_pointer.h"

namespace hyperion::manifest {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YAML 1.2 core schema int: [-+]?[0-9]+
bool looks_like_integer(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
  }
  return true;
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool looks_like_float(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

class Converter {
 public:
  Converter(const std::string& file, const InterpolationEnv& env, JsonDocument& doc, Diagnostics& diags)
      : file_(file), env_(env), doc_(doc), diags_(diags) {}

  // Aliases make the document a graph: one that contains itself would recurse
  // forever, and aliases of aliases grow exponentially when expanded ("billion
  // laughs"). Both are cut off with an error instead.
  static constexpr int kMaxDepth = 64;
  static constexpr size_t kMaxValues = 100'000;

  boost::json::value convert(const YAML::Node& node, const std::string& pointer, int depth = 0) {
    if (too_big_) return nullptr;
    if (depth > kMaxDepth) {
      error(node, pointer, "nested deeper than " + std::to_string(kMaxDepth) + " levels (or an alias that contains itself)");
      too_big_ = true;
      return nullptr;
    }
    if (++values_ > kMaxValues) {
      error(node, pointer, "more than " + std::to_string(kMaxValues) + " values once aliases are expanded");
      too_big_ = true;
      return nullptr;
    }
    doc_.locations[pointer] = where(node);
    switch (node.Type()) {
      case YAML::NodeType::Map: return convert_map(node, pointer, depth);
      case YAML::NodeType::Sequence: {
        boost::json::array out;
        size_t i = 0;
        for (const YAML::Node& item : node) {
          out.push_back(convert(item, pointer + "/" + std::to_string(i++), depth + 1));
        }
        return out;
      }
      case YAML::NodeType::Scalar: return convert_scalar(node, pointer);
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: return nullptr;
    }
    return nullptr;
  }

 private:
  SourceLocation where(const YAML::Node& node) const {
    YAML::Mark m = node.Mark();
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }

  void error(const YAML::Node& node, const std::string& pointer, std::string message) {
    diags_.push_back({where(node), pointer_to_field(pointer), std::move(message)});
  }

  boost::json::value convert_map(const YAML::Node& node, const std::string& pointer, int depth) {
    boost::json::object out;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        error(kv.first, pointer, "mapping keys must be plain strings");
        continue;
      }
      const std::string key = kv.first.Scalar();
      const std::string child = pointer + "/" + json_pointer_token(key);
      if (out.contains(key)) {
        error(kv.first, child, "duplicate key \"" + key + "\"");
        continue;
      }
      out[key] = convert(kv.second, child, depth + 1);
      // A key's position is more useful than its value's for "unknown key".
      doc_.locations[child] = where(kv.first);
    }
    return out;
  }

  boost::json::value convert_scalar(const YAML::Node& node, const std::string& pointer) {
    auto interpolated = env_.as_written ? StatusOr<Interpolated>(Interpolated{node.Scalar(), false, false})
                                        : interpolate(node.Scalar(), env_);
    if (!interpolated.ok()) {
      error(node, pointer, interpolated.status().message());
      return nullptr;
    }
    if (interpolated->secret) {
      // A file's content is a secret: only a plugin's config can take one
      // (there it is redacted everywhere). In a host field — the app's name,
      // an instance's name or library, a listen address — it would be shown
      // in answers, logs, events and revisions (#25): refused, without the content.
      if (!inside_plugin_config(pointer)) {
        error(node, pointer, "${file:...} is allowed only inside a plugin's config, where it is treated as a secret");
        return nullptr;
      }
      doc_.secret_pointers.insert(pointer);
    }
    const std::string& tag = node.Tag();
    // "!" marks a quoted or block scalar; an explicit !!str tag also forces a string.
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return boost::json::string(interpolated->value);
    boost::json::value typed = type_plain_scalar(interpolated->value);
    if (!typed.is_string()) doc_.plain_text[pointer] = interpolated->value;
    return typed;
  }

  // "/plugins/<n>/config" or below.
  static bool inside_plugin_config(std::string_view pointer) {
    constexpr std::string_view kPlugins = "/plugins/";
    if (!pointer.starts_with(kPlugins)) return false;
    pointer.remove_prefix(kPlugins.size());
    size_t slash = pointer.find('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    pointer.remove_prefix(slash);
    return pointer == "/config" || pointer.starts_with("/config/");
  }

  static boost::json::value type_plain_scalar(const std::string& s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    if (looks_like_integer(s)) {
      int64_t v = 0;
      const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
      auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
      if (ec == std::errc() && ptr == s.data() + s.size()) return v;
    }
    if (looks_like_float(s)) {
      double v = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(v)) return v;
    }
    return boost::json::string(s);
  }

  const std::string& file_;
  const InterpolationEnv& env_;
  JsonDocument& doc_;
  Diagnostics& diags_;
  size_t values_ = 0;
  bool too_big_ = false;
};

// Where a second document starts, if there is one. Not YAML::LoadAll: on some
// malformed input it never stops making documents (the manifest fuzzer found
// ",{" growing to gigabytes); two steps of a parser that builds nothing do.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark last;
};

std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  if (!parser.HandleNextDocument(starts)) return std::nullopt;
  return starts.last;
}

}  // namespace

JsonDocument yaml_to_json(const std::string& text, const std::string& file,
                          const InterpolationEnv& env, Diagnostics& diagnostics) {
  JsonDocument doc;
  YAML::Node root;
  try {
    root = YAML::Load(text);
    if (const auto second = second_document(text)) {
      // A manifest is one document: a second one would be silently ignored.
      diagnostics.push_back(
          {{file, second->line >= 0 ? second->line + 1 : 0, second->column >= 0 ? second->column + 1 : 0},
           "",
           "a second YAML document (after ---): a manifest is one document; remove it or "
           "move it to a file of its own"});
      return doc;
    }
  } catch (const YAML::ParserException& e) {
    diagnostics.push_back({{file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg});
    return doc;
  } catch (const YAML::Exception& e) {
    diagnostics.push_back({{file, 0, 0}, "", std::string("YAML error: ") + e.what()});
    return doc;
  }
  Converter converter(file, env, doc, diagnostics);
  doc.root = converter.convert(root, "");
  return doc;
}

}  // namespace hyperion::manifest
