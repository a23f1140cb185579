#include "storage/open.h"

#include <filesystem>

#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace mamori::storage {

bool IsServerUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<ServerLocation> ParseServerUrl(std::string_view location) {
  ServerLocation parsed;
  const std::size_t query = location.find('?');
  std::string base(location.substr(0, query));
  std::string kept;
  if (query != std::string_view::npos) {
    std::string_view rest = location.substr(query + 1);
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.starts_with("schema=")) {
        parsed.schema = std::string(pair.substr(7));
        continue;
      }
      if (pair.starts_with("role=")) {
        parsed.role = std::string(pair.substr(5));
        continue;
      }
      if (!kept.empty()) kept += '&';
      kept += pair;
    }
  }
  // Only a plain identifier: the schema names files and locks too.
  for (const char c : parsed.schema) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Error(ErrorCode::kInvalidArgument,
                   "スキーマ名は英小文字・数字・_ だけで書いてください: " + parsed.schema,
                   "schema must be lower-case letters, digits and _: " + parsed.schema);
    }
  }
  if (parsed.schema.size() > 63 || (!parsed.schema.empty() && parsed.schema[0] >= '0' &&
                                    parsed.schema[0] <= '9')) {
    return Error(ErrorCode::kInvalidArgument, "スキーマ名が不正です: " + parsed.schema,
                 "invalid schema name: " + parsed.schema);
  }
  for (const char c : parsed.role) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Error(ErrorCode::kInvalidArgument,
                   "ロール名は英小文字・数字・_ だけで書いてください: " + parsed.role,
                   "role must be lower-case letters, digits and _: " + parsed.role);
    }
  }
  if (parsed.role.size() > 63 || (!parsed.role.empty() && parsed.role[0] >= '0' &&
                                  parsed.role[0] <= '9')) {
    return Error(ErrorCode::kInvalidArgument, "ロール名が不正です: " + parsed.role,
                 "invalid role name: " + parsed.role);
  }
  const std::size_t scheme = base.find("://");
  const std::size_t slash = base.find('/', scheme + 3);
  if (slash != std::string::npos) parsed.dbname = base.substr(slash + 1);
  parsed.url = kept.empty() ? base : base + "?" + kept;
  return parsed;
}

std::string LocalName(std::string_view location) {
  if (!IsServerUrl(location)) return std::string(location);
  auto parsed = ParseServerUrl(location);
  std::string name = "mamori";
  if (parsed.Ok()) {
    name += "-" + (parsed->dbname.empty() ? std::string("postgres") : parsed->dbname);
    name += "-" + (parsed->schema.empty() ? std::string("public") : parsed->schema);
  }
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_' || c == '.')) {
      c = '_';
    }
  }
  return name;
}

std::string RedactUrl(std::string_view url) {
  // scheme://user:password@host → scheme://user:***@host; password=… → ***
  std::string text(url);
  if (const auto scheme = text.find("://"); scheme != std::string::npos) {
    const auto at = text.find('@', scheme + 3);
    const auto colon = text.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      text.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t at = text.find("password="); at != std::string::npos;
       at = text.find("password=", at + 1)) {
    const std::size_t from = at + 9;
    std::size_t end = from;
    while (end < text.size() && text[end] != '&' && text[end] != ' ') ++end;
    text.replace(from, end - from, "***");
  }
  return text;
}

Result<std::unique_ptr<Database>> Open(const std::string& location, const OpenOptions& options) {
  if (!IsServerUrl(location)) {
    return OpenSqlite(location, {.create = options.create,
                                 .read_only = options.read_only,
                                 .durable = options.durable});
  }
  MAMORI_TRY(const auto parsed, ParseServerUrl(location));
  return OpenPostgres(parsed.url, {.schema = parsed.schema,
                                   .role = parsed.role,
                                   .create = options.create,
                                   .read_only = options.read_only});
}

Result<bool> HoldsLedger(const std::string& location) {
  if (!IsServerUrl(location)) {
    return location != ":memory:" && std::filesystem::exists(location);
  }
  MAMORI_TRY(const auto parsed, ParseServerUrl(location));
  auto db = OpenPostgres(parsed.url, {.schema = parsed.schema});
  if (!db.Ok()) {
    if (db.Err().Code() == ErrorCode::kNotFound) return false;  // no schema yet
    return db.Err();
  }
  MAMORI_TRY(const auto tables,
             (*db)->QueryInt("SELECT count(*) FROM information_schema.tables WHERE "
                             "table_schema = current_schema() AND table_name = 'schema_migrations'"));
  return tables > 0;
}

}  // namespace mamori::storage
