// Office Open XML (3(2)① ウ): the package is rebuilt from its relationships.
//
// Starting at _rels/.rels, every relationship is judged: macro code (VBA),
// Excel 4 macro and dialog sheets, ActiveX, embedded OLE objects, custom UI,
// templates, external workbook links, data connections, alternative-format
// chunks and every TargetMode="External" relationship are removed; a part is
// kept only if a kept relationship reaches it, so anything unreferenced is
// dropped. Each kept XML part is parsed (pugixml, no DOCTYPE: a part that has
// one is refused), the elements that pointed at removed relationships are
// removed or unwrapped so that no r:id dangles, DDE and remote-fetching Word
// fields and Excel formulas that reach outside the workbook are neutralized,
// and the part is written again. Macro-enabled formats are written as their
// macro-free counterparts with [Content_Types].xml rebuilt for the kept parts.
// Embedded OOXML packages (chart data) are sanitized one level deeper.
#include <pugixml.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "sanitize/formats.h"
#include "sanitize/ooxml/zip_package.h"

namespace mamori::sanitize {
namespace {

using ooxml::LowerAscii;
using ooxml::ZipPackage;
using ooxml::ZipWriter;

// ------------------------------------------------------------ namespaces

enum class Ns : std::uint8_t {
  kOther, kW, kS, kP, kA, kR, kO, kV, kC, kMc, kPackageRels, kContentTypes,
};

Ns NsFromUri(std::string_view uri) {
  static constexpr std::pair<std::string_view, Ns> kUris[] = {
      {"http://schemas.openxmlformats.org/wordprocessingml/2006/main", Ns::kW},
      {"http://purl.oclc.org/ooxml/wordprocessingml/main", Ns::kW},
      {"http://schemas.openxmlformats.org/spreadsheetml/2006/main", Ns::kS},
      {"http://purl.oclc.org/ooxml/spreadsheetml/main", Ns::kS},
      {"http://schemas.openxmlformats.org/presentationml/2006/main", Ns::kP},
      {"http://purl.oclc.org/ooxml/presentationml/main", Ns::kP},
      {"http://schemas.openxmlformats.org/drawingml/2006/main", Ns::kA},
      {"http://purl.oclc.org/ooxml/drawingml/main", Ns::kA},
      {"http://schemas.openxmlformats.org/officeDocument/2006/relationships", Ns::kR},
      {"http://purl.oclc.org/ooxml/officeDocument/relationships", Ns::kR},
      {"urn:schemas-microsoft-com:office:office", Ns::kO},
      {"urn:schemas-microsoft-com:vml", Ns::kV},
      {"http://schemas.openxmlformats.org/drawingml/2006/chart", Ns::kC},
      {"http://purl.oclc.org/ooxml/drawingml/chart", Ns::kC},
      {"http://schemas.openxmlformats.org/markup-compatibility/2006", Ns::kMc},
      {"http://schemas.openxmlformats.org/package/2006/relationships", Ns::kPackageRels},
      {"http://schemas.openxmlformats.org/package/2006/content-types", Ns::kContentTypes},
  };
  for (const auto& [known, ns] : kUris) {
    if (uri == known) return ns;
  }
  return Ns::kOther;
}

std::string_view PrefixOf(std::string_view qualified) {
  const std::size_t colon = qualified.find(':');
  return colon == std::string_view::npos ? std::string_view() : qualified.substr(0, colon);
}

std::string_view LocalOf(std::string_view qualified) {
  const std::size_t colon = qualified.find(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

// The namespace a prefix is bound to at `node` (xmlns declarations of the
// node and its ancestors); Office accepts any prefix, so names are matched by
// namespace, never by prefix.
Ns Resolve(pugi::xml_node node, std::string_view prefix, bool is_attribute) {
  if (prefix.empty() && is_attribute) return Ns::kOther;
  const std::string declaration = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node at = node; at && at.type() == pugi::node_element; at = at.parent()) {
    const pugi::xml_attribute attribute = at.attribute(declaration.c_str());
    if (attribute) return NsFromUri(attribute.value());
  }
  return Ns::kOther;
}

Ns NsOf(pugi::xml_node node) { return Resolve(node, PrefixOf(node.name()), false); }

bool Is(pugi::xml_node node, Ns ns, std::string_view local) {
  return node.type() == pugi::node_element && LocalOf(node.name()) == local && NsOf(node) == ns;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return upper;
}

// ------------------------------------------------------------ XML in and out

bool HasDoctype(std::string_view data) {
  static const std::string kUtf16Le("<\0!\0D\0O\0C\0T\0Y\0P\0E", 17);
  static const std::string kUtf16Be("\0<\0!\0D\0O\0C\0T\0Y\0P\0E", 17);
  return data.find("<!DOCTYPE") != std::string_view::npos ||
         data.find(kUtf16Le) != std::string_view::npos ||
         data.find(kUtf16Be) != std::string_view::npos;
}

// Default flags (no DOCTYPE, only the predefined entities) plus
// whitespace-only text, which Word needs (<w:t xml:space="preserve"> </w:t>).
constexpr unsigned kParseFlags = (pugi::parse_default | pugi::parse_ws_pcdata) &
                                 ~static_cast<unsigned>(pugi::parse_doctype);

std::string SaveXml(const pugi::xml_document& document) {
  struct Writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } writer;
  writer.out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
  document.save(writer, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return std::move(writer.out);
}

// ------------------------------------------------------------ part names

// "word/document.xml" → "word/_rels/document.xml.rels"; "" (the package) → "_rels/.rels".
std::string RelsNameFor(std::string_view part) {
  const std::size_t slash = part.rfind('/');
  if (slash == std::string_view::npos) return "_rels/" + std::string(part) + ".rels";
  return std::string(part.substr(0, slash + 1)) + "_rels/" + std::string(part.substr(slash + 1)) +
         ".rels";
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The part a relationship of `source` targets, without the leading '/'; empty
// when the target leaves the package or is not a part name.
std::string ResolveTarget(std::string_view source, std::string_view target) {
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (target.empty() || target.find(':') != std::string_view::npos ||
      target.find('\\') != std::string_view::npos || StartsWith(target, "//")) {
    return {};
  }
  std::vector<std::string> segments;
  if (target.front() != '/') {
    const std::size_t slash = source.rfind('/');
    if (slash != std::string_view::npos) {
      std::string_view dir = source.substr(0, slash);
      std::size_t start = 0;
      while (start <= dir.size()) {
        std::size_t end = dir.find('/', start);
        if (end == std::string_view::npos) end = dir.size();
        segments.emplace_back(dir.substr(start, end - start));
        start = end + 1;
      }
    }
  }
  std::size_t start = target.front() == '/' ? 1 : 0;
  while (start <= target.size()) {
    std::size_t end = target.find('/', start);
    if (end == std::string_view::npos) end = target.size();
    const std::string_view segment = target.substr(start, end - start);
    if (segment == "..") {
      if (segments.empty()) return {};
      segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.emplace_back(segment);
    }
    start = end + 1;
  }
  std::string name;
  for (const auto& segment : segments) {
    if (!name.empty()) name += '/';
    name += segment;
  }
  return name;
}

bool IsRelsOrContentTypes(std::string_view name) {
  const std::string lower = LowerAscii(name);
  return lower == "[content_types].xml" || EndsWith(lower, ".rels");
}

// ------------------------------------------------------------ content types

struct ContentTypes {
  std::map<std::string, std::string> defaults;   // lower-case extension → type
  std::map<std::string, std::string> overrides;  // lower-case part name → type

  // The part's content type and whether it came from an Override.
  std::string Of(std::string_view part, bool* from_override) const {
    const auto found = overrides.find(LowerAscii(part));
    if (found != overrides.end()) {
      *from_override = true;
      return found->second;
    }
    *from_override = false;
    const std::size_t dot = part.rfind('.');
    const std::size_t slash = part.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
      return {};
    }
    const auto by_extension = defaults.find(LowerAscii(part.substr(dot + 1)));
    return by_extension == defaults.end() ? std::string() : by_extension->second;
  }
};

bool IsXmlContentType(std::string_view type) {
  const std::string lower = LowerAscii(type);
  return EndsWith(lower, "+xml") || lower == "application/xml" || lower == "text/xml" ||
         lower == "application/vnd.openxmlformats-officedocument.vmldrawing";
}

// Content types of parts that are code or reach outside, whatever the
// relationship that points at them says.
std::string_view BlockedContentType(std::string_view type) {
  static constexpr std::pair<std::string_view, std::string_view> kBlocked[] = {
      {"vbaproject", "vba_project"},
      {"vbadata", "vba_data"},
      {"keymapcustomizations", "macro_key_map"},
      {"activex", "activex"},
      {"oleobject", "ole_object"},
      {"macrosheet", "excel4_macro_sheet"},
      {"dialogsheet", "dialog_sheet"},
      {"externallink", "external_workbook_link"},
      {"connections", "data_connection"},
      {"querytable", "query_table"},
      {"x-msdownload", "executable"},
      {"x-msdos-program", "executable"},
  };
  const std::string lower = LowerAscii(type);
  for (const auto& [needle, what] : kBlocked) {
    if (lower.find(needle) != std::string::npos) return what;
  }
  return {};
}

// The macro-free main part content type for each macro-enabled one.
struct MainType {
  FileType from;
  FileType to;
  std::string_view content_type;
};
constexpr MainType kMacroFree[] = {
    {FileType::kDocm, FileType::kDocx,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"},
    {FileType::kDotm, FileType::kDotx,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"},
    {FileType::kXlsm, FileType::kXlsx,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"},
    {FileType::kXltm, FileType::kXltx,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"},
    {FileType::kPptm, FileType::kPptx,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"},
    {FileType::kPotm, FileType::kPotx,
     "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"},
    {FileType::kPpsm, FileType::kPpsx,
     "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"},
};

bool IsMacroFreeOoxml(FileType type) {
  return type == FileType::kDocx || type == FileType::kDotx || type == FileType::kXlsx ||
         type == FileType::kXltx || type == FileType::kPptx || type == FileType::kPotx ||
         type == FileType::kPpsx;
}

// ------------------------------------------------------------ relationships

enum class RelDecision : std::uint8_t { kKeep, kRemove, kEmbeddedPackage };

struct RelRule {
  std::string_view type_suffix;  // last segment(s) of the relationship type, lower case
  std::string_view what;         // report kind when removed
};

// Relationship types whose targets are removed (internal or external).
constexpr RelRule kRemovedTypes[] = {
    {"/vbaproject", "vba_project"},
    {"/vbaprojectsignature", "vba_project"},
    {"/vbaprojectsignatureagile", "vba_project"},
    {"/vbaprojectsignaturev3", "vba_project"},
    {"/wordvbadata", "vba_data"},
    {"/keymapcustomizations", "macro_key_map"},
    {"/activexcontrol", "activex"},
    {"/activexcontrolbinary", "activex"},
    {"/control", "activex"},
    {"/oleobject", "ole_object"},
    {"/ui/extensibility", "custom_ui"},
    {"/ui/usercustomization", "custom_ui"},
    {"/attachedtemplate", "template"},
    {"/externallink", "external_workbook_link"},
    {"/externallinkpath", "external_workbook_link"},
    {"/connections", "data_connection"},
    {"/querytable", "query_table"},
    {"/xlmacrosheet", "excel4_macro_sheet"},
    {"/xlintlmacrosheet", "excel4_macro_sheet"},
    {"/dialogsheet", "dialog_sheet"},
    {"/afchunk", "alt_chunk"},
    {"/subdocument", "sub_document"},
    {"/printersettings", "printer_settings"},
    {"/digital-signature/origin", "digital_signature"},
    {"/digital-signature/signature", "digital_signature"},
    {"/mailmergesource", "mail_merge_source"},
    {"/mailmergeheadersource", "mail_merge_source"},
    {"/recipientdata", "mail_merge_source"},
};

std::string_view ExternalWhat(std::string_view type) {
  static constexpr RelRule kExternal[] = {
      {"/attachedtemplate", "remote_template"},
      {"/hyperlink", "external_hyperlink"},
      {"/image", "remote_image"},
      {"/oleobject", "linked_ole_object"},
      {"/externallinkpath", "external_workbook_link"},
      {"/subdocument", "remote_sub_document"},
      {"/frame", "remote_frame"},
  };
  for (const auto& rule : kExternal) {
    if (EndsWith(type, rule.type_suffix)) return rule.what;
  }
  return "external_relationship";
}

// ------------------------------------------------------------ the rebuild

struct OutPart {
  std::string name;                          // as in the input zip
  std::string content_type;
  bool from_override = false;
  std::unique_ptr<pugi::xml_document> xml;   // parsed parts, written at the end
  std::string data;                          // binary parts
};

class Rebuilder {
 public:
  Rebuilder(ZipPackage& package, Context& context, FileType type)
      : package_(package), context_(context), type_(type) {}

  FormatResult Run();

 private:
  // Refusal while walking: the first one wins.
  void Fail(Reason reason, std::string detail) {
    if (reason_ == Reason::kNone) {
      reason_ = reason;
      detail_ = std::move(detail);
    }
  }
  void Count(const std::string& part, std::string_view what, int count = 1) {
    removals_[{part, std::string(what)}] += count;
  }

  std::unique_ptr<pugi::xml_document> LoadXml(const ZipPackage::Entry& entry);
  void ProcessPart(const std::string& name);  // "" is the package itself
  void ProcessRels(const std::string& source, std::set<std::string>* removed_ids);
  RelDecision Judge(const std::string& source, pugi::xml_node relationship,
                 std::string* target_part, std::string* what);
  bool KeepEmbeddedPackage(const std::string& part_name);
  void Neutralize(const std::string& part, pugi::xml_document& document,
                  const std::set<std::string>& removed_ids);
  void NeutralizeFields(const std::string& part, pugi::xml_node root);
  void NeutralizeFormulas(const std::string& part, pugi::xml_node root);
  void NeutralizeActions(const std::string& part, pugi::xml_node root);
  bool FixWorkbook(const std::string& part, pugi::xml_node workbook);
  void Doom(pugi::xml_node node) {
    if (node && doomed_.insert(node.internal_object()).second) doomed_order_.push_back(node);
  }
  bool Doomed(pugi::xml_node node) const {
    for (; node; node = node.parent()) {
      if (doomed_.count(node.internal_object()) != 0) return true;
    }
    return false;
  }
  void RemoveDoomed(pugi::xml_node root);
  std::string BuildContentTypes() const;

  ZipPackage& package_;
  Context& context_;
  FileType type_;
  FormatResult result_;
  Reason reason_ = Reason::kNone;
  std::string detail_;
  ContentTypes content_types_;
  std::string main_part_;
  std::deque<std::string> queue_;
  std::set<std::string> seen_;          // lower-case part names queued or written
  std::vector<OutPart> parts_;          // in the order written
  std::map<std::string, std::unique_ptr<pugi::xml_document>> rels_;  // rels part name → doc
  std::map<std::pair<std::string, std::string>, int> removals_;
  std::unordered_set<void*> doomed_;
  std::vector<pugi::xml_node> doomed_order_;
  std::vector<std::string> removed_sheets_;
  bool workbook_changed_ = false;
  int notes_external_ = 0;
};

std::unique_ptr<pugi::xml_document> Rebuilder::LoadXml(const ZipPackage::Entry& entry) {
  std::string data;
  std::string detail;
  if (const Reason reason = package_.Read(entry, context_, &data, &detail);
      reason != Reason::kNone) {
    Fail(reason, detail);
    return nullptr;
  }
  if (HasDoctype(data)) {
    Fail(Reason::kUnsupportedPart, entry.name + " has a DOCTYPE declaration (entities refused)");
    return nullptr;
  }
  auto document = std::make_unique<pugi::xml_document>();
  const pugi::xml_parse_result parsed = document->load_buffer(data.data(), data.size(),
                                                              kParseFlags);
  if (!parsed || !document->document_element()) {
    Fail(Reason::kMalformed, "malformed XML in " + entry.name + " at byte " +
                                 std::to_string(parsed.offset) + ": " + parsed.description());
    return nullptr;
  }
  return document;
}

bool Rebuilder::KeepEmbeddedPackage(const std::string& part_name) {
  const ZipPackage::Entry* entry = package_.Find(part_name);
  if (entry == nullptr) return false;
  std::string data;
  std::string detail;
  if (const Reason reason = package_.Read(*entry, context_, &data, &detail);
      reason != Reason::kNone) {
    if (reason != Reason::kMalformed) Fail(reason, detail);
    return false;
  }
  Outcome child = context_.SanitizeChild(data, entry->name);
  const bool keep = child.report.verdict != Verdict::kRefused &&
                    IsMacroFreeOoxml(child.report.detected);
  if (keep) {
    OutPart out;
    out.name = entry->name;
    bool from_override = false;
    out.content_type = content_types_.Of(entry->name, &from_override);
    out.from_override = from_override;
    out.data = std::move(child.output);
    parts_.push_back(std::move(out));
    if (child.report.verdict == Verdict::kSanitized) result_.verdict = Verdict::kSanitized;
  }
  result_.children.push_back(std::move(child.report));
  return keep;
}

RelDecision Rebuilder::Judge(const std::string& source, pugi::xml_node relationship,
                          std::string* target_part, std::string* what) {
  const std::string type = LowerAscii(relationship.attribute("Type").value());
  const std::string_view target = relationship.attribute("Target").value();
  const std::string_view mode = relationship.attribute("TargetMode").value();
  if (LowerAscii(mode) == "external") {
    *what = ExternalWhat(type);
    ++notes_external_;
    return RelDecision::kRemove;
  }
  *target_part = ResolveTarget(source, target);
  for (const auto& rule : kRemovedTypes) {
    if (EndsWith(type, rule.type_suffix)) {
      *what = rule.what;
      if (*what == "excel4_macro_sheet" || *what == "dialog_sheet") workbook_changed_ = true;
      return RelDecision::kRemove;
    }
  }
  if (target_part->empty() || IsRelsOrContentTypes(*target_part)) {
    *what = "invalid_target";
    return RelDecision::kRemove;
  }
  const ZipPackage::Entry* entry = package_.Find(*target_part);
  if (entry == nullptr) {
    const std::string decoded = PercentDecode(*target_part);
    entry = package_.Find(decoded);
    if (entry != nullptr) *target_part = decoded;
  }
  if (entry == nullptr) {
    *what = "missing_part";
    return RelDecision::kRemove;
  }
  *target_part = entry->name;
  bool from_override = false;
  const std::string content_type = content_types_.Of(entry->name, &from_override);
  if (content_type.empty()) {
    *what = "untyped_part";
    return RelDecision::kRemove;
  }
  if (const std::string_view blocked = BlockedContentType(content_type); !blocked.empty()) {
    *what = blocked;
    return RelDecision::kRemove;
  }
  if (EndsWith(type, "/package")) {
    *what = "embedded_package";
    return RelDecision::kEmbeddedPackage;
  }
  return RelDecision::kKeep;
}

void Rebuilder::ProcessRels(const std::string& source, std::set<std::string>* removed_ids) {
  const std::string rels_name = RelsNameFor(source);
  const ZipPackage::Entry* entry = package_.Find(rels_name);
  if (entry == nullptr) {
    if (source.empty()) Fail(Reason::kMalformed, "no _rels/.rels: not an OOXML package");
    return;
  }
  auto document = LoadXml(*entry);
  if (!document) return;
  pugi::xml_node root = document->document_element();
  if (LocalOf(root.name()) != "Relationships") {
    Fail(Reason::kMalformed, rels_name + " is not a Relationships part");
    return;
  }
  std::set<std::string> ids;
  std::vector<pugi::xml_node> removed;
  const std::string report_part = source.empty() ? rels_name : source;
  for (pugi::xml_node relationship : root.children()) {
    if (relationship.type() != pugi::node_element) continue;
    if (LocalOf(relationship.name()) != "Relationship") {
      removed.push_back(relationship);
      continue;
    }
    const std::string id = relationship.attribute("Id").value();
    if (id.empty() || !ids.insert(id).second) {
      Fail(Reason::kMalformed, rels_name + ": missing or repeated relationship Id " + id);
      return;
    }
    std::string target;
    std::string what;
    RelDecision verdict = Judge(source, relationship, &target, &what);
    if (verdict == RelDecision::kKeep || verdict == RelDecision::kEmbeddedPackage) {
      const std::string key = LowerAscii(target);
      if (seen_.count(key) != 0) {
        verdict = RelDecision::kKeep;  // already kept (or already judged as a package)
      } else if (verdict == RelDecision::kEmbeddedPackage) {
        seen_.insert(key);
        if (KeepEmbeddedPackage(target)) {
          verdict = RelDecision::kKeep;
        } else {
          seen_.erase(key);
          verdict = RelDecision::kRemove;
        }
        if (reason_ != Reason::kNone) return;
      } else {
        seen_.insert(key);
        queue_.push_back(target);
      }
      if (verdict == RelDecision::kKeep && source.empty() &&
          EndsWith(LowerAscii(relationship.attribute("Type").value()), "/officedocument") &&
          main_part_.empty()) {
        main_part_ = target;
      }
    }
    if (verdict == RelDecision::kRemove) {
      removed_ids->insert(id);
      removed.push_back(relationship);
      std::string part = report_part;
      if (!target.empty() && what != "missing_part" && what != "invalid_target") part = target;
      if (what == "external_workbook_link" && !target.empty()) {
        // A DDE link is an external link part holding <ddeLink>.
        if (const ZipPackage::Entry* link = package_.Find(target); link != nullptr) {
          std::string data;
          std::string detail;
          if (package_.Read(*link, context_, &data, &detail) == Reason::kNone &&
              data.find("ddeLink") != std::string::npos) {
            what = "dde_link";
          }
        }
      }
      if (what == "external_workbook_link" || what == "dde_link" ||
          what == "data_connection" || what == "query_table") {
        workbook_changed_ = true;
      }
      Count(part, what);
    }
  }
  for (pugi::xml_node node : removed) root.remove_child(node);
  rels_[entry->name] = std::move(document);
}

FormatResult Rebuilder::Run() {
  // [Content_Types].xml
  const ZipPackage::Entry* types_entry = package_.Find("[Content_Types].xml");
  if (types_entry == nullptr) return Refuse(Reason::kMalformed, "no [Content_Types].xml");
  {
    auto types = LoadXml(*types_entry);
    if (!types) return Refuse(reason_, detail_);
    for (pugi::xml_node node : types->document_element().children()) {
      const std::string_view local = LocalOf(node.name());
      const std::string content_type = node.attribute("ContentType").value();
      if (local == "Default") {
        content_types_.defaults[LowerAscii(node.attribute("Extension").value())] = content_type;
      } else if (local == "Override") {
        std::string_view part = node.attribute("PartName").value();
        if (StartsWith(part, "/")) part.remove_prefix(1);
        content_types_.overrides[LowerAscii(part)] = content_type;
      }
    }
  }

  std::set<std::string> package_removed;
  ProcessRels("", &package_removed);
  if (reason_ != Reason::kNone) return Refuse(reason_, detail_);
  if (main_part_.empty()) return Refuse(Reason::kMalformed, "no main document part");

  while (!queue_.empty()) {
    if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
      return Refuse(reason, "time limit while rebuilding the package");
    }
    const std::string name = queue_.front();
    queue_.pop_front();
    ProcessPart(name);
    if (reason_ != Reason::kNone) return Refuse(reason_, detail_);
  }

  // The calculation chain is a cache of formula cells; when formulas or
  // sheets went away it would point at nothing, and Excel rebuilds it.
  if (workbook_changed_) {
    for (auto& [rels_name, document] : rels_) {
      std::vector<pugi::xml_node> chains;
      for (pugi::xml_node relationship : document->document_element().children()) {
        if (EndsWith(LowerAscii(relationship.attribute("Type").value()), "/calcchain")) {
          chains.push_back(relationship);
        }
      }
      for (pugi::xml_node relationship : chains) {
        std::string source = rels_name;
        // "xl/_rels/workbook.xml.rels" → "xl/workbook.xml"
        const std::size_t rels_dir = source.rfind("_rels/");
        source = source.substr(0, rels_dir) + source.substr(rels_dir + 6);
        source.resize(source.size() - 5);
        const std::string target =
            ResolveTarget(source, relationship.attribute("Target").value());
        document->document_element().remove_child(relationship);
        parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                                    [&](const OutPart& part) {
                                      return LowerAscii(part.name) == LowerAscii(target);
                                    }),
                     parts_.end());
        Count(target, "calc_chain");
      }
    }
  }

  // Write: content types, package relationships, then parts and their rels.
  ZipWriter writer;
  bool added = writer.Add("[Content_Types].xml", BuildContentTypes());
  for (const auto& [rels_name, document] : rels_) {
    // Keep rels parts only for parts that are kept (and the package's).
    std::string source = rels_name;
    const std::size_t rels_dir = source.rfind("_rels/");
    source = source.substr(0, rels_dir) + source.substr(rels_dir + 6);
    source.resize(source.size() - 5);
    const bool kept =
        source.empty() || std::any_of(parts_.begin(), parts_.end(), [&](const OutPart& part) {
          return LowerAscii(part.name) == LowerAscii(source);
        });
    if (!kept || !document->document_element().first_child()) continue;
    added = added && writer.Add(rels_name, SaveXml(*document));
  }
  for (auto& part : parts_) {
    added = added && writer.Add(part.name, part.xml ? SaveXml(*part.xml) : std::move(part.data));
  }
  std::string output;
  std::string detail;
  if (!added) return Refuse(Reason::kMalformed, "two parts with the same name");
  if (!writer.Finish(&output, &detail)) {
    return Refuse(Reason::kMalformed, "cannot write the rebuilt package: " + detail);
  }

  FormatResult result = std::move(result_);
  result.output = std::move(output);
  for (const auto& [key, count] : removals_) result.Remove(key.first, key.second, count);
  for (const MainType& main : kMacroFree) {
    if (main.from == type_) result.output_type = main.to;
  }
  int vba = 0;
  for (const auto& [key, count] : removals_) {
    if (key.second == "vba_project" || key.second == "excel4_macro_sheet") vba += count;
  }
  if (vba > 0) result.notes_ja.push_back("マクロを削除しました");
  if (notes_external_ > 0) {
    result.notes_ja.push_back("外部への参照 " + std::to_string(notes_external_) +
                              " 件を削除しました");
  }
  return result;
}

std::string Rebuilder::BuildContentTypes() const {
  pugi::xml_document document;
  pugi::xml_node types = document.append_child("Types");
  types.append_attribute("xmlns") = "http://schemas.openxmlformats.org/package/2006/content-types";
  std::map<std::string, std::string> defaults = {
      {"rels", "application/vnd.openxmlformats-package.relationships+xml"}};
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& part : parts_) {
    std::string content_type = part.content_type;
    bool from_override = part.from_override;
    if (LowerAscii(part.name) == LowerAscii(main_part_)) {
      for (const MainType& main : kMacroFree) {
        if (main.from == type_) {
          content_type = main.content_type;
          from_override = true;
        }
      }
    }
    const std::size_t dot = part.name.rfind('.');
    const std::size_t slash = part.name.rfind('/');
    const bool has_extension =
        dot != std::string::npos && (slash == std::string::npos || dot > slash);
    if (!from_override && has_extension) {
      const std::string extension = LowerAscii(part.name.substr(dot + 1));
      const auto found = defaults.find(extension);
      if (found == defaults.end()) {
        defaults[extension] = content_type;
        continue;
      }
      if (found->second == content_type) continue;
    }
    overrides.emplace_back("/" + part.name, content_type);
  }
  for (const auto& [extension, content_type] : defaults) {
    pugi::xml_node node = types.append_child("Default");
    node.append_attribute("Extension") = extension.c_str();
    node.append_attribute("ContentType") = content_type.c_str();
  }
  for (const auto& [name, content_type] : overrides) {
    pugi::xml_node node = types.append_child("Override");
    node.append_attribute("PartName") = name.c_str();
    node.append_attribute("ContentType") = content_type.c_str();
  }
  return SaveXml(document);
}

void Rebuilder::ProcessPart(const std::string& name) {
  const ZipPackage::Entry* entry = package_.Find(name);
  if (entry == nullptr) return;  // judged already
  std::set<std::string> removed_ids;
  ProcessRels(name, &removed_ids);
  if (reason_ != Reason::kNone) return;

  OutPart out;
  out.name = entry->name;
  bool from_override = false;
  out.content_type = content_types_.Of(entry->name, &from_override);
  out.from_override = from_override;
  if (IsXmlContentType(out.content_type)) {
    out.xml = LoadXml(*entry);
    if (!out.xml) return;
    Neutralize(entry->name, *out.xml, removed_ids);
  } else {
    std::string detail;
    if (const Reason reason = package_.Read(*entry, context_, &out.data, &detail);
        reason != Reason::kNone) {
      Fail(reason, detail);
      return;
    }
  }
  parts_.push_back(std::move(out));
}

// ------------------------------------------------------------ neutralizing

void Rebuilder::RemoveDoomed(pugi::xml_node root) {
  // Remove from the outside in: a node whose ancestor goes is gone with it.
  std::vector<pugi::xml_node> outermost;
  for (pugi::xml_node node : doomed_order_) {
    bool ancestor_doomed = false;
    for (pugi::xml_node at = node.parent(); at; at = at.parent()) {
      if (doomed_.count(at.internal_object()) != 0) {
        ancestor_doomed = true;
        break;
      }
    }
    if (!ancestor_doomed) outermost.push_back(node);
  }
  std::unordered_set<void*> done;
  for (pugi::xml_node node : outermost) {
    if (!done.insert(node.internal_object()).second) continue;
    if (node.parent()) node.parent().remove_child(node);
  }
  doomed_.clear();
  doomed_order_.clear();
  (void)root;
}

void Rebuilder::Neutralize(const std::string& part, pugi::xml_document& document,
                           const std::set<std::string>& removed_ids) {
  pugi::xml_node root = document.document_element();
  auto doom = [this](pugi::xml_node node) { Doom(node); };
  auto ancestor = [](pugi::xml_node node, Ns ns, std::string_view local) {
    for (pugi::xml_node at = node.parent(); at; at = at.parent()) {
      if (Is(at, ns, local)) return at;
    }
    return pugi::xml_node();
  };

  if (!removed_ids.empty()) {
    // Every element that names a removed relationship (r:* attributes, VML o:relid).
    std::vector<std::pair<pugi::xml_node, pugi::xml_attribute>> hits;
    struct Walker : pugi::xml_tree_walker {
      const std::set<std::string>* ids;
      std::vector<std::pair<pugi::xml_node, pugi::xml_attribute>>* hits;
      bool for_each(pugi::xml_node& node) override {
        if (node.type() != pugi::node_element) return true;
        for (pugi::xml_attribute attribute : node.attributes()) {
          if (ids->count(attribute.value()) == 0) continue;
          const std::string_view qualified = attribute.name();
          const std::string_view prefix = PrefixOf(qualified);
          if (prefix.empty() || prefix == "xmlns") continue;
          const Ns ns = Resolve(node, prefix, true);
          if (ns == Ns::kR || (ns == Ns::kO && LocalOf(qualified) == "relid")) {
            hits->emplace_back(node, attribute);
          }
        }
        return true;
      }
    } walker;
    walker.ids = &removed_ids;
    walker.hits = &hits;
    root.traverse(walker);
    // The root itself is not visited by traverse().
    for (pugi::xml_attribute attribute : root.attributes()) {
      const std::string_view prefix = PrefixOf(attribute.name());
      if (removed_ids.count(attribute.value()) != 0 && !prefix.empty() &&
          Resolve(root, prefix, true) == Ns::kR) {
        root.remove_attribute(attribute);
      }
    }

    for (auto& [node, attribute] : hits) {
      const Ns ns = NsOf(node);
      const std::string_view local = LocalOf(node.name());
      if (ns == Ns::kW && local == "hyperlink") {
        // Keep the linked text, drop the link.
        while (node.first_child()) node.parent().insert_move_before(node.first_child(), node);
        doom(node);
      } else if ((ns == Ns::kA && local == "blip") || (ns == Ns::kV && local == "imagedata") ||
                 (ns == Ns::kV && local == "fill") || (ns == Ns::kS && local == "pageSetup") ||
                 (ns == Ns::kW && local == "pgSz")) {  // NOLINT(bugprone-branch-clone): by element
        node.remove_attribute(attribute);
      } else if (ns == Ns::kW && (local == "dataSource" || local == "headerSource" ||
                                  local == "src" || local == "recipientData")) {
        const pugi::xml_node merge = ancestor(node, Ns::kW, "mailMerge");
        doom(merge ? merge : node);
      } else if (ns == Ns::kS && (local == "oleObject" || local == "control")) {
        const pugi::xml_node list =
            ancestor(node, Ns::kS, local == "control" ? "controls" : "oleObjects");
        doom(list ? list : node);
      } else if (ns == Ns::kP && local == "oleObj") {
        pugi::xml_node frame = ancestor(node, Ns::kP, "graphicFrame");
        if (frame && Is(frame.parent(), Ns::kMc, "Choice")) frame = frame.parent().parent();
        if (frame && Is(frame.parent(), Ns::kMc, "Fallback")) frame = frame.parent().parent();
        doom(frame ? frame : node);
      } else if (ns == Ns::kS && local == "sheet") {
        removed_sheets_.push_back(node.attribute("name").value());
        doom(node);
      } else if (ns == Ns::kP && local == "sldId") {
        doom(node);
        Count(part, "slide_without_part");
      } else if (node == root) {
        node.remove_attribute(attribute);
      } else {
        // w:attachedTemplate, w:altChunk, w:subDoc, w:control, w:objectEmbed,
        // o:OLEObject, a:hlinkClick, s:hyperlink, s:externalReference,
        // c:externalData, p:control, ... : the element goes.
        doom(node);
      }
    }
  }

  if (Is(root, Ns::kS, "workbook")) {
    if (!FixWorkbook(part, root)) return;
  }
  NeutralizeFields(part, root);
  NeutralizeFormulas(part, root);
  NeutralizeActions(part, root);
  RemoveDoomed(root);

  // Containers left empty.
  struct Empties : pugi::xml_tree_walker {
    std::vector<pugi::xml_node> empty;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() != pugi::node_element) return true;
      static constexpr std::pair<Ns, std::string_view> kContainers[] = {
          {Ns::kS, "externalReferences"}, {Ns::kS, "hyperlinks"}, {Ns::kS, "oleObjects"},
          {Ns::kS, "controls"},           {Ns::kS, "tableParts"}, {Ns::kP, "controls"},
          {Ns::kS, "definedNames"},
      };
      for (const auto& [ns, local] : kContainers) {
        if (Is(node, ns, local) && !node.find_child([](pugi::xml_node child) {
              return child.type() == pugi::node_element;
            })) {
          empty.push_back(node);
        }
      }
      if (Is(node, Ns::kS, "tableParts")) {
        int count = 0;
        for (pugi::xml_node child : node.children()) {
          if (child.type() == pugi::node_element) ++count;
        }
        if (node.attribute("count")) node.attribute("count") = count;
      }
      return true;
    }
  } empties;
  root.traverse(empties);
  for (pugi::xml_node node : empties.empty) node.parent().remove_child(node);
}

// Word fields that run or fetch something: DDE/DDEAUTO run a program through
// DDE, INCLUDETEXT/INCLUDEPICTURE/LINK/IMPORT fetch files or URLs. A field
// whose instruction starts with a nested field is treated the same: its
// keyword is computed when the document is opened.
bool DangerousFieldInstruction(std::string_view instruction, std::string* what) {
  std::size_t start = instruction.find_first_not_of(" \t\r\n\"");
  if (start == std::string_view::npos) {
    *what = "computed_field";
    return true;
  }
  std::size_t end = instruction.find_first_of(" \t\r\n\"\\", start);
  if (end == std::string_view::npos) end = instruction.size();
  const std::string keyword = Upper(instruction.substr(start, end - start));
  if (keyword == "DDE" || keyword == "DDEAUTO") {
    *what = "dde_field";
    return true;
  }
  if (keyword == "INCLUDETEXT" || keyword == "INCLUDEPICTURE" || keyword == "LINK" ||
      keyword == "IMPORT" || keyword == "INCLUDE") {
    *what = "link_field";
    return true;
  }
  return false;
}

void Rebuilder::NeutralizeFields(const std::string& part, pugi::xml_node root) {
  if (NsOf(root) != Ns::kW) return;
  struct Walker : pugi::xml_tree_walker {
    std::vector<pugi::xml_node> nodes;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() != pugi::node_element) return true;
      const std::string_view local = LocalOf(node.name());
      if ((local == "fldChar" || local == "instrText" || local == "fldSimple") &&
          NsOf(node) == Ns::kW) {
        nodes.push_back(node);
      }
      return true;
    }
  } walker;
  root.traverse(walker);
  auto doom = [this](pugi::xml_node node) { Doom(node); };
  struct Field {
    std::vector<pugi::xml_node> markup;  // begin, instrText..., separate, end
    std::string instruction;
    bool nested_first = false;  // a nested field began before any instruction text
    bool separated = false;
  };
  std::vector<Field> stack;
  for (pugi::xml_node node : walker.nodes) {
    const std::string_view local = LocalOf(node.name());
    if (local == "fldSimple") {
      std::string what;
      if (DangerousFieldInstruction(
              [&] {
                for (pugi::xml_attribute attribute : node.attributes()) {
                  if (LocalOf(attribute.name()) == "instr") return attribute.value();
                }
                return "";
              }(),
              &what)) {
        // Keep the field's last result (its runs), drop the field.
        while (node.first_child()) node.parent().insert_move_before(node.first_child(), node);
        doom(node);
        Count(part, what);
      }
      continue;
    }
    if (local == "instrText") {
      if (!stack.empty() && !stack.back().separated) {
        stack.back().instruction += node.text().get();
        stack.back().markup.push_back(node);
      }
      continue;
    }
    std::string_view type;
    for (pugi::xml_attribute attribute : node.attributes()) {
      if (LocalOf(attribute.name()) == "fldCharType") type = attribute.value();
    }
    if (type == "begin") {
      if (!stack.empty() && !stack.back().separated &&
          stack.back().instruction.find_first_not_of(" \t") == std::string::npos) {
        stack.back().nested_first = true;
      }
      stack.push_back(Field{{node}, {}, false, false});
    } else if (type == "separate" && !stack.empty()) {
      stack.back().separated = true;
      stack.back().markup.push_back(node);
    } else if (type == "end" && !stack.empty()) {
      Field field = std::move(stack.back());
      stack.pop_back();
      field.markup.push_back(node);
      std::string what;
      const bool dangerous = field.nested_first
                                 ? (what = "computed_field", true)
                                 : DangerousFieldInstruction(field.instruction, &what);
      if (dangerous) {
        for (pugi::xml_node markup : field.markup) doom(markup);
        Count(part, what);
      }
    }
  }
}

