#include "ledger/registers/registers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/registers/entry_log.h"
#include "ledger/registers/spec.h"
#include "ledger/test_support.h"

namespace mamori::ledger::registers {
namespace {

using testing::SeedOrganization;
using testing::TempLedger;

std::vector<audit::Event> EventsAfter(Ledger& ledger, std::int64_t seq) {
  auto events = *ledger.Audit().Events("", "");
  std::vector<audit::Event> after;
  for (auto& event : events) {
    if (event.seq > seq) after.push_back(std::move(event));
  }
  return after;
}

std::vector<std::string> Keys(const Error& error) {
  std::vector<std::string> keys;
  for (const auto& d : error.Diagnostics()) keys.push_back(d.where.key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

Values DataAsset(const std::string& code, const std::string& level) {
  return {{"code", code},        {"name", "データ " + code}, {"kind", "data"},
          {"importance", level}, {"owner_section", "zeimu"}, {"manager", "m1"}};
}

TEST(RegistersTest, SchemaHasEveryColumnOfEverySpec) {
  TempLedger ledger("registers_schema");
  for (const auto& spec : Registers()) {
    std::string sql = "SELECT id, code, retired_date, retired_reason, created_utc, updated_utc";
    for (const auto& field : spec.fields) {
      if (field.type != FieldType::kRecordList) sql += ", " + std::string(field.id);
    }
    sql += " FROM " + std::string(spec.table) + " WHERE 1 = 0";
    EXPECT_TRUE(ledger->Db().Query(sql).Ok()) << spec.id;
    EXPECT_EQ(spec.fields.at(0).id, "code") << spec.id;
  }
}

TEST(RegistersTest, AddListUpdateSeveralRegisters) {
  TempLedger ledger("registers_crud");
  SeedOrganization(*ledger);
  auto asset = Add(*ledger, "m1", "asset", DataAsset("tax-db", "A"));
  ASSERT_TRUE(asset.Ok()) << asset.Err().ToString();
  EXPECT_EQ(asset->values.at("importance"), "A");
  EXPECT_EQ(asset->computed.at("effective_importance"), "A");

  // Japanese labels as keys and values as people type them.
  auto device = Add(*ledger, "m1", "device",
                    {{"管理番号", "pc-001"},
                     {"名称", "税務課 PC 1"},
                     {"種類", "パソコン"},
                     {"支給", "はい"},
                     {"所管課室等", "zeimu"},
                     {"使用者", "s1"},
                     {"ネットワーク領域", "LGWAN接続系"},
                     {"OS", "Windows 11"},
                     {"OSサポート終了日", "2031/10/14"},
                     {"多要素認証", "○"}});
  ASSERT_TRUE(device.Ok()) << device.Err().ToString();
  EXPECT_EQ(device->values.at("segment"), "lgwan");
  EXPECT_EQ(device->values.at("issued"), "true");
  EXPECT_EQ(device->values.at("mfa"), "true");
  EXPECT_EQ(device->values.at("os_end_of_support"), "2031-10-14");

  ASSERT_TRUE(
      Add(*ledger, "o1", "vendor", {{"code", "v-abc"}, {"name", "株式会社エービーシー"}}).Ok());
  auto contract = Add(*ledger, "m1", "contract",
                      {{"code", "k-2026-1"},
                       {"title", "税務システム保守"},
                       {"vendor", "v-abc"},
                       {"section", "zeimu"},
                       {"manager", "m1"},
                       {"scope", "運用保守"},
                       {"start_date", "2026-04-01"}});
  ASSERT_TRUE(contract.Ok()) << contract.Err().ToString();
  auto social = Add(*ledger, "c1", "social_media",
                    {{"code", "sns-1"},
                     {"service", "X"},
                     {"account", "@hannan_city"},
                     {"section", "joho"},
                     {"responsible", "c1"}});
  ASSERT_TRUE(social.Ok()) << social.Err().ToString();

  EXPECT_EQ(List(*ledger, "asset")->size(), 1u);
  EXPECT_EQ(List(*ledger, "device")->size(), 1u);
  EXPECT_EQ(List(*ledger, "contract")->size(), 1u);

  auto updated =
      Update(*ledger, "m1", "device", "pc-001", {{"os", "Windows 12"}, {"user_person", ""}});
  ASSERT_TRUE(updated.Ok()) << updated.Err().ToString();
  EXPECT_EQ(updated->values.at("os"), "Windows 12");
  EXPECT_EQ(updated->values.count("user_person"), 0u);
  EXPECT_EQ(updated->values.at("name"), "税務課 PC 1");  // untouched columns stay

  auto retired = Retire(*ledger, "m1", "device", "pc-001", "2026-11-30", "更新のため");
  ASSERT_TRUE(retired.Ok()) << retired.Err().ToString();
  EXPECT_TRUE(List(*ledger, "device")->empty());
  ReadOptions with_retired;
  with_retired.include_retired = true;
  EXPECT_EQ(List(*ledger, "device", with_retired)->size(), 1u);
  EXPECT_FALSE(Update(*ledger, "m1", "device", "pc-001", {{"os", "x"}}).Ok());
  EXPECT_FALSE(Retire(*ledger, "m1", "device", "pc-001", "", "").Ok());
}

// 2.2(1)①: a system holding data of several levels is treated at the highest.
TEST(RegistersTest, SystemTakesTheHighestLevelOfItsDataAndFollowsChanges) {
  TempLedger ledger("registers_highest");
  SeedOrganization(*ledger);
  ASSERT_TRUE(Add(*ledger, "m1", "asset", DataAsset("d-a", "A")).Ok());
  ASSERT_TRUE(Add(*ledger, "m1", "asset", DataAsset("d-c", "C")).Ok());
  auto system = Add(*ledger, "m1", "asset",
                    {{"code", "sys"},
                     {"name", "税務システム"},
                     {"kind", "system"},
                     {"owner_section", "zeimu"},
                     {"manager", "m1"},
                     {"holds", "d-c; d-a"}});
  ASSERT_TRUE(system.Ok()) << system.Err().ToString();
  EXPECT_EQ(system->values.count("importance"), 0u);  // never typed in
  EXPECT_EQ(system->computed.at("effective_importance"), "A");
  EXPECT_EQ(system->values.at("holds"), "d-c;d-a");
  // 2.1(2): the handling restrictions of 重要度Ａ apply.
  EXPECT_NE(system->computed.at("effective_handling").find("irrecoverable_disposal"),
            std::string::npos);
  EXPECT_NE(system->computed.at("effective_handling").find("locked_storage"), std::string::npos);

  // The A data is reclassified C: the system follows, with its own event.
  const auto seq = *ledger->Audit().LastSeq();
  ASSERT_TRUE(Update(*ledger, "m1", "asset", "d-a", {{"importance", "C"}}).Ok());
  auto after = *Get(*ledger, "asset", "sys");
  EXPECT_EQ(after.computed.at("effective_importance"), "C");
  const auto events = EventsAfter(*ledger, seq);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "asset.update");
  EXPECT_EQ(events[1].action, "asset.recompute");
  EXPECT_EQ(events[1].object_id, "sys");
  EXPECT_EQ(nlohmann::json::parse(events[1].state)["computed"]["effective_importance"], "C");

  // Back to B via a new held data asset; retiring it lowers the level again.
  ASSERT_TRUE(Add(*ledger, "m1", "asset", DataAsset("d-b", "B")).Ok());
  ASSERT_TRUE(Update(*ledger, "m1", "asset", "sys", {{"holds", "d-a;d-b;d-c"}}).Ok());
  EXPECT_EQ(Get(*ledger, "asset", "sys")->computed.at("effective_importance"), "B");
  ASSERT_TRUE(Retire(*ledger, "m1", "asset", "d-b", "", "廃棄").Ok());
  EXPECT_EQ(Get(*ledger, "asset", "sys")->computed.at("effective_importance"), "C");

  // A system's own level counts too; the higher of the two wins.
  ASSERT_TRUE(Update(*ledger, "m1", "asset", "sys", {{"importance", "B"}}).Ok());
  EXPECT_EQ(Get(*ledger, "asset", "sys")->computed.at("effective_importance"), "B");
}

TEST(RegistersTest, BadInputNamesEveryFieldAndStoresNothing) {
  TempLedger ledger("registers_bad");
  SeedOrganization(*ledger);
  ASSERT_TRUE(Add(*ledger, "m1", "asset", DataAsset("d-1", "A")).Ok());
  ASSERT_TRUE(Add(*ledger, "m1", "asset",
                  {{"code", "doc"},
                   {"name", "文書"},
                   {"kind", "document"},
                   {"importance", "B"},
                   {"owner_section", "zeimu"},
                   {"manager", "m1"}})
                  .Ok());
  const auto seq = *ledger->Audit().LastSeq();
  auto result = Add(*ledger, "m1", "asset",
                    {{"code", "d-1"},      // exists
                     {"kind", "data"},     // name missing; data needs a level
                     {"importance", "Z"},  // no such level
                     {"owner_section", "nowhere"},
                     {"manager", "nobody"},
                     {"segment", "moon"},
                     {"handling_restrictions", "no_such"},
                     {"holds", "doc"}});  // data holds nothing; doc is no data
  ASSERT_FALSE(result.Ok());
  EXPECT_EQ(Keys(result.Err()), (std::vector<std::string>{"code", "handling_restrictions", "holds",
                                                          "holds", "importance", "manager", "name",
                                                          "owner_section", "segment"}));
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq);
  EXPECT_EQ(List(*ledger, "asset")->size(), 2u);

  // Unknown and computed columns are named, and so is an unknown register.
  auto unknown = Add(*ledger, "m1", "asset", {{"colour", "red"}, {"effective_importance", "A"}});
  ASSERT_FALSE(unknown.Ok());
  EXPECT_EQ(Keys(unknown.Err()), (std::vector<std::string>{"colour", "effective_importance"}));
  auto no_register = Add(*ledger, "m1", "spaceships", {});
  ASSERT_FALSE(no_register.Ok());
  EXPECT_EQ(no_register.Err().Code(), ErrorCode::kNotFound);

  // Bad values of other types.
  auto device = Add(*ledger, "m1", "device",
                    {{"code", "pc 1"},
                     {"name", "x"},
                     {"device_type", "toaster"},
                     {"issued", "maybe"},
                     {"section", "zeimu"},
                     {"segment", "lgwan"},
                     {"os", "x"},
                     {"os_end_of_support", "2026-02-30"}});
  ASSERT_FALSE(device.Ok());
  EXPECT_EQ(Keys(device.Err()),
            (std::vector<std::string>{"code", "device_type", "issued", "os_end_of_support"}));
  EXPECT_EQ(*ledger->Audit().LastSeq(), seq);
}

TEST(RegistersTest, DeviceProblemsAreFlagged) {
  TempLedger ledger("registers_device_flags");  // today: 2026-12-01 JST
  SeedOrganization(*ledger);
  auto device = Add(*ledger, "m1", "device",
                    {{"code", "pc-old"},
                     {"name", "古い PC"},
                     {"device_type", "pc"},
                     {"issued", "true"},
                     {"section", "zeimu"},
                     {"segment", "mynumber"},
                     {"os", "Windows 10"},
                     {"os_end_of_support", "2025-10-14"},
                     {"antimalware_pattern_date", "2026-11-20"},
                     {"usb_write_block", "false"}});
  ASSERT_TRUE(device.Ok()) << device.Err().ToString();
  std::vector<std::string> flags;
  for (const auto& flag : device->flags) flags.push_back(flag.id + " " + flag.clause);
  EXPECT_EQ(flags,
            (std::vector<std::string>{"os_end_of_support 6.4(1)⑦", "pattern_outdated 6.4(2)②",
                                      "mfa_missing 3(1)②ア", "usb_write_not_blocked 3(1)②イ"}));
  // A longer allowance for the pattern file removes that flag only.
  ReadOptions lenient_options;
  lenient_options.pattern_max_age_days = 30;
  auto lenient = *Get(*ledger, "device", "pc-old", lenient_options);
  EXPECT_EQ(lenient.flags.size(), 3u);
  auto fixed = Update(*ledger, "m1", "device", "pc-old",
                      {{"os", "Windows 11"},
                       {"os_end_of_support", "2031-10-14"},
                       {"antimalware_pattern_date", "2026-12-01"},
                       {"mfa", "true"},
                       {"usb_write_block", "true"}});
  ASSERT_TRUE(fixed.Ok());
  EXPECT_TRUE(fixed->flags.empty());
}

TEST(RegistersTest, ContractChecklistListsTheClausesOf812) {
  TempLedger ledger("registers_contract");
  SeedOrganization(*ledger);
  ASSERT_TRUE(Add(*ledger, "o1", "vendor", {{"code", "v1"}, {"name", "委託先"}}).Ok());
  auto contract = Add(*ledger, "m1", "contract",
                      {{"code", "k1"},
                       {"title", "保守"},
                       {"vendor", "v1"},
                       {"section", "zeimu"},
                       {"manager", "m1"},
                       {"scope", "保守"},
                       {"start_date", "2026-04-01"}});
  ASSERT_TRUE(contract.Ok()) << contract.Err().ToString();
  ASSERT_EQ(contract->checklist.size(), 11u);
  EXPECT_EQ(contract->checklist[0].text_ja, "本ポリシーの遵守");
  EXPECT_FALSE(contract->checklist[0].checked);

  const auto seq = *ledger->Audit().LastSeq();
  auto checked = CheckContractClause(*ledger, "m1", "k1", "confidentiality", true, "第5条");
  ASSERT_TRUE(checked.Ok()) << checked.Err().ToString();
  const auto& item = checked->checklist[5];
  EXPECT_EQ(item.id, "confidentiality");
  EXPECT_TRUE(item.done);
  EXPECT_EQ(item.note, "第5条");
  EXPECT_EQ(item.checked_by, "m1");
  EXPECT_EQ(checked->computed.at("contract_clauses_missing").find("業務上知り得た情報"),
            std::string::npos);
  const auto events = EventsAfter(*ledger, seq);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "contract.clause_check");
  EXPECT_EQ(nlohmann::json::parse(events[0].state)["checklist"][5]["done"], true);

