#include "http_routes.h"

#include <charconv>

namespace users {
namespace {

namespace http = hyperion::http;

boost::json::object to_json(const User& u) {
  return {{"id", u.id},           {"email", u.email},           {"name", u.name},
          {"version", u.version}, {"created_at", u.created_at}, {"updated_at", u.updated_at}};
}

std::string etag(const User& u) { return "\"" + std::to_string(u.version) + "\""; }

int64_t id_of(const http::Request& r) {
  std::string_view text = r.param("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    throw http::Problem(404, "no user " + std::string(text));
  }
  return id;
}

// If-Match: "<version>" names the version the client read; "*" (or no
// header) accepts any. Any other tag matches no version, so it answers 412.
std::optional<int64_t> expected_version(const http::Request& r) {
  auto header = r.header("if-match");
  if (!header || *header == "*") return std::nullopt;
  std::string_view tag = *header;
  int64_t version = -1;
  if (tag.size() >= 3 && tag.front() == '"' && tag.back() == '"') {
    auto [end, ec] = std::from_chars(tag.data() + 1, tag.data() + tag.size() - 1, version);
    if (ec != std::errc() || end != tag.data() + tag.size() - 1) version = -1;
  }
  return version;
}

boost::json::array errors_json(const std::vector<FieldViolation>& violations) {
  boost::json::array out;
  for (const auto& v : violations) out.push_back({{"field", v.field}, {"message", v.message}});
  return out;
}

// Reads {"email", "name"} from a JSON body. `require_all`: a field that is
// absent is a violation (create, PUT); otherwise it is left unset (PATCH).
// Unknown and read-only fields are violations too, so a typo ("emial") is
// reported instead of silently ignored. The service's own rules run on what
// could be read, so one answer lists every problem.
UserChanges read_user(const http::Request& r, bool require_all, const UserService& service) {
  boost::json::value body = r.json();
  if (!body.is_object()) throw http::Problem(400, "the body must be a JSON object");
  UserChanges out;
  std::vector<FieldViolation> violations;
  for (const auto& [key, value] : body.as_object()) {
    if (key == "email" || key == "name") {
      if (!value.is_string()) {
        violations.push_back({std::string(key), "must be a string"});
        continue;
      }
      (key == "email" ? out.email : out.name) = std::string(value.as_string());
    } else if (key == "id" || key == "version" || key == "created_at" || key == "updated_at") {
      violations.push_back({std::string(key), "is read-only"});
    } else {
      violations.push_back({std::string(key), "unknown field"});
    }
  }
  bool email_seen = body.as_object().contains("email");
  bool name_seen = body.as_object().contains("name");
  if (require_all && !email_seen) violations.push_back({"email", "required"});
  if (require_all && !name_seen) violations.push_back({"name", "required"});
  if (!violations.empty()) {
    if (out.email) {
      if (auto m = UserService::check_email(*out.email); !m.empty()) violations.push_back({"email", m});
    }
    if (out.name) {
      if (auto m = UserService::check_name(*out.name, service.limits().max_name_length); !m.empty()) {
        violations.push_back({"name", m});
      }
    }
    throw InvalidUser(std::move(violations));
  }
  return out;
}

// Runs `fn`, answering the service's errors as problems.
template <typename Fn>
void answering(Fn&& fn) {
  try {
    fn();
  } catch (const InvalidUser& e) {
    throw http::Problem(422, "the user is not valid", {{"errors", errors_json(e.violations())}});
  } catch (const BadRequest& e) {
    throw http::Problem(400, e.what());
  } catch (const UserNotFound& e) {
    throw http::Problem(404, e.what());
  } catch (const EmailTaken& e) {
    throw http::Problem(409, e.what(), {{"errors", errors_json({{"email", "already in use"}})}});
  } catch (const VersionMismatch& e) {
    throw http::Problem(412, e.what(), {{"current_version", e.current()}});
  } catch (const StorageError& e) {
    // Locked by another writer for the whole busy timeout: worth a retry.
    // Anything else is ours: the server logs the text and answers 500.
    if (e.busy()) throw http::Problem(503, "the database is busy; try again");
    throw;
  }
}

}  // namespace

std::vector<http::Registration> serve_http(http::Server& server, UserService& service, const std::string& prefix) {
  const std::string users = prefix + "/users";
  const std::string one = users + "/{id}";
  std::vector<http::Registration> routes;

  routes.push_back(server.route("POST", users, [&service, users](const http::Request& r, http::Response& w) {
    answering([&] {
      UserChanges in = read_user(r, true, service);
      User u = service.create({std::move(*in.email), std::move(*in.name)});
      w.header("location", users + "/" + std::to_string(u.id)).header("etag", etag(u)).json(to_json(u), 201);
    });
  }));

  routes.push_back(server.route("GET", users, [&service](const http::Request& r, http::Response& w) {
    answering([&] {
      int64_t page_size = r.query_int("page_size", 0, 0, INT32_MAX);
      Page page = service.list(page_size, r.query("page_token").value_or(""));
      boost::json::array items;
      for (const User& u : page.users) items.push_back(to_json(u));
      boost::json::object out{{"users", std::move(items)}, {"total_size", page.total_size}};
      if (!page.next_page_token.empty()) out["next_page_token"] = page.next_page_token;
      w.json(out);
    });
  }));

  routes.push_back(server.route("GET", one, [&service](const http::Request& r, http::Response& w) {
    answering([&] {
      User u = service.get(id_of(r));
      w.header("etag", etag(u)).json(to_json(u));
    });
  }));

  for (const char* method : {"PATCH", "PUT"}) {
    bool replace = std::string_view(method) == "PUT";
    routes.push_back(server.route(method, one, [&service, replace](const http::Request& r, http::Response& w) {
      answering([&] {
        int64_t id = id_of(r);
        UserChanges changes = read_user(r, replace, service);
        changes.expected_version = expected_version(r);
        User u = service.update(id, std::move(changes));
        w.header("etag", etag(u)).json(to_json(u));
      });
    }));
  }

  routes.push_back(server.route("DELETE", one, [&service](const http::Request& r, http::Response& w) {
    answering([&] {
      service.remove(id_of(r), expected_version(r));
      w.status(204);
    });
  }));
  return routes;
}

}  // namespace users
