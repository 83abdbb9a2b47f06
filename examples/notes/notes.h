// Notes: an example handler plugin for the http-server plugin. Each route is a
// few lines with the C++ helpers (hyperion/services/http_server.hpp):
//   GET    <prefix>/notes?limit=&offset=   {"items": [...], "total": n}
//   POST   <prefix>/notes  {"text": "..."} 201 + Location, 422 per field
//   GET    <prefix>/notes/{id}             200, or 404 problem
//   DELETE <prefix>/notes/{id}             204, or 404 problem
//   GET    <prefix>/notes/events           Server-Sent Events: "created" / "deleted"
// Notes live in memory (examples/simple-api keeps them in SQLite).
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/http_server.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace notes {

struct Note {
  int64_t id = 0;
  std::string text;
};

// The notes and who watches them. Thread-safety: every member, any thread.
class NoteBook {
 public:
  NoteBook(size_t max_notes, size_t max_text_bytes) : max_notes_(max_notes), max_text_bytes_(max_text_bytes) {}
  // Throws hyperion::http::Problem (422 for a bad text, 409 when full).
  Note add(const boost::json::value& body);
  std::optional<Note> find(int64_t id) const;
  bool remove(int64_t id);
  std::vector<Note> page(size_t offset, size_t limit, size_t& total) const;
  // Every change goes to each live stream as an SSE event.
  void watch(hyperion::http::Stream stream);
  void close_watchers();

 private:
  void announce(const std::string& event, const Note& note);
  const size_t max_notes_;
  const size_t max_text_bytes_;
  mutable std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<int64_t, Note> notes_;
  std::vector<hyperion::http::Stream> watchers_;
};

class NotesPlugin {
 public:
  NotesPlugin(hyperion::Context& ctx, const boost::json::object& config);
  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

 private:
  hyperion::Context& ctx_;
  const std::string prefix_;
  NoteBook book_;
  std::optional<hyperion::http::Server> server_;
  std::vector<hyperion::http::Registration> routes_;
};

}  // namespace notes
