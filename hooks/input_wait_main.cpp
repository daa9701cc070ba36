#include "hooks/input_wait.hpp"

int main(int argc, char** argv) {
  ah::hooks::InputWaitArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::input_wait_program(args));
}
