#include "monitor/cli.hpp"

int main(int argc, char** argv) {
  return ah::monitor::monitor_main(argc, argv);
}
