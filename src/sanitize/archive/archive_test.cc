// Archives: samples are built here with libarchive and libzip, sanitized
// through the public entry point, and the output is opened again with
// libarchive / libzip / libpng directly.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <png.h>
#include <zip.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/charset.h"
#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;  // name (raw bytes), data

la_ssize_t Append(struct archive* /*handle*/, void* client, const void* buffer,
                  std::size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// Builds an archive with libarchive: format "zip", "tar", "7zip", "tgz", "gz".
std::string Build(const std::string& format, const Files& files) {
  struct archive* handle = archive_write_new();
  if (format == "zip") archive_write_set_format_zip(handle);
  if (format == "tar" || format == "tgz") archive_write_set_format_pax_restricted(handle);
  if (format == "7zip") archive_write_set_format_7zip(handle);
  if (format == "gz") archive_write_set_format_raw(handle);
  if (format == "tgz" || format == "gz") archive_write_add_filter_gzip(handle);
  archive_write_set_bytes_in_last_block(handle, 1);
  std::string out;
  EXPECT_EQ(archive_write_open(handle, &out, nullptr, Append, nullptr), ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    EXPECT_EQ(archive_write_header(handle, entry), ARCHIVE_OK) << archive_error_string(handle);
    archive_write_data(handle, data.data(), data.size());
    archive_entry_free(entry);
  }
  archive_write_close(handle);
  archive_write_free(handle);
  return out;
}

// A zip written with libzip: names are stored as given (raw bytes, no
// UTF-8 flag unless the name is UTF-8); `password` encrypts every entry.
std::string BuildWithLibzip(const Files& files, const char* password = nullptr) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  for (const auto& [name, data] : files) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_GUESS);
    EXPECT_GE(index, 0);
    if (password != nullptr) {
      EXPECT_EQ(zip_file_set_encryption(archive, static_cast<zip_uint64_t>(index),
                                        ZIP_EM_TRAD_PKWARE, password),
                0);
    }
  }
  EXPECT_EQ(zip_close(archive), 0);
  std::string out;
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  out.resize(static_cast<std::size_t>(zip_source_tell(buffer)));
  zip_source_seek(buffer, 0, SEEK_SET);
  zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  zip_source_free(buffer);
  return out;
}

// Reads every regular entry back with libarchive (names as libarchive gives
// them in a UTF-8 locale).
std::map<std::string, std::string> ReadBack(const std::string& bytes) {
  locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", nullptr);
  locale_t previous = uselocale(utf8);
  std::map<std::string, std::string> files;
  struct archive* handle = archive_read_new();
  archive_read_support_format_all(handle);
  archive_read_support_filter_all(handle);
  archive_read_support_format_raw(handle);
  EXPECT_EQ(archive_read_open_memory(handle, bytes.data(), bytes.size()), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(handle, &entry) == ARCHIVE_OK) {
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    std::string data;
    char chunk[4096];
    la_ssize_t count = 0;
    while ((count = archive_read_data(handle, chunk, sizeof chunk)) > 0) {
      data.append(chunk, static_cast<std::size_t>(count));
    }
    files[archive_entry_pathname(entry)] = data;
  }
  archive_read_free(handle);
  uselocale(previous);
  freelocale(utf8);
  return files;
}

std::string ToCp932(std::string_view utf8) {
  auto converter = Converter::Create("CP932", "UTF-8");
  std::string out;
  std::size_t failed = 0;
  EXPECT_TRUE(converter.Ok() && converter->Convert(utf8, &out, &failed));
  return out;
}

std::string TinyPng() {
  std::vector<std::uint8_t> pixels(4 * 4 * 3, 0x80);
  pixels[0] = 0xFF;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = 4;
  image.height = 4;
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  std::string out(size, '\0');
  png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
  out.resize(size);
  return out;
}

TEST(ArchiveSanitizeTest, ZipWithPngAndTextIsRebuiltWithBoth) {
  const std::string zip =
      Build("zip", {{"docs/readme.txt", "hello world\n"}, {"images/pic.png", TinyPng()}});
  const Outcome outcome = Sanitize(zip, "bundle.zip", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kZip);
  ASSERT_EQ(outcome.report.children.size(), 2U);
  const auto files = ReadBack(outcome.output);
  ASSERT_EQ(files.size(), 2U) << ReportToJson(outcome.report, 1);
  EXPECT_EQ(files.at("docs/readme.txt"), "hello world\n");
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  const std::string& png = files.at("images/pic.png");
  ASSERT_NE(png_image_begin_read_from_memory(&image, png.data(), png.size()), 0);
  EXPECT_EQ(image.width, 4U);
  png_image_free(&image);
}

