#include "hooks/compact_reinject.hpp"

int main(int argc, char** argv) {
  ah::hooks::CompactReinjectArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::compact_reinject_program(args));
}
