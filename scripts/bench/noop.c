/* The benchmarks' baseline: a statically linked C program that does nothing.
   A hook can start no faster than this. */
int main(void) {
  return 0;
}