TEST(ArchiveSanitizeTest, ZipBombIsRefusedQuickly) {
  const std::string zeros(std::size_t{20} << 20, '\0');
  const std::string zip = Build("zip", {{"zeros.txt", zeros}});
  ASSERT_LT(zip.size(), std::size_t{100} << 10);
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = Sanitize(zip, "bomb.zip", Settings{});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_TRUE(outcome.report.reason == Reason::kExpansionRatio ||
              outcome.report.reason == Reason::kExpandedTooLarge)
      << ReasonId(outcome.report.reason);
}

TEST(ArchiveSanitizeTest, GzipBombWithoutADeclaredSizeIsRefusedWhileReading) {
  const std::string gz = Build("gz", {{"data", std::string(std::size_t{20} << 20, 'a')}});
  const Outcome outcome = Sanitize(gz, "bomb.gz", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kExpansionRatio) << outcome.report.detail;
}

TEST(ArchiveSanitizeTest, TraversalAbsoluteAndDriveNamesAreRefused) {
  for (const char* name : {"../evil.txt", "a/../../evil.txt", "..\\evil.txt", "/etc/passwd",
                           "C:evil.txt", "c:\\windows\\evil.txt", "a/.. /evil.txt"}) {
    const std::string zip = BuildWithLibzip({{"ok.txt", "fine"}, {name, "evil"}});
    const Outcome outcome = Sanitize(zip, "x.zip", Settings{});
    EXPECT_EQ(outcome.report.verdict, Verdict::kRefused) << name;
    EXPECT_EQ(outcome.report.reason, Reason::kUnsafePath) << name << outcome.report.detail;
  }
  const std::string tar = Build("tar", {{"../evil.txt", "evil"}});
  EXPECT_EQ(Sanitize(tar, "x.tar", Settings{}).report.reason, Reason::kUnsafePath);
}

TEST(ArchiveSanitizeTest, Cp932NameWith5CSecondByteIsAcceptedAndWrittenAsUtf8) {
  // 表 is 0x95 0x5C in CP932: the second byte is '\', but not a separator.
  const std::string raw_name = ToCp932("資料/表.txt");
  ASSERT_NE(raw_name.find('\x5C'), std::string::npos);
  const std::string zip = BuildWithLibzip({{raw_name, "テキスト"}, {ToCp932("能力.txt"), "能力の一覧です。\n"}});
  const Outcome outcome = Sanitize(zip, "hyou.zip", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  ASSERT_EQ(outcome.report.children.size(), 2U);
  EXPECT_EQ(outcome.report.children[0].name, "資料/表.txt");
  // Open the output with libzip: the name is UTF-8 with the UTF-8 flag
  // (strict decoding would turn an unflagged name into CP437 mojibake).
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(outcome.output.data(), outcome.output.size(), 0,
                                                  &error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  ASSERT_NE(archive, nullptr);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    const char* strict = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_STRICT);
    const char* raw = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    ASSERT_NE(strict, nullptr);
    EXPECT_STREQ(strict, raw);
    names.emplace_back(strict);
  }
  zip_close(archive);
  EXPECT_NE(std::find(names.begin(), names.end(), "資料/表.txt"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "能力.txt"), names.end());
  EXPECT_EQ(ReadBack(outcome.output).at("資料/表.txt"), "テキスト");
}

std::string Le32(std::uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(value >> (8 * i));
  return out;
}

