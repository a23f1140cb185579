#include "tenancy/registry.h"

#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "audit/audit_key.h"
#include "auth/password.h"
#include "auth/secret_box.h"
#include "auth/secrets.h"
#include "policy/loader.h"
#include "storage/migrate.h"
#include "storage/open.h"

namespace mamori::tenancy {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRegistrySchema = R"sql(
-- The installation registry (src/tenancy/registry.h). Portable SQL.
CREATE TABLE tenants (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  location     TEXT NOT NULL UNIQUE,
  profile      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_utc  TEXT NOT NULL,
  disabled_utc TEXT
);

CREATE TABLE tenant_hosts (
  host      TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id)
);

-- The registry's own audit log: the same table as a ledger's (audit_log.h).
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  time_utc     TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  state        TEXT NOT NULL,
  state_digest TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
  seq       INTEGER PRIMARY KEY,
  hash      TEXT NOT NULL,
  time_utc  TEXT NOT NULL,
  key_id    TEXT NOT NULL,
  signature TEXT NOT NULL
);

-- engine: sqlite
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
-- engine: postgres
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
-- engine: all
)sql";

constexpr std::string_view kOperatorSchema = R"sql(
-- The installation's operators and their sessions (registry.h).
CREATE TABLE operators (
  login         TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_utc   TEXT NOT NULL
);

CREATE TABLE operator_sessions (
  token_sha256 TEXT PRIMARY KEY,
  login        TEXT NOT NULL REFERENCES operators(login),
  created_utc  TEXT NOT NULL,
  expires_utc  TEXT NOT NULL
);
)sql";

const std::array<storage::Migration, 2> kMigrations{
    {{1, "installation", kRegistrySchema}, {2, "operators", kOperatorSchema}}};

std::string RegistryFile(const std::string& directory) {
  return (fs::path(directory) / "installation.db").string();
}
std::string RegistryKey(const std::string& directory) {
  return (fs::path(directory) / "installation.audit-key").string();
}
std::string RegistryCheckpoints(const std::string& directory) {
  return (fs::path(directory) / "installation.checkpoints.jsonl").string();
}

bool HasControl(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

nlohmann::json TenantJson(const Tenant& tenant) {
  return {{"id", tenant.id},
          {"name", tenant.name},
          {"location", storage::RedactUrl(tenant.location)},
          {"profile", tenant.profile},
          {"hosts", tenant.hosts},
          {"status", StatusId(tenant.status)},
          {"created_utc", tenant.created_utc},
          {"disabled_utc", tenant.disabled_utc}};
}

Error TenantError(ErrorCode code, std::string message_ja, std::string message_en, std::string key) {
  return Error(code, std::move(message_ja), std::move(message_en), Where{"", 0, std::move(key)});
}

}  // namespace

std::string_view StatusId(TenantStatus status) {
  return status == TenantStatus::kActive ? "active" : "disabled";
}
std::string_view StatusTitle(TenantStatus status) {
  return status == TenantStatus::kActive ? "稼働中" : "停止中";
}

Status CheckTenantId(std::string_view id) {
  const std::string shown(id);
  bool ok = !id.empty() && id.size() <= 32 && id[0] >= 'a' && id[0] <= 'z';
  for (const char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return OkStatus();
  return TenantError(
      ErrorCode::kInvalidArgument,
      "テナント ID は英小文字で始まり英小文字・数字・_ だけの 32 文字以内で"
      "書いてください（URL の /t/<ID>/ とスキーマ名になります）: \"" +
          shown + "\"",
      "a tenant id is [a-z][a-z0-9_]{0,31} (it names /t/<id>/ and the schema): \"" + shown + "\"",
      "id");
}

Status CheckHostName(std::string_view host) {
  const std::string shown(host);
  bool ok = !host.empty() && host.size() <= 253 && host.front() != '.' && host.back() != '.' &&
            host.front() != '-' && host.find("..") == std::string_view::npos;
  for (const char c : host) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
  }
  if (ok) return OkStatus();
  return TenantError(
      ErrorCode::kInvalidArgument,
      "ホスト名は英小文字・数字・- と . で書いてください（ポート番号は付けません）: \"" + shown +
          "\"",
      "a host name is lower-case letters, digits, '-' and dots, without a port: \"" + shown + "\"",
      "host");
}

