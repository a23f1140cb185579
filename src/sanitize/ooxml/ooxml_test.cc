// OOXML sanitizer: samples built here with libzip, outputs reopened with
// libzip + pugixml independently of the sanitizer.
#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr const char* kRelsNs = "http://schemas.openxmlformats.org/package/2006/relationships";
constexpr const char* kR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string MakeZip(const Files& files) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* archive = zip_open_from_source(target, ZIP_TRUNCATE, &error);
  zip_source_keep(target);
  for (const auto& [name, data] : files) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_RAW), 0) << name;
  }
  EXPECT_EQ(zip_close(archive), 0);
  std::string bytes;
  EXPECT_EQ(zip_source_open(target), 0);
  char chunk[4096];
  zip_int64_t n = 0;
  while ((n = zip_source_read(target, chunk, sizeof(chunk))) > 0) {
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  zip_source_close(target);
  zip_source_free(target);
  return bytes;
}

std::map<std::string, std::string> ReadZip(const std::string& bytes) {
  std::map<std::string, std::string> entries;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(archive, nullptr);
  if (archive == nullptr) return entries;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_stat_t stat;
    zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat);
    EXPECT_EQ(stat.comp_method, ZIP_CM_DEFLATE) << stat.name;
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    std::string data;
    char chunk[4096];
    zip_int64_t n = 0;
    while ((n = zip_fread(file, chunk, sizeof(chunk))) > 0) {
      data.append(chunk, static_cast<std::size_t>(n));
    }
    zip_fclose(file);
    entries[stat.name] = data;
  }
  zip_discard(archive);
  return entries;
}

std::string Rels(const std::vector<std::vector<std::string>>& relationships) {
  std::string xml = std::string(kXmlHead) + "<Relationships xmlns=\"" + kRelsNs + "\">";
  for (const auto& r : relationships) {
    xml += "<Relationship Id=\"" + r[0] + "\" Type=\"" + r[1] + "\" Target=\"" + r[2] + "\"";
    if (r.size() > 3) xml += " TargetMode=\"External\"";
    xml += "/>";
  }
  return xml + "</Relationships>";
}

std::string Types(const std::string& main_type, const std::string& more = "") {
  return std::string(kXmlHead) +
         "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
         "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
         "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
         "<Default Extension=\"png\" ContentType=\"image/png\"/>" +
         main_type + more + "</Types>";
}

std::string Override(const std::string& part, const std::string& type) {
  return "<Override PartName=\"/" + part + "\" ContentType=\"" + type + "\"/>";
}

std::string PackageRels(const std::string& main) {
  return Rels({{"rId1", std::string(kR) + "officeDocument", main}});
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Resolves a relationship target against its source part (test's own code).
std::string Resolve(const std::string& source, const std::string& target) {
  std::vector<std::string> segments;
  std::string path = target[0] == '/' ? target.substr(1)
                                      : source.substr(0, source.rfind('/') + 1) + target;
  if (source.find('/') == std::string::npos && target[0] != '/') path = target;
  std::string segment;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (segment == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!segment.empty() && segment != ".") {
        segments.push_back(segment);
      }
      segment.clear();
    } else {
      segment += path[i];
    }
  }
  std::string name;
  for (const auto& s : segments) name += (name.empty() ? "" : "/") + s;
  return name;
}

