// Fuzzes the HTTP API behind the HTTP parser (Boost.Beast's job): method,
// path, query and body as a browser could send them, for a signed-in manager
// (with the CSRF token) and for nobody. Any input must get an answer that is
// not a 500, and JSON whenever there is a body.
//
// Input: byte 0 picks the method and whether the session is sent; then the
// path (up to '\n', "?" starts the query); the rest is the body.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "ledger/ledger.h"
#include "ledger/org.h"
#include "server/api.h"

namespace {

using namespace mamori;  // NOLINT(google-build-using-namespace): a fuzz target

struct World {
  std::unique_ptr<FixedClock> clock;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<server::Api> api;
  auth::Options options;
  std::string cookie_token;
  std::string csrf;
  int renewals = 0;
};

template <typename T>
T Must(Result<T> result) {
  if (!result.Ok()) std::abort();
  return std::move(result).Value();
}

// A fresh session for m1: the fuzzer may have signed out, changed the
// password or locked the account. A reset unlocks and gives a temporary
// password, changed to a new one each time (the history refuses reuse).
void SignInAgain(World& world) {
  auto& ledger = *world.ledger;
  const std::string temporary = Must(auth::ResetPassword(ledger, "system", "m1", world.options));
  auto signed_in =
      Must(auth::SignIn(ledger, {"m1", temporary, "", "127.0.0.1", "fuzz"}, world.options));
  if (signed_in.status != auth::SignInStatus::kOk) std::abort();
  const std::string password = "Fuzz-Password-" + std::to_string(++world.renewals);
  if (!auth::ChangePassword(ledger, signed_in.session.token, temporary, password, world.options)
           .Ok()) {
    std::abort();
  }
  world.cookie_token = signed_in.session.token;
  world.csrf = signed_in.session.csrf_token;
}

World* MakeWorld() {
  auto* world = new World;  // lives for the process
  world->clock = std::make_unique<FixedClock>(Must(ParseTime("2026-12-01T01:00:00Z", "now")));
  const auto dir =
      std::filesystem::temp_directory_path() / ("mamori_api_fuzz_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  world->ledger = Must(ledger::Ledger::Create(
      ledger::DefaultPaths((dir / "fuzz.db").string()),
      std::string(MAMORI_SOURCE_DIR) + "/policies/hannan.toml", *world->clock,
      {.profile_path = "", .checkpoint_every = 1000, .read_only = false, .durable = false}));
  auto& ledger = *world->ledger;
  Must(ledger::AddDepartment(ledger, "system", "somu", "総務部"));
  Must(ledger::AddSection(ledger, "system", "zeimu", "税務課", "somu"));
  Must(ledger::AddSection(ledger, "system", "joho", "情報政策課", "somu"));
  for (const auto& [code, section, role] :
       {std::tuple{"m1", "zeimu", "manager"}, std::tuple{"k1", "joho", "csirt"},
        std::tuple{"d1", "joho", "manager"}}) {
    Must(ledger::AddPerson(ledger, "system", {code, code, section, "staff", "", "2020-04-01", ""}));
    Must(ledger::AssignRole(ledger, "system", code, role,
                            std::string(role) == "csirt" ? "" : section, "2020-04-01"));
  }
  world->options.cost = auth::HashCost::Fast();
  Must(auth::CreateAccount(ledger, "system", "m1", world->options));
  SignInAgain(*world);
  server::ApiOptions api_options;
  api_options.auth = world->options;
  api_options.public_reports_per_hour = 1 << 30;
  world->api = std::make_unique<server::Api>(ledger, api_options);
  return world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* world = MakeWorld();
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kMethods[] = {"GET", "POST", "PATCH", "DELETE"};
  server::Call call;
  call.method = kMethods[data[0] & 3];
  const bool signed_in = (data[0] & 4) == 0;
  const std::size_t newline = input.find('\n');
  std::string target(input.substr(0, newline));
  call.body = newline == std::string_view::npos ? "" : std::string(input.substr(newline + 1));
  if (const std::size_t question = target.find('?'); question != std::string::npos) {
    // key=value&key=value, undecoded (the HTTP layer decodes).
    std::string_view query = std::string_view(target).substr(question + 1);
    while (!query.empty()) {
      const std::string_view pair = query.substr(0, query.find('&'));
      const std::size_t eq = pair.find('=');
      call.query.emplace(std::string(pair.substr(0, eq)),
                         eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
    }
    target.resize(question);
  }
  call.path = target;
  call.content_type = (data[0] & 8) != 0 ? "text/csv" : "application/json";
  call.remote_addr = "127.0.0.1";
  if (signed_in) {
    call.session_token = world->cookie_token;
    call.csrf_header = world->csrf;
  }
  const auto response = world->api->Handle(std::move(call));
  if (signed_in && !Must(auth::FindSession(*world->ledger, world->cookie_token, world->options))) {
    SignInAgain(*world);
  }
  if (response.status >= 500 && response.status != 503) std::abort();
  if (!response.body.empty() && response.content_type.starts_with("application/json") &&
      nlohmann::json::parse(response.body, nullptr, false).is_discarded()) {
    std::abort();
  }
  return 0;
}
