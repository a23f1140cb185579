// Images: samples are made here with the libraries, sanitized through the
// public entry point, and the output is decoded again with the library
// directly (not with the sanitizer's code).
#include <gif_lib.h>
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <webp/mux.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {
namespace {

std::vector<std::uint8_t> Gradient(int width, int height, int channels) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * channels));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        pixels[static_cast<std::size_t>((y * width + x) * channels + c)] =
            static_cast<std::uint8_t>((x * 16 + y * 4 + c * 80) & 0xFF);
      }
    }
  }
  return pixels;
}

std::string Be32(std::uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(value >> (24 - 8 * i));
  return out;
}

std::string PngChunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return Be32(static_cast<std::uint32_t>(data.size())) + body + Be32(crc);
}

std::string EncodePng(const std::vector<std::uint8_t>& pixels, int width, int height,
                      png_uint_32 format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_NE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr), 0);
  std::string out(size, '\0');
  EXPECT_NE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr), 0);
  out.resize(size);
  return out;
}

// Decodes with libpng directly; empty on failure.
std::vector<std::uint8_t> DecodePng(const std::string& bytes, png_uint_32 format, int* width,
                                    int* height) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) return {};
  image.format = format;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) return {};
  *width = static_cast<int>(image.width);
  *height = static_cast<int>(image.height);
  return pixels;
}

bool HasRemoval(const Report& report, std::string_view what) {
  for (const auto& removal : report.removed) {
    if (removal.what == what) return true;
  }
  return false;
}

TEST(ImageSanitizeTest, PngTextAndExifAreRemovedAndPixelsKept) {
  const auto pixels = Gradient(16, 8, 4);
  std::string png = EncodePng(pixels, 16, 8, PNG_FORMAT_RGBA);
  // After IHDR (8 + 25 bytes): a tEXt, an iTXt with XMP and an eXIf chunk.
  const std::string extra = PngChunk("tEXt", std::string("Comment\0secret author", 22)) +
                            PngChunk("iTXt", std::string("XML:com.adobe.xmp\0\0\0\0\0<x/>", 27)) +
                            PngChunk("eXIf", std::string("MM\0\x2A\0\0\0\x08\0\0", 10));
  png.insert(33, extra);
  const Outcome outcome = Sanitize(png, "photo.png", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kPng);
  EXPECT_EQ(outcome.report.output_name, "photo.png");
  EXPECT_TRUE(HasRemoval(outcome.report, "text"));
  EXPECT_TRUE(HasRemoval(outcome.report, "xmp"));
  EXPECT_TRUE(HasRemoval(outcome.report, "exif"));
  EXPECT_EQ(outcome.output.find("tEXt"), std::string::npos);
  EXPECT_EQ(outcome.output.find("eXIf"), std::string::npos);
  EXPECT_EQ(outcome.output.find("secret"), std::string::npos);
  int width = 0;
  int height = 0;
  EXPECT_EQ(DecodePng(outcome.output, PNG_FORMAT_RGBA, &width, &height), pixels);
  EXPECT_EQ(width, 16);
  EXPECT_EQ(height, 8);
}

TEST(ImageSanitizeTest, PngClaimingTenGigapixelsIsRefusedFromTheHeader) {
  std::string ihdr = Be32(100000) + Be32(100000) + std::string("\x08\x06\0\0\0", 5);
  const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + PngChunk("IHDR", ihdr) +
                          PngChunk("IDAT", std::string("\x78\x9C\x03\0\0\0\0\x01", 8)) +
                          PngChunk("IEND", "");
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = Sanitize(png, "huge.png", Settings{});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kTooManyPixels) << outcome.report.detail;
}

