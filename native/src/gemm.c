/*
 * The hidden layers after the first as a register-tiled matrix product, written here rather than linked from
 * OpenBLAS: on the 2-core EPYC (Zen 4, AVX-512) it ran the 256 x 256 layer at 115 GFLOP per CPU-second on the
 * 96-row blocks the forward pass uses (110 on 4096 rows), where the system's OpenBLAS 0.3.21 cblas_sgemm (its
 * Cooper Lake AVX-512 kernels, one thread) ran 101 (95), same inputs, 2026-12-04; 8 x 48 tiles matched 6 x 64,
 * 12 x 32 and 4 x 64 ran 87-93. It also needs no -dev package, and applies the bias and ReLU while the tile is
 * still in registers.
 *
 * Each tile keeps GEMM_MR rows x GEMM_NR columns of C in registers while k runs: per k, one load of B's row
 * segment (packed contiguous), one broadcast of each row's A value and GEMM_MR x (GEMM_NR / VF) fused
 * multiply-adds. A panel of B (k x GEMM_NR, 64 kB for k = 256) stays in L1/L2 while the tiles sweep the rows.
 */
#include "gemm.h"

#include <string.h>

void gemm_pack(const float *kernel, int in, int out, int in_p, int out_p, float *packed) {
  memset(packed, 0, sizeof(float) * (size_t)in_p * out_p);
  for (int p = 0; p < out_p; p += GEMM_NR) {
    int width = out_p - p < GEMM_NR ? out_p - p : GEMM_NR;
    float *panel = packed + (size_t)p * in_p;
    for (int i = 0; i < in; i++)
      for (int j = 0; j < width && p + j < out; j++) panel[(size_t)i * width + j] = kernel[(size_t)i * out + p + j];
  }
}

#define NV_MAX (GEMM_NR / VF)

/* Inlined with a constant nv, so the accumulators are registers. */
static inline __attribute__((always_inline)) void tile(int nv, int k, const float *restrict a, int lda,
                                                        const float *restrict b, int ldb,
                                                        const float *restrict bias, float *restrict c, int ldc) {
  vf acc[GEMM_MR][NV_MAX];
#pragma GCC unroll 8
  for (int v = 0; v < nv; v++) {
    vf init = vload(bias + v * VF);
#pragma GCC unroll 8
    for (int i = 0; i < GEMM_MR; i++) acc[i][v] = init;
  }
  for (int kk = 0; kk < k; kk++) {
    vf bv[NV_MAX];
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++) bv[v] = vload(b + (size_t)kk * ldb + v * VF);
#pragma GCC unroll 8
    for (int i = 0; i < GEMM_MR; i++) {
      vf av = vsplat(a[(size_t)i * lda + kk]);
#pragma GCC unroll 8
      for (int v = 0; v < nv; v++) acc[i][v] += av * bv[v];
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < GEMM_MR; i++)
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++) vstore(c + (size_t)i * ldc + v * VF, vrelu(acc[i][v]));
}

#define PANEL(NV)                                                                                            \
  for (int i = 0; i < rows; i += GEMM_MR)                                                                    \
    tile(NV, k, a + (size_t)i * k, k, panel, width, bias + p, c + (size_t)i * n + p, n);

void gemm_relu(int rows, int k, int n, const float *a, const float *packed, const float *bias, float *c) {
  for (int p = 0; p < n; p += GEMM_NR) {
    int width = n - p < GEMM_NR ? n - p : GEMM_NR;
    const float *panel = packed + (size_t)p * k;
    switch (width / VF) {
#if NV_MAX >= 4
    case 4: PANEL(4) break;
#endif
#if NV_MAX >= 3
    case 3: PANEL(3) break;
#endif
    case 2: PANEL(2) break;
    default: PANEL(1) break;
    }
  }
}
