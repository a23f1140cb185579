// Sign-in, sign-out, password change, TOTP enrolment (5.4, 6.2) and the
// account administration of the chief officer (6.2(1) 特権ID). The rules
// themselves live in src/auth; this file maps them to HTTP.
#include "ledger/org.h"
#include "server/api.h"
#include "server/routes.h"

namespace mamori::server {

namespace {

// Accounts are issued, reset and unlocked by the 統括情報セキュリティ責任者
// (and the deputy) (6.2(1)②ア・イ).
bool IsAccountAdmin(const Viewer& viewer) {
  return viewer.Holds(policy::Role::kChiefOfficer) ||
         viewer.Holds(policy::Role::kDeputyChiefOfficer);
}

// The CISO reads everything (docs/api.md "Who sees what") and approves who
// may act for the holders of privileged IDs (6.2(1)③イ), so may read the
// account list, but changes no account.
bool MayReadAccounts(const Viewer& viewer) {
  return IsAccountAdmin(viewer) || viewer.Holds(policy::Role::kCiso);
}

// The session cookie, named per tenant and sent back only below the path the
// tenant was reached by (/t/<id>/ or / on the tenant's host), so that a
// browser never sends one organization's session to another.
std::string SessionCookie(const ApiOptions& options, const Call& call, const std::string& token,
                          int max_age_seconds) {
  const bool secure = options.secure_cookies;
  std::string cookie = options.cookie_name + "=" + token + "; Path=" + call.base_path +
                       "/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (secure) cookie += "; Secure";
  return cookie;
}

// A password as typed: never trimmed, at most 1024 bytes, a string.
std::string PasswordField(Fields& fields, const Json& body, const std::string& key,
                          std::string_view label_ja) {
  if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty()) {
    fields.Fail(key, std::string(label_ja) + "を入力してください", key + " is required");
    return {};
  }
  std::string value = body[key].get<std::string>();
  if (value.size() > 1024) {
    fields.Fail(key, std::string(label_ja) + "が長すぎます", key + " is too long");
    return {};
  }
  return value;
}

}  // namespace

Result<Json> SessionJson(ledger::Ledger& ledger, const auth::Session& session,
                         const auth::Options& options) {
  MAMORI_TRY(auto person, ledger::FindPerson(ledger, session.person_code));
  MAMORI_TRY(auto roles, ledger::RolesOf(ledger, person, ledger::TodayJst(ledger)));
  MAMORI_TRY(auto account, auth::GetAccount(ledger, session.person_code, options));
  MAMORI_TRY(auto sections, ledger::ListSections(ledger));
  std::string section_name;
  for (const auto& section : sections) {
    if (section.code == person.section_code) section_name = section.name;
  }
  Json role_list = Json::array();
  for (const auto& role : roles) {
    role_list.push_back({{"role", ledger.Profile().RoleId(role.role)},
                         {"title", ledger.Profile().RoleTitle(role.role)},
                         {"section", role.section_code},
                         {"department", role.department_code}});
  }
  return Json{{"person",
               {{"code", person.code},
                {"name", person.name},
                {"section", person.section_code},
                {"section_name", section_name},
                {"department", person.department_code},
                {"employment", person.employment}}},
              {"roles", std::move(role_list)},
              {"csrf_token", session.csrf_token},
              {"created_at", session.created_utc},
              {"expires_at", session.expires_utc},
              {"privileged", session.privileged},
              {"must_change_password", session.must_change_password},
              {"must_enroll_totp", session.must_enroll_totp},
              {"totp_enabled", account.totp_enabled}};
}