// Checks a rebuilt package independently; returns its entries.
std::map<std::string, std::string> CheckPackage(const Outcome& outcome,
                                                const std::string& main_content_type) {
  EXPECT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  auto entries = ReadZip(outcome.output);
  EXPECT_TRUE(entries.count("[Content_Types].xml"));
  EXPECT_TRUE(entries.count("_rels/.rels"));
  std::map<std::string, std::string> lower;  // lower-case name → name
  for (const auto& [name, data] : entries) {
    lower[Lower(name)] = name;
    EXPECT_FALSE(Contains(Lower(name), "vbaproject")) << name;
    if (name.ends_with(".xml") || name.ends_with(".rels")) {
      pugi::xml_document document;
      EXPECT_TRUE(document.load_buffer(data.data(), data.size())) << name << " not well formed";
      EXPECT_FALSE(Contains(data, "<!DOCTYPE")) << name;
    }
  }
  // Content types.
  pugi::xml_document types;
  const std::string& types_xml = entries["[Content_Types].xml"];
  EXPECT_TRUE(types.load_buffer(types_xml.data(), types_xml.size()));
  EXPECT_FALSE(Contains(types_xml, "macroEnabled"));
  EXPECT_FALSE(Contains(types_xml, "vbaProject"));
  std::map<std::string, std::string> defaults;
  std::map<std::string, std::string> overrides;
  for (pugi::xml_node node : types.document_element().children()) {
    if (std::string(node.name()) == "Default") {
      defaults[Lower(node.attribute("Extension").value())] = node.attribute("ContentType").value();
    } else {
      const std::string part = std::string(node.attribute("PartName").value()).substr(1);
      EXPECT_TRUE(lower.count(Lower(part))) << "override for a missing part " << part;
      overrides[Lower(part)] = node.attribute("ContentType").value();
    }
  }
  // Relationships: walk from the package, every target exists, none external.
  std::set<std::string> reached;
  std::vector<std::string> queue = {""};
  std::string main_part;
  while (!queue.empty()) {
    const std::string source = queue.back();
    queue.pop_back();
    const std::string rels_name =
        source.empty() ? "_rels/.rels"
                       : source.substr(0, source.rfind('/') + 1) + "_rels/" +
                             source.substr(source.rfind('/') + 1) + ".rels";
    if (!lower.count(Lower(rels_name))) continue;
    reached.insert(Lower(rels_name));
    pugi::xml_document rels;
    const std::string& xml = entries[lower[Lower(rels_name)]];
    EXPECT_TRUE(rels.load_buffer(xml.data(), xml.size()));
    for (pugi::xml_node r : rels.document_element().children()) {
      EXPECT_STRNE(r.attribute("TargetMode").value(), "External") << rels_name;
      const std::string target = Resolve(source, r.attribute("Target").value());
      EXPECT_TRUE(lower.count(Lower(target))) << rels_name << " → missing " << target;
      if (source.empty() && std::string(r.attribute("Type").value()).ends_with("officeDocument")) {
        main_part = target;
      }
      if (reached.insert(Lower(target)).second) queue.push_back(target);
    }
  }
  reached.insert("[content_types].xml");
  for (const auto& [key, name] : lower) {
    EXPECT_TRUE(reached.count(key)) << "unreferenced entry " << name;
    if (key.ends_with(".rels") || key == "[content_types].xml") continue;
    const std::string extension = key.substr(key.rfind('.') + 1);
    EXPECT_TRUE(overrides.count(key) || defaults.count(extension)) << "no content type: " << name;
  }
  EXPECT_EQ(overrides[Lower(main_part)], main_content_type);
  return entries;
}

bool Removed(const Outcome& outcome, const std::string& what) {
  return std::any_of(outcome.report.removed.begin(), outcome.report.removed.end(),
                     [&](const Removal& removal) { return removal.what == what; });
}

constexpr const char* kWordNs =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
    "xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\"";
constexpr const char* kDocxMain =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";

std::string WordDocument(const std::string& body) {
  return std::string(kXmlHead) + "<w:document " + kWordNs + "><w:body>" + body +
         "</w:body></w:document>";
}

TEST(OoxmlSanitizeTest, DocmLosesItsVbaProjectAndBecomesDocx) {
  const std::string bytes = MakeZip({
      {"[Content_Types].xml",
       Types(Override("word/document.xml",
                      "application/vnd.ms-word.document.macroEnabled.main+xml"),
             Override("word/vbaData.xml", "application/vnd.ms-word.vbaData+xml"))},
      {"_rels/.rels", PackageRels("word/document.xml")},
      {"word/document.xml", WordDocument("<w:p><w:r><w:t>本文</w:t></w:r></w:p>")},
      {"word/_rels/document.xml.rels",
       Rels({{"rId1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
              "vbaProject.bin"},
             {"rId2", std::string(kR) + "image", "media/image1.png"}})},
      {"word/vbaProject.bin", std::string("\xD0\xCF\x11\xE0 VBA", 8)},
      {"word/_rels/vbaProject.bin.rels",
       Rels({{"rId1", "http://schemas.microsoft.com/office/2006/relationships/wordVbaData",
              "vbaData.xml"}})},
      {"word/vbaData.xml", std::string(kXmlHead) + "<wne:vbaSuppData xmlns:wne=\"x\"/>"},
      {"word/media/image1.png", "not really a png"},
      {"word/unreferenced.bin", "MZ"},
  });
  const Outcome outcome = Sanitize(bytes, "報告.docm", Settings{});
  ASSERT_EQ(outcome.report.detected, FileType::kDocm);
  const auto entries = CheckPackage(outcome, kDocxMain);
  EXPECT_EQ(outcome.report.verdict, Verdict::kSanitized);
  EXPECT_EQ(outcome.report.output_name, "報告.docx");
  EXPECT_TRUE(Removed(outcome, "vba_project"));
  EXPECT_FALSE(entries.count("word/vbaData.xml"));
  EXPECT_FALSE(entries.count("word/unreferenced.bin"));
  EXPECT_TRUE(entries.count("word/media/image1.png"));
  EXPECT_TRUE(Contains(entries.at("word/document.xml"), "本文"));
}

