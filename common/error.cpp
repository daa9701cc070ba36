#include "common/error.hpp"

#include <cstring>

namespace ah {

void throw_errno(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  throw Error(message);
}

} // namespace ah
