/*
 * O2O Studio's native kernels: the dense-network primitives the learners need, over single-precision
 * BLAS (OpenBLAS on Linux, Accelerate on macOS), exposed to Node.js through N-API.
 *
 * Every function works in place on Float32Array arguments (no copies cross the boundary) and checks
 * the lengths it is given before touching memory, throwing a RangeError otherwise. Element-wise
 * optimiser arithmetic is done in double precision and rounded once when stored, the same arithmetic
 * as the JavaScript fallback, so both providers produce identical optimiser steps.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <node_api.h>

#if defined(O2O_USE_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
extern void openblas_set_num_threads(int threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
#endif

#define MAX_ARGS 12

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  bool failed;
} Call;

static bool call_init(Call *call, napi_env env, napi_callback_info info, size_t expected) {
  call->env = env;
  call->argc = MAX_ARGS;
  call->failed = false;
  if (napi_get_cb_info(env, info, &call->argc, call->argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "o2o kernels: cannot read the arguments");
    return false;
  }
  if (call->argc < expected) {
    char message[96];
    snprintf(message, sizeof message, "o2o kernels: expected %zu arguments, got %zu", expected, call->argc);
    napi_throw_type_error(env, NULL, message);
    return false;
  }
  return true;
}

static void fail_range(Call *call, const char *message) {
  if (!call->failed) napi_throw_range_error(call->env, NULL, message);
  call->failed = true;
}

static void fail_type(Call *call, const char *message) {
  if (!call->failed) napi_throw_type_error(call->env, NULL, message);
  call->failed = true;
}

/* A Float32Array argument of any length; its length goes to `*length`. */
static float *float_array_any(Call *call, size_t index, size_t *length, const char *name) {
  *length = 0;
  if (call->failed) return NULL;
  bool is_typed = false;
  napi_is_typedarray(call->env, call->argv[index], &is_typed);
  napi_typedarray_type type = napi_int8_array;
  void *data = NULL;
  if (is_typed) napi_get_typedarray_info(call->env, call->argv[index], &type, length, &data, NULL, NULL);
  if (type != napi_float32_array) {
    char message[96];
    snprintf(message, sizeof message, "o2o kernels: %s must be a Float32Array", name);
    fail_type(call, message);
    *length = 0;
    return NULL;
  }
  return (float *)data;
}

/* A Float32Array argument with at least `needed` elements. */
static float *float_array(Call *call, size_t index, size_t needed, const char *name) {
  size_t length = 0;
  float *data = float_array_any(call, index, &length, name);
  if (data == NULL) return NULL;
  if (length < needed) {
    char message[128];
    snprintf(message, sizeof message, "o2o kernels: %s has %zu values, %zu needed", name, length, needed);
    fail_range(call, message);
    return NULL;
  }
  return data;
}

static int32_t int_arg(Call *call, size_t index, const char *name) {
  int32_t value = 0;
  if (call->failed) return 0;
  if (napi_get_value_int32(call->env, call->argv[index], &value) != napi_ok || value < 0) {
    char message[96];
    snprintf(message, sizeof message, "o2o kernels: %s must be a non-negative integer", name);
    fail_type(call, message);
  }
  return value;
}

static double number_arg(Call *call, size_t index, const char *name) {
  double value = 0;
  if (call->failed) return 0;
  if (napi_get_value_double(call->env, call->argv[index], &value) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "o2o kernels: %s must be a number", name);
    fail_type(call, message);
  }
  return value;
}

static bool bool_arg(Call *call, size_t index) {
  bool value = false;
  if (call->failed) return false;
  if (napi_get_value_bool(call->env, call->argv[index], &value) != napi_ok) {
    fail_type(call, "o2o kernels: a flag must be a boolean");
  }
  return value;
}

