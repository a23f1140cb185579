#include "ledger/registers/people_import.h"

#include <nlohmann/json.hpp>

#include "ledger/validate.h"

namespace mamori::ledger::registers {

Status CheckPersonInput(const PersonInput& input) {
  std::vector<std::string> employment;
  for (const auto& [id, title] : EmploymentTypes()) employment.push_back(id);
  Checks checks;
  checks.Add(CheckCode(input.code, "code"))
      .Add(CheckText(input.name, "name", kMaxName))
      .Add(CheckCode(input.section_code, "section"))
      .Add(CheckOneOf(input.employment, "employment", employment))
      .Add(CheckText(input.email, "email", kMaxName, true))
      .Add(CheckDate(input.start_date, "start_date"))
      .Add(CheckDate(input.end_date, "end_date", true));
  if (!input.end_date.empty() && CheckDate(input.end_date, "end_date").Ok() &&
      input.end_date < input.start_date) {
    checks.Add(FieldError("end_date", "終了日が開始日より前です", "end_date is before start_date"));
  }
  return checks.Done();
}

Status InsertPersonInChange(Ledger& ledger, const std::string& actor, const PersonInput& input) {
  MAMORI_TRY_STATUS(CheckPersonInput(input));
  MAMORI_TRY(const auto section, FindSection(ledger, input.section_code));
  MAMORI_TRY(const auto exists,
             ledger.Db().QueryInt("SELECT count(*) FROM people WHERE code = ?", {input.code}));
  if (exists > 0) {
    return FieldError("code", "「" + input.code + "」は既に登録されています",
                      "\"" + input.code + "\" already exists");
  }
  const store::Value end = input.end_date.empty() ? store::Null() : store::Value(input.end_date);
  MAMORI_TRY_STATUS(ledger.Db().Execute(
      "INSERT INTO people (code, name, section_id, employment, email, start_date, end_date) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {input.code, input.name, section.id, input.employment, input.email, input.start_date, end}));
  MAMORI_TRY(const auto person, FindPerson(ledger, input.code));
  // The same state as org.cc's AddPerson records.
  const nlohmann::json state{{"code", person.code},
                             {"name", person.name},
                             {"section", person.section_code},
                             {"employment", person.employment},
                             {"email", person.email},
                             {"start_date", person.start_date},
                             {"end_date", person.end_date}};
  return ledger.Record({actor, "person.add", "person", input.code, state.dump()});
}

}  // namespace mamori::ledger::registers
