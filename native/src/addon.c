/*
 * Node-API entry: createModel(...) -> handle, forward(handle, ...) -> true | false, release(handle), vectorBits.
 * Node-API in plain C rather than a package (ffi, node-addon-api): an ABI stable across Node versions, built by
 * node-gyp against the system's Node headers, nothing downloaded. The JavaScript side is
 * activities/ml/sparse/native.ts.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>

#include "forward.h"
#include "model.h"
#include "vec.h"

typedef struct {
  Model *model;
  Scratch *scratch;
} Handle;

#define CHECK(env, call)                                                                                     \
  do {                                                                                                       \
    if ((call) != napi_ok) {                                                                                 \
      napi_throw_error(env, NULL, "cascade_screen: " #call " failed");                                       \
      return NULL;                                                                                           \
    }                                                                                                        \
  } while (0)

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* A typed array's data and length, or NULL (with an exception pending) when it is not of `want`. */
static void *typed(napi_env env, napi_value value, napi_typedarray_type want, size_t *length) {
  bool is;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) {
    throw_type(env, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
    return NULL;
  }
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != want) {
    throw_type(env, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
    return NULL;
  }
  return data;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Handle *h = data;
  model_free(h->model);
  scratch_free(h->scratch);
  free(h);
}

/* createModel(d, members, units: Int32Array, xMean, xStd, weights: Float32Array[]) */
static napi_value create_model(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 6) return throw_type(env, "createModel takes 6 arguments");
  int d, members;
  CHECK(env, napi_get_value_int32(env, argv[0], &d));
  CHECK(env, napi_get_value_int32(env, argv[1], &members));
  size_t n_layers, n_mean, n_std;
  const int *units = typed(env, argv[2], napi_int32_array, &n_layers);
  if (!units) return NULL;
  const float *mean = typed(env, argv[3], napi_float32_array, &n_mean);
  if (!mean) return NULL;
  const float *std = typed(env, argv[4], napi_float32_array, &n_std);
  if (!std) return NULL;
  if ((int)n_mean != d || (int)n_std != d) return throw_type(env, "xMean and xStd must have d values");
  uint32_t n_weights;
  CHECK(env, napi_get_array_length(env, argv[5], &n_weights));
  if (members < 1 || n_weights != (uint32_t)members * 2 * n_layers)
    return throw_type(env, "weights must hold a kernel and a bias per layer for every member");
  const float **weights = calloc(n_weights ? n_weights : 1, sizeof(float *));
  if (!weights) return throw_type(env, "out of memory");
  for (uint32_t i = 0; i < n_weights; i++) {
    napi_value item;
    size_t length;
    if (napi_get_element(env, argv[5], i, &item) != napi_ok ||
        !(weights[i] = typed(env, item, napi_float32_array, &length))) {
      free(weights);
      return NULL;
    }
    int layer = (int)(i / 2 % n_layers);
    size_t in = layer == 0 ? (size_t)d : (size_t)units[layer - 1];
    size_t want = i % 2 == 0 ? in * (size_t)units[layer] : (size_t)units[layer];
    if (length != want) {
      free(weights);
      return throw_type(env, "a weight array does not match the layer sizes");
    }
  }
  const char *error = NULL;
  Model *model = model_create(d, members, (int)n_layers, units, mean, std, weights, &error);
  free(weights);
  if (!model) return throw_type(env, error);
  Handle *h = malloc(sizeof(Handle));
  Scratch *scratch = scratch_create();
  if (!h || !scratch) {
    free(h);
    scratch_free(scratch);
    model_free(model);
    return throw_type(env, "out of memory");
  }
  h->model = model;
  h->scratch = scratch;
  napi_value handle;
  if (napi_create_external(env, h, finalize, NULL, &handle) != napi_ok) {
    finalize(env, h, NULL);
    napi_throw_error(env, NULL, "cascade_screen: napi_create_external failed");
    return NULL;
  }
  return handle;
}

/* forward(handle, block: Float32Array, rows, maxNonzeros, threads, out: Float32Array (members x rows)) */
static napi_value forward_call(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 6) return throw_type(env, "forward takes 6 arguments");
  Handle *h;
  CHECK(env, napi_get_value_external(env, argv[0], (void **)&h));
  if (!h->model) return throw_type(env, "the model was released");
  size_t n_block, n_out;
  const float *block = typed(env, argv[1], napi_float32_array, &n_block);
  if (!block) return NULL;
  int rows, threads;
  double max_nonzeros;
  CHECK(env, napi_get_value_int32(env, argv[2], &rows));
  CHECK(env, napi_get_value_double(env, argv[3], &max_nonzeros));
  CHECK(env, napi_get_value_int32(env, argv[4], &threads));
  float *out = typed(env, argv[5], napi_float32_array, &n_out);
  if (!out) return NULL;
  if (rows < 0 || n_block < (size_t)rows * h->model->d) return throw_type(env, "block holds fewer than rows x d");
  if (n_out < (size_t)rows * h->model->members) return throw_type(env, "out holds fewer than members x rows");
  int status = forward(h->model, h->scratch, block, rows, (long)max_nonzeros, threads, out);
  if (status < 0) {
    napi_throw_error(env, NULL, "cascade_screen: out of memory");
    return NULL;
  }
  napi_value result;
  CHECK(env, napi_get_boolean(env, status == 1, &result));
  return result;
}

/* release(handle): frees the weights now rather than when the handle is collected (~12 MB for 5 x 2048 x 256). */
static napi_value release_call(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Handle *h;
  if (argc != 1 || napi_get_value_external(env, argv[0], (void **)&h) != napi_ok)
    return throw_type(env, "release takes a model handle");
  model_free(h->model);
  scratch_free(h->scratch);
  h->model = NULL;
  h->scratch = NULL;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn, bits;
  if (napi_create_function(env, "createModel", NAPI_AUTO_LENGTH, create_model, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "createModel", fn) != napi_ok ||
      napi_create_function(env, "forward", NAPI_AUTO_LENGTH, forward_call, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "forward", fn) != napi_ok ||
      napi_create_function(env, "release", NAPI_AUTO_LENGTH, release_call, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "release", fn) != napi_ok ||
      napi_create_int32(env, VF * 32, &bits) != napi_ok ||
      napi_set_named_property(env, exports, "vectorBits", bits) != napi_ok)
    return NULL;
  return exports;
}
