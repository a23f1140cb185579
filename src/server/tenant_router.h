// The tenants of an installation behind one `mamori serve --installation`:
// the TenantRouter (server.h) over the installation registry
// (tenancy/registry.h).
//
// A request names its tenant by path (/t/<id>/…) or by a host name the
// registry lists for it. On a tenant's host name only that tenant is served
// (/t/<other>/ there is refused), so a host-routed organization never shares
// its origin with another. Each tenant gets its own ledger and Api (its own
// connection pools, sessions, rate limits) and a cookie named after it,
// opened at start (OpenAll) or on its first request. The registry is read
// again whenever it changed (its data version), so `mamori tenant disable`
// takes effect on the next request of a running server: a disabled or
// unknown tenant is answered 404 with a message that names it.
//
// Thread safety: Resolve may be called from any thread; one mutex guards the
// routing connection to the registry, the cached list and the opened tenants
// (an Api, once opened, lives as long as the router, so a Target stays
// valid); the operators' API has its own connection and mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/server.h"
#include "tenancy/registry.h"

namespace mamori::server {

class InstallationRouter final : public TenantRouter {
 public:
  // Opens the registry of the installation at `directory` (it must exist).
  // `api_options` are every tenant's, but for the cookie name.
  static Result<std::unique_ptr<InstallationRouter>> Create(const std::string& directory,
                                                            const Clock& clock,
                                                            ApiOptions api_options);
  ~InstallationRouter() override;

  Result<Target> Resolve(std::string_view host, std::string_view path) override;
  // The operators' API (docs/api.md "Installation"):
  //   POST /installation/sign-in {login, password} → {login, csrf_token} + cookie
  //   POST /installation/sign-out
  //   GET  /installation/tenants                   → the registry's list (no tenant's data)
  //   POST /installation/tenants {id, name, profile, postgres?, hosts?} → 201 (AddTenant)
  //   POST /installation/tenants/{id}/disable
  // Every call but sign-in needs an operator session; POSTs its CSRF token.
  // Sign-in is refused (429) after 5 failures in 15 minutes from one
  // address or for one login.
  // Operators have no session in any tenant: their cookie is another name,
  // their tokens are in the registry only.
  std::optional<Api::Response> HandleInstallation(Call& call) override;

  // Opens every active tenant now and returns their ids; the first that
  // cannot be opened (ledger, secret key, password dictionary) is an error
  // naming it.
  Result<std::vector<std::string>> OpenAll();
  // The Api of an opened tenant, nullptr if it is not open (tests).
  Api* ApiOf(std::string_view id);
  // Signs the newest events of every opened tenant (at stop).
  Status Checkpoint();

  // The session cookie of tenant `id`.
  static std::string CookieName(std::string_view id);

 private:
  struct Service;
  InstallationRouter(std::unique_ptr<tenancy::Registry> registry,
                     std::unique_ptr<tenancy::Registry> operators, const Clock& clock,
                     ApiOptions api_options);
  Result<Reply> Installation(Call& call);                // with operator_mutex_ held
  Status Refresh();                                      // with mutex_ held
  Result<Service*> Open(const tenancy::Tenant& tenant);  // with mutex_ held

  std::mutex mutex_;
  std::unique_ptr<tenancy::Registry> registry_;  // routing (mutex_)
  // The operators' API on a connection of its own (operator_mutex_), so that
  // a sign-in's password check never holds up the tenants' requests; its
  // commits change the routing connection's data version like any other's.
  std::mutex operator_mutex_;
  std::unique_ptr<tenancy::Registry> operators_;
  const Clock& clock_;
  ApiOptions api_options_;
  std::string version_;                   // the registry's data version of tenants_
  std::vector<tenancy::Tenant> tenants_;  // the registry as last read
  std::map<std::string, std::unique_ptr<Service>, std::less<>> open_;
  // Failed operator sign-ins, per client address and per login: after
  // kOperatorFailures in 15 minutes, both are refused (429) for 15 minutes
  // without the password being checked. In this process only.
  static constexpr int kOperatorFailures = 5;
  RateLimiter operator_failures_{RateLimits{.delay_after = 0,
                                            .block_after = kOperatorFailures,
                                            .window = std::chrono::minutes(15),
                                            .block = std::chrono::minutes(15)}};
};

}  // namespace mamori::server
