#include "ledger/registers/spec.h"

#include "ledger/validate.h"

namespace mamori::ledger::registers {
namespace {

enum Need { kOptional, kRequired };

// Designated initializers would leave members out, which -Wextra reports; one
// constructor-like helper instead.
FieldSpec Make(std::string_view id, std::string_view label, FieldType type, Need need,
               std::size_t max_bytes = kMaxName, std::string_view clause = {}) {
  FieldSpec field;
  field.id = id;
  field.label_ja = label;
  field.type = type;
  field.required = need == kRequired;
  field.max_bytes = max_bytes;
  field.clause = clause;
  return field;
}

FieldSpec CodeField(std::string_view label) {
  return Make("code", label, FieldType::kCode, kRequired, kMaxCode);
}
FieldSpec Text(std::string_view id, std::string_view label, Need need,
               std::string_view clause = {}) {
  return Make(id, label, FieldType::kText, need, kMaxName, clause);
}
FieldSpec LongText(std::string_view id, std::string_view label, Need need,
                   std::string_view clause = {}) {
  return Make(id, label, FieldType::kLongText, need, 4000, clause);
}
FieldSpec Date(std::string_view id, std::string_view label, Need need, std::string_view clause = {},
               PastDateFlag flag = {}) {
  FieldSpec field = Make(id, label, FieldType::kDate, need, kMaxName, clause);
  field.past_flag = flag;
  return field;
}
FieldSpec Bool(std::string_view id, std::string_view label, Need need,
               std::string_view clause = {}) {
  return Make(id, label, FieldType::kBool, need, kMaxName, clause);
}
FieldSpec Enum(std::string_view id, std::string_view label, std::vector<Choice> choices,
               std::string_view clause = {}) {
  FieldSpec field = Make(id, label, FieldType::kEnum, kRequired, kMaxName, clause);
  field.choices = std::move(choices);
  return field;
}
FieldSpec Of(FieldType type, std::string_view id, std::string_view label, Need need,
             std::string_view clause = {}) {
  return Make(id, label, type, need, kMaxName, clause);
}
FieldSpec Ref(std::string_view id, std::string_view label, std::string_view target, Need need,
              std::string_view clause = {}) {
  FieldSpec field = Make(id, label, FieldType::kRecord, need, kMaxName, clause);
  field.target = target;
  return field;
}
FieldSpec RefList(std::string_view id, std::string_view label, std::string_view target,
                  std::string_view target_kind, std::string_view clause) {
  FieldSpec field = Make(id, label, FieldType::kRecordList, kOptional, kMaxText, clause);
  field.target = target;
  field.target_kind = target_kind;
  return field;
}
FieldSpec Note() { return LongText("note", "備考", kOptional); }

std::vector<RegisterSpec> MakeRegisters() {
  std::vector<RegisterSpec> specs;

  // 情報資産台帳: 2.1 分類, 2.2(1) 管理責任, 2.2(2)② 分類と取扱制限.
  specs.push_back(
      {.id = "asset",
       .table = "assets",
       .label_ja = "情報資産台帳",
       .label_en = "information assets",
       .clauses = {"2.1(1)", "2.1(2)", "2.2(1)①", "2.2(2)②", "2.2(4)③"},
       .fields = {
           CodeField("管理番号"),
           Text("name", "名称", kRequired),
           Enum("kind", "種別",
                {{"system", "情報システム"},
                 {"media", "記録媒体"},
                 {"device", "パソコン等"},
                 {"data", "電子データ"},
                 {"document", "文書"}},
                "2.1(1)"),
           LongText("description", "概要", kOptional),
           Of(FieldType::kClassification, "classification", "分類", kOptional, "2.1(1)"),
           Of(FieldType::kSection, "owner_section", "所管課室等", kRequired, "2.2(1)①"),
           Of(FieldType::kPerson, "manager", "管理責任者", kRequired, "2.2(1)①"),
           Of(FieldType::kSegment, "segment", "ネットワーク領域", kOptional, "3"),
           Text("location", "保管・設置場所", kOptional, "2.2(5)"),
           Of(FieldType::kHandlingList, "handling_restrictions", "取扱制限", kOptional, "2.1(2)"),
           Text("retention", "保存期間", kOptional),
           RefList("holds", "保有データ", "asset", "data", "2.2(1)①"),
           Note(),
       }});

  // パソコン等: 5.1(1)④イ 支給以外, 6.4 不正プログラム対策, 3(1)② マイナンバー利用事務系.
  specs.push_back(
      {.id = "device",
       .table = "devices",
       .label_ja = "パソコン等",
       .label_en = "PCs and mobile devices",
       .clauses = {"5.1(1)④イ", "6.4(1)⑦", "6.4(2)②", "3(1)②ア", "3(1)②イ"},
       .fields = {
           CodeField("管理番号"),
           Text("name", "名称", kRequired),
           Enum("device_type", "種類",
                {{"pc", "パソコン"}, {"mobile", "モバイル端末"}, {"other", "その他"}}),
           Bool("issued", "支給", kRequired, "5.1(1)④イ"),
           Of(FieldType::kSection, "section", "所管課室等", kRequired),
           Of(FieldType::kPerson, "user_person", "使用者", kOptional),
           Of(FieldType::kSegment, "segment", "ネットワーク領域", kRequired, "3"),
           Text("os", "OS", kRequired),
           Date("os_end_of_support", "OSサポート終了日", kOptional, "6.4(1)⑦",
                {"os_end_of_support", "6.4(1)⑦", "OS の開発元のサポートが終了しています",
                 "the OS is past its end of support"}),
           Date("antimalware_pattern_date", "パターンファイル日付", kOptional, "6.4(2)②"),
           Bool("usb_write_block", "USB書込制御", kOptional, "3(1)②イ"),
           Bool("mfa", "多要素認証", kOptional, "3(1)②ア"),
           Text("serial", "製造番号", kOptional),
           Text("location", "設置場所", kOptional),
           Note(),
       }});

  // 記録媒体: 5.1(1)④ア 許可された記録媒体, 2.2(5)② 書込禁止.
  specs.push_back({.id = "media",
                   .table = "media",
                   .label_ja = "記録媒体",
                   .label_en = "authorized media",
                   .clauses = {"5.1(1)④ア", "2.2(5)②", "6.4(2)④"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("name", "名称", kRequired),
                       Enum("media_type", "種類",
                            {{"usb_memory", "USBメモリ"},
                             {"external_disk", "外付けディスク"},
                             {"optical", "光ディスク"},
                             {"sd_card", "SDカード"},
                             {"other", "その他"}}),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "manager", "管理責任者", kRequired),
                       Bool("encrypted", "暗号化", kOptional, "2.2(7)①"),
                       Bool("write_protected", "書込禁止", kOptional, "2.2(5)②"),
                       Of(FieldType::kSegment, "segment", "ネットワーク領域", kOptional),
                       Text("location", "保管場所", kOptional, "2.2(5)④"),
                       Date("issued_date", "交付日", kOptional),
                       Note(),
                   }});

