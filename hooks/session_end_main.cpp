#include "hooks/session_end.hpp"

int main(int argc, char** argv) {
  ah::hooks::SessionEndArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::session_end_program(args));
}
