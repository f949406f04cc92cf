// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status code (Abseil 20220623
// ships none of its own).
#ifndef HEALTHSCORE_SERVER_COMMON_STATUS_MACROS_H_
#define HEALTHSCORE_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HS_STATUS_CONCAT_INNER_(a, b) a##b
#define HS_STATUS_CONCAT_(a, b) HS_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status hs_status_ = (expr);      \
    if (!hs_status_.ok()) return hs_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; returns its
// status if not OK, else assigns its value to `lhs` (which may declare).
#define ASSIGN_OR_RETURN(lhs, expr)                                         \
  HS_ASSIGN_OR_RETURN_IMPL_(HS_STATUS_CONCAT_(hs_statusor_, __LINE__), lhs, \
                            expr)

#define HS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()

#endif  // HEALTHSCORE_SERVER_COMMON_STATUS_MACROS_H_
