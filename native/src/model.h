/*
 * An MLP ensemble laid out for screening: the first layer's weight rows gathered per set input column, the
 * hidden layers after it packed in column panels for the register-tiled product (gemm.h), the output layer
 * (one unit) as a dot product. Built once per model from the tfjs-layers weights.
 */
#ifndef CASCADE_MODEL_H
#define CASCADE_MODEL_H

#include <stddef.h>

typedef struct {
  int in;              /* padded input width (the previous layer's padded width) */
  int out;             /* padded output width */
  float *packed;       /* per member: in x out, in panels of GEMM_NR columns (gemm_pack) */
  float *bias;         /* per member: out floats, zero in the padding */
} HiddenLayer;

typedef struct {
  int d;               /* input columns */
  int members;
  int first;           /* padded width of the first hidden layer */
  float *w1;           /* d x members x first: a column's weight rows for every member, contiguous */
  float *b1;           /* members x first */
  float *mean, *std;   /* the ensemble's input scalers */
  unsigned char *raw;  /* per column: 1 where mean 0 and std 1 (fingerprint bits), so the raw value is used */
  unsigned char *group_raw; /* per 16 columns: 1 where all are raw, so an all-zero group adds nothing */
  int hidden;          /* hidden layers after the first */
  HiddenLayer *layers;
  int last;            /* padded width of the last hidden layer */
  float *w_out;        /* members x last */
  float *b_out;        /* members */
  int widest;          /* the widest padded hidden layer */
} Model;

/*
 * units[0..n_layers): every dense layer's units (the last must be 1); weights: member-major, for each layer its
 * kernel (in x units, row-major) then its bias, as tfjs-layers' getWeights() gives them. NULL on a bad shape or
 * out of memory, with *error set.
 */
Model *model_create(int d, int members, int n_layers, const int *units, const float *mean, const float *std,
                    const float *const *weights, const char **error);
void model_free(Model *model);

void *aligned_floats(size_t count); /* zeroed */

#endif
