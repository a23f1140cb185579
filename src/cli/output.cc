#include "cli/output.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"

namespace mamori::cli {

using Json = nlohmann::json;

void Output::Fail(const Error& error) {
  if (json) {
    Json diagnostics = Json::array();
    for (const auto& d : error.Diagnostics()) {
      diagnostics.push_back({{"where", d.where.ToString()},
                             {"message_ja", d.message_ja},
                             {"message_en", d.message_en}});
    }
    err << Json{{"error", ErrorCodeName(error.Code())}, {"diagnostics", diagnostics}}.dump(
               -1, ' ', false, Json::error_handler_t::replace)
        << "\n";
  } else {
    err << "エラー / error:\n" << error.ToString() << "\n";
  }
  switch (error.Code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kInvalidProfile:
    case ErrorCode::kLimitExceeded:
    case ErrorCode::kConflict:
      exit_code = kExitInvalidInput;
      break;
    default:
      exit_code = kExitInternal;
  }
}

void Output::PrintJson(const Json& value) {
  out << value.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace mamori::cli
