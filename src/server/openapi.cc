// The OpenAPI 3.1 document, generated from the route table so that it
// always lists exactly the endpoints the server answers.
#include "server/api.h"

namespace mamori::server {

Json OpenApiDocument(const std::vector<Route>& routes, std::string_view cookie_name) {
  Json paths = Json::object();
  for (const Route& route : routes) {
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Json operation{{"summary", route.summary_ja},
                   {"description", "Who may call it: " + route.who},
                   {"x-mamori-access", route.access == Access::kPublic      ? "public"
                                       : route.access == Access::kSession   ? "session"
                                       : route.access == Access::kTotpSetup ? "totp_setup"
                                                                            : "signed_in"}};
    Json parameters = Json::array();
    for (std::size_t at = route.path.find('{'); at != std::string::npos;
         at = route.path.find('{', at + 1)) {
      const std::string name = route.path.substr(at + 1, route.path.find('}', at) - at - 1);
      parameters.push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = std::move(parameters);
    if (route.access != Access::kPublic) {
      operation["security"] = Json::array({{{"session", Json::array()}}});
    }
    if (route.method != "GET") {
      operation["requestBody"] = {
          {"required", false},
          {"content",
           route.raw_body
               ? Json{{"text/csv", Json::object()},
                      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       Json::object()}}
               : Json{{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    operation["responses"] = {
        {"200", {{"description", "OK"}}},
        {"400",
         {{"description", "invalid_argument: every bad field named"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}},
        {"401", {{"description", "unauthenticated"}}},
        {"403", {{"description", "forbidden / csrf / password_change_required"}}},
        {"404", {{"description", "not_found"}}}};
    paths["/api/v1" + route.path][method] = std::move(operation);
  }
  const Json string_type{{"type", "string"}};
  Json field{{"type", "object"},
             {"properties", {{"field", string_type}, {"message", string_type}}}};
  Json error_body{{"type", "object"},
                  {"properties",
                   {{"code", string_type},
                    {"message", string_type},
                    {"message_en", string_type},
                    {"fields", {{"type", "array"}, {"items", std::move(field)}}}}}};
  Json error_schema{{"type", "object"}, {"properties", {{"error", std::move(error_body)}}}};
  Json session_scheme{{"type", "apiKey"},
                      {"in", "cookie"},
                      {"name", cookie_name},
                      {"description", "State changes also need the X-CSRF-Token header"}};
  Json components;
  components["securitySchemes"]["session"] = std::move(session_scheme);
  components["schemas"]["Error"] = std::move(error_schema);
  Json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", "mamori API"},
                 {"version", "1"},
                 {"description",
                  "情報セキュリティポリシーの台帳・申請・インシデント・監査ログ (docs/api.md)"}};
  doc["paths"] = std::move(paths);
  doc["components"] = std::move(components);
  return doc;
}

void Api::AddOpenApiRoute() {
  Add({.method = "GET",
       .path = "/openapi.json",
       .summary_ja = "この API の OpenAPI 文書",
       .who = "anyone",
       .access = Access::kPublic,
       .handler = [this](Call&) -> Result<Reply> {
         return JsonReply(OpenApiDocument(routes_, options_.cookie_name));
       }});
}

}  // namespace mamori::server
