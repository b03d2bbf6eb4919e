#pragma once
// Early-return helpers for Status and Result, in the style of absl's status macros.

#include "puppies/status.h"

#define PUPPIES_CONCAT_INNER_(a, b) a##b
#define PUPPIES_CONCAT_(a, b) PUPPIES_CONCAT_INNER_(a, b)

#define PUPPIES_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::puppies::Status _puppies_status = (expr);        \
    if (!_puppies_status.ok()) return _puppies_status; \
  } while (0)

#define PUPPIES_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#define PUPPIES_ASSIGN_OR_RETURN(lhs, expr) \
  PUPPIES_ASSIGN_OR_RETURN_IMPL_(PUPPIES_CONCAT_(_puppies_result_, __LINE__), lhs, expr)