// What an Excel formula reaches: another workbook ([1]Sheet!A1), a DDE
// server (app|topic!item) or the Excel 4 macro functions.
std::string_view DangerousFormula(std::string_view formula) {
  bool quoted = false;
  for (std::size_t i = 0; i < formula.size(); ++i) {
    const char c = formula[i];
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (quoted) continue;
    if (c == '|') return "dde_formula";
    if (c == '[' && i + 1 < formula.size() && formula[i + 1] >= '0' && formula[i + 1] <= '9') {
      const char before = i > 0 ? formula[i - 1] : ' ';
      const bool word = (before >= 'A' && before <= 'Z') || (before >= 'a' && before <= 'z') ||
                        (before >= '0' && before <= '9') || before == '_' || before == '.' ||
                        before == '[' || before == ']';
      if (!word) return "external_formula";
    }
  }
  const std::string upper = Upper(formula);
  for (std::string_view function : {"EXEC(", "CALL(", "REGISTER(", "REGISTER.ID(", "FOPEN(",
                                    "FWRITE(", "FORMULA(", "HALT(", "RUN("}) {
    std::size_t at = upper.find(function);
    while (at != std::string::npos) {
      const char before = at > 0 ? upper[at - 1] : ' ';
      if (!((before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9') ||
            before == '_' || before == '.')) {
        return "xlm_function";
      }
      at = upper.find(function, at + 1);
    }
  }
  return {};
}

void Rebuilder::NeutralizeFormulas(const std::string& part, pugi::xml_node root) {
  if (!Is(root, Ns::kS, "worksheet")) return;
  struct Walker : pugi::xml_tree_walker {
    std::vector<pugi::xml_node> formulas;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() == pugi::node_element && LocalOf(node.name()) == "f" &&
          NsOf(node) == Ns::kS) {
        formulas.push_back(node);
      }
      return true;
    }
  } walker;
  root.traverse(walker);
  std::set<std::string> shared_removed;
  std::map<std::string, int> counts;
  for (pugi::xml_node formula : walker.formulas) {
    const std::string_view what = DangerousFormula(formula.text().get());
    if (what.empty()) continue;
    if (std::string_view(formula.attribute("t").value()) == "shared") {
      shared_removed.insert(formula.attribute("si").value());
    }
    ++counts[std::string(what)];
    formula.parent().remove_child(formula);  // the cached value <v> stays
  }
  if (!shared_removed.empty()) {
    struct Followers : pugi::xml_tree_walker {
      const std::set<std::string>* shared;
      std::vector<pugi::xml_node> found;
      bool for_each(pugi::xml_node& node) override {
        if (node.type() == pugi::node_element && LocalOf(node.name()) == "f" &&
            std::string_view(node.attribute("t").value()) == "shared" &&
            shared->count(node.attribute("si").value()) != 0 && NsOf(node) == Ns::kS) {
          found.push_back(node);
        }
        return true;
      }
    } followers;
    followers.shared = &shared_removed;
    root.traverse(followers);
    for (pugi::xml_node formula : followers.found) {
      formula.parent().remove_child(formula);
      ++counts["shared_formula"];
    }
  }
  for (const auto& [what, count] : counts) {
    Count(part, what, count);
    workbook_changed_ = true;
  }
}

