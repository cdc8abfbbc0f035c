/*
 * The forward pass. Rows are cut into blocks of BLOCK_ROWS that the threads take in turn (a thread slowed by
 * other work on the machine simply takes fewer), in two rounds:
 *   1. scan: each block's nonzero inputs as compressed rows (raw values for fingerprint bits, standardised ones
 *      for the other columns), counted across threads so that rows too dense to gather stop early;
 *   2. per block and member: the first layer as a gather-and-sum of the weight rows of the nonzero columns
 *      (about 25 of 2048 for a Morgan fingerprint) plus the bias, ReLU; the later hidden layers as register-tiled
 *      products (gemm.c); the output unit as a dot product.
 * A block's activations (96 rows x 256 floats, 96 kB) and one member's 256 x 256 kernel (256 kB) stay in the
 * core's L2 while the block runs.
 */
#include "forward.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "vec.h"

#define BLOCK_ROWS 96 /* a multiple of GEMM_MR */
#define MAX_THREADS 64
/* Vectors summed per pass over a row's nonzeros: 16 of AVX-512's 32 registers, 8 of AVX2's 16. */
#define GATHER_NV (VF == 16 ? 16 : 8)

typedef struct {
  int offsets[BLOCK_ROWS + 1];
  int *columns;
  float *values;
  long capacity;
} Nonzeros;

typedef struct {
  float *a, *b; /* ping-pong activations: BLOCK_ROWS x the widest layer */
  size_t floats;
} Activations;

struct Scratch {
  Nonzeros *blocks;
  int n_blocks;
  Activations act[MAX_THREADS];
};

Scratch *scratch_create(void) { return calloc(1, sizeof(Scratch)); }

void scratch_free(Scratch *s) {
  if (!s) return;
  for (int i = 0; i < s->n_blocks; i++) {
    free(s->blocks[i].columns);
    free(s->blocks[i].values);
  }
  free(s->blocks);
  for (int t = 0; t < MAX_THREADS; t++) {
    free(s->act[t].a);
    free(s->act[t].b);
  }
  free(s);
}

typedef struct {
  const Model *m;
  Scratch *s;
  const float *block;
  int rows;
  long max_nonzeros;
  float *out;
  int n_blocks;
  atomic_int next;
  atomic_long total;
  atomic_int failed; /* 1: too dense, 2: out of memory */
} Job;

static int reserve(Nonzeros *nz, long need) {
  if (need <= nz->capacity) return 1;
  long cap = nz->capacity ? nz->capacity : 4096;
  while (cap < need) cap *= 2;
  int *columns = realloc(nz->columns, sizeof(int) * cap);
  if (columns) nz->columns = columns;
  float *values = realloc(nz->values, sizeof(float) * cap);
  if (values) nz->values = values;
  if (!columns || !values) return 0;
  nz->capacity = cap;
  return 1;
}

static inline long push(const Model *m, const float *row, int j, Nonzeros *nz, long at) {
  /* in double, then rounded, as the dense path's standardisation in JavaScript */
  float v = m->raw[j] ? row[j] : (float)(((double)row[j] - m->mean[j]) / m->std[j]);
  if (v != 0) { /* -0 too: it adds nothing */
    nz->columns[at] = j;
    nz->values[at++] = v;
  }
  return at;
}

static long scan_row(const Model *m, const float *row, Nonzeros *nz, long at) {
  const uint32_t *bits = (const uint32_t *)row;
  int j = 0;
  for (int g = 0; j + 16 <= m->d; g++, j += 16) {
    if (m->group_raw[g]) {
      uint32_t any = 0;
      for (int q = 0; q < 16; q++) any |= bits[j + q]; /* vectorised: most of a fingerprint is zero */
      if (!any) continue;
    }
    for (int q = j; q < j + 16; q++) at = push(m, row, q, nz, at);
  }
  for (; j < m->d; j++) at = push(m, row, j, nz, at);
  return at;
}

static void scan_blocks(Job *job) {
  const Model *m = job->m;
  for (;;) {
    int b = atomic_fetch_add(&job->next, 1);
    if (b >= job->n_blocks || atomic_load(&job->failed)) return;
    Nonzeros *nz = &job->s->blocks[b];
    int r0 = b * BLOCK_ROWS, r1 = r0 + BLOCK_ROWS < job->rows ? r0 + BLOCK_ROWS : job->rows;
    long at = 0;
    for (int r = r0; r < r1; r++) {
      if (!reserve(nz, at + m->d)) {
        atomic_store(&job->failed, 2);
        return;
      }
      at = scan_row(m, job->block + (size_t)r * m->d, nz, at);
      nz->offsets[r - r0 + 1] = (int)at;
    }
    if (atomic_fetch_add(&job->total, at) + at > job->max_nonzeros) atomic_store(&job->failed, 1);
  }
}

/* Inlined with a constant nv, so the accumulators are registers. */
static inline __attribute__((always_inline)) void gather(int nv, const float *restrict w, size_t stride,
                                                          const Nonzeros *nz, int k0, int k1,
                                                          const float *restrict bias, float *restrict h) {
  vf acc[GATHER_NV];
#pragma GCC unroll 16
  for (int v = 0; v < nv; v++) acc[v] = vload(bias + v * VF);
  for (int k = k0; k < k1; k++) {
    const float *row = w + (size_t)nz->columns[k] * stride;
    vf s = vsplat(nz->values[k]);
#pragma GCC unroll 16
    for (int v = 0; v < nv; v++) acc[v] += s * vload(row + v * VF);
  }
#pragma GCC unroll 16
  for (int v = 0; v < nv; v++) vstore(h + v * VF, vrelu(acc[v]));
}

