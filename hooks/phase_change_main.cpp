#include "hooks/phase_change.hpp"

int main(int argc, char** argv) {
  ah::hooks::PhaseChangeArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::phase_change_program(args));
}
