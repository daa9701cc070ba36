// Lexical path resolution (hooks/guard/paths.cpp).
#include "common/shell_words.hpp"
#include "hooks/guard/paths.hpp"

#include <catch2/catch.hpp>

using namespace ah::guard;

namespace {
ah::shell::Word word_of(std::string_view source) {
  auto script = ah::shell::parse(source);
  REQUIRE(script.ok());
  REQUIRE_FALSE(script.commands.empty());
  REQUIRE(script.commands[0].words.size() == 1);
  return script.commands[0].words[0];
}

ResolvedPath resolve(std::string_view source, std::optional<std::string> cwd = "/w/sub") {
  return resolve_path(word_of(source), PathEnv{std::move(cwd), "/home/u", "/f"});
}
} // namespace

TEST_CASE("normalize_path folds . and .. and slashes", "[paths]") {
  CHECK(normalize_path("/a/b/../c/./d//e/") == "/a/c/d/e");
  CHECK(normalize_path("/..") == "/");
  CHECK(normalize_path("/../../x") == "/x");
  CHECK(normalize_path("x/../../y", "/a/b") == "/a/y");
  CHECK(normalize_path(".", "/a") == "/a");
  CHECK(normalize_path("", "/a") == "/a");
  CHECK(normalize_path("/") == "/");
}

TEST_CASE("path_within and path_below", "[paths]") {
  CHECK(path_within("/a/b", "/a"));
  CHECK(path_within("/a", "/a"));
  CHECK_FALSE(path_within("/ab", "/a"));
  CHECK(path_within("/x", "/"));
  CHECK_FALSE(path_below("/a", "/a"));
  CHECK(path_below("/a/b", "/a"));
  CHECK_FALSE(path_within("/a", ""));
}

TEST_CASE("words resolve like the shell would", "[paths]") {
  CHECK(resolve("..").path == "/w");
  CHECK(resolve("x/../y").path == "/w/sub/y");
  CHECK(resolve("~").path == "/home/u");
  CHECK(resolve("~/a/..").path == "/home/u");
  CHECK(resolve("$HOME/x").path == "/home/u/x");
  CHECK(resolve("\"${HOME}\"/x").path == "/home/u/x");
  CHECK(resolve("$PWD/..").path == "/w");
  CHECK(resolve("$FACTORY_ROOT/x").path == "/f/x");
  CHECK(resolve("'~'").path == "/w/sub/~");
  CHECK(resolve("'$HOME'").path == "/w/sub/$HOME");
}

TEST_CASE("globs and braces are judged by the directory they expand in", "[paths]") {
  ResolvedPath p = resolve("/*");
  CHECK(p.path == "/");
  CHECK(p.pattern);
  CHECK(resolve("*").path == "/w/sub");
  CHECK(resolve("build/*.o").path == "/w/sub/build");
  CHECK(resolve("~/*").path == "/home/u");
  CHECK(resolve("/{etc,usr}").path == "/");
  CHECK(resolve("/tmp/../*").path == "/");
  CHECK(resolve("/a/*/$X").path == "/a");
  CHECK_FALSE(resolve("/a/b").pattern);
}

TEST_CASE("unknown expansions leave the path unresolved", "[paths]") {
  CHECK(resolve("$DIR").unknown == "$DIR");
  CHECK(resolve("/a/$X/b").unknown == "$X");
  CHECK(resolve("$(pwd)/x").unknown == "$(pwd)");
  CHECK(resolve("~bob/x").unknown == "~bob");
  CHECK_FALSE(resolve("x", std::nullopt).resolved());
  CHECK(resolve("/abs", std::nullopt).path == "/abs");
  ah::shell::Word tilde = word_of("~");
  CHECK_FALSE(resolve_path(tilde, PathEnv{"/", "", ""}).resolved());
}

TEST_CASE("normalize_path against a cwd that is or is not normal", "[paths]") {
  CHECK(normalize_path("x", "/a/b") == "/a/b/x");
  CHECK(normalize_path("x", "/") == "/x");
  CHECK(normalize_path("..", "/") == "/");
  CHECK(normalize_path("x", "/a/./b/") == "/a/b/x");
  CHECK(normalize_path("x", "/a/../b") == "/b/x");
  CHECK(normalize_path("x", "//a//b") == "/a/b/x");
  CHECK(normalize_path("../..", "/a/.b/..c") == "/a");
  CHECK(normalize_path("y", "/a/..") == "/y");
}
