// A connection: reads requests one after another (keep-alive, pipelining in
// order), answers what the server answers itself (404, 405, OPTIONS, CORS
// preflights, limits), hands the rest to the route's handler as an Exchange,
// and writes its answer — whole, or as a chunked stream — on the connection's
// strand. Every wait on the client has a deadline (settings: idle, header,
// body, write), so a slow or silent client holds a socket, never a thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "engine.h"

namespace hyperion::http_engine {

// Starts serving an accepted connection (plain HTTP, or TLS with `tls`).
void start_session(Engine& engine, boost::asio::ip::tcp::socket socket,
                   const std::shared_ptr<boost::asio::ssl::context>& tls);

}  // namespace hyperion::http_engine