TEST(OoxmlSanitizeTest, RemoteTemplateHyperlinksFieldsAndOleObjectsAreRemoved) {
  const std::string body =
      "<w:p><w:hyperlink r:id=\"rId3\"><w:r><w:t>リンク文字</w:t></w:r></w:hyperlink></w:p>"
      "<w:p><w:fldSimple w:instr=\" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/c calc&quot; \">"
      "<w:r><w:t>dde-result</w:t></w:r></w:fldSimple></w:p>"
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
      "<w:r><w:instrText xml:space=\"preserve\"> ddE \"cmd\" </w:instrText></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>shown</w:t></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
      "<w:r><w:instrText> PAGE </w:instrText></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
      "<w:p><w:r><w:object><v:shape id=\"s1\"><v:imagedata r:id=\"rId5\"/></v:shape>"
      "<o:OLEObject Type=\"Embed\" ProgID=\"Package\" r:id=\"rId4\"/></w:object></w:r></w:p>";
  const std::string bytes = MakeZip({
      {"[Content_Types].xml",
       Types(Override("word/document.xml", kDocxMain),
             Override("word/settings.xml",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml."
                      "settings+xml") +
                 "<Default Extension=\"ole\" ContentType=\"application/"
                 "vnd.openxmlformats-officedocument.oleObject\"/>")},
      {"_rels/.rels", PackageRels("word/document.xml")},
      {"word/document.xml", WordDocument(body)},
      {"word/_rels/document.xml.rels",
       Rels({{"rId1", std::string(kR) + "settings", "settings.xml"},
             {"rId3", std::string(kR) + "hyperlink", "http://example.com/", "External"},
             {"rId4", std::string(kR) + "oleObject", "embeddings/oleObject1.ole"},
             {"rId5", std::string(kR) + "image", "media/image1.png"}})},
      {"word/embeddings/oleObject1.ole", "OLE"},
      {"word/media/image1.png", "png"},
      {"word/settings.xml", std::string(kXmlHead) + "<w:settings " + kWordNs +
                                "><w:attachedTemplate r:id=\"rId1\"/><w:zoom w:percent=\"100\"/>"
                                "</w:settings>"},
      {"word/_rels/settings.xml.rels",
       Rels({{"rId1", std::string(kR) + "attachedTemplate", "http://evil.example/t.dotm",
              "External"}})},
  });
  const Outcome outcome = Sanitize(bytes, "a.docx", Settings{});
  const auto entries = CheckPackage(outcome, kDocxMain);
  EXPECT_TRUE(Removed(outcome, "remote_template"));
  EXPECT_TRUE(Removed(outcome, "external_hyperlink"));
  EXPECT_TRUE(Removed(outcome, "dde_field"));
  EXPECT_TRUE(Removed(outcome, "ole_object"));
  const std::string& settings = entries.at("word/settings.xml");
  EXPECT_FALSE(Contains(settings, "attachedTemplate"));
  EXPECT_TRUE(Contains(settings, "zoom"));
  const std::string& document = entries.at("word/document.xml");
  EXPECT_FALSE(Contains(Lower(document), "ddeauto"));
  EXPECT_FALSE(Contains(document, "ddE"));
  EXPECT_FALSE(Contains(document, "cmd"));
  EXPECT_FALSE(Contains(document, "hyperlink"));
  EXPECT_FALSE(Contains(document, "OLEObject"));
  EXPECT_TRUE(Contains(document, "リンク文字"));
  EXPECT_TRUE(Contains(document, "dde-result"));
  EXPECT_TRUE(Contains(document, "shown"));
  EXPECT_TRUE(Contains(document, "PAGE"));
  EXPECT_TRUE(Contains(document, "v:imagedata"));
  EXPECT_FALSE(entries.count("word/embeddings/oleObject1.ole"));
}

