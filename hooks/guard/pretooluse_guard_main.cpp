#include "hooks/guard/guard.hpp"

int main(int argc, char** argv) {
  return ah::guard::guard_main(argc, argv);
}
