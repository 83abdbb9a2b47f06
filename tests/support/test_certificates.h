// Test certificates made with openssl (from Debian) for TLS tests.
#pragma once

#include <string>

namespace hyperion::testing {

// A CA, a server certificate for 127.0.0.1/localhost, a client certificate and
// a server certificate for the name store.internal only, written as PEM into
// `dir` (ca.pem, server.pem/.key, client.pem/.key, named.pem/.key).
// Throws std::runtime_error when openssl fails.
void make_test_certificates(const std::string& dir);

}  // namespace hyperion::testing
