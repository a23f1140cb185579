#include "tabular/xlsx.h"

#include <stdlib.h>  // mkdtemp
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace mamori::tabular {
namespace {

// ---------------------------------------------------------------- writing

// Removes the private temporary directory whatever happens.
class TempDir {
 public:
  static Result<TempDir> Create() {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) {
      return Error(ErrorCode::kIo, "一時ディレクトリが見つかりません",
                   "no temporary directory: " + ec.message());
    }
    std::string pattern = (base / "mamori-xlsx-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Error(ErrorCode::kIo, "一時ディレクトリを作成できません",
                   "could not create a temporary directory under " + base.string(),
                   Where{base.string(), 0, ""});
    }
    return TempDir(std::filesystem::path(pattern));
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& Path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Owns an open lxw_workbook: workbook_close() both writes and frees it.
struct WorkbookCloser {
  void operator()(lxw_workbook* workbook) const { workbook_close(workbook); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookCloser>;

std::string CellName(std::size_t row, std::size_t column) {
  char name[LXW_MAX_CELL_NAME_LENGTH] = {};
  lxw_rowcol_to_cell(name, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(column));
  return name;
}

Error WriteError(std::string ja, std::string en, std::string key = {}, int row = 0) {
  return Error(ErrorCode::kInvalidArgument, std::move(ja), std::move(en),
               Where{"", row, std::move(key)});
}

// libxlsxwriter writes a string containing _xHHHH_ as is, and readers (Excel,
// ReadXlsx) decode it; so a literal "_x" before four hex digits and "_" is
// written as "_x005F_x…", which is how Excel itself stores it.
std::string EscapeXstring(std::string_view cell) {
  std::string out;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    const bool escape = cell.substr(i, 2) == "_x" && i + 7 <= cell.size() && cell[i + 6] == '_' &&
                        std::all_of(cell.begin() + static_cast<std::ptrdiff_t>(i) + 2,
                                    cell.begin() + static_cast<std::ptrdiff_t>(i) + 6, [](char c) {
                                      return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                                    });
    if (escape) out += "_x005F";
    out += cell[i];
  }
  return out;
}

}  // namespace

Result<std::string> WriteXlsx(const Table& table, std::string_view sheet_name) {
  return WriteXlsx(std::vector<Sheet>{{std::string(sheet_name), table}});
}

Result<std::string> WriteXlsx(const std::vector<Sheet>& sheets) {
  if (sheets.empty()) return WriteError("シートがありません", "no sheet to write");
  for (const Sheet& sheet : sheets) {
    if (sheet.table.header.empty()) {
      return WriteError("見出しのない表は書き出せません", "the table has no header", sheet.name);
    }
    if (sheet.table.header.size() > LXW_COL_MAX || sheet.table.rows.size() + 1 > LXW_ROW_MAX) {
      return WriteError(
          "Excel のシートに入りきらない大きさの表です（上限 1,048,576 行、16,384 列）",
          "the table does not fit in an Excel sheet (1,048,576 rows, 16,384 columns)", sheet.name);
    }
    if (sheet.name.empty() || sheet.name.find('\0') != std::string::npos) {
      return WriteError("シート名が正しくありません", "invalid sheet name", sheet.name);
    }
  }
  MAMORI_TRY(const TempDir dir, TempDir::Create());
  const std::filesystem::path file = dir.Path() / "out.xlsx";
  std::string tmpdir = dir.Path().string();
  {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = tmpdir.data();
    options.use_zip64 = LXW_FALSE;
    WorkbookPtr workbook(workbook_new_opt(file.c_str(), &options));
    if (!workbook) {
      return Error(ErrorCode::kInternal, "Excel ファイルを作成できません",
                   "libxlsxwriter could not create a workbook");
    }
    lxw_format* bold = workbook_add_format(workbook.get());
    if (bold == nullptr) {
      return Error(ErrorCode::kInternal, "書式を作成できません", "libxlsxwriter: no format");
    }
    format_set_bold(bold);
    std::string escaped;
    for (const Sheet& sheet : sheets) {
      const Table& table = sheet.table;
      if (const lxw_error e = workbook_validate_sheet_name(workbook.get(), sheet.name.c_str());
          e != LXW_NO_ERROR) {
        return WriteError(
            "シート名が正しくありません（31 文字以内で、[ ] : * ? / \\ を含まず、重複しないこと）",
            std::string("invalid sheet name: ") + lxw_strerror(e), sheet.name);
      }
      lxw_worksheet* worksheet = workbook_add_worksheet(workbook.get(), sheet.name.c_str());
      if (worksheet == nullptr) {
        return Error(ErrorCode::kInternal, "シートを作成できません",
                     "libxlsxwriter could not add the worksheet");
      }
      const auto write_row = [&](const std::vector<std::string>& cells, std::size_t row,
                                 lxw_format* format) -> Status {
        if (cells.size() != table.header.size()) {
          return WriteError("表の " + std::to_string(row + 1) + " 行目の列数が見出しと違います",
                            "table row " + std::to_string(row + 1) + " has " +
                                std::to_string(cells.size()) + " cells but the header has " +
                                std::to_string(table.header.size()),
                            "", static_cast<int>(row + 1));
        }
        for (std::size_t column = 0; column < cells.size(); ++column) {
          if (cells[column].find('\0') != std::string::npos) {
            return WriteError("NUL 文字を含むセルは書き出せません", "a cell contains a NUL character",
                              CellName(row, column), static_cast<int>(row + 1));
          }
          escaped = EscapeXstring(cells[column]);
          // Always a string cell: "=1+1" stays text, never becomes a formula.
          const lxw_error e =
              worksheet_write_string(worksheet, static_cast<lxw_row_t>(row),
                                     static_cast<lxw_col_t>(column), escaped.c_str(), format);
          if (e != LXW_NO_ERROR) {
            return WriteError("セルを書き出せません（Excel のセルは 32,767 文字まで）",
                              std::string("cannot write the cell: ") + lxw_strerror(e),
                              CellName(row, column), static_cast<int>(row + 1));
          }
        }
        return OkStatus();
      };
      MAMORI_TRY_STATUS(write_row(table.header, 0, bold));
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        MAMORI_TRY_STATUS(write_row(table.rows[r], r + 1, nullptr));
      }
      worksheet_freeze_panes(worksheet, 1, 0);
    }
    if (const lxw_error e = workbook_close(workbook.release()); e != LXW_NO_ERROR) {
      return Error(ErrorCode::kInternal, "Excel ファイルを書き出せません",
                   std::string("libxlsxwriter could not write the workbook: ") + lxw_strerror(e));
    }
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return Error(ErrorCode::kIo, "書き出した Excel ファイルを読めません",
                 "could not read back the written workbook", Where{file.string(), 0, ""});
  }
  return bytes;
}

// ---------------------------------------------------------------- reading

namespace {

constexpr std::size_t kMaxExcelColumns = 16384;
constexpr std::size_t kMaxExcelRows = 1048576;

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }  // read-only: nothing to write
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

// Everything a read needs to report an error and stay within its limits.
class Reader {
 public:
  Reader(std::string_view source, const Limits& limits) : source_(source), limits_(limits) {}

  Error Fail(std::string ja, std::string en, std::string key = {}, int row = 0,
             ErrorCode code = ErrorCode::kInvalidArgument) const {
    return Error(code, std::move(ja), std::move(en),
                 Where{std::string(source_), row, std::move(key)});
  }
  Error LimitError(std::string ja, std::string en, std::string key = {}, int row = 0) const {
    return Fail(std::move(ja), std::move(en), std::move(key), row, ErrorCode::kLimitExceeded);
  }

  Status Open(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
      zip_error_fini(&error);
      return Fail("Excel ファイルを開けません", "cannot open the workbook (libzip)", "", 0,
                  ErrorCode::kInternal);
    }
    archive_.reset(zip_open_from_source(source, ZIP_RDONLY, &error));
    if (!archive_) {
      zip_source_free(source);
      std::string detail = zip_error_strerror(&error);
      zip_error_fini(&error);
      return Fail("Excel ファイル（.xlsx）ではありません（ZIP として読めません）",
                  "not an .xlsx workbook: not a zip archive (" + detail + ")");
    }
    zip_error_fini(&error);
    return OkStatus();
  }

  bool Has(const std::string& name) const {
    return zip_name_locate(archive_.get(), name.c_str(), 0) >= 0;
  }

  // Reads one part, never more than the limits allow whatever the zip
  // directory claims, and refuses a DOCTYPE.
  Result<std::string> ReadPart(const std::string& name) {
    const zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), 0);
    if (index < 0) {
      return Fail("Excel ファイル（.xlsx）ではありません（" + name + " がありません）",
                  "not an .xlsx workbook: the part " + name + " is missing", name);
    }
    const std::size_t cap =
        std::min(limits_.max_part_bytes, limits_.max_total_part_bytes -
                                             std::min(total_read_, limits_.max_total_part_bytes));
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_.get(), static_cast<zip_uint64_t>(index), 0, &stat) == 0 &&
        (stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > cap) {
      return PartTooLarge(name);
    }
    ZipFilePtr file(zip_fopen_index(archive_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file) {
      return Fail("Excel ファイルの " + name + " を開けません（暗号化または壊れています）",
                  "cannot open the part " + name +
                      " (encrypted or damaged): " + zip_strerror(archive_.get()),
                  name);
    }
    std::string data;
    char chunk[65536];
    for (;;) {
      const zip_int64_t n = zip_fread(file.get(), chunk, sizeof(chunk));
      if (n < 0) {
        return Fail("Excel ファイルの " + name + " が壊れています",
                    "the part " + name + " is damaged: " + zip_file_strerror(file.get()), name);
      }
      if (n == 0) break;
      if (static_cast<std::size_t>(n) > cap - data.size()) return PartTooLarge(name);
      data.append(chunk, static_cast<std::size_t>(n));
    }
    total_read_ += data.size();
    if (ContainsDoctype(data)) {
      return Fail(
          "Excel ファイルの " + name + " に DOCTYPE 宣言があります。安全のため読み込みません",
          "the part " + name + " contains a DOCTYPE declaration; refused for safety", name);
    }
    return data;
  }

  Result<pugi::xml_document> ParsePart(const std::string& name) {
    MAMORI_TRY(const std::string data, ReadPart(name));
    pugi::xml_document document;
    // Default flags (no DOCTYPE, only the five predefined entities) plus
    // whitespace-only text, so that a cell holding " " keeps it.
    const pugi::xml_parse_result parsed = document.load_buffer(
        data.data(), data.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
    if (!parsed) {
      return Fail("Excel ファイルの " + name + " の XML が壊れています",
                  "malformed XML in " + name + " at byte " + std::to_string(parsed.offset) + ": " +
                      parsed.description(),
                  name);
    }
    return document;
  }

 private:
  static bool ContainsDoctype(std::string_view data) {
    constexpr std::string_view kNeedle = "<!doctype";
    const auto it = std::search(
        data.begin(), data.end(), kNeedle.begin(), kNeedle.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != data.end();
  }
  Error PartTooLarge(const std::string& name) const {
    return LimitError("Excel ファイルの " + name + " が大きすぎます（展開後の上限 " +
                          std::to_string(limits_.max_part_bytes) + " バイト、合計 " +
                          std::to_string(limits_.max_total_part_bytes) + " バイト）",
                      "the part " + name + " is too large when uncompressed (limit " +
                          std::to_string(limits_.max_part_bytes) + " bytes, " +
                          std::to_string(limits_.max_total_part_bytes) + " in total)",
                      name);
  }

  std::string_view source_;
  const Limits& limits_;
  ZipPtr archive_;
  std::size_t total_read_ = 0;
};

// Element names compared without their namespace prefix ("x:row" is "row").
std::string_view LocalName(const char* name) {
  const std::string_view full(name);
  const std::size_t colon = full.find(':');
  return colon == std::string_view::npos ? full : full.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view local) {
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local) return child;
  }
  return {};
}