Registry::Registry(std::string directory, std::unique_ptr<storage::Database> db, const Clock& clock)
    : directory_(std::move(directory)), db_(std::move(db)), clock_(clock), log_(*db_, clock) {}

Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::Open(const std::string& directory, const Clock& clock,
                                                 Mode mode) {
  const std::string file = RegistryFile(directory);
  std::error_code ec;
  const bool exists = fs::exists(file, ec);
  if (!exists) {
    if (mode == Mode::kExisting) {
      return Error(ErrorCode::kNotFound,
                   "インストール先 " + directory +
                       " にテナント登録簿（installation.db）がありません。最初のテナントは "
                       "mamori tenant add で作成します",
                   "no installation registry (installation.db) in " + directory +
                       "; `mamori tenant add` creates it with the first tenant",
                   Where{directory, 0, "installation"});
    }
    fs::create_directories(directory, ec);
    if (ec) {
      return Error(ErrorCode::kIo,
                   "インストール先を作成できません: " + directory + "（" + ec.message() + "）",
                   "cannot create the installation directory " + directory + ": " + ec.message(),
                   Where{directory, 0, "installation"});
    }
    // The key files of every tenant live here: the owner only.
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  MAMORI_TRY(auto db, storage::Open(file, {.create = !exists}));
  MAMORI_TRY(const int version, storage::Migrate(*db, kMigrations, clock.Now()));
  (void)version;
  if (!exists) {
    MAMORI_TRY(const auto key, audit::GenerateKeyFile(RegistryKey(directory)));
    (void)key;
  }
  std::unique_ptr<Registry> registry(new Registry(directory, std::move(db), clock));
  if (!exists) {
    MAMORI_TRY_STATUS(registry->db_->Transaction([&]() -> Status {
      MAMORI_TRY(const auto event,
                 registry->log_.Append({"system", "installation.init", "installation", directory,
                                        nlohmann::json{{"directory", directory}}.dump()}));
      (void)event;
      return OkStatus();
    }));
    MAMORI_TRY_STATUS(registry->Checkpoint());
  }
  return registry;
}

Result<std::vector<Tenant>> Registry::Select(std::string_view where,
                                             const storage::Params& params) {
  MAMORI_TRY(const auto rows, db_->Query("SELECT id, name, location, profile, status, created_utc, "
                                         "coalesce(disabled_utc, '') FROM tenants " +
                                             std::string(where) + " ORDER BY id",
                                         params));
  std::vector<Tenant> tenants;
  for (const auto& row : rows) {
    Tenant tenant;
    tenant.id = row.Text(0);
    tenant.name = row.Text(1);
    tenant.location = row.Text(2);
    tenant.profile = row.Text(3);
    tenant.status = row.Text(4) == "active" ? TenantStatus::kActive : TenantStatus::kDisabled;
    tenant.created_utc = row.Text(5);
    tenant.disabled_utc = row.Text(6);
    MAMORI_TRY(
        const auto hosts,
        db_->Query("SELECT host FROM tenant_hosts WHERE tenant_id = ? ORDER BY host", {tenant.id}));
    for (const auto& host : hosts) tenant.hosts.push_back(host.Text(0));
    tenants.push_back(std::move(tenant));
  }
  return tenants;
}

Result<std::vector<Tenant>> Registry::List() { return Select("", {}); }

Result<std::optional<Tenant>> Registry::Find(std::string_view id) {
  MAMORI_TRY(auto tenants, Select("WHERE id = ?", {std::string(id)}));
  if (tenants.empty()) return std::optional<Tenant>();
  return std::optional<Tenant>(std::move(tenants.front()));
}

Result<std::optional<Tenant>> Registry::FindByHost(std::string_view host) {
  MAMORI_TRY(auto tenants, Select("WHERE id = (SELECT tenant_id FROM tenant_hosts WHERE host = ?)",
                                  {std::string(host)}));
  if (tenants.empty()) return std::optional<Tenant>();
  return std::optional<Tenant>(std::move(tenants.front()));
}

std::string Registry::TenantDirectory(std::string_view id) const {
  return (fs::path(directory_) / "tenants" / std::string(id)).string();
}

std::string Registry::LedgerLocation(const Tenant& tenant) const {
  if (storage::IsServerUrl(tenant.location)) return tenant.location;
  const fs::path path(tenant.location);
  return path.is_absolute() ? path.string() : (fs::path(directory_) / path).string();
}

ledger::LedgerPaths Registry::PathsOf(const Tenant& tenant) const {
  const fs::path dir(TenantDirectory(tenant.id));
  return {LedgerLocation(tenant), (dir / "audit-key").string(),
          (dir / "checkpoints.jsonl").string()};
}

Status Registry::Insert(const std::string& actor, const Tenant& tenant) {
  return db_->Transaction([&]() -> Status {
    MAMORI_TRY(const auto same_id,
               db_->QueryInt("SELECT count(*) FROM tenants WHERE id = ?", {tenant.id}));
    if (same_id > 0) {
      return TenantError(ErrorCode::kInvalidArgument,
                         "テナント ID \"" + tenant.id + "\" は既に登録されています",
                         "tenant id \"" + tenant.id + "\" is taken", "id");
    }
    for (const auto& host : tenant.hosts) {
      MAMORI_TRY(const auto owners,
                 db_->Query("SELECT tenant_id FROM tenant_hosts WHERE host = ?", {host}));
      if (!owners.empty()) {
        return TenantError(
            ErrorCode::kInvalidArgument,
            "ホスト名 " + host + " は既にテナント " + owners.front().Text(0) + " のものです",
            "host name " + host + " already routes to tenant " + owners.front().Text(0), "host");
      }
    }
    MAMORI_TRY_STATUS(db_->Execute(
        "INSERT INTO tenants (id, name, location, profile, status, created_utc) "
        "VALUES (?, ?, ?, ?, 'active', ?)",
        {tenant.id, tenant.name, tenant.location, tenant.profile, tenant.created_utc}));
    for (const auto& host : tenant.hosts) {
      MAMORI_TRY_STATUS(db_->Execute("INSERT INTO tenant_hosts (host, tenant_id) VALUES (?, ?)",
                                     {host, tenant.id}));
    }
    MAMORI_TRY(const auto event,
               log_.Append({actor, "tenant.add", "tenant", tenant.id, TenantJson(tenant).dump()}));
    (void)event;
    return OkStatus();
  });
}

Status Registry::Disable(const std::string& actor, std::string_view id) {
  const std::string tenant_id(id);
  return db_->Transaction([&]() -> Status {
    MAMORI_TRY(auto found, Find(tenant_id));
    if (!found) {
      return TenantError(ErrorCode::kNotFound, "テナント \"" + tenant_id + "\" はありません",
                         "no tenant \"" + tenant_id + "\"", "id");
    }
    if (found->status == TenantStatus::kDisabled) {
      return TenantError(
          ErrorCode::kConflict,
          "テナント \"" + tenant_id + "\" は既に停止されています（" + found->disabled_utc + "）",
          "tenant \"" + tenant_id + "\" is disabled already (" + found->disabled_utc + ")", "id");
    }
    found->status = TenantStatus::kDisabled;
    found->disabled_utc = FormatUtc(clock_.Now());
    MAMORI_TRY_STATUS(
        db_->Execute("UPDATE tenants SET status = 'disabled', disabled_utc = ? WHERE id = ?",
                     {found->disabled_utc, tenant_id}));
    MAMORI_TRY(const auto event, log_.Append({actor, "tenant.disable", "tenant", tenant_id,
                                              TenantJson(*found).dump()}));
    (void)event;
    return OkStatus();
  });
}

Status Registry::Checkpoint() {
  MAMORI_TRY(const auto key, audit::ReadSigningKey(RegistryKey(directory_)));
  MAMORI_TRY(const auto made, log_.MakeCheckpoint(key, RegistryCheckpoints(directory_)));
  (void)made;
  return OkStatus();
}

Result<audit::VerifyReport> Registry::Verify() {
  MAMORI_TRY(const auto key, audit::ReadVerifyingKey(RegistryKey(directory_)));
  return audit::Verify(*db_, key, RegistryCheckpoints(directory_));
}

Result<std::vector<audit::Event>> Registry::Events() { return log_.Events("", ""); }

Result<std::string> Registry::AddOperator(const std::string& actor, const std::string& login,
                                          const auth::HashCost& cost) {
  bool ok = !login.empty() && login.size() <= 64;
  for (const char c : login) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.');
  }
  if (!ok) {
    return TenantError(
        ErrorCode::kInvalidArgument,
        "運用者のログイン ID は英小文字・数字・_ - . の 64 文字以内です: \"" + login + "\"",
        "an operator login is [a-z0-9_.-], at most 64 characters: \"" + login + "\"", "login");
  }
  std::string password = auth::GenerateTemporaryPassword();
  const std::string hash = auth::HashPassword(password, cost);
  if (hash.empty()) {
    return Error(ErrorCode::kIo, "パスワードのハッシュを計算できません（メモリ不足）",
                 "cannot hash the password (out of memory)");
  }
  MAMORI_TRY_STATUS(db_->Transaction([&]() -> Status {
    MAMORI_TRY(const auto taken,
               db_->QueryInt("SELECT count(*) FROM operators WHERE login = ?", {login}));
    if (taken > 0) {
      return TenantError(ErrorCode::kInvalidArgument, "運用者 " + login + " は既に登録されています",
                         "operator " + login + " exists already", "login");
    }
    MAMORI_TRY_STATUS(
        db_->Execute("INSERT INTO operators (login, password_hash, created_utc) VALUES (?, ?, ?)",
                     {login, hash, FormatUtc(clock_.Now())}));
    MAMORI_TRY(const auto event, log_.Append({actor, "operator.add", "operator", login,
                                              nlohmann::json{{"login", login}}.dump()}));
    (void)event;
    return OkStatus();
  }));
  return password;
}