  // ソフトウェア: 6.1(14) 無許可ソフトウェアの導入等の禁止 (ライセンス管理).
  specs.push_back({.id = "software",
                   .table = "software",
                   .label_ja = "ソフトウェア",
                   .label_en = "approved software and licenses",
                   .clauses = {"6.1(14)", "6.4(1)⑦"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("name", "ソフトウェア名", kRequired),
                       Text("version", "バージョン", kOptional),
                       Text("publisher", "開発元", kOptional),
                       Enum("license_type", "ライセンス形態",
                            {{"per_device", "端末ライセンス"},
                             {"per_user", "利用者ライセンス"},
                             {"site", "サイトライセンス"},
                             {"subscription", "サブスクリプション"},
                             {"free", "無償"},
                             {"other", "その他"}},
                            "6.1(14)"),
                       Of(FieldType::kCount, "license_count", "ライセンス数", kOptional, "6.1(14)"),
                       Date("license_expiry", "ライセンス期限", kOptional, "6.1(14)",
                            {"license_expired", "6.1(14)", "ライセンスの期限が過ぎています",
                             "the license has expired"}),
                       Date("support_end", "サポート終了日", kOptional, "6.4(1)⑦",
                            {"support_ended", "6.4(1)⑦", "開発元のサポートが終了しています",
                             "the publisher's support has ended"}),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "approved_by", "承認者", kRequired, "6.1(14)"),
                       Date("approved_date", "承認日", kRequired, "6.1(14)"),
                       Of(FieldType::kSegment, "segment", "ネットワーク領域", kOptional),
                       Note(),
                   }});

  // 外部委託事業者: 8.1(1) 選定基準.
  specs.push_back(
      {.id = "vendor",
       .table = "vendors",
       .label_ja = "外部委託事業者",
       .label_en = "vendors",
       .clauses = {"8.1(1)"},
       .fields = {
           CodeField("事業者コード"),
           Text("name", "事業者名", kRequired),
           Text("address", "所在地", kOptional),
           Text("contact", "連絡先", kOptional),
           Bool("selection_checked", "選定時のセキュリティ対策確認", kOptional, "8.1(1)①"),
           Text("certification", "認証取得状況", kOptional, "8.1(1)①"),
           Note(),
       }});