  EXPECT_FALSE(CheckContractClause(*ledger, "m1", "k1", "no_such_item", true, "").Ok());
  EXPECT_EQ(CheckContractClause(*ledger, "m1", "nope", "confidentiality", true, "").Err().Code(),
            ErrorCode::kNotFound);
  // A contract needs a vendor that exists.
  auto orphan = Add(*ledger, "m1", "contract",
                    {{"code", "k2"},
                     {"title", "x"},
                     {"vendor", "ghost"},
                     {"section", "zeimu"},
                     {"manager", "m1"},
                     {"scope", "x"},
                     {"start_date", "2026-04-01"}});
  ASSERT_FALSE(orphan.Ok());
  EXPECT_EQ(Keys(orphan.Err()), (std::vector<std::string>{"vendor"}));
}

EntryInput Visitor(const std::string& purpose, const std::string& escort) {
  EntryInput input;
  input.area = "server-room";
  input.visitor_name = "保守 太郎";
  input.visitor_organization = "株式会社エービーシー";
  input.purpose = purpose;
  input.escort = escort;
  input.id_checked = true;
  return input;
}

EntryInput Staff(const std::string& area, const std::string& person) {
  EntryInput input;
  input.area = area;
  input.person = person;
  input.purpose = "点検";
  input.id_checked = true;
  return input;
}

TEST(RegistersTest, ControlledAreaEntryLog) {
  TempLedger ledger("registers_entries");
  SeedOrganization(*ledger);
  ASSERT_TRUE(Add(*ledger, "c1", "controlled_area",
                  {{"code", "server-room"},
                   {"name", "サーバ室"},
                   {"section", "joho"},
                   {"manager", "c1"},
                   {"access_control", "入退室管理簿"}})
                  .Ok());
  // 4.2(2)③: a visitor needs an escort; every bad field is named.
  auto unescorted = RecordEntry(*ledger, "k1", Visitor("", ""));
  ASSERT_FALSE(unescorted.Ok());
  EXPECT_EQ(Keys(unescorted.Err()), (std::vector<std::string>{"escort", "purpose"}));

  auto visitor = RecordEntry(*ledger, "k1", Visitor("定期保守", "k1"));
  ASSERT_TRUE(visitor.Ok()) << visitor.Err().ToString();
  EXPECT_EQ(visitor->entered_utc, "2026-12-01T01:00:00Z");
  auto staff = RecordEntry(*ledger, "k1", Staff("server-room", "k1"));
  ASSERT_TRUE(staff.Ok()) << staff.Err().ToString();
  EXPECT_FALSE(RecordEntry(*ledger, "k1", Staff("server-room", "k1")).Ok());  // already inside

  ledger.clock().Advance(std::chrono::minutes(90));
  auto left = RecordExit(*ledger, "k1", visitor->id, "");
  ASSERT_TRUE(left.Ok()) << left.Err().ToString();
  EXPECT_EQ(left->exited_utc, "2026-12-01T02:30:00Z");
  EXPECT_FALSE(RecordExit(*ledger, "k1", visitor->id, "").Ok());
  EXPECT_FALSE(RecordExit(*ledger, "k1", staff->id, "2026-11-30T00:00:00Z").Ok());

  auto entries = *ListEntries(*ledger, "server-room", "", "");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].escort, "k1");
  EXPECT_EQ(entries[1].person, "k1");
  EXPECT_TRUE(entries[1].exited_utc.empty());
  EXPECT_EQ(ListEntries(*ledger, "", "2026-12-02", "")->size(), 0u);
  EXPECT_EQ(Keys(RecordEntry(*ledger, "k1", Staff("nowhere", "ghost")).Err()),
            (std::vector<std::string>{"area", "person"}));
}

