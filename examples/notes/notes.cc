#include "notes.h"

namespace notes {
namespace {

namespace http = hyperion::http;

boost::json::object to_json(const Note& n) { return {{"id", n.id}, {"text", n.text}}; }

int64_t id_of(const http::Request& r) {
  std::string_view text = r.param("id");
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) throw http::Problem(404, "no note " + std::string(text));
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace

Note NoteBook::add(const boost::json::value& body) {
  const boost::json::value* text = body.is_object() ? body.as_object().if_contains("text") : nullptr;
  std::string problem;
  if (text == nullptr)
    problem = "required";
  else if (!text->is_string())
    problem = "must be a string";
  else if (text->as_string().empty())
    problem = "must not be empty";
  else if (text->as_string().size() > max_text_bytes_)
    problem = "longer than " + std::to_string(max_text_bytes_) + " bytes";
  if (!problem.empty()) {
    throw http::Problem(422, "the note is not valid",
                        {{"errors", boost::json::array{{{"field", "text"}, {"message", problem}}}}});
  }
  Note note;
  {
    std::lock_guard lock(mu_);
    if (notes_.size() >= max_notes_)
      throw http::Problem(409, "the notebook is full (" + std::to_string(max_notes_) + " notes)");
    note = {next_id_++, std::string(text->as_string())};
    notes_[note.id] = note;
  }
  announce("created", note);
  return note;
}

std::optional<Note> NoteBook::find(int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = notes_.find(id);
  if (it == notes_.end()) return std::nullopt;
  return it->second;
}

bool NoteBook::remove(int64_t id) {
  Note gone;
  {
    std::lock_guard lock(mu_);
    auto it = notes_.find(id);
    if (it == notes_.end()) return false;
    gone = it->second;
    notes_.erase(it);
  }
  announce("deleted", gone);
  return true;
}

std::vector<Note> NoteBook::page(size_t offset, size_t limit, size_t& total) const {
  std::lock_guard lock(mu_);
  total = notes_.size();
  std::vector<Note> out;
  for (auto it = notes_.begin(); it != notes_.end() && out.size() < limit; ++it) {
    if (offset > 0) {
      --offset;
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

void NoteBook::watch(http::Stream stream) {
  stream.comment("watching");
  std::lock_guard lock(mu_);
  watchers_.push_back(std::move(stream));
}

void NoteBook::announce(const std::string& event, const Note& note) {
  std::string data = boost::json::serialize(to_json(note));
  std::lock_guard lock(mu_);
  // A watcher whose client left fails its write: drop it (which ends its stream).
  std::erase_if(watchers_, [&](http::Stream& s) { return !s.event(data, event, std::to_string(note.id)); });
}

void NoteBook::close_watchers() {
  std::vector<http::Stream> watchers;
  {
    std::lock_guard lock(mu_);
    watchers.swap(watchers_);
  }
  for (auto& s : watchers) s.close();
}

NotesPlugin::NotesPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      prefix_(config.at("prefix").as_string()),
      book_(static_cast<size_t>(config.at("max_notes").to_number<int64_t>()),
            static_cast<size_t>(config.at("max_text_bytes").to_number<int64_t>())) {}

void NotesPlugin::start(hyperion::Deadline) {
  server_.emplace(ctx_.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
  const std::string notes = prefix_ + "/notes";
  routes_.push_back(server_->route("GET", notes, [this](const http::Request& r, http::Response& w) {
    auto limit = static_cast<size_t>(r.query_int("limit", 20, 1, 100));
    auto offset = static_cast<size_t>(r.query_int("offset", 0, 0));
    size_t total = 0;
    boost::json::array items;
    for (const Note& n : book_.page(offset, limit, total)) items.push_back(to_json(n));
    w.json({{"items", items}, {"total", total}, {"offset", offset}, {"limit", limit}});
  }));
  routes_.push_back(server_->route("POST", notes, [this, notes](const http::Request& r, http::Response& w) {
    Note n = book_.add(r.json());
    w.header("location", notes + "/" + std::to_string(n.id)).json(to_json(n), 201);
  }));
  routes_.push_back(server_->route("GET", notes + "/{id}", [this](const http::Request& r, http::Response& w) {
    auto n = book_.find(id_of(r));
    if (!n) throw http::Problem(404, "no note " + std::string(r.param("id")));
    w.json(to_json(*n));
  }));
  routes_.push_back(server_->route("DELETE", notes + "/{id}", [this](const http::Request& r, http::Response& w) {
    if (!book_.remove(id_of(r))) throw http::Problem(404, "no note " + std::string(r.param("id")));
    w.status(204);
  }));
  routes_.push_back(server_->route("GET", notes + "/events",
                                   [this](const http::Request&, http::Response& w) { book_.watch(w.sse()); }));
}

void NotesPlugin::stop(hyperion::Deadline deadline) {
  book_.close_watchers();
  for (auto& r : routes_) r.release(deadline);
  routes_.clear();
  server_.reset();
}

hyperion::HealthReport NotesPlugin::health() {
  hyperion::HealthReport r;
  size_t total = 0;
  (void)book_.page(0, 0, total);
  r.details["notes"] = total;
  return r;
}

}  // namespace notes