/* Member k's first layer for the block's n rows into h (n x first), in passes of up to GATHER_NV vectors. */
static void first_layer(const Model *m, int k, const Nonzeros *nz, int n, float *h) {
  size_t stride = (size_t)m->members * m->first;
  const float *w = m->w1 + (size_t)k * m->first;
  const float *bias = m->b1 + (size_t)k * m->first;
  for (int r = 0; r < n; r++) {
    int k0 = nz->offsets[r], k1 = nz->offsets[r + 1];
    float *hr = h + (size_t)r * m->first;
    for (int c = 0; c < m->first;) {
      int left = (m->first - c) / VF;
      int nv = left >= GATHER_NV ? GATHER_NV : left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
      switch (nv) {
      case GATHER_NV: gather(GATHER_NV, w + c, stride, nz, k0, k1, bias + c, hr + c); break;
#if GATHER_NV > 8
      case 8: gather(8, w + c, stride, nz, k0, k1, bias + c, hr + c); break;
#endif
      case 4: gather(4, w + c, stride, nz, k0, k1, bias + c, hr + c); break;
      case 2: gather(2, w + c, stride, nz, k0, k1, bias + c, hr + c); break;
      default: gather(1, w + c, stride, nz, k0, k1, bias + c, hr + c); break;
      }
      c += nv * VF;
    }
  }
}

static void compute_block(Job *job, int b, Activations *act) {
  const Model *m = job->m;
  const Nonzeros *nz = &job->s->blocks[b];
  int r0 = b * BLOCK_ROWS;
  int n = job->rows - r0 < BLOCK_ROWS ? job->rows - r0 : BLOCK_ROWS;
  int np = (n + GEMM_MR - 1) / GEMM_MR * GEMM_MR; /* the tiles' rows; those past n are zero and dropped */
  for (int k = 0; k < m->members; k++) {
    float *h = act->a, *g = act->b;
    first_layer(m, k, nz, n, h);
    memset(h + (size_t)n * m->first, 0, sizeof(float) * (size_t)(np - n) * m->first);
    for (int l = 0; l < m->hidden; l++) {
      const HiddenLayer *layer = &m->layers[l];
      gemm_relu(np, layer->in, layer->out, h, layer->packed + (size_t)k * layer->in * layer->out,
                layer->bias + (size_t)k * layer->out, g);
      float *t = h;
      h = g;
      g = t;
    }
    const float *w = m->w_out + (size_t)k * m->last;
    for (int r = 0; r < n; r++) {
      vf acc = vsplat(0);
      for (int c = 0; c < m->last; c += VF) acc += vload(h + (size_t)r * m->last + c) * vload(w + c);
      job->out[(size_t)k * job->rows + r0 + r] = m->b_out[k] + vsum(acc);
    }
  }
}

static void compute_blocks(Job *job, Activations *act) {
  for (;;) {
    int b = atomic_fetch_add(&job->next, 1);
    if (b >= job->n_blocks) return;
    compute_block(job, b, act);
  }
}

typedef struct {
  Job *job;
  int round;
  int thread;
} Lane;

static void *lane_main(void *arg) {
  Lane *lane = arg;
  if (lane->round == 0) scan_blocks(lane->job);
  else compute_blocks(lane->job, &lane->job->s->act[lane->thread]);
  return NULL;
}

/* One round on `threads` threads, this one included; a thread that fails to start leaves its share to the rest. */
static void run_round(Job *job, int round, int threads) {
  pthread_t ids[MAX_THREADS];
  Lane lanes[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  atomic_store(&job->next, 0);
  for (int t = 1; t < threads; t++) {
    lanes[t] = (Lane){job, round, t};
    started[t] = pthread_create(&ids[t], NULL, lane_main, &lanes[t]) == 0;
  }
  lanes[0] = (Lane){job, round, 0};
  lane_main(&lanes[0]);
  for (int t = 1; t < threads; t++)
    if (started[t]) pthread_join(ids[t], NULL);
}

static int prepare(const Model *m, Scratch *s, int n_blocks, int threads) {
  if (n_blocks > s->n_blocks) {
    Nonzeros *blocks = realloc(s->blocks, sizeof(Nonzeros) * n_blocks);
    if (!blocks) return 0;
    memset(blocks + s->n_blocks, 0, sizeof(Nonzeros) * (n_blocks - s->n_blocks));
    s->blocks = blocks;
    s->n_blocks = n_blocks;
  }
  size_t floats = (size_t)BLOCK_ROWS * m->widest;
  for (int t = 0; t < threads; t++) {
    Activations *act = &s->act[t];
    if (act->floats >= floats) continue;
    free(act->a);
    free(act->b);
    act->a = aligned_floats(floats);
    act->b = aligned_floats(floats);
    act->floats = act->a && act->b ? floats : 0;
    if (!act->floats) return 0;
  }
  return 1;
}

int forward(const Model *m, Scratch *s, const float *block, int rows, long max_nonzeros, int threads,
            float *out) {
  if (rows <= 0) return 1;
  int n_blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
  if (threads > n_blocks) threads = n_blocks;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads < 1) threads = 1;
  if (!prepare(m, s, n_blocks, threads)) return -1;
  Job job = {.m = m, .s = s, .block = block, .rows = rows, .max_nonzeros = max_nonzeros, .out = out,
             .n_blocks = n_blocks};
  atomic_init(&job.next, 0);
  atomic_init(&job.total, 0);
  atomic_init(&job.failed, 0);
  run_round(&job, 0, threads);
  int failed = atomic_load(&job.failed);
  if (failed) return failed == 1 ? 0 : -1;
  run_round(&job, 1, threads);
  return 1;
}
