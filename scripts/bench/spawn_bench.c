/* spawn-bench: the cost of starting a program, as a ratio to a baseline
   program measured in the same run.

   usage: spawn-bench --stdin FILE [--rounds R] [--batch B] [--max-rss] --baseline BIN -- CMD [ARGS...]

   Each round runs a batch of B baseline executions and a batch of B command
   executions, alternating which goes first, each with FILE on standard input
   and output discarded. The per-execution time of a batch is its wall time
   divided by B; the result is the median over the rounds of each, and their
   ratio:  baseline_ns=N command_ns=N ratio=X.XX command_exit=S

   With --max-rss it runs each once instead and prints their peak resident
   memory: baseline_rss_kib=N command_rss_kib=N command_exit=S. This small
   program is their parent, so its own pages hardly count (a Python parent's
   would). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static void die(const char* what) {
  fprintf(stderr, "spawn-bench: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs argv once with stdin_fd on standard input; returns its exit status
   and, when max_rss_kib is not NULL, its peak resident memory. */
static int run_measured(char** argv, int stdin_fd, int null_fd, long* max_rss_kib) {
  if (lseek(stdin_fd, 0, SEEK_SET) < 0) die("lseek");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, null_fd, 2);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    die(argv[0]);
  }
  int status;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR) die("wait4");
  if (max_rss_kib) *max_rss_kib = usage.ru_maxrss;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_once(char** argv, int stdin_fd, int null_fd) {
  return run_measured(argv, stdin_fd, null_fd, NULL);
}

static double batch_ns(char** argv, int batch, int stdin_fd, int null_fd, int* exit_status) {
  double start = now_ns();
  for (int i = 0; i < batch; ++i)
    *exit_status = run_once(argv, stdin_fd, null_fd);
  return (now_ns() - start) / batch;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char** argv) {
  const char* stdin_path = "/dev/null";
  const char* baseline = NULL;
  int rounds = 15, batch = 100, i = 1, max_rss = 0;
  for (; i < argc; ++i) {
    if (!strcmp(argv[i], "--")) {
      ++i;
      break;
    } else if (!strcmp(argv[i], "--stdin") && i + 1 < argc)
      stdin_path = argv[++i];
    else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
      batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--max-rss"))
      max_rss = 1;
    else if (!strcmp(argv[i], "--baseline") && i + 1 < argc)
      baseline = argv[++i];
    else {
      fprintf(stderr,
              "usage: spawn-bench --stdin FILE [--rounds R] [--batch B] [--max-rss] --baseline BIN -- CMD "
              "[ARGS...]\n");
      return 64;
    }
  }
  if (!baseline || i >= argc || rounds < 1 || batch < 1) {
    fprintf(stderr, "spawn-bench: need --baseline BIN, a command after --, and positive --rounds/--batch\n");
    return 64;
  }
  int stdin_fd = open(stdin_path, O_RDONLY | O_CLOEXEC);
  if (stdin_fd < 0) die(stdin_path);
  int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0) die("/dev/null");
  char* base_argv[] = {(char*)baseline, NULL};
  char** cmd_argv = argv + i;
  if (max_rss) {
    long base_kib = 0, cmd_kib = 0;
    run_measured(base_argv, stdin_fd, null_fd, &base_kib);
    int status = run_measured(cmd_argv, stdin_fd, null_fd, &cmd_kib);
    printf("baseline_rss_kib=%ld command_rss_kib=%ld command_exit=%d\n", base_kib, cmd_kib, status);
    return 0;
  }
  double* base = calloc((size_t)rounds, sizeof *base);
  double* cmd = calloc((size_t)rounds, sizeof *cmd);
  int base_exit = 0, cmd_exit = 0;
  /* One warm-up batch each, so page cache and first-exec costs are not measured. */
  batch_ns(base_argv, batch / 10 + 1, stdin_fd, null_fd, &base_exit);
  batch_ns(cmd_argv, batch / 10 + 1, stdin_fd, null_fd, &cmd_exit);
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) {
      base[r] = batch_ns(base_argv, batch, stdin_fd, null_fd, &base_exit);
      cmd[r] = batch_ns(cmd_argv, batch, stdin_fd, null_fd, &cmd_exit);
    } else {
      cmd[r] = batch_ns(cmd_argv, batch, stdin_fd, null_fd, &cmd_exit);
      base[r] = batch_ns(base_argv, batch, stdin_fd, null_fd, &base_exit);
    }
  }
  double b = median(base, rounds), c = median(cmd, rounds);
  printf("baseline_ns=%.0f command_ns=%.0f ratio=%.2f command_exit=%d\n", b, c, c / b, cmd_exit);
  free(base);
  free(cmd);
  return 0;
}