// PowerPoint and DrawingML click actions that run a program, a macro or an
// OLE verb.
void Rebuilder::NeutralizeActions(const std::string& part, pugi::xml_node root) {
  struct Walker : pugi::xml_tree_walker {
    std::vector<pugi::xml_node> found;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() != pugi::node_element) return true;
      const std::string action = LowerAscii(node.attribute("action").value());
      if ((StartsWith(action, "ppaction://program") || StartsWith(action, "ppaction://macro") ||
           StartsWith(action, "ppaction://ole")) &&
          NsOf(node) == Ns::kA) {
        found.push_back(node);
      }
      return true;
    }
  } walker;
  root.traverse(walker);
  for (pugi::xml_node node : walker.found) {
    Doom(node);
  }
  if (!walker.found.empty()) Count(part, "action", static_cast<int>(walker.found.size()));
}

bool Rebuilder::FixWorkbook(const std::string& part, pugi::xml_node workbook) {
  pugi::xml_node sheets;
  pugi::xml_node names;
  pugi::xml_node views;
  for (pugi::xml_node child : workbook.children()) {
    if (Is(child, Ns::kS, "sheets")) sheets = child;
    if (Is(child, Ns::kS, "definedNames")) names = child;
    if (Is(child, Ns::kS, "bookViews")) views = child;
  }
  // Old sheet index → new index (-1: removed).
  std::vector<int> map;
  int kept = 0;
  for (pugi::xml_node sheet : sheets.children()) {
    if (sheet.type() != pugi::node_element) continue;
    map.push_back(Doomed(sheet) ? -1 : kept++);
  }
  if (kept == 0) {
    Fail(Reason::kUnsupportedPart, "the workbook has no sheet other than macro sheets");
    return false;
  }
  auto remap = [&](pugi::xml_attribute attribute) {
    if (!attribute) return true;
    const int old_index = attribute.as_int(-1);
    if (old_index < 0 || static_cast<std::size_t>(old_index) >= map.size()) return true;
    const int new_index = map[static_cast<std::size_t>(old_index)];
    if (new_index < 0) return false;
    attribute = new_index;
    return true;
  };
  if (names) {
    for (pugi::xml_node name : names.children()) {
      if (name.type() != pugi::node_element) continue;
      const std::string label = LowerAscii(name.attribute("name").value());
      const std::string_view text = name.text().get();
      std::string_view what;
      if (!remap(name.attribute("localSheetId"))) what = "excel4_macro_name";
      for (const std::string& sheet : removed_sheets_) {
        std::string quoted = "'";
        for (const char c : sheet) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        quoted += "'!";
        if (text.find(sheet + "!") != std::string_view::npos ||
            text.find(quoted) != std::string_view::npos) {
          what = "excel4_macro_name";
        }
      }
      for (std::string_view auto_name :
           {"auto_open", "auto_close", "auto_activate", "auto_deactivate"}) {
        if (StartsWith(label, auto_name) || StartsWith(label, "_xlnm." + std::string(auto_name))) {
          what = "auto_macro_name";
        }
      }
      if (what.empty()) what = DangerousFormula(text);
      if (!what.empty()) {
        Doom(name);
        Count(part, what);
        workbook_changed_ = true;
      }
    }
  }
  if (views) {
    for (pugi::xml_node view : views.children()) {
      for (const char* attribute_name : {"activeTab", "firstSheet"}) {
        pugi::xml_attribute attribute = view.attribute(attribute_name);
        if (attribute && !remap(attribute)) attribute = 0;
      }
    }
  }
  return true;
}

}  // namespace

FormatResult SanitizeOoxml(std::string_view input, FileType type, Context& context) {
  if (type == FileType::kXlam || type == FileType::kPpam) {
    return Refuse(Reason::kUnsupportedPart,
                  "an Office add-in (" + std::string(TypeId(type)) + ") is macro code by nature");
  }
  Reason reason = Reason::kNone;
  std::string detail;
  auto package = ZipPackage::Open(input, context.GetLimits(), &reason, &detail);
  if (!package) return Refuse(reason, detail);
  try {
    Rebuilder rebuilder(*package, context, type);
    return rebuilder.Run();
  } catch (const std::bad_alloc&) {
    return Refuse(Reason::kMemoryLimit, "out of memory while rebuilding the package");
  }
}

}  // namespace mamori::sanitize