/*
 * gemm(transposeA, transposeB, m, n, k, a, b, c, accumulate):
 *   C[m×n] ← op(A)·op(B) + (accumulate ? C : 0), row-major; op(A) is m×k, op(B) is k×n.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 9)) return NULL;
  bool transpose_a = bool_arg(&call, 0);
  bool transpose_b = bool_arg(&call, 1);
  int32_t m = int_arg(&call, 2, "m");
  int32_t n = int_arg(&call, 3, "n");
  int32_t k = int_arg(&call, 4, "k");
  float *a = float_array(&call, 5, (size_t)m * k, "a");
  float *b = float_array(&call, 6, (size_t)k * n, "b");
  float *c = float_array(&call, 7, (size_t)m * n, "c");
  bool accumulate = bool_arg(&call, 8);
  if (call.failed || m == 0 || n == 0) return NULL;
  if (k == 0) {
    if (!accumulate) memset(c, 0, sizeof(float) * (size_t)m * n);
    return NULL;
  }
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m,
              n, k, 1.0f, a, transpose_a ? m : k, b, transpose_b ? k : n, accumulate ? 1.0f : 0.0f, c, n);
  return NULL;
}

/* dense(x, w, bias, y, m, k, n, relu): Y[m×n] ← act(X[m×k]·W[k×n] + bias[n]). */
static napi_value dense(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 8)) return NULL;
  int32_t m = int_arg(&call, 4, "m");
  int32_t k = int_arg(&call, 5, "k");
  int32_t n = int_arg(&call, 6, "n");
  float *x = float_array(&call, 0, (size_t)m * k, "x");
  float *w = float_array(&call, 1, (size_t)k * n, "w");
  float *bias = float_array(&call, 2, (size_t)n, "bias");
  float *y = float_array(&call, 3, (size_t)m * n, "y");
  bool relu = bool_arg(&call, 7);
  if (call.failed || m == 0 || n == 0) return NULL;
  for (int32_t r = 0; r < m; r++) memcpy(y + (size_t)r * n, bias, sizeof(float) * n);
  if (k > 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, x, k, w, n, 1.0f, y, n);
  if (relu) {
    size_t count = (size_t)m * n;
    for (size_t i = 0; i < count; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
  }
  return NULL;
}

/* columnSums(x, m, n, out, accumulate): out[j] (+)= Σ_r x[r, j], summed in double. */
static napi_value column_sums(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 5)) return NULL;
  int32_t m = int_arg(&call, 1, "m");
  int32_t n = int_arg(&call, 2, "n");
  float *x = float_array(&call, 0, (size_t)m * n, "x");
  float *out = float_array(&call, 3, (size_t)n, "out");
  bool accumulate = bool_arg(&call, 4);
  if (call.failed) return NULL;
  for (int32_t j = 0; j < n; j++) {
    double total = accumulate ? out[j] : 0.0;
    for (int32_t r = 0; r < m; r++) total += x[(size_t)r * n + j];
    out[j] = (float)total;
  }
  return NULL;
}

/* reluMask(gradient, activations, count): gradient[i] ← activations[i] > 0 ? gradient[i] : 0. */
static napi_value relu_mask(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 3)) return NULL;
  int32_t count = int_arg(&call, 2, "count");
  float *gradient = float_array(&call, 0, (size_t)count, "gradient");
  float *activations = float_array(&call, 1, (size_t)count, "activations");
  if (call.failed) return NULL;
  for (int32_t i = 0; i < count; i++) {
    if (!(activations[i] > 0.0f)) gradient[i] = 0.0f;
  }
  return NULL;
}

/*
 * adam(parameters, gradient, m, v, learningRate, beta1, beta2, epsilon, correction1, correction2):
 *   m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η·(m/c₁)/(√(v/c₂) + ε), with the bias
 *   corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ computed by the caller (so both providers use one pow).
 */
static napi_value adam(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 10)) return NULL;
  size_t count = 0;
  float *parameters = float_array_any(&call, 0, &count, "parameters");
  float *gradient = float_array(&call, 1, count, "gradient");
  float *first = float_array(&call, 2, count, "firstMoment");
  float *second = float_array(&call, 3, count, "secondMoment");
  double learning_rate = number_arg(&call, 4, "learningRate");
  double beta1 = number_arg(&call, 5, "beta1");
  double beta2 = number_arg(&call, 6, "beta2");
  double epsilon = number_arg(&call, 7, "epsilon");
  double correction1 = number_arg(&call, 8, "correction1");
  double correction2 = number_arg(&call, 9, "correction2");
  if (call.failed) return NULL;
  for (size_t i = 0; i < count; i++) {
    double g = gradient[i];
    double mi = beta1 * first[i] + (1.0 - beta1) * g;
    double vi = beta2 * second[i] + (1.0 - beta2) * g * g;
    first[i] = (float)mi;
    second[i] = (float)vi;
    parameters[i] = (float)(parameters[i] - (learning_rate * (mi / correction1)) / (sqrt(vi / correction2) + epsilon));
  }
  return NULL;
}

