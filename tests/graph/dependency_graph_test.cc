#include "graph/dependency_graph.h"

#include <gtest/gtest.h>

namespace hyperion::graph {
namespace {

loader::ApiVersion api(const std::string& name, uint32_t major = 1, uint32_t minor = 0) { return {name, major, minor}; }
loader::Requirement req(const std::string& name, bool optional = false, uint32_t major = 1, uint32_t minor = 0) {
  return {api(name, major, minor), optional};
}

TEST(DependencyGraph, ProvidersStartFirstAndTiesKeepManifestOrder) {
  auto g = DependencyGraph::build({
      {"web", {}, {req("db"), req("cache")}, {}},
      {"metrics", {}, {}, {}},
      {"cache", {api("cache")}, {}, {}},
      {"db", {api("db", 1, 3)}, {}, {}},
  });
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->start_order(), (std::vector<std::string>{"metrics", "cache", "db", "web"}));
  EXPECT_EQ(g->provider_for("web", "db"), "db");
  EXPECT_EQ(g->dependents_of("db"), std::vector<std::string>{"web"});
}

TEST(DependencyGraph, AfterIsHonoured) {
  auto g = DependencyGraph::build({{"a", {}, {}, {"b"}}, {"b", {}, {}, {}}});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->start_order(), (std::vector<std::string>{"b", "a"}));
}

TEST(DependencyGraph, MissingProviderNamesWhoNeededWhat) {
  auto g = DependencyGraph::build({{"web", {}, {req("db")}, {}}});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("instance \"web\" requires db 1.0, but no instance in the manifest provides it"),
            std::string::npos)
      << g.status().message();
}

TEST(DependencyGraph, IncompatibleVersionIsExplained) {
  auto g = DependencyGraph::build({{"web", {}, {req("db", false, 2)}, {}}, {"pg", {api("db", 1, 9)}, {}, {}}});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("found db 1.9 by \"pg\", which is not compatible"), std::string::npos)
      << g.status().message();
  auto minor = DependencyGraph::build({{"web", {}, {req("db", false, 1, 5)}, {}}, {"pg", {api("db", 1, 4)}, {}, {}}});
  EXPECT_FALSE(minor.ok());
}

TEST(DependencyGraph, OptionalRequirementSatisfiedWhenPresent) {
  auto absent = DependencyGraph::build({{"web", {}, {req("cache", true)}, {}}});
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->provider_for("web", "cache").has_value());
  auto present = DependencyGraph::build({{"web", {}, {req("cache", true)}, {}}, {"c", {api("cache")}, {}, {}}});
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(present->start_order(), (std::vector<std::string>{"c", "web"}));
}

TEST(DependencyGraph, CycleIsPrinted) {
  auto g = DependencyGraph::build({
      {"a", {api("a")}, {req("c")}, {}},
      {"b", {api("b")}, {req("a")}, {}},
      {"c", {api("c")}, {req("b")}, {}},
      {"free", {}, {}, {}},
  });
  ASSERT_FALSE(g.ok());
  const std::string& m = g.status().message();
  EXPECT_NE(m.find("dependency cycle: "), std::string::npos) << m;
  // Every member of the cycle appears, and the cycle closes on itself.
  EXPECT_NE(m.find("a -(requires c 1.0)-> c"), std::string::npos) << m;
  EXPECT_NE(m.find("c -(requires b 1.0)-> b"), std::string::npos) << m;
  EXPECT_NE(m.find("b -(requires a 1.0)-> a"), std::string::npos) << m;
  EXPECT_EQ(m.find("free"), std::string::npos) << m;
}

TEST(DependencyGraph, CycleThroughAfter) {
  auto g = DependencyGraph::build({{"a", {}, {}, {"b"}}, {"b", {}, {}, {"a"}}});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("-(after)->"), std::string::npos);
}

TEST(DependencyGraph, AmbiguousProvider) {
  auto g = DependencyGraph::build({{"web", {}, {req("db")}, {}}, {"p1", {api("db")}, {}, {}}, {"p2", {api("db")}, {}, {}}});
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("both \"p1\" and \"p2\""), std::string::npos);
}

TEST(DependencyGraph, DotOutput) {
  auto g = DependencyGraph::build({{"web", {}, {req("db"), req("cache", true)}, {}}, {"db", {api("db")}, {}, {}}});
  ASSERT_TRUE(g.ok());
  std::string dot = g->to_dot("shop");
  EXPECT_NE(dot.find("digraph \"shop\""), std::string::npos);
  EXPECT_NE(dot.find("\"db\" -> \"web\" [label=\"requires db 1.0\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"db\" [label=\"1. db\"]"), std::string::npos) << dot;
}

}  // namespace
}  // namespace hyperion::graph
