#include "manifest/manifest_parser.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace hyperion::manifest {
namespace {

InterpolationEnv no_env(std::string dir = "/base") {
  return {[](const std::string& name) -> std::optional<std::string> {
            if (name == "PORT") return "8080";
            return std::nullopt;
          },
          std::move(dir)};
}

StatusOr<Manifest> parse(const std::string& yaml) { return parse_manifest_text(yaml, "app.yaml", no_env()); }

void expect_error(const std::string& yaml, const std::string& where, const std::string& what) {
  auto m = parse(yaml);
  ASSERT_FALSE(m.ok()) << "expected an error for:\n" << yaml;
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(where), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find(what), std::string::npos) << m.status().message();
}

TEST(ManifestParser, ParsesAFullManifest) {
  auto m = parse(R"(app: shop
host:
  log_level: debug
  log_format: json
  plugin_path: [plugins, /opt/p]
  stop_timeout_ms: 1500
plugins:
  - name: web
    library: ./web.so
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
    optional: true
    after: db
    start_timeout_ms: 100
    config:
      port: ${PORT}
      quoted: "123"
      ratio: 0.5
      enabled: yes
      tags: [a, b]
  - name: db
    library: db
)");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->app, "shop");
  EXPECT_EQ(m->host.log_level, "debug");
  EXPECT_EQ(m->host.log_format, "json");
  ASSERT_EQ(m->host.plugin_path.size(), 2u);
  EXPECT_EQ(m->host.plugin_path[0], "/base/plugins");
  EXPECT_EQ(m->host.plugin_path[1], "/opt/p");
  ASSERT_EQ(m->plugins.size(), 2u);
  const InstanceSpec& web = m->plugins[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_TRUE(web.optional);
  EXPECT_EQ(web.after, std::vector<std::string>{"db"});
  EXPECT_EQ(web.start_timeout.count(), 100);
  EXPECT_EQ(web.stop_timeout.count(), 1500);  // inherited from host
  EXPECT_TRUE(web.config.at("port").is_int64());
  EXPECT_EQ(web.config.at("port").as_int64(), 8080);
  EXPECT_TRUE(web.config.at("quoted").is_string());
  EXPECT_DOUBLE_EQ(web.config.at("ratio").as_double(), 0.5);
  EXPECT_TRUE(web.config.at("enabled").is_string());  // YAML 1.2: "yes" is a string
  EXPECT_EQ(web.config.at("tags").as_array().size(), 2u);
  EXPECT_EQ(m->plugins[1].stop_timeout.count(), 1500);
  EXPECT_EQ(m->locate("/plugins/0/config/port").line, 15);
}

TEST(ManifestParser, UnknownKeysAreErrorsWithLine) {
  expect_error("app: a\nplugins: []\nextra: 1\n", "app.yaml:3:1", "unknown key \"extra\"");
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    confg: {}\n", "app.yaml:5:5",
               "plugins[0].confg: unknown key \"confg\"");
  expect_error("app: a\nhost:\n  loglevel: info\nplugins: []\n", "app.yaml:3:3", "host.loglevel: unknown key");
}

TEST(ManifestParser, MissingRequiredFields) {
  expect_error("plugins: []\n", "app.yaml", "missing required field \"app\"");
  expect_error("app: a\n", "app.yaml", "missing required field \"plugins\"");
  expect_error("app: a\nplugins:\n  - name: x\n", "app.yaml:3:5", "missing required field \"library\"");
}

TEST(ManifestParser, WrongTypes) {
  expect_error("app: a\nplugins: {}\n", "app.yaml:2:1", "expected a list");
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    optional: maybe\n", "app.yaml:5:5",
               "plugins[0].optional: expected true or false");
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    config: [1]\n", "app.yaml:5:5",
               "plugins[0].config: expected a mapping");
  expect_error("app: a\nhost:\n  stop_timeout_ms: -5\nplugins: []\n", "app.yaml:3:3", "positive integer");
  expect_error("app: a\nhost:\n  log_level: loud\nplugins: []\n", "app.yaml:3:3", "must be one of");
}

TEST(ManifestParser, DuplicateInstanceNames) {
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n  - name: x\n    library: z\n", "app.yaml:5:5",
               "two instances are named \"x\" (the other is at app.yaml:3:5)");
}

TEST(ManifestParser, BadInstanceNameAndPin) {
  expect_error("app: a\nplugins:\n  - name: Bad Name\n    library: y\n", "app.yaml:3:5", "must match");
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    sha256: abc\n", "app.yaml:5:5", "64 lower-case hex");
  // A pin that happens to be all digits is still a pin, not a number.
  auto digits = parse("app: a\nplugins:\n  - name: x\n    library: y\n    sha256: " + std::string(64, '1') + "\n");
  ASSERT_TRUE(digits.ok()) << digits.status().to_string();
  EXPECT_EQ(digits->plugins[0].sha256, std::string(64, '1'));
}