  // 委託契約: 8.1(2) 契約項目 (the checklist), 8.1(3) 確認及び措置.
  specs.push_back(
      {.id = "contract",
       .table = "contracts",
       .label_ja = "委託契約",
       .label_en = "outsourcing contracts",
       .clauses = {"8.1(2)", "8.1(3)"},
       .fields = {
           CodeField("契約番号"),
           Text("title", "件名", kRequired),
           Ref("vendor", "委託先", "vendor", kRequired, "8.1(2)"),
           Of(FieldType::kSection, "section", "所管課室等", kRequired),
           Of(FieldType::kPerson, "manager", "情報セキュリティ管理者", kRequired, "8.1(3)"),
           LongText("scope", "委託内容", kRequired, "8.1(2)"),
           Text("work_place", "作業場所", kOptional, "8.1(2)"),
           Text("vendor_responsible", "委託先責任者", kOptional, "8.1(2)"),
           Date("start_date", "契約開始日", kRequired),
           Date("end_date", "契約終了日", kOptional),
           Bool("subcontracting", "再委託", kOptional, "8.1(2)"),
           Date("last_check_date", "最終確認日", kOptional, "8.1(3)"),
           Note(),
       }});

  // 外部サービス: 8.2 約款による外部サービス, 8.1(1)② クラウドサービス.
  specs.push_back({.id = "service",
                   .table = "services",
                   .label_ja = "外部サービス",
                   .label_en = "terms-based and cloud services",
                   .clauses = {"8.2(1)", "8.2(2)", "8.1(1)②"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("name", "サービス名", kRequired),
                       Enum("service_type", "区分",
                            {{"terms", "約款による外部サービス"}, {"cloud", "クラウドサービス"}}),
                       Text("provider", "提供者", kOptional),
                       LongText("purpose", "利用目的", kOptional, "8.2(1)②"),
                       Text("scope", "利用範囲", kOptional, "8.2(1)①"),
                       Of(FieldType::kClassification, "classification", "取り扱う情報の分類",
                          kOptional, "8.2(1)"),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "manager", "責任者", kRequired),
                       Bool("risk_checked", "約款・リスクの確認", kOptional, "8.2(2)"),
                       Date("approved_date", "利用承認日", kOptional, "8.2(2)"),
                       Note(),
                   }});

  // ソーシャルメディア: 8.3.
  specs.push_back({.id = "social_media",
                   .table = "social_media_accounts",
                   .label_ja = "ソーシャルメディアアカウント",
                   .label_en = "social-media accounts",
                   .clauses = {"8.3①", "8.3③"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("service", "サービス名", kRequired),
                       Text("account", "アカウント名", kRequired),
                       Text("url", "URL", kOptional),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "responsible", "責任者", kRequired, "8.3③"),
                       Bool("impersonation_measure", "なりすまし対策", kOptional, "8.3①ア"),
                       Bool("credential_management", "認証情報の管理", kOptional, "8.3①イ"),
                       Date("start_date", "運用開始日", kOptional),
                       Note(),
                   }});

  // 外部ネットワーク接続: 6.1(10).
  specs.push_back({.id = "external_network",
                   .table = "external_connections",
                   .label_ja = "外部ネットワーク接続",
                   .label_en = "external network connections",
                   .clauses = {"6.1(10)"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("name", "接続名", kRequired),
                       Text("counterparty", "接続先", kRequired, "6.1(10)②"),
                       LongText("purpose", "接続目的", kOptional),
                       Of(FieldType::kSegment, "segment", "ネットワーク領域", kRequired),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "manager", "管理責任者", kRequired, "6.1(10)①"),
                       Of(FieldType::kPerson, "approved_by", "許可者", kOptional, "6.1(10)①"),
                       Date("approved_date", "許可日", kOptional, "6.1(10)①"),
                       Bool("firewall", "ファイアウォール設置", kOptional, "6.1(10)④"),
                       Bool("liability_in_contract", "損害賠償責任の担保", kOptional, "6.1(10)③"),
                       Note(),
                   }});

  // 管理区域: 4.2(1); entries in area_entries (4.2(2)).
  specs.push_back({.id = "controlled_area",
                   .table = "controlled_areas",
                   .label_ja = "管理区域",
                   .label_en = "controlled areas",
                   .clauses = {"4.2(1)", "4.2(2)①"},
                   .fields = {
                       CodeField("管理番号"),
                       Text("name", "名称", kRequired),
                       Text("location", "所在", kOptional),
                       Of(FieldType::kSection, "section", "所管課室等", kRequired),
                       Of(FieldType::kPerson, "manager", "管理責任者", kRequired, "4.2(2)①"),
                       Enum("access_control", "入退室管理の方法",
                            {{"card", "カード認証"},
                             {"biometric", "生体認証"},
                             {"logbook", "入退室管理簿"},
                             {"other", "その他"}},
                            "4.2(2)①"),
                       Note(),
                   }});
  return specs;
}

}  // namespace