constexpr const char* kSheetNs =
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
constexpr const char* kXlsxMain =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
constexpr const char* kWorksheetType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";

TEST(OoxmlSanitizeTest, XlsxLosesDdeAndExternalWorkbookLinks) {
  const std::string bytes = MakeZip({
      {"[Content_Types].xml",
       Types(Override("xl/workbook.xml", kXlsxMain),
             Override("xl/worksheets/sheet1.xml", kWorksheetType) +
                 Override("xl/externalLinks/externalLink1.xml",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml."
                          "externalLink+xml") +
                 Override("xl/externalLinks/externalLink2.xml",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml."
                          "externalLink+xml") +
                 Override("xl/connections.xml",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml."
                          "connections+xml"))},
      {"_rels/.rels", PackageRels("xl/workbook.xml")},
      {"xl/workbook.xml",
       std::string(kXmlHead) + "<workbook " + kSheetNs +
           "><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
           "<externalReferences><externalReference r:id=\"rId2\"/>"
           "<externalReference r:id=\"rId3\"/></externalReferences></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       Rels({{"rId1", std::string(kR) + "worksheet", "worksheets/sheet1.xml"},
             {"rId2", std::string(kR) + "externalLink", "externalLinks/externalLink1.xml"},
             {"rId3", std::string(kR) + "externalLink", "externalLinks/externalLink2.xml"},
             {"rId4", std::string(kR) + "connections", "connections.xml"}})},
      {"xl/worksheets/sheet1.xml",
       std::string(kXmlHead) + "<worksheet " + kSheetNs +
           "><sheetData><row r=\"1\"><c r=\"A1\"><f>cmd|'/c calc'!A0</f><v>0</v></c>"
           "<c r=\"B1\"><f>[2]Sheet1!A1*2</f><v>42</v></c>"
           "<c r=\"C1\"><f>SUM(1,2)</f><v>3</v></c></row></sheetData></worksheet>"},
      {"xl/externalLinks/externalLink1.xml",
       std::string(kXmlHead) + "<externalLink " + kSheetNs +
           "><ddeLink ddeService=\"cmd\" ddeTopic=\"/c calc\"/></externalLink>"},
      {"xl/externalLinks/externalLink2.xml",
       std::string(kXmlHead) + "<externalLink " + kSheetNs +
           "><externalBook r:id=\"rId1\"/></externalLink>"},
      {"xl/externalLinks/_rels/externalLink2.xml.rels",
       Rels({{"rId1", std::string(kR) + "externalLinkPath", "file:///C:/secret.xlsx",
              "External"}})},
      {"xl/connections.xml", std::string(kXmlHead) + "<connections " + kSheetNs + "/>"},
  });
  const Outcome outcome = Sanitize(bytes, "book.xlsx", Settings{});
  const auto entries = CheckPackage(outcome, kXlsxMain);
  EXPECT_TRUE(Removed(outcome, "dde_link"));
  EXPECT_TRUE(Removed(outcome, "external_workbook_link"));
  EXPECT_TRUE(Removed(outcome, "data_connection"));
  EXPECT_TRUE(Removed(outcome, "dde_formula"));
  EXPECT_TRUE(Removed(outcome, "external_formula"));
  for (const auto& [name, data] : entries) EXPECT_FALSE(Contains(name, "externalLink")) << name;
  EXPECT_FALSE(entries.count("xl/connections.xml"));
  EXPECT_FALSE(Contains(entries.at("xl/workbook.xml"), "externalReference"));
  const std::string& sheet = entries.at("xl/worksheets/sheet1.xml");
  EXPECT_FALSE(Contains(sheet, "calc"));
  EXPECT_FALSE(Contains(sheet, "[2]"));
  EXPECT_TRUE(Contains(sheet, "<v>42</v>"));
  EXPECT_TRUE(Contains(sheet, "SUM(1,2)"));
}

