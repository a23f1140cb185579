// People (職員等) for the import and export of the organization register:
// ledger/org.h's AddPerson runs its own transaction, and an import must add a
// whole file in one, so this folder checks and inserts people inside an
// existing Ledger::Change. The checks and the audit event ("person.add" with
// the same state JSON) are those of org.cc's AddPerson.
#pragma once

#include "ledger/ledger.h"
#include "ledger/org.h"

namespace mamori::ledger::registers {

// The checks of AddPerson that need no database: every bad field named
// (Where.key = code, name, section, employment, email, start_date, end_date).
Status CheckPersonInput(const PersonInput& input);
// Inside Ledger::Change: checks that the section exists and the code is new,
// inserts the person and records "person.add".
Status InsertPersonInChange(Ledger& ledger, const std::string& actor, const PersonInput& input);

}  // namespace mamori::ledger::registers