const FieldSpec* RegisterSpec::Field(std::string_view field_id) const {
  for (const auto& field : fields) {
    if (field.id == field_id) return &field;
  }
  return nullptr;
}

const std::vector<RegisterSpec>& Registers() {
  static const std::vector<RegisterSpec> kSpecs = MakeRegisters();
  return kSpecs;
}

const RegisterSpec* FindRegister(std::string_view name) {
  for (const auto& spec : Registers()) {
    if (spec.id == name || spec.label_ja == name) return &spec;
  }
  return nullptr;
}

std::string RegisterIds() {
  std::string ids;
  for (const auto& spec : Registers()) ids += (ids.empty() ? "" : ", ") + std::string(spec.id);
  return ids;
}

std::vector<Column> Columns(const policy::Profile& profile, const RegisterSpec& spec) {
  std::vector<Column> columns;
  const auto& axes = profile.classification.axes;
  bool classified = false;
  for (const auto& field : spec.fields) {
    if (field.type != FieldType::kClassification) {
      columns.push_back({std::string(field.id), std::string(field.label_ja), &field, -1, false});
      continue;
    }
    classified = true;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      // With one axis the column keeps the field's own label when the axis
      // has no title; otherwise the axis title (重要度, 機密性, ...).
      std::string label = axes[a].title.empty() ? std::string(field.label_ja) : axes[a].title;
      columns.push_back({axes[a].id, label, &field, static_cast<int>(a), false});
    }
  }
  if (spec.id == "asset" && classified) {
    // 2.2(1)①, 2.2(4)③: computed, never typed in.
    for (std::size_t a = 0; a < axes.size(); ++a) {
      columns.push_back({std::string(kEffectivePrefix) + axes[a].id,
                         (axes[a].title.empty() ? axes[a].id : axes[a].title) + "（実効）",
                         spec.Field("classification"), static_cast<int>(a), true});
    }
    columns.push_back({std::string(kEffectiveHandling), "取扱制限（実効）",
                       spec.Field("handling_restrictions"), -1, true});
  }
  if (spec.id == "contract") {
    columns.push_back(
        {std::string(kContractMissing), "契約項目の未確認（8.1(2)）", nullptr, -1, true});
  }
  return columns;
}

namespace {
std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // U+3000 IDEOGRAPHIC SPACE, which Japanese input methods type.
  while (text.size() >= 3 && text.substr(0, 3) == "\xE3\x80\x80") text.remove_prefix(3);
  while (text.size() >= 3 && text.substr(text.size() - 3) == "\xE3\x80\x80") text.remove_suffix(3);
  return text;
}
}  // namespace

const Column* FindColumn(const std::vector<Column>& columns, std::string_view name) {
  name = Trim(name);
  for (const auto& column : columns) {
    if (column.id == name || column.label_ja == name) return &column;
  }
  return nullptr;
}

const std::vector<ContractClauseItem>& ContractClauseItems() {
  // 8.1(2) 契約項目, in the order the 対策基準 lists them.
  static const std::vector<ContractClauseItem> kItems{
      {"policy_compliance", "本ポリシーの遵守"},
      {"responsible_scope_place", "外部委託事業者の責任者、委託内容及び作業場所の特定"},
      {"no_other_use", "提供された情報の目的外利用及び受託者以外の者への提供の禁止"},
      {"no_copy", "情報資産の複写及び複製の禁止"},
      {"storage_transport", "情報資産の厳重な保管及び搬送"},
      {"confidentiality", "業務上知り得た情報の守秘義務"},
      {"subcontract_limits", "再委託に関する制限事項の遵守"},
      {"return_disposal", "委託業務終了時の情報資産の返還、廃棄等"},
      {"reporting", "委託業務の定期報告及び緊急時報告義務"},
      {"audit_inspection", "市による監査、検査"},
      {"breach_provisions", "本ポリシーが遵守されなかった場合の規定（損害賠償等）"},
  };
  return kItems;
}

}  // namespace mamori::ledger::registers