TEST(OoxmlSanitizeTest, XlsmLosesItsExcel4MacroSheet) {
  const std::string bytes = MakeZip({
      {"[Content_Types].xml",
       Types(Override("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
             Override("xl/worksheets/sheet1.xml", kWorksheetType) +
                 Override("xl/macrosheets/sheet1.xml",
                          "application/vnd.ms-excel.macrosheet+xml"))},
      {"_rels/.rels", PackageRels("xl/workbook.xml")},
      {"xl/workbook.xml",
       std::string(kXmlHead) + "<workbook " + kSheetNs +
           "><bookViews><workbookView activeTab=\"1\"/></bookViews>"
           "<sheets><sheet name=\"Macro1\" sheetId=\"2\" r:id=\"rId2\"/>"
           "<sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
           "<definedNames><definedName name=\"_xlnm.Auto_Open\">Macro1!$A$1</definedName>"
           "<definedName name=\"Hidden\" localSheetId=\"0\">Macro1!$B$1</definedName>"
           "<definedName name=\"Area\" localSheetId=\"1\">Data!$A$1:$B$2</definedName>"
           "</definedNames></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       Rels({{"rId1", std::string(kR) + "worksheet", "worksheets/sheet1.xml"},
             {"rId2", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
              "macrosheets/sheet1.xml"}})},
      {"xl/worksheets/sheet1.xml",
       std::string(kXmlHead) + "<worksheet " + kSheetNs + "><sheetData/></worksheet>"},
      {"xl/macrosheets/sheet1.xml",
       std::string(kXmlHead) + "<xm:macrosheet xmlns:xm=\"http://schemas.microsoft.com/office/"
                               "excel/2006/main\"/>"},
  });
  const Outcome outcome = Sanitize(bytes, "m.xlsm", Settings{});
  ASSERT_EQ(outcome.report.detected, FileType::kXlsm);
  const auto entries = CheckPackage(outcome, kXlsxMain);
  EXPECT_EQ(outcome.report.output_name, "m.xlsx");
  EXPECT_TRUE(Removed(outcome, "excel4_macro_sheet"));
  EXPECT_TRUE(Removed(outcome, "auto_macro_name"));
  EXPECT_FALSE(entries.count("xl/macrosheets/sheet1.xml"));
  const std::string& workbook = entries.at("xl/workbook.xml");
  EXPECT_FALSE(Contains(workbook, "Macro1"));
  EXPECT_FALSE(Contains(workbook, "Auto_Open"));
  EXPECT_TRUE(Contains(workbook, "name=\"Area\" localSheetId=\"0\""));
  EXPECT_TRUE(Contains(workbook, "activeTab=\"0\""));
}

