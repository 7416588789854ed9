/* perfkit/api.h — the export marker of libperfkit's public API.
 *
 * libperfkit is built with -fvisibility=hidden: only what a public header
 * declares between PK_BEGIN_DECLS and PK_END_DECLS is exported from
 * libperfkit.so. Internal functions (pk__ names, module-private headers in
 * lib/) stay hidden. The markers also give C++ callers C linkage. */
#ifndef PERFKIT_API_H
#define PERFKIT_API_H

#ifdef __cplusplus
#define PK__EXTERN_C_BEGIN extern "C" {
#define PK__EXTERN_C_END }
#else
#define PK__EXTERN_C_BEGIN
#define PK__EXTERN_C_END
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PK_BEGIN_DECLS PK__EXTERN_C_BEGIN _Pragma("GCC visibility push(default)")
#define PK_END_DECLS _Pragma("GCC visibility pop") PK__EXTERN_C_END
#else
#define PK_BEGIN_DECLS PK__EXTERN_C_BEGIN
#define PK_END_DECLS PK__EXTERN_C_END
#endif

#endif
