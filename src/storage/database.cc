#include "storage/database.h"

#include <map>
#include <mutex>
#include <utility>

namespace mamori::storage {

Value Null() { return std::monostate{}; }

std::string ValueToString(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  return {};
}

bool Row::IsNull(std::size_t column) const {
  return std::holds_alternative<std::monostate>(values_.at(column));
}

std::string Row::Text(std::size_t column) const { return ValueToString(values_.at(column)); }

std::int64_t Row::Int(std::size_t column) const {
  const auto* number = std::get_if<std::int64_t>(&values_.at(column));
  return number != nullptr ? *number : 0;
}

std::optional<std::string> Row::OptionalText(std::size_t column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

Status Database::Execute(std::string_view sql, const Params& params) {
  return Run(sql, params, nullptr);
}

Result<std::vector<Row>> Database::Query(std::string_view sql, const Params& params) {
  std::vector<Row> rows;
  MAMORI_TRY_STATUS(Run(sql, params, &rows));
  return rows;
}

std::vector<std::string> FirstColumn(const std::vector<Row>& rows) {
  std::vector<std::string> names;
  names.reserve(rows.size());
  for (const auto& row : rows) names.push_back(row.Text(0));
  return names;
}

Result<Row> Database::QueryOne(std::string_view sql, const Params& params) {
  MAMORI_TRY(auto rows, Query(sql, params));
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound, "該当する記録がありません", "no such record");
  }
  return std::move(rows.front());
}

Result<std::int64_t> Database::QueryInt(std::string_view sql, const Params& params) {
  MAMORI_TRY(const auto row, QueryOne(sql, params));
  if (row.Size() == 0) return Error(ErrorCode::kInternal, "列がありません", "no column");
  return row.Int(0);
}

Result<std::int64_t> Database::CachedQueryInt(std::string_view scope, std::int64_t version,
                                              const std::string& sql, const Params& params) {
  struct Entry {
    std::int64_t version = 0;
    std::int64_t value = 0;
  };
  static std::mutex mutex;
  static std::map<std::string, Entry, std::less<>> cache;
  std::string key(scope);
  key += '\x1E';
  key += sql;
  for (const auto& param : params) key += '\x1F' + ValueToString(param);
  {
    std::lock_guard lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end() && it->second.version == version) return it->second.value;
  }
  MAMORI_TRY(const std::int64_t value, QueryInt(sql, params));
  std::lock_guard lock(mutex);
  if (cache.size() >= 256) cache.clear();
  cache[std::move(key)] = {version, value};
  return value;
}

std::string LikeContaining(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += "%";
  return pattern;
}

Error DatabaseError(std::string_view engine_message, std::string_view sql) {
  std::string head(sql.substr(0, 60));
  for (char& c : head) {
    if (c == '\n') c = ' ';
  }
  return Error(ErrorCode::kIo, "データベースの操作に失敗しました: " + std::string(engine_message),
               "database operation failed: " + std::string(engine_message) + " [" + head + "]");
}

}  // namespace mamori::storage
