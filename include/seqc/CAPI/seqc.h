/*===- seqc.h - The C API of the seqc compiler --------------------*- C -*-===*
 *
 * Import an ONNX model, look at its MLIR and its token mixers, and compile it
 * to a shared library -- the same import, pipelines and target code as the
 * `seqc` driver, in process. The Python package is built on this API.
 *
 *   char *diag = NULL;
 *   seqc_module m = seqc_import_onnx_file("model.onnx", 1, &diag);
 *   seqc_compile_options opts;
 *   seqc_compile_options_init(&opts);
 *   if (!m || seqc_module_compile(m, &opts, "libmodel.so", NULL, &diag))
 *     fputs(diag, stderr);
 *   seqc_free(diag);
 *   seqc_module_destroy(m);
 *
 * Diagnostics are lines "file: error: node N (Op): message", as the driver
 * prints them. Strings returned by this API are released with seqc_free. A
 * module may be used from any thread; calls on one module are serialized.
 * Run the library with the C ABI of include/seqc/Runtime/seqc_runtime.h.
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_CAPI_SEQC_H
#define SEQC_CAPI_SEQC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An imported model: an MLIR module in a context of its own. */
typedef struct seqc_module_impl *seqc_module;

typedef struct seqc_compile_options {
  const char *target;     /* "cpu" (NULL: "cpu"); "cuda" is not available yet */
  unsigned opt_level;     /* 0 to 3 (default 3) */
  const char *mcpu;       /* NULL or "": the host CPU */
  const char *mattr;      /* NULL or "": the host CPU's features */
  const char *impl;       /* algorithm overrides "KEY=ALGO,...": KEY a seq op
                             (long_conv) or an ONNX node; NULL: none */
  const char *model_name; /* prefix of the entry points <name>_run; NULL:
                             from the library's file name (libfoo.so: foo) */
} seqc_compile_options;

/* Fills `options` with the defaults: cpu, -O3, the host CPU, no overrides. */
void seqc_compile_options_init(seqc_compile_options *options);

/* Imports the ONNX model at `path` (external data beside it). On failure
 * returns NULL and, if `diagnostics` is not NULL, sets it to the errors. */
seqc_module seqc_import_onnx_file(const char *path, int shape_inference,
                                  char **diagnostics);

/* Imports a serialized ONNX ModelProto held in memory; `display_name` names
 * it in diagnostics. External data is not allowed. */
seqc_module seqc_import_onnx_bytes(const void *data, size_t size,
                                   const char *display_name,
                                   int shape_inference, char **diagnostics);

/* Parses MLIR text (the onnx and seq dialects, and the upstream ones the
 * pipelines use) holding `func.func @main_graph`. */
seqc_module seqc_parse_mlir(const char *text, size_t size,
                            const char *display_name, char **diagnostics);

/* The module as MLIR text; large weights are elided unless `print_weights`
 * (then the text parses again). */
char *seqc_module_print(seqc_module module, int print_weights);

/* Each token mixer and its algorithm: with `json` zero, the report of
 * `seqc --print-impl`; otherwise a JSON array of {"op", "node", "location",
 * "impl"} objects. */
char *seqc_module_impl_report(seqc_module module, int json);

/* Compiles a copy of the module (the module itself is unchanged) to the
 * shared library `so_path`, writing `<stem>.h` and seqc_runtime.h beside it.
 * Returns 0 on success, nonzero with `diagnostics` set on failure. If
 * `impl_report` is not NULL it receives the JSON mixer report of the copy
 * that was compiled (overrides applied). */
int seqc_module_compile(seqc_module module, const seqc_compile_options *options,
                        const char *so_path, char **impl_report,
                        char **diagnostics);

void seqc_module_destroy(seqc_module module);

/* Releases a string returned by this API (NULL is fine). */
void seqc_free(void *string);

#ifdef __cplusplus
}
#endif

#endif /* SEQC_CAPI_SEQC_H */