Result<std::optional<std::string>> Registry::SignInOperator(const std::string& login,
                                                            const std::string& password,
                                                            int session_hours) {
  MAMORI_TRY(const auto rows,
             db_->Query("SELECT password_hash FROM operators WHERE login = ?", {login}));
  const bool ok = !rows.empty() && password.size() <= auth::kMaxPasswordBytes &&
                  auth::VerifyPassword(rows.front().Text(0), password);
  std::optional<std::string> token;
  if (ok) {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    token = audit::ToHex(bytes.data(), bytes.size());
  }
  const TimePoint now = clock_.Now();
  MAMORI_TRY_STATUS(db_->Transaction([&]() -> Status {
    if (token) {
      MAMORI_TRY_STATUS(db_->Execute(
          "INSERT INTO operator_sessions (token_sha256, login, created_utc, expires_utc) "
          "VALUES (?, ?, ?, ?)",
          {audit::Sha256Hex(*token), login, FormatUtc(now),
           FormatUtc(now + std::chrono::hours(session_hours))}));
    }
    // A login that is no operator is recorded only in printable form.
    std::string shown;
    for (const char c : login.substr(0, 64)) {
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) shown += c;
    }
    MAMORI_TRY(const auto event, log_.Append({ok ? shown : std::string(audit::kAnonymousActor),
                                              ok ? "operator.sign_in" : "operator.sign_in_failed",
                                              "operator", shown, "null"}));
    (void)event;
    return OkStatus();
  }));
  return token;
}