TEST(ImageSanitizeTest, PngChunkDeclaringMoreBytesThanTheFileIsRefused) {
  // The fuzzer's find: a tEXt chunk that declares 1.8 GB in a 100-byte file
  // made libpng read and allocate for seconds. Refused from the chunk list.
  std::string png = EncodePng(Gradient(8, 8, 4), 8, 8, PNG_FORMAT_RGBA);
  png.insert(33, Be32(0x6D736F0E) + "tEXtAuthor");
  const Outcome outcome = Sanitize(png, "overlong.png", Settings{});
  EXPECT_EQ(outcome.report.verdict, Verdict::kRefused);
  EXPECT_EQ(outcome.report.reason, Reason::kMalformed);
  EXPECT_NE(outcome.report.detail.find("past the end"), std::string::npos)
      << outcome.report.detail;
  EXPECT_TRUE(outcome.output.empty());
}

TEST(ImageSanitizeTest, PlainPngIsCleanWithTheSamePixels) {
  const auto rgb = Gradient(4, 4, 3);
  const std::string png = EncodePng(rgb, 4, 4, PNG_FORMAT_RGB);
  const Outcome outcome = Sanitize(png, "a.png", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.verdict, Verdict::kClean);
  int width = 0;
  int height = 0;
  EXPECT_EQ(DecodePng(outcome.output, PNG_FORMAT_RGB, &width, &height), rgb);
}

