// The PDF sanitizer. Samples are built here with qpdf; the output is parsed
// again with qpdf, independently of the sanitizer (every object in the file
// is inspected, not only the reachable ones), and checked with the
// `qpdf --check` command.
#include <gtest/gtest.h>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/Pl_String.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFJob.hh>
#include <qpdf/QPDFLogger.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <unistd.h>

#include <cstdio>  // (before jpeglib.h)
#include <jpeglib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {

using Handle = QPDFObjectHandle;

Handle Parse(const std::string& text) { return Handle::parse(text); }

// Options for building a sample.
struct Build {
  bool object_streams = false;        // write with object streams
  bool keep_unreferenced = false;     // write objects nothing references
  std::string user_password;          // encrypt when either is set
  std::string owner_password;
  bool raw_streams = false;           // stream bytes written exactly as given
};

Build ObjectStreams() {
  Build build;
  build.object_streams = true;
  return build;
}
Build KeepUnreferenced() {
  Build build;
  build.keep_unreferenced = true;
  return build;
}
Build Passwords(std::string user, std::string owner) {
  Build build;
  build.user_password = std::move(user);
  build.owner_password = std::move(owner);
  return build;
}

std::string Write(QPDF& pdf, const Build& build) {
  QPDFWriter writer(pdf);
  writer.setOutputMemory();
  writer.setStaticID(true);
  if (build.object_streams) writer.setObjectStreamMode(qpdf_o_generate);
  if (build.keep_unreferenced) writer.setPreserveUnreferencedObjects(true);
  if (build.raw_streams) {
    writer.setCompressStreams(false);
    writer.setDecodeLevel(qpdf_dl_none);
  }
  if (!build.user_password.empty() || !build.owner_password.empty()) {
    writer.setR6EncryptionParameters(build.user_password.c_str(), build.owner_password.c_str(),
                                     true, false, true, false, false, false, qpdf_r3p_none, true);
  }
  writer.write();
  auto buffer = writer.getBufferSharedPointer();
  return {reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize()};
}