/*
 * rmsprop(parameters, gradient, meanSquare, learningRate, decay, epsilon):
 *   s ← ρs + (1 − ρ)g², θ ← θ − η·g/√(s + ε)  (ε under the root, as TensorFlow's RMSProp).
 */
static napi_value rmsprop(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 6)) return NULL;
  size_t count = 0;
  float *parameters = float_array_any(&call, 0, &count, "parameters");
  float *gradient = float_array(&call, 1, count, "gradient");
  float *mean_square = float_array(&call, 2, count, "meanSquare");
  double learning_rate = number_arg(&call, 3, "learningRate");
  double decay = number_arg(&call, 4, "decay");
  double epsilon = number_arg(&call, 5, "epsilon");
  if (call.failed) return NULL;
  for (size_t i = 0; i < count; i++) {
    double g = gradient[i];
    double si = decay * mean_square[i] + (1.0 - decay) * g * g;
    mean_square[i] = (float)si;
    parameters[i] = (float)(parameters[i] - (learning_rate * g) / sqrt(si + epsilon));
  }
  return NULL;
}

/* polyak(target, source, tau): θ′ ← θ′ + τ(θ − θ′). */
static napi_value polyak(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 3)) return NULL;
  size_t count = 0;
  float *target = float_array_any(&call, 0, &count, "target");
  float *source = float_array(&call, 1, count, "source");
  double tau = number_arg(&call, 2, "tau");
  if (call.failed) return NULL;
  for (size_t i = 0; i < count; i++) target[i] = (float)(target[i] + tau * ((double)source[i] - target[i]));
  return NULL;
}

/* allFinite(x): true when no element is NaN or ±Infinity. */
static napi_value all_finite(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 1)) return NULL;
  size_t count = 0;
  float *x = float_array_any(&call, 0, &count, "x");
  if (call.failed) return NULL;
  /* x − x is 0 for finite values and NaN for NaN and ±Infinity; the sum stays 0 only if all are finite. */
  float total = 0.0f;
  for (size_t i = 0; i < count; i++) total += x[i] - x[i];
  napi_value result;
  napi_get_boolean(env, total == 0.0f, &result);
  return result;
}

/* setThreads(n): BLAS threads (OpenBLAS; Accelerate chooses its own). Returns the count in effect. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  Call call;
  if (!call_init(&call, env, info, 1)) return NULL;
  int32_t threads = int_arg(&call, 0, "threads");
  if (call.failed) return NULL;
  if (threads < 1) threads = 1;
  napi_value result;
#if defined(O2O_USE_ACCELERATE)
  napi_create_int32(env, 1, &result);
#else
  openblas_set_num_threads(threads);
  napi_create_int32(env, openblas_get_num_threads(), &result);
#endif
  return result;
}

/* info(): { blas, config, core, threads } */
static napi_value info(napi_env env, napi_callback_info callback_info) {
  (void)callback_info;
  napi_value result, value;
  napi_create_object(env, &result);
#if defined(O2O_USE_ACCELERATE)
  napi_create_string_utf8(env, "Accelerate", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "blas", value);
  napi_create_string_utf8(env, "Accelerate (macOS)", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "config", value);
  napi_create_string_utf8(env, "", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "core", value);
  napi_create_int32(env, 1, &value);
#else
  napi_create_string_utf8(env, "OpenBLAS", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "blas", value);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "config", value);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "core", value);
  napi_create_int32(env, openblas_get_num_threads(), &value);
#endif
  napi_set_named_property(env, result, "threads", value);
  napi_create_int32(env, 1, &value);
  napi_set_named_property(env, result, "abi", value);
  return result;
}

#define EXPORT(name, function)                                                                                      \
  do {                                                                                                             \
    napi_value fn;                                                                                                 \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, function, NULL, &fn);                                        \
    napi_set_named_property(env, exports, name, fn);                                                               \
  } while (0)

NAPI_MODULE_INIT() {
  EXPORT("gemm", gemm);
  EXPORT("dense", dense);
  EXPORT("columnSums", column_sums);
  EXPORT("reluMask", relu_mask);
  EXPORT("adam", adam);
  EXPORT("rmsprop", rmsprop);
  EXPORT("polyak", polyak);
  EXPORT("allFinite", all_finite);
  EXPORT("setThreads", set_threads);
  EXPORT("info", info);
  return exports;
}