// A JPEG made with libjpeg, with an APP1 EXIF segment and a comment.
std::string EncodeJpeg(const std::vector<std::uint8_t>& pixels, int width, int height,
                       const std::string& exif) {
  jpeg_compress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 95, TRUE);
  jpeg_start_compress(&info, TRUE);
  if (!exif.empty()) {
    jpeg_write_marker(&info, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(exif.data()),
                      static_cast<unsigned>(exif.size()));
  }
  const std::string comment = "made by secret-camera";
  jpeg_write_marker(&info, JPEG_COM, reinterpret_cast<const JOCTET*>(comment.data()),
                    static_cast<unsigned>(comment.size()));
  while (info.next_scanline < info.image_height) {
    auto* row = const_cast<JSAMPLE*>(&pixels[info.next_scanline * static_cast<unsigned>(width) * 3]);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

struct DecodedJpeg {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
  int app_markers = 0;
};

DecodedJpeg DecodeJpeg(const std::string& bytes) {
  jpeg_decompress_struct info;
  jpeg_error_mgr error;
  info.err = jpeg_std_error(&error);
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  for (int app = 1; app < 16; ++app) jpeg_save_markers(&info, JPEG_APP0 + app, 0xFFFF);
  jpeg_save_markers(&info, JPEG_COM, 0xFFFF);
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  DecodedJpeg decoded;
  decoded.width = static_cast<int>(info.output_width);
  decoded.height = static_cast<int>(info.output_height);
  decoded.pixels.resize(std::size_t{info.output_width} * info.output_height * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = &decoded.pixels[std::size_t{info.output_scanline} * info.output_width * 3];
    jpeg_read_scanlines(&info, &row, 1);
  }
  for (auto* marker = info.marker_list; marker != nullptr; marker = marker->next) {
    ++decoded.app_markers;
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return decoded;
}

// Big-endian EXIF with IFD0 holding Make (offset) and Orientation.
std::string Exif(int orientation) {
  std::string exif("Exif\0\0MM\0\x2A\0\0\0\x08", 14);
  exif += std::string("\0\x02", 2);
  exif += std::string("\x01\x0F\0\x02\0\0\0\x07\0\0\0\x26", 12);  // Make, ASCII, 7, at 38
  exif += std::string("\x01\x12\0\x03\0\0\0\x01\0", 9) + static_cast<char>(orientation) +
          std::string("\0\0", 2);
  exif += std::string("\0\0\0\0", 4);
  exif += std::string("SECRET\0", 7);
  return exif;
}

TEST(ImageSanitizeTest, JpegExifAndCommentAreRemovedAndItDecodes) {
  const auto pixels = Gradient(32, 16, 3);
  const std::string jpeg = EncodeJpeg(pixels, 32, 16, Exif(1));
  ASSERT_NE(jpeg.find("SECRET"), std::string::npos);
  const Outcome outcome = Sanitize(jpeg, "photo.jpg", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_TRUE(HasRemoval(outcome.report, "exif"));
  EXPECT_TRUE(HasRemoval(outcome.report, "comment"));
  EXPECT_EQ(outcome.output.find("SECRET"), std::string::npos);
  EXPECT_EQ(outcome.output.find("secret-camera"), std::string::npos);
  const DecodedJpeg decoded = DecodeJpeg(outcome.output);
  EXPECT_EQ(decoded.width, 32);
  EXPECT_EQ(decoded.height, 16);
  EXPECT_EQ(decoded.app_markers, 0);
  // Lossy: close to the source, not equal.
  long total = 0;
  const DecodedJpeg original = DecodeJpeg(jpeg);
  for (std::size_t i = 0; i < decoded.pixels.size(); ++i) {
    total += std::abs(decoded.pixels[i] - original.pixels[i]);
  }
  EXPECT_LT(total / static_cast<long>(decoded.pixels.size()), 12);
}

TEST(ImageSanitizeTest, JpegOrientationIsAppliedToThePixels) {
  const std::string jpeg = EncodeJpeg(Gradient(32, 16, 3), 32, 16, Exif(6));
  const Outcome outcome = Sanitize(jpeg, "rotated.jpg", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  const DecodedJpeg decoded = DecodeJpeg(outcome.output);
  EXPECT_EQ(decoded.width, 16);
  EXPECT_EQ(decoded.height, 32);
}

TEST(ImageSanitizeTest, TruncatedJpegIsRefusedNotCrashed) {
  const std::string jpeg = EncodeJpeg(Gradient(32, 16, 3), 32, 16, "");
  const Outcome outcome = Sanitize(jpeg.substr(0, 200), "cut.jpg", Settings{});
  // libjpeg pads a truncated scan with gray and warns; either outcome is fine
  // as long as it is clean and re-parsable.
  if (outcome.report.verdict != Verdict::kRefused) {
    EXPECT_EQ(DecodeJpeg(outcome.output).width, 32);
  }
  const Outcome garbage = Sanitize(jpeg.substr(0, 20) + std::string(100, 'x'), "bad.jpg",
                                   Settings{});
  EXPECT_EQ(garbage.report.verdict, Verdict::kRefused);
}

int WriteToString(GifFileType* gif, const GifByteType* data, int length) {
  static_cast<std::string*>(gif->UserData)->append(reinterpret_cast<const char*>(data),
                                                   static_cast<std::size_t>(length));
  return length;
}

struct StringReader {
  std::string data;
  std::size_t at = 0;
};

int ReadFromString(GifFileType* gif, GifByteType* buffer, int length) {
  auto* reader = static_cast<StringReader*>(gif->UserData);
  const std::size_t count =
      std::min(static_cast<std::size_t>(length), reader->data.size() - reader->at);
  std::memcpy(buffer, reader->data.data() + reader->at, count);
  reader->at += count;
  return static_cast<int>(count);
}

TEST(ImageSanitizeTest, AnimatedGifKeepsEveryFrameAndLosesItsComment) {
  std::string gif;
  int error = 0;
  GifFileType* out = EGifOpen(&gif, WriteToString, &error);
  ASSERT_NE(out, nullptr);
  GifColorType colors[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  ColorMapObject* map = GifMakeMapObject(4, colors);
  EGifSetGifVersion(out, true);
  ASSERT_EQ(EGifPutScreenDesc(out, 8, 4, 2, 0, map), GIF_OK);
  ASSERT_EQ(EGifPutComment(out, "hidden comment"), GIF_OK);
  for (int frame = 0; frame < 2; ++frame) {
    const char gcb[4] = {0, 10, 0, 0};
    ASSERT_EQ(EGifPutExtension(out, GRAPHICS_EXT_FUNC_CODE, 4, gcb), GIF_OK);
    ASSERT_EQ(EGifPutImageDesc(out, 0, 0, 8, 4, false, nullptr), GIF_OK);
    for (int y = 0; y < 4; ++y) {
      GifPixelType line[8];
      for (int x = 0; x < 8; ++x) line[x] = static_cast<GifPixelType>((x + y + frame) % 4);
      ASSERT_EQ(EGifPutLine(out, line, 8), GIF_OK);
    }
  }
  ASSERT_EQ(EGifCloseFile(out, &error), GIF_OK);
  GifFreeMapObject(map);

  const Outcome outcome = Sanitize(gif, "anim.gif", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_TRUE(HasRemoval(outcome.report, "comment"));
  EXPECT_EQ(outcome.output.find("hidden"), std::string::npos);

  StringReader reader{outcome.output};
  GifFileType* in = DGifOpen(&reader, ReadFromString, &error);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(DGifSlurp(in), GIF_OK);
  ASSERT_EQ(in->ImageCount, 2);
  EXPECT_EQ(in->SWidth, 8);
  for (int frame = 0; frame < 2; ++frame) {
    const SavedImage& image = in->SavedImages[frame];
    EXPECT_EQ(image.RasterBits[9], (1 + 1 + frame) % 4);  // x=1, y=1
    GraphicsControlBlock gcb;
    EXPECT_EQ(DGifSavedExtensionToGCB(in, frame, &gcb), GIF_OK);
    EXPECT_EQ(gcb.DelayTime, 10);
  }
  DGifCloseFile(in, &error);
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ImageSanitizeTest, TiffPagesAndPixelsSurviveAndTextTagsGo) {
  const std::string path = testing::TempDir() + "/image_test_in.tif";
  const auto pixels = Gradient(8, 4, 3);
  {
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    for (int page = 0; page < 2; ++page) {
      TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 8);
      TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 4);
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
      TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
      TIFFSetField(tif, TIFFTAG_ARTIST, "secret author");
      TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, "hidden description");
      for (std::uint32_t y = 0; y < 4; ++y) {
        TIFFWriteScanline(tif, const_cast<std::uint8_t*>(&pixels[y * 24]), y, 0);
      }
      TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
  }
  const Outcome outcome = Sanitize(ReadFile(path), "scan.tiff", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_EQ(outcome.report.output_name, "scan.tif");
  EXPECT_TRUE(HasRemoval(outcome.report, "author"));
  EXPECT_EQ(outcome.output.find("secret"), std::string::npos);
  EXPECT_EQ(outcome.output.find("hidden"), std::string::npos);

  const std::string out_path = testing::TempDir() + "/image_test_out.tif";
  WriteFile(out_path, outcome.output);
  TIFF* tif = TIFFOpen(out_path.c_str(), "r");
  ASSERT_NE(tif, nullptr);
  EXPECT_EQ(TIFFNumberOfDirectories(tif), 2);
  std::vector<std::uint8_t> line(static_cast<std::size_t>(TIFFScanlineSize(tif)));
  ASSERT_EQ(line.size(), 24U);
  for (std::uint32_t y = 0; y < 4; ++y) {
    ASSERT_EQ(TIFFReadScanline(tif, line.data(), y, 0), 1);
    EXPECT_EQ(std::vector<std::uint8_t>(pixels.begin() + y * 24, pixels.begin() + y * 24 + 24),
              line);
  }
  TIFFClose(tif);
  std::remove(path.c_str());
  std::remove(out_path.c_str());
}

TEST(ImageSanitizeTest, WebpExifIsRemovedAndLosslessPixelsKept) {
  auto pixels = Gradient(8, 8, 4);
  // Opaque: the encoder may change the colour of fully transparent pixels.
  for (std::size_t i = 3; i < pixels.size(); i += 4) pixels[i] = static_cast<std::uint8_t>(pixels[i] | 1);
  std::uint8_t* encoded = nullptr;
  const std::size_t size = WebPEncodeLosslessRGBA(pixels.data(), 8, 8, 32, &encoded);
  ASSERT_GT(size, 0U);
  WebPMux* mux = WebPMuxNew();
  const WebPData image{encoded, size};
  ASSERT_EQ(WebPMuxSetImage(mux, &image, 1), WEBP_MUX_OK);
  const std::string exif_text = "MM\0\x2A secret exif";
  const WebPData exif{reinterpret_cast<const std::uint8_t*>(exif_text.data()), exif_text.size()};
  ASSERT_EQ(WebPMuxSetChunk(mux, "EXIF", &exif, 1), WEBP_MUX_OK);
  WebPData assembled{};
  ASSERT_EQ(WebPMuxAssemble(mux, &assembled), WEBP_MUX_OK);
  const std::string webp(reinterpret_cast<const char*>(assembled.bytes), assembled.size);
  WebPDataClear(&assembled);
  WebPMuxDelete(mux);
  WebPFree(encoded);

  const Outcome outcome = Sanitize(webp, "x.webp", Settings{});
  ASSERT_EQ(outcome.report.verdict, Verdict::kSanitized) << outcome.report.detail;
  EXPECT_TRUE(HasRemoval(outcome.report, "exif"));
  EXPECT_EQ(outcome.output.find("secret"), std::string::npos);
  int width = 0;
  int height = 0;
  std::uint8_t* decoded =
      WebPDecodeRGBA(reinterpret_cast<const std::uint8_t*>(outcome.output.data()),
                     outcome.output.size(), &width, &height);
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(std::vector<std::uint8_t>(decoded, decoded + 8 * 8 * 4), pixels);
  WebPFree(decoded);
}

std::string Le32(std::uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(value >> (8 * i));
  return out;
}

// A 3×2 8-bit palette BMP, bottom-up, with 4-byte row padding.
std::string PaletteBmp() {
  std::string bmp = "BM" + Le32(14 + 40 + 16 + 8) + Le32(0) + Le32(14 + 40 + 16);
  bmp += Le32(40) + Le32(3) + Le32(2) + std::string("\x01\0\x08\0", 4) + Le32(0) + Le32(8) +
         Le32(2835) + Le32(2835) + Le32(4) + Le32(0);
  bmp += std::string("\0\0\0\0\0\0\xFF\0\0\xFF\0\0\xFF\0\0\0", 16);  // black, red, green, blue (BGR0)
  bmp += std::string("\x01\x02\x03\0", 4);  // bottom row: red green blue
  bmp += std::string("\x00\x01\x00\0", 4);  // top row: black red black
  return bmp;
}

TEST(ImageSanitizeTest, BmpIsRewrittenAsA24BitBmpWithTheSamePixels) {
  const Outcome outcome = Sanitize(PaletteBmp(), "map.bmp", Settings{});
  ASSERT_NE(outcome.report.verdict, Verdict::kRefused) << outcome.report.detail;
  EXPECT_EQ(outcome.report.detected, FileType::kBmp);
  EXPECT_EQ(outcome.report.output_name, "map.bmp");
  const std::string& out = outcome.output;
  ASSERT_EQ(out.size(), 14U + 40 + 2 * 12);  // rows of 9 bytes padded to 12
  EXPECT_EQ(out.substr(0, 2), "BM");
  EXPECT_EQ(out[28], 24);
  // Bottom row first (BGR): red, green, blue.
  EXPECT_EQ(out.substr(54, 9), std::string("\0\0\xFF\0\xFF\0\xFF\0\0", 9));
  // Top row: black, red, black.
  EXPECT_EQ(out.substr(66, 9), std::string("\0\0\0\0\0\xFF\0\0\0", 9));
  // And it is a BMP that the sanitizer itself accepts again unchanged.
  EXPECT_EQ(Sanitize(out, "again.bmp", Settings{}).output, out);
}

TEST(ImageSanitizeTest, BmpWithShortPixelDataOrHugeSizeIsRefused) {
  std::string bmp = PaletteBmp();
  EXPECT_EQ(Sanitize(bmp.substr(0, bmp.size() - 3), "cut.bmp", Settings{}).report.reason,
            Reason::kMalformed);
  bmp.replace(18, 8, Le32(200000) + Le32(200000));
  EXPECT_EQ(Sanitize(bmp, "huge.bmp", Settings{}).report.reason, Reason::kTooManyPixels);
}

}  // namespace
}  // namespace mamori::sanitize