// An empty document with one page that says "Hello mamori"; `modify` adds
// the parts a test needs.
std::string MakePdf(const std::function<void(QPDF&, Handle page)>& modify, Build build = {}) {
  QPDF pdf;
  pdf.emptyPDF();
  Handle font = pdf.makeIndirectObject(
      Parse("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
  Handle contents =
      Handle::newStream(&pdf, "BT /F1 24 Tf 72 720 Td (Hello mamori) Tj ET\n");
  Handle page = pdf.makeIndirectObject(Parse("<< /Type /Page /MediaBox [0 0 612 792] >>"));
  Handle fonts = Handle::newDictionary();
  fonts.replaceKey("/F1", font);
  Handle resources = Handle::newDictionary();
  resources.replaceKey("/Font", fonts);
  page.replaceKey("/Resources", resources);
  page.replaceKey("/Contents", contents);
  QPDFPageDocumentHelper(pdf).addPage(QPDFPageObjectHelper(page), false);
  if (modify) modify(pdf, pdf.getAllPages().front());
  return Write(pdf, build);
}

Handle FileSpec(QPDF& pdf, const std::string& name, const std::string& payload) {
  Handle file = Handle::newStream(&pdf, payload);
  file.getDict().replaceKey("/Type", Handle::newName("/EmbeddedFile"));
  Handle spec = pdf.makeIndirectObject(Parse("<< /Type /Filespec >>"));
  spec.replaceKey("/F", Handle::newString(name));
  Handle ef = Handle::newDictionary();
  ef.replaceKey("/F", file);
  spec.replaceKey("/EF", ef);
  return spec;
}

// Everything the issue names, at once.
std::string MakeMaliciousPdf(Build build = {}) {
  return MakePdf(
      [](QPDF& pdf, Handle page) {
        Handle root = pdf.getRoot();
        root.replaceKey("/OpenAction",
                        Parse("<< /S /JavaScript /JS (app.alert\\('open'\\)) >>"));
        root.replaceKey("/AA", Parse("<< /WC << /S /JavaScript /JS (app.alert\\('close'\\)) >> >>"));
        Handle names = Handle::newDictionary();
        names.replaceKey(
            "/JavaScript",
            Parse("<< /Names [(doc) << /S /JavaScript /JS (app.alert\\('doc'\\)) >>] >>"));
        Handle files = Handle::newArray();
        files.appendItem(Handle::newString("evil.exe"));
        files.appendItem(FileSpec(pdf, "evil.exe", "MZ evil payload one"));
        Handle embedded = Handle::newDictionary();
        embedded.replaceKey("/Names", files);
        names.replaceKey("/EmbeddedFiles", embedded);
        root.replaceKey("/Names", pdf.makeIndirectObject(names));

        // A form: one text field (a widget) with a keystroke script, and XFA.
        Handle widget = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [72 600 300 620]"
                  " /AA << /K << /S /JavaScript /JS (app.alert\\('key'\\)) >> >> >>"));
        widget.replaceKey("/P", page);
        Handle xfa = Handle::newStream(&pdf, "<xdp:xdp><script>app.alert('xfa')</script></xdp:xdp>");
        Handle form = Handle::newDictionary();
        form.replaceKey("/Fields", Handle::newArray({widget}));
        form.replaceKey("/XFA", Handle::newArray({Handle::newString("template"), xfa}));
        root.replaceKey("/AcroForm", form);

        Handle metadata = Handle::newStream(&pdf, "<x:xmpmeta>secret author</x:xmpmeta>");
        metadata.getDict().replaceKey("/Type", Handle::newName("/Metadata"));
        metadata.getDict().replaceKey("/Subtype", Handle::newName("/XML"));
        root.replaceKey("/Metadata", metadata);
        pdf.getTrailer().replaceKey(
            "/Info", pdf.makeIndirectObject(Parse("<< /Author (secret author) /Title (t) >>")));

        // An outline whose only item submits the form somewhere.
        Handle outlines = pdf.makeIndirectObject(Parse("<< /Type /Outlines /Count 1 >>"));
        Handle item = pdf.makeIndirectObject(Parse(
            "<< /Title (Go) /A << /S /SubmitForm /F << /FS /URL /F (http://evil.example/) >> >> >>"));
        item.replaceKey("/Parent", outlines);
        outlines.replaceKey("/First", item);
        outlines.replaceKey("/Last", item);
        root.replaceKey("/Outlines", outlines);

        page.replaceKey("/AA", Parse("<< /O << /S /JavaScript /JS (app.alert\\('page'\\)) >> >>"));
        Handle launch = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /Link /Rect [72 700 200 720]"
                  " /A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>"));
        Handle attachment = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /FileAttachment /Rect [72 650 90 670] >>"));
        attachment.replaceKey("/FS", FileSpec(pdf, "invoice.exe", "MZ evil payload two"));
        Handle uri = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /Link /Rect [72 500 200 520]"
                  " /A << /S /URI /URI (https://www.example.jp/) >> >>"));
        // A harmless GoTo whose /Next chain imports data and runs a script.
        Handle chained = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /Link /Rect [72 400 200 420] >>"));
        Handle go_to = Parse(
            "<< /S /GoTo /D [0 /Fit] /Next [<< /S /ImportData /F (data.fdf) >>"
            " << /S /Named /N /NextPage >> << /S /GoToR /F (other.pdf) /D [0 /Fit] >>] >>");
        go_to.getKey("/D").setArrayItem(0, page);
        chained.replaceKey("/A", go_to);
        Handle three_d = pdf.makeIndirectObject(
            Parse("<< /Type /Annot /Subtype /3D /Rect [0 0 10 10] >>"));
        Handle annotations = Handle::newArray({launch, attachment, uri, chained, three_d, widget});
        page.replaceKey("/Annots", annotations);

        // Nothing references this one; the writer keeps it when asked to.
        pdf.makeIndirectObject(Parse("<< /S /JavaScript /JS (app.alert\\('orphan'\\)) >>"));
      },
      build);
}

// What an independent look at a PDF finds.
struct Inspection {
  bool opened = false;
  bool encrypted = false;
  std::set<std::string> keys;   // every dictionary key in every object
  std::set<std::string> names;  // every name value
  int pages = 0;
  std::string first_page_text;  // the decoded content stream
  int annotations = 0;
  bool root_has_acroform = false;
  int fields = 0;
  std::size_t warnings = 0;
};

void Collect(Handle object, Inspection& inspection, std::set<QPDFObjGen>& seen) {
  std::vector<Handle> stack{std::move(object)};
  while (!stack.empty()) {
    Handle current = stack.back();
    stack.pop_back();
    if (current.isIndirect() && !seen.insert(current.getObjGen()).second) continue;
    if (current.isStream()) current = current.getDict();
    if (current.isName()) inspection.names.insert(current.getName());
    if (current.isDictionary()) {
      for (const auto& key : current.getKeys()) {
        inspection.keys.insert(key);
        stack.push_back(current.getKey(key));
      }
    } else if (current.isArray()) {
      for (int index = 0; index < current.getArrayNItems(); ++index) {
        stack.push_back(current.getArrayItem(index));
      }
    }
  }
}