TEST(RegistersTest, EveryChangeIsAnAuditEventWithTheFullState) {
  TempLedger ledger("registers_audit");
  SeedOrganization(*ledger);
  const auto seq = *ledger->Audit().LastSeq();
  ASSERT_TRUE(Add(*ledger, "m1", "media",
                  {{"code", "usb-1"},
                   {"name", "USB 1"},
                   {"media_type", "usb_memory"},
                   {"section", "zeimu"},
                   {"manager", "m1"},
                   {"encrypted", "true"}})
                  .Ok());
  ASSERT_TRUE(Update(*ledger, "m2", "media", "usb-1", {{"location", "金庫"}}).Ok());
  ASSERT_TRUE(Retire(*ledger, "m1", "media", "usb-1", "2026-11-30", "破損").Ok());
  const auto events = EventsAfter(*ledger, seq);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action, "media.add");
  EXPECT_EQ(events[1].action, "media.update");
  EXPECT_EQ(events[1].actor, "m2");
  EXPECT_EQ(events[2].action, "media.retire");
  for (const auto& event : events) {
    EXPECT_EQ(event.object_type, "media");
    EXPECT_EQ(event.object_id, "usb-1");
  }
  const auto state = nlohmann::json::parse(events[1].state);
  EXPECT_EQ(state["values"]["location"], "金庫");
  EXPECT_EQ(state["values"]["name"], "USB 1");  // the full state, not a diff
  EXPECT_EQ(state["values"]["encrypted"], "true");
  EXPECT_EQ(nlohmann::json::parse(events[2].state)["retired_reason"], "破損");
}

