/* One dense layer over a block of rows: C = relu(A x B + bias), B packed once per model. */
#ifndef CASCADE_GEMM_H
#define CASCADE_GEMM_H

#include "vec.h"

/* Rows per register tile; blocks of rows are padded to a multiple of it. */
#ifndef GEMM_MR
#define GEMM_MR 6
#endif
/* Columns per panel of packed B: 4 AVX-512 vectors (6 x 4 accumulators of 32 registers), else 2 vectors. */
#ifndef GEMM_NR
#if VF == 16
#define GEMM_NR 64
#else
#define GEMM_NR (2 * VF)
#endif
#endif

/* Packs a row-major in x out kernel (real sizes) into panels of a padded in_p x out_p matrix. */
void gemm_pack(const float *kernel, int in, int out, int in_p, int out_p, float *packed);

/* rows (a multiple of GEMM_MR) x k times k x n (both padded), into c (rows x n); a is rows x k, row-major. */
void gemm_relu(int rows, int k, int n, const float *a, const float *packed, const float *bias, float *c);

#endif