Inspection Inspect(const std::string& bytes) {
  Inspection inspection;
  QPDF pdf;
  auto logger = QPDFLogger::create();
  logger->setWarn(logger->discard());
  logger->setError(logger->discard());
  pdf.setLogger(logger);
  pdf.setSuppressWarnings(true);
  try {
    pdf.processMemoryFile("output.pdf", bytes.data(), bytes.size());
    inspection.encrypted = pdf.isEncrypted();
    std::set<QPDFObjGen> seen;
    Collect(pdf.getTrailer(), inspection, seen);
    for (Handle& object : pdf.getAllObjects()) Collect(object, inspection, seen);
    std::vector<Handle> pages = pdf.getAllPages();
    inspection.pages = static_cast<int>(pages.size());
    if (!pages.empty()) {
      QPDFPageObjectHelper page(pages.front());
      for (Handle& stream : page.getPageContents()) {
        auto data = stream.getStreamData(qpdf_dl_all);
        inspection.first_page_text.append(reinterpret_cast<const char*>(data->getBuffer()),
                                          data->getSize());
      }
      Handle annotations = pages.front().getKey("/Annots");
      inspection.annotations = annotations.isArray() ? annotations.getArrayNItems() : 0;
    }
    Handle form = pdf.getRoot().getKey("/AcroForm");
    inspection.root_has_acroform = form.isDictionary();
    if (form.isDictionary() && form.getKey("/Fields").isArray()) {
      inspection.fields = form.getKey("/Fields").getArrayNItems();
    }
    inspection.warnings = pdf.numWarnings();
    inspection.opened = true;
  } catch (const std::exception& error) {
    ADD_FAILURE() << "qpdf cannot read the output again: " << error.what();
  }
  return inspection;
}

