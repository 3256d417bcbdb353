// Reads of memory the other core has just written, against memory the reading core wrote itself: what a
// train step split over two cores pays when each core's optimizer writes part of the weights and the other
// core's next forward pass reads them (BENCHMARKS.md, "Two cores and the dense MLP's train step").
//   gcc -O2 -pthread -o /tmp/crosscore bench/peak/crosscore.c && /tmp/crosscore
// Two patterns over the dense MLP's first kernel (784 rows of 256 floats, 1,040 bytes apart as Java lays
// out float[256] arrays): "stream" reads it front to back, a load a cache line; "blocks" reads it as the
// dense forward micro-kernel does, 12 units of every row per block of units, block after block.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define ROWS 784
#define UNITS 256
#define STRIDE 260 /* floats from one row's start to the next: 1,024 bytes of floats and a 16-byte header */
#define ROUNDS 2000
static float *w;
static volatile int turn;
static volatile float sink;
static double now() { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); pthread_setaffinity_np(pthread_self(), sizeof s, &s); }
static void write_all(float v) { for (int i = 0; i < ROWS; i++) for (int u = 0; u < UNITS; u++) w[i * STRIDE + u] = v; }
static float stream(void) { float s = 0; for (long k = 0; k < (long) ROWS * STRIDE; k += 16) s += w[k]; return s; }
static float blocks(void) {
  float s = 0;
  for (int b = 0; b + 12 <= UNITS; b += 12)
    for (int i = 0; i < ROWS; i++) s += w[i * STRIDE + b] + w[i * STRIDE + b + 11];
  return s;
}
static void *writer(void *arg) {
  pin(1);
  for (int r = 0; r < ROUNDS; r++) { while (turn != 1); write_all(r); __sync_synchronize(); turn = 0; }
  return arg;
}
/* microseconds a read of the kernel takes after this core wrote it, then after the other core did */
static void measure(const char *name, float (*read)(void)) {
  double self = 0, other = 0;
  for (int r = 0; r < ROUNDS; r++) { write_all(r); double t = now(); sink += read(); self += now() - t; }
  pthread_t th;
  pthread_create(&th, 0, writer, 0);
  for (int r = 0; r < ROUNDS; r++) { turn = 1; while (turn != 0); double t = now(); sink += read(); other += now() - t; }
  pthread_join(th, 0);
  printf("%-7s written by the reading core: %6.1f us   by the other core: %6.1f us\n", name, self / ROUNDS * 1e6, other / ROUNDS * 1e6);
}
int main(void) {
  w = aligned_alloc(64, (size_t) ROWS * STRIDE * sizeof(float));
  memset(w, 0, (size_t) ROWS * STRIDE * sizeof(float));
  pin(0);
  measure("stream", stream);
  measure("blocks", blocks);
  return 0;
}
