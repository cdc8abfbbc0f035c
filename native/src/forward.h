/* The screening forward pass of a whole ensemble on raw input rows, across threads. */
#ifndef CASCADE_FORWARD_H
#define CASCADE_FORWARD_H

#include "model.h"

typedef struct Scratch Scratch;

/* Buffers a model's screens reuse from call to call; one per model, not shared between callers at once. */
Scratch *scratch_create(void);
void scratch_free(Scratch *s);

/*
 * out[k * rows + r] = member k's output for row r of `block` (rows x d, row-major, unstandardised). Returns 1,
 * or 0 without outputs when the rows hold more than max_nonzeros entries to gather (the caller's dense path is
 * then faster), or -1 when out of memory.
 */
int forward(const Model *model, Scratch *scratch, const float *block, int rows, long max_nonzeros, int threads,
            float *out);

#endif
