#include "support/test_certificates.h"

#include <fstream>
#include <stdexcept>
#include <vector>

#include "support/test_support.h"

namespace hyperion::testing {

void make_test_certificates(const std::string& dir) {
  auto run = [&](const std::vector<std::string>& argv) {
    auto r = run_process(argv);
    if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.err);
  };
  std::string d = dir + "/";
  auto ec_key = [&](const std::string& name) {
    run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", d + name});
  };
  ec_key("ca.key");
  run({"openssl", "req", "-x509", "-new", "-key", d + "ca.key", "-out", d + "ca.pem", "-days", "2", "-subj",
       "/CN=hyperion-test-ca"});
  auto leaf = [&](const std::string& name, const std::string& ext) {
    ec_key(name + ".key");
    run({"openssl", "req", "-new", "-key", d + name + ".key", "-out", d + name + ".csr", "-subj", "/CN=" + name});
    std::ofstream(d + name + ".ext") << ext;
    run({"openssl", "x509", "-req", "-in", d + name + ".csr", "-CA", d + "ca.pem", "-CAkey", d + "ca.key",
         "-CAcreateserial", "-out", d + name + ".pem", "-days", "2", "-extfile", d + name + ".ext"});
  };
  leaf("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
  // Only a name, which no resolver knows: reached by IP, verified by server name.
  leaf("named", "subjectAltName=DNS:store.internal\nextendedKeyUsage=serverAuth\n");
}

}  // namespace hyperion::testing