template <typename F>
void ForEachChild(pugi::xml_node parent, std::string_view local, F&& f) {
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local) f(child);
  }
}

pugi::xml_node DocumentElement(const pugi::xml_document& document, std::string_view local) {
  const pugi::xml_node root = document.document_element();
  return root && LocalName(root.name()) == local ? root : pugi::xml_node();
}

// The text of an element: all its text and CDATA children.
std::string TextOf(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
  }
  return out;
}

void AppendUtf8(std::uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Decodes OOXML's ST_Xstring escapes: _xHHHH_ is the UTF-16 unit HHHH (Excel
// writes control characters, and a literal "_x", this way).
std::string DecodeXstring(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 2) == "_x" && i + 7 <= text.size() && text[i + 6] == '_') {
      std::uint32_t unit = 0;
      const char* first = text.data() + i + 2;
      const auto [end, ec] = std::from_chars(first, first + 4, unit, 16);
      if (ec == std::errc() && end == first + 4 && (unit < 0xD800 || unit > 0xDFFF)) {
        AppendUtf8(unit, &out);
        i += 7;
        continue;
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

// A shared or inline string: its plain <t>, or the <t> of every rich text run
// <r>; phonetic guides (<rPh>, furigana) are not part of the value.
std::string StringItem(pugi::xml_node item) {
  std::string out;
  for (pugi::xml_node child = item.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = LocalName(child.name());
    if (name == "t") {
      out += TextOf(child);
    } else if (name == "r") {
      out += TextOf(Child(child, "t"));
    }
  }
  return DecodeXstring(out);
}

// "3.0" and "3.00" → "3": Excel stores an integral number without a fraction.
std::string NumberText(std::string raw) {
  const std::size_t dot = raw.find('.');
  if (dot == std::string::npos || dot == 0) return raw;
  const std::string_view integral =
      std::string_view(raw).substr(raw[0] == '-' ? 1 : 0, dot - (raw[0] == '-' ? 1 : 0));
  const std::string_view fraction = std::string_view(raw).substr(dot + 1);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!integral.empty() && !fraction.empty() &&
      std::all_of(integral.begin(), integral.end(), is_digit) &&
      std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; })) {
    raw.resize(dot);
  }
  return raw;
}

