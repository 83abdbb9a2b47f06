// The HTTP/JSON face of UserService, on the http-server plugin:
//   POST   <prefix>/users                 {"email","name"}  201 + Location + ETag
//   GET    <prefix>/users?page_size=&page_token=   {"users","next_page_token","total_size"}
//   GET    <prefix>/users/{id}            200 + ETag
//   PATCH  <prefix>/users/{id}            the fields given change    (If-Match: "<version>" optional)
//   PUT    <prefix>/users/{id}            every field given          (If-Match optional)
//   DELETE <prefix>/users/{id}            204                        (If-Match optional)
// Errors are RFC 9457 problem+json: 400 malformed (not JSON, bad paging),
// 404 no such user, 409 email in use, 412 If-Match is not the current
// version, 415 not JSON, 422 with "errors": [{"field", "message"}, ...] for
// every broken rule at once.
#pragma once

#include "user_service.h"

#include <hyperion/services/http_server.hpp>

#include <string>
#include <vector>

namespace users {

std::vector<hyperion::http::Registration> serve_http(hyperion::http::Server& server, UserService& service,
                                                     const std::string& prefix);

}  // namespace users
