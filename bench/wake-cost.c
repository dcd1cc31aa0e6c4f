// What a thread's wake-up costs on this machine, as the kernel bills it to the thread (thread CPU
// clock), without a JVM: why a gateway thread that sleeps between a handshake's packets pays far
// more per wake-up than a park/unpark ping-pong suggests (gateway-image/BENCHMARKS.md, handshake).
//
//   gcc -O2 -o /tmp/wake-cost bench/wake-cost.c && /tmp/wake-cost
//
// Prints, each with the load average: one system call; one nanosleep of GAP (timer wake-up and two
// context switches) for several gaps; and the cost of touching a working set of random cache
// lines right after such a sleep against the same touch done back to back (cold caches and TLB).
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static volatile long sink;
static unsigned *order;
static char *mem;
static long lines;

static void touch(void) {
  long s = 0;
  for (long j = 0; j < lines; j++) s += mem[(long)order[j] * 64]++;
  sink += s;
}

static void sleep_us(long us) {
  struct timespec s = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&s, 0);
}

static void working_set(long bytes) {
  lines = bytes / 64;
  mem = realloc(mem, bytes + 64);
  order = realloc(order, sizeof(unsigned) * (lines + 1));
  for (long j = 0; j < lines; j++) order[j] = j;
  srand(1);
  for (long j = lines - 1; j > 0; j--) {  // random order: no prefetcher help
    long k = rand() % (j + 1);
    unsigned t = order[j];
    order[j] = order[k];
    order[k] = t;
  }
  for (int i = 0; i < 10; i++) touch();
}

int main(void) {
  double load;
  FILE *f = fopen("/proc/loadavg", "r");
  if (!f || fscanf(f, "%lf", &load) != 1) load = -1;
  if (f) fclose(f);
  printf("load average %.2f\n", load);
  int n = 100000;
  long c0 = ns(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < n; i++) syscall(SYS_getppid);
  printf("one system call (getppid): %.2f us CPU\n", (ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3 / n);
  long gaps[] = {50, 1000, 5000, 20000, 100000};
  for (int g = 0; g < 5; g++) {
    n = (int)(2000000 / (gaps[g] + 200)) + 20;
    c0 = ns(CLOCK_THREAD_CPUTIME_ID);
    long w0 = ns(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++) sleep_us(gaps[g]);
    printf("nanosleep %6ld us: %6.1f us CPU per sleep (wall %.0f us)\n", gaps[g],
           (ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3 / n, (ns(CLOCK_MONOTONIC) - w0) / 1e3 / n);
  }
  long sizes[] = {65536, 262144, 1048576};
  for (int z = 0; z < 3; z++) {
    working_set(sizes[z]);
    n = 300;
    c0 = ns(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; i++) touch();
    double hot = (ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3 / n;
    c0 = ns(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; i++) sleep_us(5000);
    double slept = (ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3 / n;
    c0 = ns(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
      sleep_us(5000);
      touch();
    }
    double both = (ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e3 / n;
    printf("touch %4ld KB of random lines: %6.1f us back to back, %6.1f us right after a 5 ms sleep\n",
           sizes[z] >> 10, hot, both - slept);
  }
  return 0;
}