std::string ColumnLetters(std::size_t column) {
  std::string letters;
  std::size_t n = column + 1;
  while (n > 0) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    n = (n - 1) / 26;
  }
  return letters;
}

struct CellRef {
  std::size_t column = 0;  // 0-based
  std::size_t row = 0;     // 1-based
};

// Parses "B3"; returns false unless it is a reference inside Excel's grid.
bool ParseCellRef(std::string_view text, CellRef* ref) {
  std::size_t i = 0;
  std::size_t column = 0;
  while (i < text.size() && text[i] >= 'A' && text[i] <= 'Z' && i < 3) {
    column = column * 26 + static_cast<std::size_t>(text[i] - 'A' + 1);
    ++i;
  }
  if (i == 0 || column > kMaxExcelColumns) return false;
  std::size_t row = 0;
  const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), row);
  if (ec != std::errc() || end != text.data() + text.size() || text[i] == '0' || row == 0 ||
      row > kMaxExcelRows) {
    return false;
  }
  ref->column = column - 1;
  ref->row = row;
  return true;
}

// "xl/" + "worksheets/sheet1.xml", or an absolute "/xl/…"; "." and ".."
// resolved. Returns "" if the target leaves the package.
std::string ResolveTarget(std::string_view target) {
  std::string joined =
      target.starts_with('/') ? std::string(target.substr(1)) : "xl/" + std::string(target);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    const std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

struct WorkbookParts {
  std::string sheet;           // e.g. "xl/worksheets/sheet1.xml"
  std::string shared_strings;  // "" when the workbook has none
};

Result<WorkbookParts> FindParts(Reader& reader) {
  const std::string workbook_name = "xl/workbook.xml";
  const std::string rels_name = "xl/_rels/workbook.xml.rels";
  if (!reader.Has(workbook_name) || !reader.Has(rels_name)) {
    return reader.Fail("Excel ファイル（.xlsx）ではありません（ブックの定義がありません）",
                       "not an .xlsx workbook: xl/workbook.xml or its relationships are missing");
  }
  MAMORI_TRY(const pugi::xml_document workbook, reader.ParsePart(workbook_name));
  MAMORI_TRY(const pugi::xml_document rels, reader.ParsePart(rels_name));
  const pugi::xml_node sheet =
      Child(Child(DocumentElement(workbook, "workbook"), "sheets"), "sheet");
  std::string sheet_id;
  for (const pugi::xml_attribute attribute : sheet.attributes()) {
    const std::string_view name = attribute.name();
    if (name.find(':') != std::string_view::npos && LocalName(attribute.name()) == "id") {
      sheet_id = attribute.value();
    }
  }
  if (!sheet || sheet_id.empty()) {
    return reader.Fail("Excel ファイルにシートがありません", "the workbook has no sheet",
                       workbook_name);
  }
  WorkbookParts parts;
  std::string sheet_type;
  ForEachChild(DocumentElement(rels, "Relationships"), "Relationship", [&](pugi::xml_node rel) {
    const std::string_view type = rel.attribute("Type").value();
    const std::string_view mode = rel.attribute("TargetMode").value();
    const std::string target =
        mode == "External" ? "" : ResolveTarget(rel.attribute("Target").value());
    if (rel.attribute("Id").value() == sheet_id) {
      parts.sheet = target;
      sheet_type = type;
    } else if (type.ends_with("/sharedStrings")) {
      parts.shared_strings = target;
    }
  });
  if (parts.sheet.empty() || !sheet_type.ends_with("/worksheet")) {
    return reader.Fail("Excel ファイルの最初のシートが見つからないか、ワークシートではありません",
                       "the first sheet is missing or is not a worksheet", rels_name);
  }
  return parts;
}

Result<std::vector<std::string>> ReadSharedStrings(Reader& reader, const std::string& name) {
  std::vector<std::string> strings;
  if (name.empty()) return strings;
  MAMORI_TRY(const pugi::xml_document document, reader.ParsePart(name));
  ForEachChild(DocumentElement(document, "sst"), "si",
               [&](pugi::xml_node item) { strings.push_back(StringItem(item)); });
  return strings;
}

struct Cell {
  std::size_t column;
  std::string ref;
  std::string value;
};

// Builds the Table from the rows of the sheet, one row at a time.
class TableBuilder {
 public:
  TableBuilder(const Reader& reader, const Limits& limits) : reader_(reader), limits_(limits) {}

  Status AddRow(int row, const std::vector<Cell>& cells) {
    if (std::all_of(cells.begin(), cells.end(), [](const Cell& c) { return c.value.empty(); })) {
      return OkStatus();
    }
    if (!have_header_) return SetHeader(row, cells);
    const std::size_t width = table_.header.size();
    std::vector<std::string> values(width);
    for (const Cell& cell : cells) {
      if (cell.value.empty()) continue;
      if (cell.column >= width) {
        return reader_.Fail("見出しのない列にデータがあります",
                            "a value right of the last header column", cell.ref, row);
      }
      values[cell.column] = cell.value;
    }
    cells_ += width;
    if (table_.rows.size() >= limits_.max_rows || cells_ > limits_.max_cells) {
      return reader_.LimitError("行が多すぎます（上限 " + std::to_string(limits_.max_rows) +
                                    " 行、" + std::to_string(limits_.max_cells) + " セル）",
                                "too many rows (limit " + std::to_string(limits_.max_rows) +
                                    " rows, " + std::to_string(limits_.max_cells) + " cells)",
                                "", row);
    }
    table_.rows.push_back(std::move(values));
    table_.row_lines.push_back(row);
    return OkStatus();
  }

  Result<Table> Finish() && {
    if (!have_header_) {
      return reader_.Fail("シートが空です（見出し行がありません）",
                          "the sheet is empty: there is no header row");
    }
    return std::move(table_);
  }

 private:
  Status SetHeader(int row, const std::vector<Cell>& cells) {
    std::size_t width = 0;
    for (const Cell& cell : cells) {
      if (!cell.value.empty()) width = std::max(width, cell.column + 1);
    }
    if (width > limits_.max_columns) {
      return reader_.LimitError(
          "列が多すぎます（上限 " + std::to_string(limits_.max_columns) + " 列）",
          "too many columns (limit " + std::to_string(limits_.max_columns) + ")", "", row);
    }
    table_.header.assign(width, "");
    for (const Cell& cell : cells) {
      if (cell.column < width) table_.header[cell.column] = cell.value;
    }
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < width; ++i) {
      const std::string ref = ColumnLetters(i) + std::to_string(row);
      if (table_.header[i].empty()) {
        return reader_.Fail("見出し行の列名が空です", "a header cell has no name", ref, row);
      }
      if (!seen.insert(table_.header[i]).second) {
        return reader_.Fail("見出し行に列名「" + table_.header[i] + "」が重複しています",
                            "header column name \"" + table_.header[i] + "\" appears twice", ref,
                            row);
      }
    }
    table_.header_line = row;
    have_header_ = true;
    return OkStatus();
  }

  const Reader& reader_;
  const Limits& limits_;
  Table table_;
  bool have_header_ = false;
  std::size_t cells_ = 0;
};