// An LZH (level 0 header, stored "-lh0-") with one file: libarchive cannot
// write LZH, so it is built here byte by byte.
std::string Lzh(const std::string& raw_name, const std::string& data) {
  std::uint16_t crc = 0;  // CRC-16/ARC of the data
  for (const char c : data) {
    crc = static_cast<std::uint16_t>(crc ^ static_cast<unsigned char>(c));
    for (int i = 0; i < 8; ++i) {
      crc = static_cast<std::uint16_t>((crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1);
    }
  }
  std::string header = "-lh0-" + Le32(static_cast<std::uint32_t>(data.size())) +
                       Le32(static_cast<std::uint32_t>(data.size())) + Le32(0x5A210000) +
                       std::string("\x20\0", 2) + static_cast<char>(raw_name.size()) + raw_name;
  header += static_cast<char>(crc & 0xFF);
  header += static_cast<char>(crc >> 8);
  unsigned sum = 0;
  for (const char c : header) sum += static_cast<unsigned char>(c);
  return std::string(1, static_cast<char>(header.size())) + static_cast<char>(sum & 0xFF) +
         header + data + std::string(1, '\0');
}

TEST(ArchiveSanitizeTest, LzhWithCp932NameIsRebuiltAsZip) {
  const Outcome outcome = Sanitize(Lzh(ToCp932("表.txt"), "LZH の中身です。\n"), "old.lzh",
                                   Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kLzh);
  EXPECT_EQ(outcome.report.output_name, "old.zip");
  EXPECT_EQ(outcome.output.substr(0, 4), "PK\x03\x04");
  EXPECT_EQ(ReadBack(outcome.output).at("表.txt"), "LZH の中身です。\n");
  const Outcome evil = Sanitize(Lzh("..\\evil.txt", "evil text here\n"), "evil.lzh", Settings{});
  EXPECT_EQ(evil.report.reason, Reason::kUnsafePath) << evil.report.detail;
}

TEST(ArchiveSanitizeTest, EncryptedZipIsRefused) {
  const std::string zip = BuildWithLibzip({{"secret.txt", "secret text"}}, "password");
  const Outcome outcome = Sanitize(zip, "locked.zip", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kEncrypted) << outcome.report.detail;
}

TEST(ArchiveSanitizeTest, NestingBeyondMaxDepthIsRefused) {
  std::string inner = Build("zip", {{"deep.txt", "bottom"}});
  for (int level = 0; level < 4; ++level) {
    inner = Build("zip", {{"level" + std::to_string(level) + ".zip", inner}});
  }
  Settings settings;
  settings.limits.max_depth = 2;
  const Outcome outcome = Sanitize(inner, "nested.zip", settings);
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kTooDeep) << outcome.report.detail;
  // Within the limit the same nesting is rebuilt.
  settings.limits.max_depth = 6;
  const Outcome fine = Sanitize(inner, "nested.zip", settings);
  EXPECT_NE(fine.report.verdict, Verdict::kRefused) << fine.report.detail;
}

TEST(ArchiveSanitizeTest, RefusedEntriesAreLeftOutAndReported) {
  const std::string elf("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16);
  const std::string zip = Build("zip", {{"tool.exe", elf}, {"memo.txt", "memo"}});
  const Outcome outcome = Sanitize(zip, "mixed.zip", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  const auto files = ReadBack(outcome.output);
  EXPECT_EQ(files.size(), 1U);
  EXPECT_EQ(files.count("memo.txt"), 1U);
  ASSERT_EQ(outcome.report.children.size(), 2U);
  EXPECT_EQ(outcome.report.children[0].reason, Reason::kUnknownType);
  // Only refused entries: the archive is refused.
  const Outcome all = Sanitize(Build("zip", {{"tool.exe", elf}}), "tool.zip", Settings{});
  EXPECT_EQ(all.report.verdict, Verdict::kRefused);
  EXPECT_EQ(all.report.reason, Reason::kUnknownType);
}

TEST(ArchiveSanitizeTest, TooManyEntriesAreRefused) {
  Files files;
  for (int i = 0; i < 5; ++i) files.emplace_back("f" + std::to_string(i) + ".txt", "x");
  Settings settings;
  settings.limits.max_entries = 4;
  EXPECT_EQ(Sanitize(Build("zip", files), "many.zip", settings).report.reason,
            Reason::kTooManyEntries);
}

TEST(ArchiveSanitizeTest, TarTgzGzipAnd7zKeepTheirFormat) {
  const Files files = {{"a.txt", "alpha\n"}, {"b/c.txt", "gamma\n"}};
  struct Case {
    std::string format;
    std::string name;
    FileType type;
  };
  for (const Case& c : {Case{"tar", "x.tar", FileType::kTar}, Case{"tgz", "x.tar.gz", FileType::kGzip},
                        Case{"7zip", "x.7z", FileType::kSevenZip}}) {
    const Outcome outcome = Sanitize(Build(c.format, files), c.name, Settings{});
    ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << c.format << outcome.report.detail;
    EXPECT_EQ(outcome.report.detected, c.type) << c.format;
    const auto back = ReadBack(outcome.output);
    EXPECT_EQ(back.size(), 2U) << c.format;
    EXPECT_EQ(back.count("b/c.txt"), 1U) << c.format;
  }
  const Outcome gz = Sanitize(Build("gz", {{"data", "just text\n"}}), "notes.txt.gz", Settings{});
  ASSERT_NE(gz.report.verdict, Verdict::kRefused) << gz.report.detail;
  EXPECT_EQ(gz.output.substr(0, 2), "\x1F\x8B");
  EXPECT_EQ(ReadBack(gz.output).at("data"), "just text\n");
}

}  // namespace
}  // namespace mamori::sanitize