TEST(OoxmlSanitizeTest, PptmLosesActiveXAndCustomUi) {
  const std::string p = "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" "
                        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                        "relationships\"";
  const std::string bytes = MakeZip({
      {"[Content_Types].xml",
       Types(Override("ppt/presentation.xml",
                      "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
             Override("ppt/slides/slide1.xml",
                      "application/vnd.openxmlformats-officedocument.presentationml.slide+xml") +
                 Override("ppt/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"))},
      {"_rels/.rels",
       Rels({{"rId1", std::string(kR) + "officeDocument", "ppt/presentation.xml"},
             {"rId2", "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
              "customUI/customUI14.xml"}})},
      {"customUI/customUI14.xml", std::string(kXmlHead) + "<customUI onLoad=\"Evil\"/>"},
      {"ppt/presentation.xml",
       std::string(kXmlHead) + "<p:presentation " + p +
           "><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId1\"/></p:sldIdLst></p:presentation>"},
      {"ppt/_rels/presentation.xml.rels",
       Rels({{"rId1", std::string(kR) + "slide", "slides/slide1.xml"},
             {"rId9", "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
              "vbaProject.bin"}})},
      {"ppt/vbaProject.bin", "VBA"},
      {"ppt/slides/slide1.xml",
       std::string(kXmlHead) + "<p:sld " + p +
           "><p:cSld><p:spTree/><p:controls><p:control name=\"X\" r:id=\"rId2\"/></p:controls>"
           "</p:cSld></p:sld>"},
      {"ppt/slides/_rels/slide1.xml.rels",
       Rels({{"rId2", std::string(kR) + "control", "../activeX/activeX1.xml"}})},
      {"ppt/activeX/activeX1.xml", std::string(kXmlHead) + "<ax:ocx xmlns:ax=\"x\"/>"},
      {"ppt/activeX/_rels/activeX1.xml.rels",
       Rels({{"rId1",
              "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary",
              "activeX1.bin"}})},
      {"ppt/activeX/activeX1.bin", "bin"},
  });
  const Outcome outcome = Sanitize(bytes, "slides.pptm", Settings{});
  ASSERT_EQ(outcome.report.detected, FileType::kPptm);
  const auto entries = CheckPackage(
      outcome, "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml");
  EXPECT_EQ(outcome.report.output_name, "slides.pptx");
  EXPECT_TRUE(Removed(outcome, "activex"));
  EXPECT_TRUE(Removed(outcome, "custom_ui"));
  EXPECT_TRUE(Removed(outcome, "vba_project"));
  for (const auto& [name, data] : entries) {
    EXPECT_FALSE(Contains(Lower(name), "activex")) << name;
    EXPECT_FALSE(Contains(Lower(name), "customui")) << name;
  }
  EXPECT_FALSE(Contains(entries.at("ppt/slides/slide1.xml"), "control"));
}

TEST(OoxmlSanitizeTest, ExternalEntityIsRefused) {
  const std::string bytes = MakeZip({
      {"[Content_Types].xml", Types(Override("word/document.xml", kDocxMain))},
      {"_rels/.rels", PackageRels("word/document.xml")},
      {"word/document.xml",
       std::string(kXmlHead) +
           "<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
           "<w:document " + kWordNs + "><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>"
           "</w:body></w:document>"},
  });
  const Outcome outcome = Sanitize(bytes, "x.docx", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kUnsupportedPart);
  EXPECT_TRUE(outcome.output.empty());
}

TEST(OoxmlSanitizeTest, UnsafeEntryNamesAreRefused) {
  for (const std::string evil : {"../evil", "/abs/evil", "C:/evil", "word\\..\\evil"}) {
    const std::string bytes = MakeZip({
        {"[Content_Types].xml", Types(Override("word/document.xml", kDocxMain))},
        {"_rels/.rels", PackageRels("word/document.xml")},
        {"word/document.xml", WordDocument("")},
        {evil, "payload"},
    });
    const Outcome outcome = Sanitize(bytes, "x.docx", Settings{});
    EXPECT_EQ(outcome.report.reason, Reason::kUnsafePath) << evil;
  }
}

TEST(OoxmlSanitizeTest, AddInsAreRefusedAndLimitsHold) {
  const std::string xlam = MakeZip({
      {"[Content_Types].xml",
       Types(Override("xl/workbook.xml", "application/vnd.ms-excel.addin.macroEnabled.main+xml"))},
      {"_rels/.rels", PackageRels("xl/workbook.xml")},
      {"xl/workbook.xml", std::string(kXmlHead) + "<workbook " + kSheetNs + "/>"},
  });
  EXPECT_EQ(Sanitize(xlam, "a.xlam", Settings{}).report.reason, Reason::kUnsupportedPart);

  const std::string docx = MakeZip({
      {"[Content_Types].xml", Types(Override("word/document.xml", kDocxMain))},
      {"_rels/.rels", PackageRels("word/document.xml")},
      {"word/document.xml", WordDocument("<w:p><w:r><w:t>" + std::string(200000, 'a') +
                                         "</w:t></w:r></w:p>")},
  });
  Settings settings;
  settings.limits.max_expanded_bytes = 100000;
  EXPECT_EQ(Sanitize(docx, "a.docx", settings).report.reason, Reason::kExpandedTooLarge);
  settings = Settings{};
  settings.limits.max_entries = 2;
  EXPECT_EQ(Sanitize(docx, "a.docx", settings).report.reason, Reason::kTooManyEntries);
  const Outcome clean = Sanitize(docx, "a.docx", Settings{});
  CheckPackage(clean, kDocxMain);
  EXPECT_EQ(clean.report.verdict, Verdict::kClean);
}

}  // namespace
}  // namespace mamori::sanitize
