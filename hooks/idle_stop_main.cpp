#include "hooks/idle_stop.hpp"

int main(int argc, char** argv) {
  ah::hooks::IdleStopArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::idle_stop_program(args));
}