// Add, Update and Retire return the record as their change wrote it, and the
// change's audit event holds exactly that record's state: both must equal
// what reading the record back gives (a new record's state is built from the
// values written, not read back; this pins that the two never differ).
TEST(RegistersTest, EventStateAndResultAreTheRecordAsStored) {
  TempLedger ledger("registers_state_as_stored");
  SeedOrganization(*ledger);
  const auto check = [&](const Result<Record>& result, const std::string& register_id,
                         const std::string& action) {
    ASSERT_TRUE(result.Ok()) << result.Err().ToString();
    const auto stored = Get(*ledger, register_id, result->code, {.include_retired = true});
    ASSERT_TRUE(stored.Ok()) << stored.Err().ToString();
    EXPECT_EQ(RecordJson(*result).dump(), RecordJson(*stored).dump()) << result->code;
    EXPECT_EQ(result->id, stored->id);
    EXPECT_EQ(result->created_utc, stored->created_utc);
    EXPECT_EQ(result->updated_utc, stored->updated_utc);
    const auto events = EventsAfter(*ledger, 0);
    const auto event = std::find_if(events.rbegin(), events.rend(), [&](const audit::Event& e) {
      return e.object_type == register_id && e.object_id == result->code;
    });
    ASSERT_NE(event, events.rend()) << result->code;
    EXPECT_EQ(event->action, register_id + "." + action);
    EXPECT_EQ(event->state, RecordJson(*stored, /*with_flags=*/false).dump()) << result->code;
  };
  // Every kind of column: long text, segment, handling list (given out of
  // the profile's order), classification, count, bool, dates, flags.
  check(Add(*ledger, "m1", "asset",
            {{"code", "d-1"},
             {"name", "課税台帳"},
             {"kind", "data"},
             {"description", "  行頭の空白と\n改行  "},
             {"importance", "重要度Ｂ"},
             {"owner_section", "zeimu"},
             {"manager", "m1"},
             {"segment", "LGWAN接続系"},
             {"location", "サーバ室"},
             {"handling_restrictions", "backup; locked_storage"},
             {"retention", "5年"},
             {"note", "備考"}}),
        "asset", "add");
  check(Add(*ledger, "m1", "asset", DataAsset("d-2", "C")), "asset", "add");
  check(Add(*ledger, "m1", "asset",
            {{"code", "doc-1"}, {"name", "申請書"}, {"kind", "document"}, {"importance", "A"},
             {"owner_section", "zeimu"}, {"manager", "m1"}}),
        "asset", "add");
  // An asset with no level at all (a device asset) and one holding data.
  check(Add(*ledger, "m1", "asset",
            {{"code", "pc-asset"}, {"name", "端末"}, {"kind", "device"},
             {"owner_section", "zeimu"}, {"manager", "m1"}}),
        "asset", "add");
  check(Add(*ledger, "m1", "asset",
            {{"code", "sys"}, {"name", "税務システム"}, {"kind", "system"},
             {"owner_section", "zeimu"}, {"manager", "m1"}, {"holds", "d-2;d-1"}}),
        "asset", "add");
  check(Update(*ledger, "m1", "asset", "d-1", {{"importance", "A"}, {"segment", ""}}), "asset",
        "update");
  check(Update(*ledger, "m1", "asset", "sys", {{"holds", "d-2"}}), "asset", "update");
  check(Add(*ledger, "m1", "device",
            {{"code", "pc-1"},
             {"name", "税務課 PC 1"},
             {"device_type", "pc"},
             {"issued", "はい"},
             {"section", "zeimu"},
             {"user_person", "s1"},
             {"segment", "mynumber"},
             {"os", "Windows 10"},
             {"os_end_of_support", "2020/1/14"},
             {"mfa", "いいえ"}}),
        "device", "add");
  check(Add(*ledger, "m1", "software",
            {{"code", "sw-1"}, {"name", "表計算"}, {"section", "zeimu"},
             {"license_type", "サイトライセンス"}, {"license_count", "０１２"}, {"approved_by", "m1"}, {"approved_date", "2026-04-01"}, {"license_expiry", "2020-03-31"}}),
        "software", "add");
  check(Retire(*ledger, "m1", "asset", "d-2", "", "廃棄"), "asset", "retire");
}