// `qpdf --check` on the bytes: exit status 0 (3 would be warnings, 2 errors).
int QpdfCheck(const std::string& bytes) {
#ifndef MAMORI_QPDF_PROGRAM
  ADD_FAILURE() << "the qpdf program was not found at configure time";
  return -1;
#else
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("mamori_pdf_test_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + ".pdf");
  {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const std::string command =
      std::string(MAMORI_QPDF_PROGRAM) + " --check '" + path.string() + "' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  std::filesystem::remove(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
#endif
}

bool Removed(const Report& report, std::string_view what) {
  return std::any_of(report.removed.begin(), report.removed.end(),
                     [&](const Removal& removal) { return removal.what == what; });
}

// Nothing active is left anywhere in the file.
void ExpectNothingActive(const std::string& output, const Inspection& inspection) {
  for (const char* key : {"/JS", "/OpenAction", "/AA", "/EmbeddedFiles", "/XFA", "/EF",
                          "/JavaScript", "/Metadata", "/Info"}) {
    EXPECT_FALSE(inspection.keys.contains(key)) << key;
  }
  for (const char* name : {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR",
                           "/GoToE", "/FileAttachment", "/3D", "/EmbeddedFile", "/RichMedia"}) {
    EXPECT_FALSE(inspection.names.contains(name)) << name;
  }
  for (const char* text : {"app.alert", "MZ evil payload", "cmd.exe", "secret author", "xdp:xdp",
                           "/ObjStm", "data.fdf", "other.pdf"}) {
    EXPECT_EQ(output.find(text), std::string::npos) << text;
  }
}

TEST(PdfSanitizeTest, RemovesEveryActivePartAndKeepsThePage) {
  const std::string input = MakeMaliciousPdf(KeepUnreferenced());
  ASSERT_NE(input.find("orphan"), std::string::npos);  // the sample has the unreferenced object
  {
    // The checks below would see every part in the sample itself.
    const Inspection before = Inspect(input);
    for (const char* key : {"/JS", "/OpenAction", "/AA", "/EmbeddedFiles", "/XFA", "/EF"}) {
      ASSERT_TRUE(before.keys.contains(key)) << key;
    }
    for (const char* name : {"/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/FileAttachment",
                             "/3D"}) {
      ASSERT_TRUE(before.names.contains(name)) << name;
    }
    ASSERT_EQ(before.annotations, 6);
  }
  const Settings settings;
  const Outcome outcome = Sanitize(input, "report.pdf", settings);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kPdf);
  EXPECT_EQ(outcome.report.output_name, "report.pdf");

  const Inspection inspection = Inspect(outcome.output);
  ASSERT_TRUE(inspection.opened);
  EXPECT_EQ(inspection.warnings, 0U);
  ExpectNothingActive(outcome.output, inspection);
  EXPECT_EQ(outcome.output.find("orphan"), std::string::npos);
  EXPECT_EQ(inspection.pages, 1);
  EXPECT_NE(inspection.first_page_text.find("(Hello mamori) Tj"), std::string::npos);
  // Kept: the launch link without its action, the https link, the GoTo
  // link (without the bad part of its /Next chain), the widget of the plain
  // form field (without its script).
  EXPECT_EQ(inspection.annotations, 4);
  EXPECT_TRUE(inspection.names.contains("/URI"));
  EXPECT_TRUE(inspection.names.contains("/GoTo"));
  EXPECT_TRUE(inspection.names.contains("/NextPage"));  // the harmless link of the chain
  EXPECT_TRUE(inspection.root_has_acroform);
  EXPECT_EQ(inspection.fields, 1);
  EXPECT_TRUE(inspection.keys.contains("/Outlines"));
  EXPECT_EQ(QpdfCheck(outcome.output), 0);

  for (const char* what :
       {"javascript", "open_action", "additional_actions", "launch_action", "submit_form_action",
        "import_data_action", "remote_goto_action", "file_attachment_annotation",
        "3d_annotation", "embedded_files", "xfa", "metadata", "document_info"}) {
    EXPECT_TRUE(Removed(outcome.report, what)) << what;
  }
  bool catalog_part = false;
  for (const Removal& removal : outcome.report.removed) {
    EXPECT_FALSE(removal.part.empty());
    EXPECT_GE(removal.count, 1);
    if (removal.part == "/Root/OpenAction") catalog_part = true;
  }
  EXPECT_TRUE(catalog_part);
  EXPECT_FALSE(outcome.report.notes_ja.empty());
}

TEST(PdfSanitizeTest, UriLinksAreRemovedWhenTheProfileSaysSo) {
  const std::string input = MakeMaliciousPdf();
  Settings settings;
  settings.remove_uri_links = true;
  settings.remove_metadata = false;
  const Outcome outcome = Sanitize(input, "report.pdf", settings);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_FALSE(inspection.names.contains("/URI"));
  EXPECT_EQ(outcome.output.find("www.example.jp"), std::string::npos);
  EXPECT_TRUE(Removed(outcome.report, "uri_action"));
  // Metadata kept this time.
  EXPECT_TRUE(inspection.keys.contains("/Metadata"));
  EXPECT_TRUE(inspection.keys.contains("/Info"));
  EXPECT_FALSE(Removed(outcome.report, "metadata"));
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

TEST(PdfSanitizeTest, UriOtherThanWebAndMailIsAlwaysRemoved) {
  const std::string input = MakePdf([](QPDF& pdf, Handle page) {
    page.replaceKey("/Annots", Handle::newArray({pdf.makeIndirectObject(Parse(
                                   "<< /Type /Annot /Subtype /Link /Rect [0 0 10 10]"
                                   " /A << /S /URI /URI (file:///C:/Windows/System32/calc.exe) >> >>"))}));
  });
  const Outcome outcome = Sanitize(input, "a.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized);
  EXPECT_TRUE(Removed(outcome.report, "uri_action"));
  EXPECT_EQ(outcome.output.find("calc.exe"), std::string::npos);
}

TEST(PdfSanitizeTest, ObjectStreamsAreReadAndNotWritten) {
  const std::string input = MakeMaliciousPdf(ObjectStreams());
  ASSERT_NE(input.find("/ObjStm"), std::string::npos);
  const Outcome outcome = Sanitize(input, "report.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Inspection inspection = Inspect(outcome.output);
  ExpectNothingActive(outcome.output, inspection);
  EXPECT_NE(outcome.output.find("\nxref\n"), std::string::npos);  // a plain cross-reference table
  EXPECT_EQ(inspection.pages, 1);
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

TEST(PdfSanitizeTest, OutputIsReproducible) {
  const std::string input = MakeMaliciousPdf();
  const Outcome first = Sanitize(input, "a.pdf", Settings{});
  const Outcome second = Sanitize(input, "a.pdf", Settings{});
  ASSERT_EQ(first.report.verdict, Verdict::kSanitized);
  EXPECT_EQ(first.output, second.output);
  EXPECT_EQ(first.report.sha256_out, second.report.sha256_out);
}

TEST(PdfSanitizeTest, CleanPdfIsRebuiltAndClean) {
  const std::string input = MakePdf(nullptr);
  const Outcome outcome = Sanitize(input, "clean.pdf", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kClean) << outcome.report.detail;
  EXPECT_TRUE(outcome.report.removed.empty());
  EXPECT_TRUE(outcome.report.notes_ja.empty());
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_EQ(inspection.pages, 1);
  EXPECT_NE(inspection.first_page_text.find("Hello mamori"), std::string::npos);
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

TEST(PdfSanitizeTest, UserPasswordIsRefused) {
  const std::string input =
      MakeMaliciousPdf(Passwords("user", "owner"));
  const Outcome outcome = Sanitize(input, "locked.pdf", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kEncrypted);
  EXPECT_TRUE(outcome.output.empty());
}

TEST(PdfSanitizeTest, OwnerPasswordOnlyIsDecryptedAndSanitized) {
  const std::string input = MakeMaliciousPdf(Passwords("", "owner"));
  ASSERT_NE(input.find("/Encrypt"), std::string::npos);
  const Outcome outcome = Sanitize(input, "restricted.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_TRUE(Removed(outcome.report, "encryption"));
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_FALSE(inspection.encrypted);
  ExpectNothingActive(outcome.output, inspection);
  EXPECT_NE(inspection.first_page_text.find("Hello mamori"), std::string::npos);
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

TEST(PdfSanitizeTest, GarbageWithAPdfHeaderIsRefusedAsMalformed) {
  std::string input = "%PDF-1.7\n";
  for (int i = 0; i < 200; ++i) input += "garbage \x01\x02 obj << /Type endobj ]] >> stream\n";
  const Outcome outcome = Sanitize(input, "broken.pdf", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kMalformed) << outcome.report.detail;
  EXPECT_TRUE(outcome.output.empty());
}

TEST(PdfSanitizeTest, ARepairableFileIsRepairedWithANote) {
  std::string input = MakeMaliciousPdf();
  // Break the cross-reference table: qpdf has to find the objects itself.
  const std::size_t xref = input.rfind("\nxref\n");
  ASSERT_NE(xref, std::string::npos);
  input.replace(xref + 1, 4, "XXXX");
  const Outcome outcome = Sanitize(input, "damaged.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_NE(outcome.report.detail.find("repaired"), std::string::npos);
  const bool noted = std::any_of(outcome.report.notes_ja.begin(), outcome.report.notes_ja.end(),
                                 [](const std::string& note) { return note.find("修復") != std::string::npos; });
  EXPECT_TRUE(noted);
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_EQ(inspection.warnings, 0U);
  ExpectNothingActive(outcome.output, inspection);
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

TEST(PdfSanitizeTest, APdfWithoutPagesIsRefused) {
  QPDF pdf;
  pdf.emptyPDF();
  const Outcome outcome = Sanitize(Write(pdf, Build{}), "empty.pdf", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kMalformed);
}

TEST(PdfSanitizeTest, APdfNamedDocxIsSanitizedAsPdfAndTheLieReported) {
  const std::string input = MakeMaliciousPdf();
  const Outcome outcome = Sanitize(input, "x.docx", Settings{});
  EXPECT_EQ(outcome.report.detected, FileType::kPdf);
  EXPECT_EQ(outcome.report.named, FileType::kDocx);
  EXPECT_TRUE(outcome.report.name_mismatch);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized);
  EXPECT_EQ(outcome.report.output_name, "x.pdf");
  ExpectNothingActive(outcome.output, Inspect(outcome.output));
}

TEST(PdfSanitizeTest, ObjectStreamsOverTheMemoryLimitAreRefused) {
  const std::string input = MakeMaliciousPdf(ObjectStreams());
  Settings settings;
  settings.limits.max_memory_bytes = 64;
  const Outcome outcome = Sanitize(input, "a.pdf", settings);
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kMemoryLimit) << outcome.report.detail;
}

TEST(PdfSanitizeTest, SharedAndCyclicReferencesAreWalkedOnce) {
  // Two pages share one script action; an outline item points to itself.
  const std::string input = MakePdf([](QPDF& pdf, Handle page) {
    Handle action = pdf.makeIndirectObject(Parse("<< /S /JavaScript /JS (app.alert\\(1\\)) >>"));
    Handle link = pdf.makeIndirectObject(Parse("<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] >>"));
    link.replaceKey("/A", action);
    Handle other = pdf.makeIndirectObject(Parse("<< /Type /Annot /Subtype /Link /Rect [0 0 1 1] >>"));
    other.replaceKey("/A", action);
    page.replaceKey("/Annots", Handle::newArray({link, other}));
    Handle outlines = pdf.makeIndirectObject(Parse("<< /Type /Outlines >>"));
    Handle item = pdf.makeIndirectObject(Parse("<< /Title (loop) >>"));
    item.replaceKey("/Next", item);
    item.replaceKey("/Parent", outlines);
    outlines.replaceKey("/First", item);
    pdf.getRoot().replaceKey("/Outlines", outlines);
  });
  const Outcome outcome = Sanitize(input, "a.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  int scripts = 0;
  for (const Removal& removal : outcome.report.removed) {
    if (removal.what == "javascript") scripts += removal.count;
  }
  EXPECT_EQ(scripts, 2);  // cut at both references
  ExpectNothingActive(outcome.output, Inspect(outcome.output));
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
}

// ---- Streams that do not decode: the output still passes `qpdf --check`.

Build RawStreams() {
  Build build;
  build.raw_streams = true;
  return build;
}

std::string Deflate(const std::string& data) {
  Pl_Buffer buffer("deflated");
  Pl_Flate flate("deflate", &buffer, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  flate.finish();
  const auto bytes = buffer.getBufferSharedPointer();
  return {reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize()};
}

// A stream with these bytes and this /Filter, exactly as given.
Handle RawStream(QPDF& pdf, const std::string& bytes, const std::string& filter) {
  Handle stream = Handle::newStream(&pdf, bytes);
  stream.getDict().replaceKey("/Filter", Parse(filter));
  return stream;
}

// A one-page document whose page shows "Hello mamori" from a good content
// stream and then draws from a second content stream `bad`.
std::string WithSecondContents(const std::string& bytes, const std::string& filter) {
  return MakePdf(
      [&](QPDF& pdf, Handle page) {
        Handle good = page.getKey("/Contents");
        page.replaceKey("/Contents", Handle::newArray({good, RawStream(pdf, bytes, filter)}));
      },
      RawStreams());
}

struct JobCheck {
  int exit_code = -1;
  std::string messages;
};

// What `qpdf --check` does, in-process through QPDFJob: exit code 0 (no
// errors, no warnings), 2 (errors) or 3 (warnings), and its messages.
JobCheck QpdfJobCheck(const std::string& bytes) {
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("mamori_pdf_job_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++) + ".pdf");
  {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  JobCheck check;
  try {
    QPDFJob job;
    auto logger = QPDFLogger::create();
    auto messages = std::make_shared<Pl_String>("messages", nullptr, check.messages);
    logger->setInfo(logger->discard());
    logger->setWarn(messages);
    logger->setError(messages);
    job.setLogger(logger);
    job.config()->inputFile(path.string())->check()->checkConfiguration();
    job.run();
    check.exit_code = job.getExitCode();
  } catch (const std::exception& error) {
    check.messages += error.what();
    check.exit_code = 2;
  }
  std::filesystem::remove(path);
  return check;
}

const Removal* FindRemoval(const Report& report, std::string_view what) {
  for (const Removal& removal : report.removed) {
    if (removal.what == what) return &removal;
  }
  return nullptr;
}

// The sample really is broken for qpdf, the output is not, the good page
// text is kept, and the report names the emptied stream by page.
void ExpectEmptiedContents(const std::string& input, std::string_view what,
                           const Settings& settings = Settings{}) {
  ASSERT_NE(QpdfJobCheck(input).exit_code, 0) << "the sample is not broken";
  const Outcome outcome = Sanitize(input, "broken.pdf", settings);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Removal* removal = FindRemoval(outcome.report, what);
  ASSERT_NE(removal, nullptr) << ReportToJson(outcome.report);
  EXPECT_NE(removal->part.find("page 1 /Contents (obj "), std::string::npos) << removal->part;
  EXPECT_NE(outcome.report.detail.find("page 1 /Contents"), std::string::npos)
      << outcome.report.detail;
  const JobCheck check = QpdfJobCheck(outcome.output);
  EXPECT_EQ(check.exit_code, 0) << check.messages;
  EXPECT_EQ(QpdfCheck(outcome.output), 0);
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_EQ(inspection.warnings, 0U);
  EXPECT_EQ(inspection.pages, 1);
  EXPECT_NE(inspection.first_page_text.find("(Hello mamori) Tj"), std::string::npos);
}

const std::string kDrawing = "0 0 m 100 100 l S\n";

TEST(PdfStreamCheckTest, BadFlateDataIsEmptiedAndReported) {
  ExpectEmptiedContents(WithSecondContents("this is not zlib data at all", "/FlateDecode"),
                        "undecodable_stream");
}

TEST(PdfStreamCheckTest, TruncatedFlateStreamIsEmptiedAndReported) {
  std::string drawing;
  for (int i = 0; i < 200; ++i) drawing += std::to_string(i) + " " + kDrawing;
  const std::string deflated = Deflate(drawing);
  ExpectEmptiedContents(WithSecondContents(deflated.substr(0, deflated.size() / 2), "/FlateDecode"),
                        "undecodable_stream");
}

TEST(PdfStreamCheckTest, FailingFilterChainIsEmptiedAndReported) {
  // Good hex whose bytes are not zlib data: the first filter works, the
  // second fails.
  std::string hex;
  for (const char c : std::string("not deflated")) {
    const auto byte = static_cast<unsigned char>(c);
    static const char kDigits[] = "0123456789abcdef";
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  ExpectEmptiedContents(WithSecondContents(hex + ">", "[/ASCIIHexDecode /FlateDecode]"),
                        "undecodable_stream");
  // And a chain whose first filter fails.
  ExpectEmptiedContents(WithSecondContents("zz not hex>", "[/ASCIIHexDecode /FlateDecode]"),
                        "undecodable_stream");
}

TEST(PdfStreamCheckTest, DecompressionBombIsEmptiedAndReported) {
  // 8 MiB of drawing commands, deflated twice: a few KiB in the file.
  std::string drawing;
  while (drawing.size() < (std::size_t{8} << 20)) drawing += kDrawing;
  const std::string bomb = Deflate(Deflate(drawing));
  ASSERT_LT(bomb.size(), std::size_t{64} << 10);
  const std::string input = WithSecondContents(bomb, "[/FlateDecode /FlateDecode]");
  Settings settings;
  settings.limits.max_memory_bytes = std::size_t{1} << 20;
  const Outcome outcome = Sanitize(input, "bomb.pdf", settings);
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Removal* removal = FindRemoval(outcome.report, "decompression_bomb");
  ASSERT_NE(removal, nullptr) << ReportToJson(outcome.report);
  EXPECT_NE(removal->part.find("page 1 /Contents"), std::string::npos) << removal->part;
  EXPECT_NE(outcome.report.detail.find("decodes to more than 1048576 bytes"), std::string::npos)
      << outcome.report.detail;
  EXPECT_LT(outcome.output.size(), std::size_t{16} << 10);
  const JobCheck check = QpdfJobCheck(outcome.output);
  EXPECT_EQ(check.exit_code, 0) << check.messages;
  EXPECT_NE(Inspect(outcome.output).first_page_text.find("(Hello mamori) Tj"), std::string::npos);

  // Under the limit the same stream is a large drawing and is kept.
  settings.limits.max_memory_bytes = std::size_t{64} << 20;
  const Outcome kept = Sanitize(input, "bomb.pdf", settings);
  ASSERT_EQ(kept.report.verdict, Verdict::kClean) << kept.report.detail;
  EXPECT_EQ(QpdfJobCheck(kept.output).exit_code, 0);
}

TEST(PdfStreamCheckTest, UndecodableImageBecomesAnEmptyImage) {
  const std::string input = MakePdf(
      [](QPDF& pdf, Handle page) {
        Handle image = RawStream(pdf, std::string("\xff\xd8\xff not a jpeg"), "/DCTDecode");
        for (const char* entry : {"/Type /XObject", "/Subtype /Image", "/Width 640",
                                  "/Height 480", "/ColorSpace /DeviceRGB",
                                  "/BitsPerComponent 8"}) {
          const std::string text(entry);
          const auto space = text.find(' ');
          image.getDict().replaceKey(text.substr(0, space), Parse(text.substr(space + 1)));
        }
        Handle xobjects = Handle::newDictionary();
        xobjects.replaceKey("/Im1", image);
        page.getKey("/Resources").replaceKey("/XObject", xobjects);
        Handle contents = page.getKey("/Contents");
        page.replaceKey("/Contents",
                        Handle::newArray({contents, Handle::newStream(&pdf, "q 640 0 0 480 0 0 cm "
                                                                            "/Im1 Do Q\n")}));
      },
      RawStreams());
  ASSERT_NE(QpdfJobCheck(input).exit_code, 0);
  const Outcome outcome = Sanitize(input, "photo.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Removal* removal = FindRemoval(outcome.report, "undecodable_stream");
  ASSERT_NE(removal, nullptr) << ReportToJson(outcome.report);
  EXPECT_EQ(removal->part.rfind("obj ", 0), 0U) << removal->part;  // not a page's contents
  const JobCheck check = QpdfJobCheck(outcome.output);
  EXPECT_EQ(check.exit_code, 0) << check.messages;

  // Still an image, 1×1, so that "/Im1 Do" finds one.
  QPDF pdf;
  pdf.processMemoryFile("out.pdf", outcome.output.data(), outcome.output.size());
  Handle first = pdf.getAllPages().front();
  Handle image = first.getKey("/Resources").getKey("/XObject").getKey("/Im1");
  ASSERT_TRUE(image.isStream());
  EXPECT_TRUE(image.getDict().getKey("/Subtype").isNameAndEquals("/Image"));
  EXPECT_EQ(image.getDict().getKey("/Width").getIntValue(), 1);
  EXPECT_FALSE(image.getDict().hasKey("/Filter"));
}

TEST(PdfStreamCheckTest, GoodStreamsAreNotTouched) {
  std::string drawing;
  for (int i = 0; i < 200; ++i) drawing += std::to_string(i) + " " + kDrawing;
  const std::string deflated = Deflate(drawing);
  const std::string input = WithSecondContents(deflated, "/FlateDecode");
  ASSERT_EQ(QpdfJobCheck(input).exit_code, 0);
  const Outcome outcome = Sanitize(input, "good.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kClean) << outcome.report.detail;
  EXPECT_TRUE(outcome.report.removed.empty());
  EXPECT_NE(outcome.output.find(deflated), std::string::npos);  // copied, not recompressed
  EXPECT_EQ(QpdfJobCheck(outcome.output).exit_code, 0);
}

// A 64×48 RGB JPEG (libjpeg; a plain gradient).
std::string EncodeJpeg() {
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = 64;
  info.image_height = 48;
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_start_compress(&info, TRUE);
  std::vector<unsigned char> row(64 * 3);
  while (info.next_scanline < info.image_height) {
    for (std::size_t x = 0; x < 64; ++x) {
      row[3 * x] = static_cast<unsigned char>(x * 4);
      row[3 * x + 1] = static_cast<unsigned char>(info.next_scanline * 5);
      row[3 * x + 2] = 128;
    }
    JSAMPROW pointer = row.data();
    jpeg_write_scanlines(&info, &pointer, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string jpeg(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return jpeg;
}

std::string WithImage(const std::string& jpeg) {
  return MakePdf(
      [&](QPDF& pdf, Handle page) {
        Handle image = RawStream(pdf, jpeg, "/DCTDecode");
        image.getDict().replaceKey("/Type", Handle::newName("/XObject"));
        image.getDict().replaceKey("/Subtype", Handle::newName("/Image"));
        image.getDict().replaceKey("/Width", Handle::newInteger(64));
        image.getDict().replaceKey("/Height", Handle::newInteger(48));
        image.getDict().replaceKey("/ColorSpace", Handle::newName("/DeviceRGB"));
        image.getDict().replaceKey("/BitsPerComponent", Handle::newInteger(8));
        Handle xobjects = Handle::newDictionary();
        xobjects.replaceKey("/Im1", image);
        page.getKey("/Resources").replaceKey("/XObject", xobjects);
      },
      RawStreams());
}

// The JPEG check (libjpeg at 1/8 scale) agrees with qpdf's full decode: a
// good JPEG is kept byte for byte; one cut short (qpdf: "invalid jpeg data
// reading from buffer") and one whose header is cut are emptied; every
// output passes the check.
TEST(PdfStreamCheckTest, JpegImagesAreKeptWhenQpdfDecodesThem) {
  const std::string jpeg = EncodeJpeg();
  {
    const std::string input = WithImage(jpeg);
    ASSERT_EQ(QpdfJobCheck(input).exit_code, 0);
    const Outcome outcome = Sanitize(input, "photo.pdf", Settings{});
    ASSERT_EQ(outcome.report.verdict, Verdict::kClean) << ReportToJson(outcome.report);
    EXPECT_NE(outcome.output.find(jpeg), std::string::npos);
    EXPECT_EQ(QpdfJobCheck(outcome.output).exit_code, 0);
  }
  for (const std::size_t cut : {jpeg.size() * 3 / 4, std::size_t{40}}) {
    const std::string input = WithImage(jpeg.substr(0, cut));
    ASSERT_NE(QpdfJobCheck(input).exit_code, 0) << cut;
    const Outcome outcome = Sanitize(input, "photo.pdf", Settings{});
    ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << cut;
    EXPECT_NE(FindRemoval(outcome.report, "undecodable_stream"), nullptr) << cut;
    const JobCheck check = QpdfJobCheck(outcome.output);
    EXPECT_EQ(check.exit_code, 0) << cut << ": " << check.messages;
  }

  // A JPEG whose header claims more pixels than max_memory_bytes allows.
  Settings small;
  small.limits.max_memory_bytes = 1000;
  const Outcome large = Sanitize(WithImage(jpeg), "photo.pdf", small);
  ASSERT_EQ(large.report.verdict, Verdict::kSanitized) << large.report.detail;
  EXPECT_NE(FindRemoval(large.report, "decompression_bomb"), nullptr);
  EXPECT_EQ(QpdfJobCheck(large.output).exit_code, 0);
}

// A damaged page tree (a /Kids entry qpdf can only read as null) is
// written flat, without the broken entry, and passes the check.
TEST(PdfStreamCheckTest, BrokenPageTreeEntryIsDroppedAndTheTreeWrittenFlat) {
  const std::string input = MakePdf([](QPDF& pdf, Handle /*page*/) {
    Handle pages = pdf.getRoot().getKey("/Pages");
    pages.getKey("/Kids").appendItem(pdf.makeIndirectObject(Handle::newNull()));
    pages.replaceKey("/Count", Handle::newInteger(2));
  });
  ASSERT_NE(QpdfJobCheck(input).exit_code, 0);
  const Outcome outcome = Sanitize(input, "pages.pdf", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const Removal* removal = FindRemoval(outcome.report, "broken_page_tree_entry");
  ASSERT_NE(removal, nullptr) << ReportToJson(outcome.report);
  EXPECT_EQ(removal->count, 1);
  const JobCheck check = QpdfJobCheck(outcome.output);
  EXPECT_EQ(check.exit_code, 0) << check.messages;
  const Inspection inspection = Inspect(outcome.output);
  EXPECT_EQ(inspection.pages, 1);
  EXPECT_NE(inspection.first_page_text.find("(Hello mamori) Tj"), std::string::npos);
}

}  // namespace
}  // namespace mamori::sanitize
