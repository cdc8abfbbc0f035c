/*
 * The SIMD vector the kernels compute with, as GCC/Clang vector extensions rather than intrinsics: built with
 * -march=native they become AVX-512 (16 floats), AVX2 (8) or NEON registers without a line per instruction set.
 */
#ifndef CASCADE_VEC_H
#define CASCADE_VEC_H

#if defined(__AVX512F__)
#define VF 16 /* floats per vector */
#elif defined(__AVX__)
#define VF 8
#else
#define VF 4 /* SSE, NEON */
#endif

typedef float vf __attribute__((vector_size(VF * 4)));
typedef int vi __attribute__((vector_size(VF * 4)));

/* Every layer width is padded to this many floats (zero weights), and every buffer aligned to it: whole vectors. */
#define PAD 16
#define ALIGN_BYTES 64

static inline vf vload(const float *p) { return *(const vf *)p; }
static inline void vstore(float *p, vf v) { *(vf *)p = v; }
/* x - 0 is x for every x (0 + x would turn -0 into 0), so this compiles to a single broadcast */
static inline vf vsplat(float x) { return x - (vf){0}; }
/* max(x, 0) with a mask, so no intrinsic is needed; NaN becomes 0, as in TF.js's dense network on wasm */
static inline vf vrelu(vf x) { return (vf)((vi)x & (x > 0)); }

static inline float vsum(vf v) {
  float s = 0;
  for (int i = 0; i < VF; i++) s += v[i];
  return s;
}

static inline int padded(int n) { return (n + PAD - 1) / PAD * PAD; }

#endif
