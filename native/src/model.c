/* Lays an ensemble's tfjs-layers weights out for the screening kernels (model.h). */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "vec.h"

void *aligned_floats(size_t count) {
  size_t bytes = (count * sizeof(float) + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
  void *p = aligned_alloc(ALIGN_BYTES, bytes ? bytes : ALIGN_BYTES);
  if (p) memset(p, 0, bytes);
  return p;
}

void model_free(Model *m) {
  if (!m) return;
  free(m->w1);
  free(m->b1);
  free(m->mean);
  free(m->std);
  free(m->raw);
  free(m->group_raw);
  for (int l = 0; l < m->hidden && m->layers; l++) {
    free(m->layers[l].packed);
    free(m->layers[l].bias);
  }
  free(m->layers);
  free(m->w_out);
  free(m->b_out);
  free(m);
}

static Model *fail(Model *m, const char **error, const char *why) {
  *error = why;
  model_free(m);
  return NULL;
}

Model *model_create(int d, int members, int n_layers, const int *units, const float *mean, const float *std,
                    const float *const *weights, const char **error) {
  if (d < 1 || members < 1) return fail(NULL, error, "no inputs or no members");
  if (n_layers < 2) return fail(NULL, error, "the network has no hidden layer");
  if (units[n_layers - 1] != 1) return fail(NULL, error, "the output layer must have one unit");
  for (int l = 0; l < n_layers; l++)
    if (units[l] < 1) return fail(NULL, error, "a layer has no units");
  Model *m = calloc(1, sizeof(Model));
  if (!m) return fail(NULL, error, "out of memory");
  m->d = d;
  m->members = members;
  m->first = padded(units[0]);
  m->hidden = n_layers - 2;
  m->last = padded(units[n_layers - 2]);
  m->mean = malloc(sizeof(float) * d);
  m->std = malloc(sizeof(float) * d);
  m->raw = malloc(d);
  m->group_raw = calloc((size_t)d / 16 + 1, 1);
  m->w1 = aligned_floats((size_t)d * members * m->first);
  m->b1 = aligned_floats((size_t)members * m->first);
  m->layers = calloc(m->hidden ? m->hidden : 1, sizeof(HiddenLayer));
  m->w_out = aligned_floats((size_t)members * m->last);
  m->b_out = aligned_floats(members);
  if (!m->mean || !m->std || !m->raw || !m->group_raw || !m->w1 || !m->b1 || !m->layers || !m->w_out || !m->b_out)
    return fail(m, error, "out of memory");
  memcpy(m->mean, mean, sizeof(float) * d);
  memcpy(m->std, std, sizeof(float) * d);
  for (int j = 0; j < d; j++) m->raw[j] = mean[j] == 0 && std[j] == 1;
  for (int g = 0; g < d / 16; g++) {
    m->group_raw[g] = 1;
    for (int j = 16 * g; j < 16 * g + 16; j++) m->group_raw[g] &= m->raw[j];
  }
  m->widest = m->first;
  for (int l = 0; l < m->hidden; l++) {
    HiddenLayer *h = &m->layers[l];
    h->in = padded(units[l]);
    h->out = padded(units[l + 1]);
    if (h->out > m->widest) m->widest = h->out;
    h->packed = aligned_floats((size_t)members * h->in * h->out);
    h->bias = aligned_floats((size_t)members * h->out);
    if (!h->packed || !h->bias) return fail(m, error, "out of memory");
  }
  for (int k = 0; k < members; k++) {
    const float *const *w = weights + (size_t)k * 2 * n_layers;
    /* first layer: column j's row for member k at w1[(j * members + k) * first] */
    for (int j = 0; j < d; j++)
      memcpy(m->w1 + ((size_t)j * members + k) * m->first, w[0] + (size_t)j * units[0], sizeof(float) * units[0]);
    memcpy(m->b1 + (size_t)k * m->first, w[1], sizeof(float) * units[0]);
    for (int l = 0; l < m->hidden; l++) {
      HiddenLayer *h = &m->layers[l];
      gemm_pack(w[2 * (l + 1)], units[l], units[l + 1], h->in, h->out, h->packed + (size_t)k * h->in * h->out);
      memcpy(h->bias + (size_t)k * h->out, w[2 * (l + 1) + 1], sizeof(float) * units[l + 1]);
    }
    memcpy(m->w_out + (size_t)k * m->last, w[2 * (n_layers - 1)], sizeof(float) * units[n_layers - 2]);
    m->b_out[k] = w[2 * (n_layers - 1) + 1][0];
  }
  return m;
}
