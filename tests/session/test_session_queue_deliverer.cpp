// Unit tests of session/queue_deliverer.cpp with a fake inject and a fake
// clock: order, busy turns waited for again, failures bounded, leftovers.
#include "session/queue_deliverer.hpp"

#include "testutil.hpp"

#include <catch2/catch.hpp>

using namespace ah;
using namespace ah::session;
using namespace std::chrono_literals;

namespace {

struct Fake {
  std::vector<std::string> typed;
  std::vector<InjectResult> script; // results in order; delivered when it runs out
  bool alive = true;
  std::string submitted; // the text the turn record shows submitted
  DeliverHooks hooks() {
    return DeliverHooks{
        .inject =
            [this](std::string_view text) {
              typed.emplace_back(text);
              if (script.empty()) {
                InjectResult ok;
                ok.delivered = true;
                ok.confirmed = true;
                return ok;
              }
              auto r = script.front();
              script.erase(script.begin());
              return r;
            },
        .alive = [this] { return alive; },
        .was_submitted = [this](std::string_view text) { return text == submitted; },
        .limit_left = {},
    };
  }
};

// The queue of session s1 in `dir`, holding `texts` in order.
PromptQueue queue_with(const test::ScratchDir& dir, std::initializer_list<const char*> texts) {
  PromptQueue q(dir.path(), "s1");
  for (const char* t : texts)
    q.push(t);
  return q;
}

} // namespace

TEST_CASE("deliver_queue: every prompt in order, once, and the queue ends empty", "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one", "two", "three"});
  Fake fake;
  FakeClock clock;
  auto r = deliver_queue(q, fake.hooks(), {}, clock);
  CHECK(r.delivered == 3);
  CHECK(r.stopped.empty());
  CHECK(fake.typed == std::vector<std::string>{"one", "two", "three"});
  CHECK(q.pending().empty());
  CHECK(q.taken().empty());
  CHECK(clock.slept() == 0ms);
}

TEST_CASE("deliver_queue: a running turn is waited for again without counting as a failure",
          "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one", "two"});
  Fake fake;
  InjectResult busy;
  busy.turn_busy = true;
  fake.script = {busy, busy, busy, busy, busy};
  FakeClock clock;
  auto r = deliver_queue(q, fake.hooks(), {.max_failures = 2}, clock);
  CHECK(r.delivered == 2);
  CHECK(fake.typed == std::vector<std::string>{"one", "one", "one", "one", "one", "one", "two"});
}

TEST_CASE("deliver_queue: failures in a row stop it, the prompt left first", "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one", "two"});
  Fake fake;
  InjectResult failed;
  failed.problem = "session 's1' did not take the prompt";
  fake.script = {failed, failed, failed};
  FakeClock clock;
  auto r = deliver_queue(q, fake.hooks(), {.retry_pause = 5s, .max_failures = 3}, clock);
  CHECK(r.delivered == 0);
  CHECK_THAT(r.stopped, Catch::Contains("3 deliveries in a row failed") && Catch::Contains("did not take"));
  CHECK(clock.slept() == 10s);
  auto first = q.take();
  REQUIRE(first);
  CHECK(first->text == "one");
}

TEST_CASE("deliver_queue: a session that is gone stops it with the prompts left", "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one"});
  Fake fake;
  fake.alive = false;
  FakeClock clock;
  auto r = deliver_queue(q, fake.hooks(), {}, clock);
  CHECK(fake.typed.empty());
  CHECK_THAT(r.stopped, Catch::Contains("the session is gone"));
  CHECK(q.pending().size() == 1);
}

TEST_CASE("deliver_queue: a dead deliverer's taken prompt is dropped when submitted, else delivered first",
          "[queue_deliverer]") {
  test::ScratchDir dir;
  {
    PromptQueue q(dir.path(), "s1");
    q.push("was typed");
    q.push("next");
    REQUIRE(q.take()); // the deliverer died after typing it
    Fake fake;
    fake.submitted = "was typed";
    FakeClock clock;
    deliver_queue(q, fake.hooks(), {}, clock);
    CHECK(fake.typed == std::vector<std::string>{"next"});
  }
  {
    PromptQueue q(dir.path(), "s2");
    q.push("never typed");
    q.push("next");
    REQUIRE(q.take()); // the deliverer died before typing it
    Fake fake;
    FakeClock clock;
    deliver_queue(q, fake.hooks(), {}, clock);
    CHECK(fake.typed == std::vector<std::string>{"never typed", "next"});
  }
}

TEST_CASE("queue_lock_file: beside the queue folder, never inside it", "[queue_deliverer]") {
  test::ScratchDir dir;
  CHECK(queue_lock_file(dir.path(), "s1") == dir.path() / "queue-s1.lock");
}

TEST_CASE("deliver_queue: nothing is typed while a usage limit holds the session, then all in order",
          "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one", "two"});
  Fake fake;
  FakeClock clock;
  auto hooks = fake.hooks();
  const auto resets = 150s; // by the fake clock
  hooks.limit_left = [&] { return std::chrono::duration_cast<std::chrono::seconds>(resets - clock.slept()); };
  std::vector<std::chrono::milliseconds> typed_at;
  hooks.inject = [&, inject = hooks.inject](std::string_view text) {
    typed_at.push_back(clock.slept());
    return inject(text);
  };
  auto r = deliver_queue(q, hooks, {}, clock);
  CHECK(r.delivered == 2);
  CHECK(fake.typed == std::vector<std::string>{"one", "two"});
  // Slept to the reset, in looks of at most a minute (is the session still there?).
  CHECK(typed_at == std::vector<std::chrono::milliseconds>{resets, resets});
}

TEST_CASE("deliver_queue: a session gone while held by a usage limit leaves its prompts",
          "[queue_deliverer]") {
  test::ScratchDir dir;
  auto q = queue_with(dir, {"one"});
  Fake fake;
  FakeClock clock;
  auto hooks = fake.hooks();
  hooks.limit_left = [] { return 3600s; };
  hooks.alive = [&] { return clock.slept() < 120s; };
  auto r = deliver_queue(q, hooks, {}, clock);
  CHECK(r.delivered == 0);
  CHECK_THAT(r.stopped, Catch::Contains("the session is gone"));
  CHECK(fake.typed.empty());
  CHECK(clock.slept() == 120s); // looked every 60 s
  CHECK(q.pending().size() == 1);
}
