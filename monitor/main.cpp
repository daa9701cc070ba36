#include "common/inherited_fds.hpp"
#include "monitor/cli.hpp"

int main(int argc, char** argv) {
  ah::keep_inherited_fds_from_children();
  return ah::monitor::monitor_main(argc, argv);
}
