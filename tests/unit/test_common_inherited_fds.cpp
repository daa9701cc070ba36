#include "common/inherited_fds.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

namespace {

bool cloexec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  REQUIRE(flags >= 0);
  return (flags & FD_CLOEXEC) != 0;
}

} // namespace

TEST_CASE("inherited descriptors from 3 up are kept from children; 0, 1 and 2 are not touched") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0); // without O_CLOEXEC, as an inherited descriptor would be
  const int high = ::fcntl(fds[0], F_DUPFD, 200);
  REQUIRE(high >= 200);
  REQUIRE_FALSE(cloexec(fds[0]));
  REQUIRE_FALSE(cloexec(fds[1]));
  REQUIRE_FALSE(cloexec(high));
  const bool stdout_before = cloexec(STDOUT_FILENO);

  ah::keep_inherited_fds_from_children();

  CHECK(cloexec(fds[0]));
  CHECK(cloexec(fds[1]));
  CHECK(cloexec(high));
  CHECK(cloexec(STDOUT_FILENO) == stdout_before);
  // Still open and usable by the program itself.
  CHECK(::write(fds[1], "x", 1) == 1);
  char c = 0;
  CHECK(::read(high, &c, 1) == 1);
  CHECK(c == 'x');
  ::close(fds[0]);
  ::close(fds[1]);
  ::close(high);
}