TEST(ManifestParser, AfterMustNameAnInstance) {
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    after: [ghost]\n", "app.yaml:5:5",
               "no instance has that name");
}

TEST(ManifestParser, DuplicateKeys) {
  expect_error("app: a\napp: b\nplugins: []\n", "app.yaml:2:1", "duplicate key \"app\"");
}

TEST(ManifestParser, YamlSyntaxErrorHasLine) {
  expect_error("app: a\nplugins: [\n", "app.yaml:", "YAML syntax error");
}

TEST(ManifestParser, InterpolationErrorsNameTheField) {
  expect_error("app: a\nplugins:\n  - name: x\n    library: y\n    config:\n      password: ${DB_PASS}\n",
               "app.yaml:6:17", "plugins[0].config.password: environment variable DB_PASS is not set");
}

TEST(ManifestParser, ReportsEveryProblemAtOnce) {
  auto m = parse("app: a\nbogus: 1\nplugins:\n  - name: x\n  - library: y\n");
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find("unknown key \"bogus\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing required field \"library\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing required field \"name\""), std::string::npos) << msg;
}

TEST(ManifestParser, SecretFieldsAreRemembered) {
  testing::TempDir dir;
  dir.write("pw", "hunter2");
  auto m = parse_manifest_text("app: a\nplugins:\n  - name: x\n    library: y\n    config:\n      db:\n        password: ${file:pw}\n",
                               "app.yaml", no_env(dir.path()));
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->plugins[0].config.at("db").at("password").as_string(), "hunter2");
  EXPECT_EQ(m->plugins[0].secret_fields, std::set<std::string>{"/db/password"});
  EXPECT_EQ(m->text.find("hunter2"), std::string::npos);  // the text keeps the reference
}

TEST(ManifestParser, FileContentsAreRefusedOutsidePluginConfigsWithoutShowingThem) {
  // #25 point 6: ${file:} in a host field put the file into answers, logs,
  // events and revisions.
  testing::TempDir dir;
  dir.write("stolen", "root:x:0:0");
  for (const auto& [yaml, field] : std::vector<std::pair<std::string, std::string>>{
           {"app: ${file:stolen}\nplugins: []\n", "app"},
           {"app: a\nhost:\n  admin: {listen: \"${file:stolen}\"}\nplugins: []\n", "host.admin.listen"},
           {"app: a\nplugins:\n  - name: ${file:stolen}\n    library: y\n", "plugins[0].name"},
           {"app: a\nplugins:\n  - name: x\n    library: ${file:stolen}\n", "plugins[0].library"},
           {"app: a\nplugins:\n  - name: x\n    library: y\n    after: [\"${file:stolen}\"]\n", "plugins[0].after[0]"},
       }) {
    auto m = parse_manifest_text(yaml, "app.yaml", no_env(dir.path()));
    ASSERT_FALSE(m.ok()) << yaml;
    const std::string& msg = m.status().message();
    EXPECT_NE(msg.find(field + ": ${file:...} is allowed only inside a plugin's config"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("root:x"), std::string::npos) << "the file's content is in the error: " << msg;
  }
}

TEST(ManifestParser, MissingFileIsNotFound) {
  auto m = parse_manifest_file("/nonexistent/app.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
}

TEST(ManifestParser, EmptyManifest) { expect_error("", "app.yaml", "empty"); }

TEST(ManifestParser, AliasesThatContainThemselvesOrExplodeAreErrors) {
  // Found by fuzz/manifest_fuzzer.cc: an alias inside its own anchor made the
  // YAML a cycle, and converting it to JSON overflowed the stack.
  auto cycle = parse("app: a\nbase: &cfg {port: 1, self: *cfg}\nplugins: []\n");
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("nested deeper than 64 levels"), std::string::npos)
      << cycle.status().message();

  // "Billion laughs": nine levels of ten aliases each would be 10^9 values.
  std::string laughs = "app: a\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) laughs += prev + (j < 9 ? ", " : "]\n");
  }
  laughs += "plugins: []\n";
  auto exploded = parse(laughs);
  ASSERT_FALSE(exploded.ok());
  EXPECT_NE(exploded.status().message().find("more than 100000 values once aliases are expanded"), std::string::npos)
      << exploded.status().message();
}

TEST(ManifestParser, ASecondYamlDocumentIsRefusedWithItsLine) {
  // #24: "---" and a second document used to be accepted and silently ignored.
  auto two = parse("app: a\nplugins: []\n---\napp: b\nplugins: []\n");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("app.yaml:3:1"), std::string::npos) << two.status().message();
  EXPECT_NE(two.status().message().find("a second YAML document"), std::string::npos) << two.status().message();
  EXPECT_TRUE(parse("---\napp: a\nplugins: []\n...\n").ok()) << "one document with its markers is fine";
  // Found by the manifest fuzzer: YAML::LoadAll never stops on this (gigabytes).
  EXPECT_FALSE(parse(",{").ok());
}

