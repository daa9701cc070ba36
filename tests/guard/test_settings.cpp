// Configuration precedence (hooks/guard/settings.cpp).
#include "common/config.hpp"
#include "common/error.hpp"
#include "hooks/guard/settings.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;

namespace {
const char* k_file = R"(
[guard]
primary_branch = "trunk"
factory_root = "/file/factory"
supervisor_prefixes = ["boss-"]
formula_prefixes = ["cook-"]
allowed_delete_roots = ["/scratch"]
remotes = ["forge"]
disabled_rules = ["host-management"]
audit_log = "/file/audit.jsonl"
)";
}

TEST_CASE("defaults", "[settings]") {
  Settings s = resolve_settings({}, ah::ConfigFile(), {});
  CHECK(s.primary_branch == "main");
  CHECK(s.worktree.empty());
  CHECK(s.factory_root.empty());
  // No delete root by default: /tmp and /dev/shm scratch directories are
  // allowed by rule 2 itself, /tmp/* and /dev/* are not.
  CHECK(s.allowed_delete_roots.empty());
  CHECK(s.remotes == std::vector<std::string>{"origin", "upstream"});
  CHECK(s.audit_log.empty());
  CHECK_FALSE(s.fail_open);
  CHECK(s.session_class() == SessionClass::ordinary);
}

TEST_CASE("the file overrides defaults", "[settings]") {
  Settings s = resolve_settings({}, ah::ConfigFile::parse(k_file), {});
  CHECK(s.primary_branch == "trunk");
  CHECK(s.factory_root == "/file/factory");
  CHECK(s.allowed_delete_roots == std::vector<std::string>{"/scratch"});
  CHECK(s.remotes == std::vector<std::string>{"forge"});
  CHECK_FALSE(s.rule_enabled("host-management"));
  CHECK(s.rule_enabled("force-push"));
  CHECK(s.audit_log == "/file/audit.jsonl");
  s.session = "boss-1";
  CHECK(s.session_class() == SessionClass::supervisor);
  s.session = "cook-1";
  CHECK(s.session_class() == SessionClass::formula);
  s.session = "supervisor-1"; // the default prefixes were replaced
  CHECK(s.session_class() == SessionClass::ordinary);
}

TEST_CASE("environment overrides the file, arguments the environment, flags the arguments", "[settings]") {
  GuardEnv env;
  env.factory_root = "/env/factory";
  env.home = "/home/x/";
  Settings s = resolve_settings({}, ah::ConfigFile::parse(k_file), env);
  CHECK(s.factory_root == "/env/factory");
  CHECK(s.home == "/home/x");

  GuardArgs args;
  args.primary_branch = "develop";
  args.worktree = "/w/wt/";
  args.session = "dev-3";
  s = resolve_settings(args, ah::ConfigFile::parse(k_file), env);
  CHECK(s.primary_branch == "develop");
  CHECK(s.worktree == "/w/wt");
  CHECK(s.session == "dev-3");

  args.flag_primary_branch = "release";
  args.flag_worktree = "/w/other";
  args.flag_session = "gardener-2";
  args.factory_root = "/flag/factory";
  args.audit_log = "/flag/audit";
  args.disabled_rules = {"force-push"};
  args.fail_open = true;
  s = resolve_settings(args, ah::ConfigFile::parse(k_file), env);
  CHECK(s.primary_branch == "release");
  CHECK(s.worktree == "/w/other");
  CHECK(s.session == "gardener-2");
  CHECK(s.factory_root == "/flag/factory");
  CHECK(s.audit_log == "/flag/audit");
  CHECK_FALSE(s.rule_enabled("force-push"));
  CHECK_FALSE(s.rule_enabled("host-management")); // the file's list is kept
  CHECK(s.fail_open);
}

TEST_CASE("empty arguments leave lower layers in place", "[settings]") {
  GuardArgs args;
  args.primary_branch = "";
  args.worktree = "";
  Settings s = resolve_settings(args, ah::ConfigFile::parse(k_file), {});
  CHECK(s.primary_branch == "trunk");
  CHECK(s.worktree.empty());
}

TEST_CASE("unusable settings are errors", "[settings]") {
  GuardArgs relative;
  relative.worktree = "wt";
  CHECK_THROWS_AS(resolve_settings(relative, ah::ConfigFile(), {}), ah::Error);
  GuardArgs unknown_rule;
  unknown_rule.disabled_rules = {"no-such-rule"};
  CHECK_THROWS_WITH(resolve_settings(unknown_rule, ah::ConfigFile(), {}), Catch::Contains("no-such-rule"));
  CHECK_THROWS_AS(resolve_settings({}, ah::ConfigFile::parse("[guard]\nprimary_branch = 3\n"), {}),
                  ah::Error);
  CHECK_THROWS_AS(resolve_settings({}, ah::ConfigFile::parse("[guard]\nfactory_root = \"rel\"\n"), {}),
                  ah::Error);
  GuardEnv env;
  env.factory_root = "relative";
  CHECK_THROWS_AS(resolve_settings({}, ah::ConfigFile(), env), ah::Error);
}

TEST_CASE("every rule has a name", "[settings]") {
  CHECK(rule_names().size() == 10);
}
