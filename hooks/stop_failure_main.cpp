#include "hooks/stop_failure.hpp"

int main(int argc, char** argv) {
  ah::hooks::StopFailureArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::stop_failure_program(args));
}