TEST(ManifestParser, ControlCharactersInNamesAndPathsAreRefused) {
  // #24: YAML's double-quoted escapes let a NUL or an ESC into a path.
  expect_error("app: \"shop\\0x\"\nplugins: []\n", "app.yaml:1:", "contains a control character (0x00 at byte 4)");
  expect_error("app: a\nhost:\n  state_dir: \"st\\e[31mate\"\nplugins: []\n",
               "app.yaml:3:", "contains a control character (0x1b at byte 2)");
  expect_error("app: a\nplugins:\n  - name: x\n    library: \"lib\\tx.so\"\n",
               "app.yaml:4:", "contains a control character (0x09");
  EXPECT_TRUE(parse("app: \"caf\u00e9\"\nplugins: []\n").ok()) << "other characters are fine";
}

TEST(ManifestParser, AdminTokensFileIsRelativeToTheManifestAndASignInLastsAtLeastASecond) {
  auto m = parse("app: a\nhost:\n  admin: {tokens_file: team/tokens.yaml, session_ttl_ms: 60000}\nplugins: []\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->host.admin.tokens_file, "/base/team/tokens.yaml");
  EXPECT_EQ(m->host.admin.session_ttl, std::chrono::minutes(1));
  auto short_ttl = parse("app: a\nhost:\n  admin:\n    session_ttl_ms: 10\nplugins: []\n");
  ASSERT_FALSE(short_ttl.ok());
  EXPECT_NE(short_ttl.status().message().find(
                "app.yaml:4:5: host.admin.session_ttl_ms: a sign-in must last at least 1000 ms"),
            std::string::npos)
      << short_ttl.status().message();
}

TEST(ManifestParser, AdminListenPortIsCheckedWithoutOverflow) {
  // Found by fuzz/manifest_fuzzer.cc: a port of 20 digits overflowed std::stol.
  for (const char* listen : {"127.0.0.1:99999999999999999999", "127.0.0.1:65536", "127.0.0.1:", "7450", "h:12a"}) {
    auto m = parse(std::string("app: a\nhost:\n  admin:\n    listen: \"") + listen + "\"\nplugins: []\n");
    ASSERT_FALSE(m.ok()) << listen;
    EXPECT_NE(m.status().message().find("expected HOST:PORT (PORT 0-65535)"), std::string::npos) << m.status().message();
  }
  EXPECT_TRUE(parse("app: a\nhost:\n  admin:\n    listen: \"127.0.0.1:65535\"\nplugins: []\n").ok());
  // The engine binds addresses, not names: a name is refused here, not at start.
  for (const char* listen : {"0.0.0.0:7450", "localhost:0", "[::1]:7450"}) {
    EXPECT_TRUE(parse(std::string("app: a\nhost:\n  admin:\n    listen: \"") + listen + "\"\nplugins: []\n").ok())
        << listen;
  }
  for (const char* listen : {"admin.example:7450", "::1:7450", "[nope]:7450", "127.0.0.256:7450"}) {
    auto m = parse(std::string("app: a\nhost:\n  admin:\n    listen: \"") + listen + "\"\nplugins: []\n");
    ASSERT_FALSE(m.ok()) << listen;
    EXPECT_NE(m.status().message().find("is not an IP address"), std::string::npos) << m.status().message();
  }
}

TEST(ManifestParser, AdminListenerLimitsAreReadAndCheckedWithTheirField) {
  auto m = parse(
      "app: a\nhost:\n  admin:\n    limits: {max_header_bytes: 32768, max_line_bytes: 2048, "
      "max_header_count: 20, max_connections: 64, header_timeout_ms: 3000, idle_timeout_ms: 5000}\n"
      "plugins: []\n");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  const AdminSettings& a = m->host.admin;
  EXPECT_EQ(a.max_header_bytes, 32768);
  EXPECT_EQ(a.max_line_bytes, 2048);
  EXPECT_EQ(a.max_header_count, 20);
  EXPECT_EQ(a.max_connections, 64);
  EXPECT_EQ(a.header_timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(a.idle_timeout, std::chrono::milliseconds(5000));
  auto defaults = parse("app: a\nplugins: []\n");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->host.admin.max_line_bytes, 8192);
  EXPECT_EQ(defaults->host.admin.max_connections, 1024);
  expect_error("app: a\nhost:\n  admin:\n    limits: {max_connections: 0}\nplugins: []\n",
               "app.yaml:4:", "max_connections");
  expect_error("app: a\nhost:\n  admin:\n    limits: {max_lines: 3}\nplugins: []\n", "app.yaml:4:", "max_lines");
}

TEST(ManifestParser, AllowWorldWritableIsOffUnlessSaid) {
  auto m = parse("app: a\nplugins:\n  - {name: x, library: y}\n  - {name: z, library: y, allow_world_writable: true}\n");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_FALSE(m->plugins[0].allow_world_writable);
  EXPECT_TRUE(m->plugins[1].allow_world_writable);
  auto bad = parse("app: a\nplugins:\n  - {name: x, library: y, allow_world_writable: maybe}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("allow_world_writable"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace hyperion::manifest