Result<std::optional<std::string>> Registry::OperatorOfSession(const std::string& token) {
  if (token.empty()) return std::optional<std::string>();
  MAMORI_TRY(const auto rows,
             db_->Query("SELECT login FROM operator_sessions WHERE token_sha256 = ? AND "
                        "expires_utc > ?",
                        {audit::Sha256Hex(token), FormatUtc(clock_.Now())}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().Text(0));
}

Status Registry::SignOutOperator(const std::string& token) {
  return db_->Execute("DELETE FROM operator_sessions WHERE token_sha256 = ?",
                      {audit::Sha256Hex(token)});
}

std::string Registry::OperatorCsrf(const std::string& token) {
  return audit::Sha256Hex("mamori/operator-csrf/v1/" + token);
}

namespace {

// What AddTenant made, removed again when a later step fails.
class Undo {
 public:
  Undo(std::string directory, std::string admin_location, std::string schema, std::string role)
      : directory_(std::move(directory)),
        admin_location_(std::move(admin_location)),
        schema_(std::move(schema)),
        role_(std::move(role)) {}
  ~Undo() {
    if (done_) return;
    std::error_code ec;
    if (made_directory_) fs::remove_all(directory_, ec);
    if ((made_schema_ || made_role_) && !admin_location_.empty()) {
      auto db = storage::Open(admin_location_, {});
      if (db.Ok()) {
        if (made_schema_) (void)(*db)->Execute("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        if (made_role_) (void)(*db)->Execute("DROP ROLE IF EXISTS \"" + role_ + "\"");
      }
    }
  }
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;
  void MadeDirectory() { made_directory_ = true; }
  void MadeSchema() { made_schema_ = true; }
  void MadeRole() { made_role_ = true; }
  void Keep() { done_ = true; }

 private:
  std::string directory_;
  std::string admin_location_;
  std::string schema_;
  std::string role_;
  bool made_directory_ = false;
  bool made_schema_ = false;
  bool made_role_ = false;
  bool done_ = false;
};

Result<std::string> PostgresLocation(const std::string& url, const std::string& id) {
  MAMORI_TRY(const auto parsed, storage::ParseServerUrl(url));
  if (!parsed.role.empty()) {
    return TenantError(ErrorCode::kInvalidArgument,
                       "PostgreSQL の URL に role= は付けないでください（テナントのロール "
                       "mamori_t_" +
                           id + " は mamori が作成します）",
                       "give the PostgreSQL URL without role= (mamori creates the tenant's role "
                       "mamori_t_" +
                           id + ")",
                       "postgres");
  }
  if (!parsed.schema.empty() && parsed.schema != id) {
    return TenantError(ErrorCode::kInvalidArgument,
                       "PostgreSQL の URL のスキーマ（" + parsed.schema + "）がテナント ID（" + id +
                           "）と異なります。schema= を付けずに指定してください",
                       "the PostgreSQL URL names schema " + parsed.schema + ", not the tenant id " +
                           id + "; give the URL without schema=",
                       "postgres");
  }
  if (!parsed.schema.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "schema=" + id;
}

}  // namespace

Result<Tenant> AddTenant(Registry& registry, const std::string& actor, const NewTenant& input,
                         const Clock& clock, const AddOptions& options) {
  // 1. Everything that can be checked before anything is made.
  MAMORI_TRY_STATUS(CheckTenantId(input.id));
  if (input.name.empty() || input.name.size() > 200 || HasControl(input.name)) {
    return TenantError(ErrorCode::kInvalidArgument,
                       "テナントの名称を 200 バイト以内で、制御文字なしで入力してください",
                       "the tenant's name is required, at most 200 bytes, without control "
                       "characters",
                       "name");
  }
  std::set<std::string> hosts;
  for (const auto& host : input.hosts) {
    MAMORI_TRY_STATUS(CheckHostName(host));
    if (!hosts.insert(host).second) {
      return TenantError(ErrorCode::kInvalidArgument, "ホスト名 " + host + " が重複しています",
                         "host name " + host + " is given twice", "host");
    }
  }
  if (const char* shared = std::getenv("MAMORI_SECRET_KEY_FILE");
      shared != nullptr && *shared != '\0') {
    return TenantError(ErrorCode::kInvalidArgument,
                       "MAMORI_SECRET_KEY_FILE が設定されています。テナントごとに別の暗号鍵を作る"
                       "ため、テナントの追加ではこの環境変数を外してください",
                       "MAMORI_SECRET_KEY_FILE is set: every tenant gets a secret key of its own, "
                       "so unset it for `tenant add`",
                       "MAMORI_SECRET_KEY_FILE");
  }
  MAMORI_TRY(const auto profile, policy::LoadProfile(input.profile));
  (void)profile;
  MAMORI_TRY(const auto existing, registry.Find(input.id));
  if (existing) {
    return TenantError(ErrorCode::kInvalidArgument,
                       "テナント ID \"" + input.id + "\" は既に登録されています（" +
                           existing->name + "、" + std::string(StatusTitle(existing->status)) +
                           "）",
                       "tenant id \"" + input.id + "\" is taken (" + existing->name + ")", "id");
  }
  for (const auto& host : hosts) {
    MAMORI_TRY(const auto owner, registry.FindByHost(host));
    if (owner) {
      return TenantError(ErrorCode::kInvalidArgument,
                         "ホスト名 " + host + " は既にテナント " + owner->id + " のものです",
                         "host name " + host + " already routes to tenant " + owner->id, "host");
    }
  }
  const std::string directory = registry.TenantDirectory(input.id);
  std::error_code ec;
  if (fs::exists(directory, ec)) {
    return TenantError(ErrorCode::kInvalidArgument,
                       "テナントのディレクトリ " + directory +
                           " が既にあります（登録簿にないテナントの残りです。中身を確かめてから"
                           "移動してください。上書きしません）",
                       "the tenant directory " + directory +
                           " exists already (left from a tenant not in the registry; never "
                           "overwritten)",
                       "id");
  }
  Tenant tenant;
  tenant.id = input.id;
  tenant.name = input.name;
  tenant.profile = fs::absolute(input.profile).lexically_normal().string();
  tenant.hosts.assign(hosts.begin(), hosts.end());
  tenant.created_utc = FormatUtc(clock.Now());
  std::string admin_location;  // the installation's own connection (no schema, no role)
  std::string role;
  bool schema_existed = false;
  std::unique_ptr<storage::Database> admin;
  if (input.postgres.empty()) {
    tenant.location = (fs::path("tenants") / input.id / "ledger.db").string();
  } else {
    MAMORI_TRY(const std::string schema_location, PostgresLocation(input.postgres, input.id));
    MAMORI_TRY(const auto parsed, storage::ParseServerUrl(input.postgres));
    admin_location = parsed.url;
    // The tenant's own role owns its schema and may use no other schema:
    // every connection of the tenant switches to it (storage/open.h role=).
    role = "mamori_t_" + input.id;
    tenant.location = schema_location + "&role=" + role;
    const auto unreachable = [&](Error error) {
      error.Context("テナント " + input.id + " の PostgreSQL（" +
                        storage::RedactUrl(input.postgres) + "）に接続できません",
                    "cannot reach tenant " + input.id + "'s PostgreSQL (" +
                        storage::RedactUrl(input.postgres) + ")");
      return error;
    };
    auto connected = storage::Open(admin_location, {});
    if (!connected.Ok()) return unreachable(connected.Err());
    admin = std::move(connected).Value();
    MAMORI_TRY(const auto schemas,
               admin->QueryInt("SELECT count(*) FROM pg_namespace WHERE nspname = ?", {input.id}));
    schema_existed = schemas > 0;
    if (schema_existed) {
      MAMORI_TRY(const auto holds, storage::HoldsLedger(schema_location));
      if (holds) {
        return TenantError(
            ErrorCode::kInvalidArgument,
            "PostgreSQL のスキーマ " + input.id + " には既に台帳があります（上書きしません）",
            "PostgreSQL schema " + input.id + " holds a ledger already (never overwritten)",
            "postgres");
      }
      return TenantError(ErrorCode::kInvalidArgument,
                         "PostgreSQL のスキーマ " + input.id +
                             " が既にあります。テナントのスキーマはそのロールが所有するよう "
                             "mamori が作成します（空なら DROP SCHEMA してから再実行）",
                         "PostgreSQL schema " + input.id +
                             " exists already; mamori creates a tenant's schema owned by its role "
                             "(drop it if empty and run again)",
                         "postgres");
    }
    MAMORI_TRY(const auto roles,
               admin->QueryInt("SELECT count(*) FROM pg_roles WHERE rolname = ?", {role}));
    if (roles > 0) {
      return TenantError(ErrorCode::kInvalidArgument,
                         "PostgreSQL のロール " + role +
                             " が既にあります（他の用途のものかも"
                             "しれないため使いません）",
                         "PostgreSQL role " + role + " exists already (not reused)", "postgres");
    }
  }

  // 2. Make it; undone on any failure from here on.
  Undo undo(directory, admin_location, input.id, role);
  fs::create_directories(directory, ec);
  if (ec) {
    return Error(
        ErrorCode::kIo,
        "テナントのディレクトリを作成できません: " + directory + "（" + ec.message() + "）",
        "cannot create " + directory + ": " + ec.message(), Where{directory, 0, ""});
  }
  undo.MadeDirectory();
  fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (admin) {
    MAMORI_TRY_STATUS(admin->Execute("CREATE ROLE \"" + role + "\" NOLOGIN"));
    undo.MadeRole();
    // The installation's user may switch to it (and drop it with the schema).
    MAMORI_TRY_STATUS(admin->Execute("GRANT \"" + role + "\" TO CURRENT_USER"));
    undo.MadeSchema();  // Ledger::Create makes it, AUTHORIZATION the role
  }
  const ledger::LedgerPaths paths = registry.PathsOf(tenant);
  {
    MAMORI_TRY(auto made,
               ledger::Ledger::Create(paths, input.profile, clock, {.durable = options.durable}));
    (void)made;
  }
  MAMORI_TRY_STATUS(auth::CreateSecretKeyFile(auth::SecretKeyPath(paths.database, paths.key)));
  if (options.before_register) MAMORI_TRY_STATUS(options.before_register());
  MAMORI_TRY_STATUS(registry.Insert(actor, tenant));
  undo.Keep();
  MAMORI_TRY_STATUS(registry.Checkpoint());
  return tenant;
}

}  // namespace mamori::tenancy
