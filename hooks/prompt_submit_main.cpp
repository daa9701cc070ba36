#include "hooks/prompt_submit.hpp"

int main(int argc, char** argv) {
  ah::hooks::PromptSubmitArgs args;
  return ah::hooks::run_hook(argc, argv, ah::hooks::prompt_submit_program(args));
}