Result<std::string> CellValue(const Reader& reader, pugi::xml_node cell, const std::string& ref,
                              int row, const std::vector<std::string>& shared_strings) {
  const std::string_view type = cell.attribute("t").value();
  const std::string raw = TextOf(Child(cell, "v"));
  if (type == "s") {
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), index);
    if (ec != std::errc() || end != raw.data() + raw.size() || index >= shared_strings.size()) {
      return reader.Fail("共有文字列の番号 " + raw + " が正しくありません",
                         "invalid shared string index " + raw, ref, row);
    }
    return shared_strings[index];
  }
  if (type == "inlineStr") return StringItem(Child(cell, "is"));
  if (type == "str" || type == "e" || type == "d") return DecodeXstring(raw);
  if (type == "b")
    return raw == "1" ? std::string("TRUE") : raw == "0" ? std::string("FALSE") : raw;
  if (type.empty() || type == "n") return NumberText(raw);
  return reader.Fail("セルの種類 t=\"" + std::string(type) + "\" が分かりません",
                     "unknown cell type t=\"" + std::string(type) + "\"", ref, row);
}

}  // namespace

Result<Table> ReadXlsx(std::string_view bytes, std::string_view source_name) {
  return ReadXlsx(bytes, source_name, Limits{});
}

Result<Table> ReadXlsx(std::string_view bytes, std::string_view source_name, const Limits& limits) {
  Reader reader(source_name, limits);
  if (bytes.size() > limits.max_input_bytes) {
    return reader.LimitError(
        "ファイルが大きすぎます（上限 " + std::to_string(limits.max_input_bytes) + " バイト）",
        "file too large (limit " + std::to_string(limits.max_input_bytes) + " bytes)");
  }
  MAMORI_TRY_STATUS(reader.Open(bytes));
  MAMORI_TRY(const WorkbookParts parts, FindParts(reader));
  MAMORI_TRY(const std::vector<std::string> shared_strings,
             ReadSharedStrings(reader, parts.shared_strings));
  MAMORI_TRY(const pugi::xml_document sheet, reader.ParsePart(parts.sheet));
  const pugi::xml_node sheet_data = Child(DocumentElement(sheet, "worksheet"), "sheetData");
  if (!sheet_data) {
    return reader.Fail("シートにデータ部分（sheetData）がありません",
                       "the worksheet has no sheetData", parts.sheet);
  }
  TableBuilder builder(reader, limits);
  std::size_t previous_row = 0;
  std::vector<Cell> cells;
  for (pugi::xml_node row = sheet_data.first_child(); row; row = row.next_sibling()) {
    if (row.type() != pugi::node_element || LocalName(row.name()) != "row") continue;
    std::size_t row_number = previous_row + 1;
    if (const pugi::xml_attribute r = row.attribute("r")) {
      const std::string_view text = r.value();
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), row_number);
      if (ec != std::errc() || end != text.data() + text.size()) row_number = 0;
    }
    if (row_number <= previous_row || row_number > kMaxExcelRows) {
      return reader.Fail(
          "行番号 " + std::string(row.attribute("r").value()) + " が正しくありません",
          "invalid or out-of-order row number " + std::string(row.attribute("r").value()),
          parts.sheet, static_cast<int>(std::min(previous_row + 1, kMaxExcelRows)));
    }
    previous_row = row_number;
    const int line = static_cast<int>(row_number);
    cells.clear();
    std::size_t next_column = 0;
    for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || LocalName(c.name()) != "c") continue;
      CellRef ref{next_column, row_number};
      std::string ref_text;
      if (const pugi::xml_attribute r = c.attribute("r")) {
        ref_text = r.value();
        if (!ParseCellRef(ref_text, &ref) || ref.row != row_number || ref.column < next_column) {
          return reader.Fail("セル参照 " + ref_text + " が正しくありません",
                             "invalid or out-of-order cell reference " + ref_text, ref_text, line);
        }
      } else {
        ref_text = ColumnLetters(ref.column) + std::to_string(row_number);
        if (ref.column >= kMaxExcelColumns) {
          return reader.Fail("列が多すぎます", "too many cells in the row", ref_text, line);
        }
      }
      next_column = ref.column + 1;
      MAMORI_TRY(std::string value, CellValue(reader, c, ref_text, line, shared_strings));
      if (value.empty()) continue;
      if (value.size() > limits.max_cell_bytes) {
        return reader.LimitError(
            "セルが大きすぎます（上限 " + std::to_string(limits.max_cell_bytes) + " バイト）",
            "cell too large (limit " + std::to_string(limits.max_cell_bytes) + " bytes)", ref_text,
            line);
      }
      if (ref.column >= limits.max_columns) {
        return reader.LimitError(
            "列が多すぎます（上限 " + std::to_string(limits.max_columns) + " 列）",
            "too many columns (limit " + std::to_string(limits.max_columns) + ")", ref_text, line);
      }
      cells.push_back(Cell{ref.column, std::move(ref_text), std::move(value)});
    }
    MAMORI_TRY_STATUS(builder.AddRow(line, cells));
  }
  return std::move(builder).Finish();
}

}  // namespace mamori::tabular