void Api::AddAuthRoutes() {
  Add({.method = "POST",
       .path = "/auth/sign-in",
       .summary_ja = "サインイン（5.4, 6.2(1)②）",
       .who = "anyone",
       .access = Access::kPublic,
       .max_body_bytes = 4 * 1024,  // a login, a password and a code
       .writes_itself = true,
       .handler = [this](Call& call) -> Result<Reply> {
         Fields fields(call.json);
         auth::SignInInput input;
         input.login = fields.Text("login", "ログインID", 64, true);
         input.password = PasswordField(fields, call.json, "password", "パスワード");
         input.totp = fields.Text("totp", "確認コード", 10, false);
         MAMORI_TRY_STATUS(fields.Finish());
         input.remote_addr = call.remote_addr;
         input.user_agent = call.user_agent.substr(0, 200);
         MAMORI_TRY(auto outcome, SignIn(call, input));
         if (auto* refused = std::get_if<Reply>(&outcome)) return std::move(*refused);
         auto& result = std::get<auth::SignInResult>(outcome);
         switch (result.status) {
           case auth::SignInStatus::kOk: {
             MAMORI_TRY(Json session, SessionJson(*call.ledger, result.session, options_.auth));
             Reply reply = JsonReply({{"session", std::move(session)}});
             const int max_age = result.session.privileged
                                     ? ledger_.Profile().passwords.privileged_session_minutes * 60
                                     : options_.auth.session_hours * 3600;
             reply.headers.emplace_back("Set-Cookie",
                                        SessionCookie(options_, call, result.session.token,
                                                      std::max(max_age, 60)));
             return reply;
           }
           case auth::SignInStatus::kLocked: {
             Reply reply = ErrorReply(
                 423, "locked",
                 "アカウントがロックされています。" +
                     (result.locked_until.empty() ? std::string("管理者に解除を依頼してください")
                                                  : "解除予定: " + result.locked_until),
                 "the account is locked");
             reply.json["error"]["locked_until"] = result.locked_until;
             return reply;
           }
           case auth::SignInStatus::kTotpRequired:
             return ErrorReply(401, "totp_required", "確認コード（TOTP）を入力してください",
                               "enter the TOTP code");
           case auth::SignInStatus::kTotpInvalid:
             return ErrorReply(401, "totp_invalid", "確認コードが正しくありません",
                               "wrong TOTP code");
           case auth::SignInStatus::kNotActive:
             return ErrorReply(403, "forbidden", "このアカウントは現在使用できません",
                               "the account is not active");
           case auth::SignInStatus::kBadCredentials:
             break;
         }
         return ErrorReply(401, "unauthenticated", "ログインID又はパスワードが違います",
                           "wrong login or password");
       }});

  Add({.method = "POST",
       .path = "/auth/sign-out",
       .summary_ja = "サインアウト",
       .who = "signed in",
       .access = Access::kSession,
       .handler = [this](Call& call) -> Result<Reply> {
         MAMORI_TRY_STATUS(auth::SignOut(*call.ledger, call.session_token));
         Reply reply = NoContent();
         reply.headers.emplace_back("Set-Cookie", SessionCookie(options_, call, "", 0));
         return reply;
       }});

  Add({.method = "GET",
       .path = "/auth/session",
       .summary_ja = "現在のセッション",
       .who = "signed in",
       .access = Access::kSession,
       .handler = [this](Call& call) -> Result<Reply> {
         MAMORI_TRY(Json session, SessionJson(*call.ledger, call.Who().session, options_.auth));
         return JsonReply({{"session", std::move(session)}});
       }});

  Add({.method = "POST",
       .path = "/auth/password",
       .summary_ja = "パスワード変更（5.4(2)）",
       .who = "signed in",
       .access = Access::kSession,
       .handler = [this](Call& call) -> Result<Reply> {
         Fields fields(call.json);
         const std::string current =
             PasswordField(fields, call.json, "current_password", "現在のパスワード");
         const std::string next =
             PasswordField(fields, call.json, "new_password", "新しいパスワード");
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY_STATUS(
             auth::ChangePassword(*call.ledger, call.session_token, current, next, options_.auth,
                                  call.remote_addr, call.user_agent));
         return NoContent();
       }});

  Add({.method = "POST",
       .path = "/auth/totp/setup",
       .summary_ja = "二要素認証（TOTP）の設定開始",
       .who = "signed in",
       .access = Access::kTotpSetup,
       .handler = [this](Call& call) -> Result<Reply> {
         MAMORI_TRY(auto setup, auth::BeginTotp(*call.ledger, call.session_token, options_.auth));
         return JsonReply({{"secret", setup.secret}, {"otpauth_uri", setup.otpauth_uri}});
       }});

  Add({.method = "POST",
       .path = "/auth/totp/enable",
       .summary_ja = "二要素認証（TOTP）の有効化",
       .who = "signed in",
       .access = Access::kTotpSetup,
       .handler = [this](Call& call) -> Result<Reply> {
         Fields fields(call.json);
         const std::string code = fields.Text("code", "確認コード", 10, true);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY_STATUS(auth::EnableTotp(*call.ledger, call.session_token, code, options_.auth));
         return NoContent();
       }});

  // --- Account administration: 統括情報セキュリティ責任者 and 副責任者 (6.2(1)).
  auto account_json = [](const auth::Account& account) {
    return Json{{"login", account.login},
                {"person", account.person_code},
                {"temporary", account.temporary},
                {"locked", account.locked},
                {"locked_until", account.locked_until},
                {"failed_count", account.failed_count},
                {"totp_enabled", account.totp_enabled},
                {"mfa_required", account.mfa_required},
                {"privileged", account.privileged},
                {"password_changed_at", account.password_changed_utc},
                {"password_expired", account.password_expired}};
  };

  Add({.method = "GET",
       .path = "/accounts",
       .summary_ja = "アカウント一覧（特権）",
       .who = "chief_officer, deputy_chief_officer, ciso",
       .writes = true,  // records the privileged use
       .handler = [this, account_json](Call& call) -> Result<Reply> {
         if (!MayReadAccounts(call.Who())) return Forbidden();
         MAMORI_TRY(auto accounts, auth::ListAccounts(*call.ledger, options_.auth));
         MAMORI_TRY_STATUS(RecordPrivilegeUse(*call.ledger, call.Who(), "account.list"));
         Json out = Json::array();
         for (const auto& account : accounts) out.push_back(account_json(account));
         return JsonReply(std::move(out));
       }});

  Add({.method = "POST",
       .path = "/accounts",
       .summary_ja = "アカウント作成（仮パスワードを発行）",
       .who = "chief_officer, deputy_chief_officer",
       .handler = [this](Call& call) -> Result<Reply> {
         if (!IsAccountAdmin(call.Who())) return Forbidden();
         Fields fields(call.json);
         const std::string person = fields.Text("person", "職員番号", 64, true);
         MAMORI_TRY_STATUS(fields.Finish());
         MAMORI_TRY(auto password, auth::CreateAccount(*call.ledger, call.Who().person.code, person,
                                                       options_.auth));
         return JsonReply({{"login", person}, {"temporary_password", password}}, 201);
       }});

  Add({.method = "POST",
       .path = "/accounts/{person}/reset",
       .summary_ja = "仮パスワードの再発行",
       .who = "chief_officer, deputy_chief_officer",
       .handler = [this](Call& call) -> Result<Reply> {
         if (!IsAccountAdmin(call.Who())) return Forbidden();
         MAMORI_TRY(auto password, auth::ResetPassword(*call.ledger, call.Who().person.code,
                                                       call.params[0], options_.auth));
         return JsonReply({{"temporary_password", password}});
       }});

  Add({.method = "POST",
       .path = "/accounts/{person}/unlock",
       .summary_ja = "ロック解除",
       .who = "chief_officer, deputy_chief_officer",
       .handler = [](Call& call) -> Result<Reply> {
         if (!IsAccountAdmin(call.Who())) return Forbidden();
         MAMORI_TRY_STATUS(auth::Unlock(*call.ledger, call.Who().person.code, call.params[0]));
         return NoContent();
       }});
}

Status RecordPrivilegeUse(ledger::Ledger& ledger, const Viewer& viewer, const std::string& what) {
  if (!viewer.session.privileged) return OkStatus();
  return ledger.Change([&]() -> Status {
    return ledger.Record(
        {viewer.person.code, "auth.privilege_use", "session", what, Json{{"use", what}}.dump()});
  });
}

}  // namespace mamori::server
