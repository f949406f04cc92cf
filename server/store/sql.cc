// Typed access to SQL values.
#include "server/store/sql.h"

namespace healthscore::store {

int64_t AsInt(const SqlValue& value) {
  if (const auto* v = std::get_if<int64_t>(&value)) return *v;
  if (const auto* v = std::get_if<double>(&value))
    return static_cast<int64_t>(*v);
  return 0;
}

double AsDouble(const SqlValue& value) {
  if (const auto* v = std::get_if<double>(&value)) return *v;
  if (const auto* v = std::get_if<int64_t>(&value))
    return static_cast<double>(*v);
  return 0;
}

const std::string& AsText(const SqlValue& value) {
  static const std::string* const kEmpty = new std::string;
  if (const auto* v = std::get_if<std::string>(&value)) return *v;
  if (const auto* v = std::get_if<Blob>(&value)) return v->bytes;
  return *kEmpty;
}

bool IsNull(const SqlValue& value) {
  return std::holds_alternative<std::monostate>(value);
}

}  // namespace healthscore::store