TEST(RegistersTest, ListPageFiltersBySectionSearchesAndPagesInTheDatabase) {
  TempLedger ledger("registers_page");
  SeedOrganization(*ledger);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Add(*ledger, "m1", "asset", DataAsset("z-" + std::to_string(i), "B")).Ok());
  }
  Values care = DataAsset("k-1", "C");
  care["owner_section"] = "kaigo";
  care["manager"] = "m2";
  care["name"] = "介護_100%データ";
  ASSERT_TRUE(Add(*ledger, "m2", "asset", care).Ok());
  ASSERT_TRUE(Retire(*ledger, "m1", "asset", "z-4", "", "廃棄").Ok());

  PageQuery query;
  query.sections = std::vector<std::string>{"zeimu"};
  query.limit = 2;
  auto page = ListPage(*ledger, "asset", query);
  ASSERT_TRUE(page.Ok()) << page.Err().ToString();
  EXPECT_EQ(page->total, 4);  // z-4 is retired
  ASSERT_EQ(page->records.size(), 2U);
  EXPECT_EQ(page->records[0].code, "z-0");
  query.offset = 2;
  EXPECT_EQ(ListPage(*ledger, "asset", query)->records[0].code, "z-2");

  // Every section; the search's % and _ are literal characters.
  PageQuery search;
  search.q = "_100%";
  page = ListPage(*ledger, "asset", search);
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->records[0].code, "k-1");
  EXPECT_EQ(page->records[0].computed.at("effective_importance"), "C");
  search.q = "%";
  EXPECT_EQ(ListPage(*ledger, "asset", search)->total, 1);
  // No readable sections: nothing.
  PageQuery none;
  none.sections = std::vector<std::string>{};
  EXPECT_EQ(ListPage(*ledger, "asset", none)->total, 0);
}

}  // namespace
}  // namespace mamori::ledger::registers
