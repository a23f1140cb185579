// The ledger's schema: the migrations in src/ledger/schema/NNNN_name.sql,
// embedded at build time (cmake/EmbedSchema.cmake). Documented in
// docs/ledger-schema.md.
#pragma once

#include <span>

#include "storage/migrate.h"

namespace mamori::ledger {

std::span<const storage::Migration> Migrations();

}  // namespace mamori::ledger
