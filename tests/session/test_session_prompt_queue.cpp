// Unit tests of session/prompt_queue.cpp: order, exactly one taker, give
// back, leftovers, the folder's checks, removal.
#include "session/prompt_queue.hpp"

#include "common/error.hpp"
#include "testutil.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace ah;
using namespace ah::session;

TEST_CASE("PromptQueue: prompts come out in the order they went in, each once", "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  CHECK_FALSE(q.take()); // no folder yet
  CHECK(q.push("one").position == 1);
  CHECK(q.push("two\nlines").position == 2);
  const auto third = q.push("three");
  CHECK(third.position == 3);
  CHECK(third.file.filename() == "000000000003.prompt");
  CHECK(q.dir() == dir.path() / "queue-s1");

  struct stat st {};
  REQUIRE(::lstat(q.dir().c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  REQUIRE(::lstat(third.file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  auto a = q.take();
  REQUIRE(a);
  CHECK(a->text == "one");
  CHECK(a->name == "000000000001.prompt");
  CHECK(q.pending().size() == 2);
  CHECK(q.taken().size() == 1);
  // A prompt pushed while one is being delivered counts it.
  CHECK(q.push("four").position == 4);
  q.done(*a);
  std::vector<std::string> rest;
  while (auto p = q.take()) {
    rest.push_back(p->text);
    q.done(*p);
  }
  CHECK(rest == std::vector<std::string>{"two\nlines", "three", "four"});
  CHECK(q.pending().empty());
  CHECK(q.taken().empty());
}

TEST_CASE("PromptQueue: numbers keep growing while a prompt is taken, and restart on an empty queue",
          "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  q.push("a");
  q.push("b");
  auto a = q.take();
  auto b = q.take();
  REQUIRE((a && b));
  // The largest number is a taken one: the next is one more, not 1.
  CHECK(q.push("c").file.filename() == "000000000003.prompt");
  q.done(*a);
  q.done(*b);
  auto c = q.take();
  REQUIRE(c);
  q.done(*c);
  CHECK(q.push("d").file.filename() == "000000000001.prompt");
}

TEST_CASE("PromptQueue: a prompt given back is first again; two queues take each prompt once",
          "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  q.push("first");
  q.push("second");
  auto p = q.take();
  REQUIRE(p);
  q.give_back(*p);
  auto again = q.take();
  REQUIRE(again);
  CHECK(again->text == "first");
  q.give_back(*again);

  // Two deliverers (two objects on the same folder): every prompt goes to one.
  PromptQueue other(dir.path(), "s1");
  auto x = q.take();
  auto y = other.take();
  REQUIRE((x && y));
  CHECK(x->text == "first");
  CHECK(y->text == "second");
  CHECK_FALSE(q.take());
  CHECK_FALSE(other.take());
}

TEST_CASE("PromptQueue: a taken prompt a dead deliverer left is found and reclaimed", "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  q.push("left behind");
  auto p = q.take(); // the deliverer dies here
  REQUIRE(p);
  PromptQueue next(dir.path(), "s1");
  const auto taken = next.taken();
  REQUIRE(taken.size() == 1);
  auto back = next.reclaim(taken[0]);
  REQUIRE(back);
  CHECK(back->text == "left behind");
  CHECK(back->name == "000000000001.prompt");
  next.give_back(*back);
  CHECK(next.pending().size() == 1);
}

TEST_CASE("PromptQueue: other files in the folder are not prompts", "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  q.push("real");
  test::write_text(q.dir() / "notes.txt", "x");
  test::write_text(q.dir() / "12.prompt", "short name");
  test::write_text(q.dir() / ".000000000009.prompt.ah-tmp-abcdef", "half written");
  CHECK(q.pending().size() == 1);
  auto p = q.take();
  REQUIRE(p);
  CHECK(p->text == "real");
  CHECK_FALSE(q.take());
}

TEST_CASE("PromptQueue: a queue folder others can open is refused with the fix", "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  q.push("x");
  ::chmod(q.dir().c_str(), 0755);
  CHECK_THROWS_WITH(q.push("y"), Catch::Contains("not a folder of ours closed to others") &&
                                     Catch::Contains("remove it and queue again"));
  CHECK_THROWS_AS(q.take(), Error);
}

TEST_CASE("PromptQueue: remove_all removes the folder; a missing one is fine", "[prompt_queue]") {
  test::ScratchDir dir;
  PromptQueue q(dir.path(), "s1");
  CHECK(q.remove_all());
  q.push("x");
  auto p = q.take();
  q.push("y");
  CHECK(q.remove_all());
  CHECK_FALSE(std::filesystem::exists(q.dir()));
  CHECK_FALSE(q.take());
}

TEST_CASE("queue_dir: an invalid session name is refused", "[prompt_queue]") {
  test::ScratchDir dir;
  CHECK_THROWS_AS(queue_dir(dir.path(), "bad name"), Error);
  CHECK_THROWS_AS(PromptQueue(dir.path(), "../x"), Error);
}
