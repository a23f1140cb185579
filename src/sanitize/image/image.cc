// Images (3(2)① ウ): every image is decoded to pixels and encoded again in
// the same format, so that nothing but pixels crosses: no metadata (EXIF,
// XMP, ICC profiles, comments, text chunks), no trailing data, no malformed
// structures aimed at a viewer's parser.
//
// The size comes from the header first: width × height over max_pixels is
// refused before anything is allocated, and every buffer is checked with
// Context::CheckAllocation. Libraries read from memory (jpeg_mem_src, libpng's
// simplified memory API, DGifOpen with a read function, TIFFClientOpenExt,
// WebPDecode). libjpeg reports errors by longjmp: the functions that call
// setjmp hold no object with a destructor (everything lives in the caller).
//
// Per format (docs/sanitize.md):
//   JPEG  libjpeg-turbo, quality 90; the EXIF orientation is applied to the
//         pixels; CMYK becomes RGB.
//   PNG   libpng (simplified API); 8 bits per channel, gray/RGB with or
//         without alpha; every ancillary chunk dropped; APNG keeps the
//         default image only.
//   GIF   giflib; all frames kept (indices and colour maps re-encoded),
//         frame timing and loop count kept, comments and other extensions
//         dropped.
//   BMP   read here (no Debian library reads BMP), written again as BMP
//         (24-bit, or 32-bit BITMAPV4 with alpha).
//   TIFF  libtiff; all pages kept, resolution kept, LZW (bilevel: CCITT G4).
//   WebP  libwebp; lossless stays lossless, lossy is re-encoded at quality
//         90; animated WebP is refused.
#include <algorithm>
#include <csetjmp>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

#include "sanitize/formats.h"

namespace mamori::sanitize {
namespace {

// Decoded pixels: 8 bits per sample, rows top to bottom, no padding.
struct Pixels {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int channels = 0;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  std::vector<std::uint8_t> data;
};

// Removals are counted per (part, what) and recorded once each.
class Removals {
 public:
  void Add(const std::string& part, const std::string& what) { ++counts_[{part, what}]; }
  void ReportTo(FormatResult& result) const {
    for (const auto& [key, count] : counts_) result.Remove(key.first, key.second, count);
  }

 private:
  std::map<std::pair<std::string, std::string>, int> counts_;
};

// kNone when an image of width × height × channels may be decoded.
Reason CheckSize(const Context& context, std::uint64_t width, std::uint64_t height, int channels,
                 std::string* detail) {
  if (width == 0 || height == 0) {
    *detail = "image with a zero dimension";
    return Reason::kMalformed;
  }
  // Both are at most 2^32, so the product fits in 64 bits.
  const std::uint64_t pixels = width * height;
  if (pixels > context.GetLimits().max_pixels) {
    *detail = "image of " + std::to_string(width) + "x" + std::to_string(height) +
              " pixels is over the limit of " + std::to_string(context.GetLimits().max_pixels);
    return Reason::kTooManyPixels;
  }
  const std::uint64_t bytes = pixels * static_cast<std::uint64_t>(channels);
  if (const Reason reason = context.CheckAllocation(static_cast<std::size_t>(bytes));
      reason != Reason::kNone) {
    *detail = "decoding needs " + std::to_string(bytes) + " bytes";
    return reason;
  }
  return Reason::kNone;
}

void FinishNotes(FormatResult& result, const Removals& removals) {
  removals.ReportTo(result);
  result.notes_ja.push_back(result.removed.empty()
                                ? "画像を画素から再符号化しました"
                                : "画像を画素から再符号化し、メタデータ等を削除しました");
}

// ---------------------------------------------------------------------------
// PNG (libpng's simplified API: it handles errors itself, no setjmp here).

std::uint32_t ReadBigEndian32(std::string_view bytes, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
}

// Chunks about how to render the pixels, not about the picture or its
// author: dropped without a report (libpng writes sRGB again).
bool IsRenderingHint(const std::string& type) {
  for (const char* hint : {"sRGB", "gAMA", "cHRM", "pHYs", "sBIT", "bKGD", "hIST", "sPLT"}) {
    if (type == hint) return true;
  }
  return false;
}

// Lists the chunks that re-encoding drops (only to report them; libpng
// parses the file).
void ListPngChunks(std::string_view input, Removals& removals) {
  std::size_t at = 8;
  while (at + 12 <= input.size()) {
    const std::uint32_t length = ReadBigEndian32(input, at);
    const std::string type(input.substr(at + 4, 4));
    if (length > input.size() - at - 12) break;
    const std::string_view data = input.substr(at + 8, length);
    at += std::size_t{12} + length;
    if (type == "IEND") {
      if (at < input.size()) removals.Add("trailer", "trailing_data");
      break;
    }
    if (type == "tEXt" || type == "zTXt") {
      removals.Add(type, "text");
    } else if (type == "iTXt") {
      removals.Add(type, data.starts_with(std::string_view("XML:com.adobe.xmp\0", 18)) ? "xmp"
                                                                                         : "text");
    } else if (type == "eXIf") {
      removals.Add(type, "exif");
    } else if (type == "iCCP") {
      removals.Add(type, "icc_profile");
    } else if (type == "acTL" || type == "fcTL" || type == "fdAT") {
      removals.Add(type, "animation");
    } else if (type == "tIME") {
      removals.Add(type, "time");
    } else if (type != "IHDR" && type != "PLTE" && type != "IDAT" && type != "tRNS" &&
               !IsRenderingHint(type)) {
      removals.Add(type, "ancillary_chunk");
    }
  }
}

// Walks the chunk list up to IEND and names the first chunk whose declared
// length runs past the end of the input. libpng would otherwise trust such a
// length: a 256-byte file declaring a 1.8 GB tEXt chunk made it read and
// allocate for seconds before giving up.
std::string FindOverlongPngChunk(std::string_view input) {
  std::size_t at = 8;
  while (at + 12 <= input.size()) {
    const std::uint32_t length = ReadBigEndian32(input, at);
    if (length > input.size() - at - 12) {
      return "chunk at byte " + std::to_string(at) + " declares " + std::to_string(length) +
             " bytes, past the end of the file";
    }
    if (input.substr(at + 4, 4) == "IEND") break;
    at += std::size_t{12} + length;
  }
  return {};
}

FormatResult SanitizePng(std::string_view input, Context& context) {
  if (const std::string overlong = FindOverlongPngChunk(input); !overlong.empty()) {
    return Refuse(Reason::kMalformed, "PNG: " + overlong);
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, input.data(), input.size()) == 0) {
    return Refuse(Reason::kMalformed, std::string("PNG: ") + image.message);
  }
  std::string detail;
  const int channels = (image.format & PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1;
  const int with_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0;
  if (const Reason reason = CheckSize(context, image.width, image.height, channels + with_alpha,
                                      &detail);
      reason != Reason::kNone) {
    png_image_free(&image);
    return Refuse(reason, "PNG: " + detail);
  }
  // 8-bit sRGB samples, no colour map: a palette becomes RGB(A).
  image.format &= PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA;
  std::vector<std::uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) == 0) {
    const std::string message = image.message;
    png_image_free(&image);
    return Refuse(Reason::kMalformed, "PNG: " + message);
  }
  png_image out{};
  out.version = PNG_IMAGE_VERSION;
  out.width = image.width;
  out.height = image.height;
  out.format = image.format;
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&out, nullptr, &size, 0, pixels.data(), 0, nullptr) == 0 ||
      context.CheckAllocation(size) != Reason::kNone) {
    return Refuse(Reason::kMalformed, std::string("PNG: cannot encode: ") + out.message);
  }
  FormatResult result;
  result.output.resize(size);
  if (png_image_write_to_memory(&out, result.output.data(), &size, 0, pixels.data(), 0,
                                nullptr) == 0) {
    return Refuse(Reason::kMalformed, std::string("PNG: cannot encode: ") + out.message);
  }
  result.output.resize(size);
  Removals removals;
  ListPngChunks(input, removals);
  FinishNotes(result, removals);
  return result;
}

// ---------------------------------------------------------------------------
// JPEG (libjpeg-turbo). Errors longjmp back to the setjmp in DecodeJpeg /
// EncodeJpeg; those two functions own nothing with a destructor.

struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void JpegErrorExit(j_common_ptr common) {
  auto* error = reinterpret_cast<JpegError*>(common->err);
  (*common->err->format_message)(common, error->message);
  std::longjmp(error->jump, 1);
}

void JpegSilence(j_common_ptr /*common*/) {}

// Marker facts collected while decoding (plain data: it crosses the setjmp).
struct JpegMarkers {
  int exif = 0;
  int xmp = 0;
  int icc = 0;
  int comment = 0;
  int other_app = 0;
  int orientation = 1;
};

struct JpegProgress {
  jpeg_progress_mgr manager;
  const Context* context;
  Reason reason;  // why the monitor stopped the decoder
};

// Stops a decode that runs over the deadline or a progressive file with an
// absurd number of scans (a CPU bomb).
void JpegProgressMonitor(j_common_ptr common) {
  auto* progress = reinterpret_cast<JpegProgress*>(common->progress);
  const bool too_many_scans =
      common->is_decompressor != 0 &&
      reinterpret_cast<j_decompress_ptr>(common)->input_scan_number > 1000;
  if (too_many_scans || progress->context->CheckTime() != Reason::kNone) {
    progress->reason = too_many_scans ? Reason::kMalformed : Reason::kTimeout;
    auto* error = reinterpret_cast<JpegError*>(common->err);
    std::snprintf(error->message, sizeof error->message, "%s",
                  too_many_scans ? "more than 1000 scans" : "time limit");
    std::longjmp(error->jump, 1);
  }
}

// The EXIF orientation (tag 0x0112 in IFD0), 1 when absent or unreadable.
int ExifOrientation(const std::uint8_t* data, unsigned length) {
  const std::string_view exif(reinterpret_cast<const char*>(data), length);
  if (!exif.starts_with(std::string_view("Exif\0\0", 6)) || exif.size() < 14) return 1;
  const std::string_view tiff = exif.substr(6);
  const bool little = tiff.starts_with("II");
  if (!little && !tiff.starts_with("MM")) return 1;
  auto read16 = [&](std::size_t at) -> std::uint32_t {
    const auto a = static_cast<unsigned char>(tiff[at]);
    const auto b = static_cast<unsigned char>(tiff[at + 1]);
    return little ? (std::uint32_t{b} << 8) | a : (std::uint32_t{a} << 8) | b;
  };
  auto read32 = [&](std::size_t at) -> std::uint32_t {
    return little ? read16(at) | (read16(at + 2) << 16) : (read16(at) << 16) | read16(at + 2);
  };
  const std::size_t ifd = read32(4);
  if (ifd + 2 > tiff.size()) return 1;
  const std::uint32_t entries = read16(ifd);
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::size_t at = ifd + 2 + std::size_t{12} * i;
    if (at + 12 > tiff.size()) break;
    if (read16(at) == 0x0112 && read16(at + 2) == 3) {
      const std::uint32_t value = read16(at + 8);
      return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
  }
  return 1;
}

void ReadJpegMarkers(j_decompress_ptr info, JpegMarkers* markers) {
  for (jpeg_saved_marker_ptr marker = info->marker_list; marker != nullptr;
       marker = marker->next) {
    const std::string_view head(reinterpret_cast<const char*>(marker->data),
                                marker->data_length);
    if (marker->marker == JPEG_COM) {
      ++markers->comment;
    } else if (marker->marker == JPEG_APP0 + 1 && head.starts_with(std::string_view("Exif\0", 5))) {
      ++markers->exif;
      markers->orientation = ExifOrientation(marker->data, marker->data_length);
    } else if (marker->marker == JPEG_APP0 + 1 && head.starts_with("http://ns.adobe.com/")) {
      ++markers->xmp;
    } else if (marker->marker == JPEG_APP0 + 2 && head.starts_with("ICC_PROFILE")) {
      ++markers->icc;
    // NOLINTNEXTLINE(bugprone-branch-clone): these two are kept on purpose
    } else if (marker->marker == JPEG_APP0 && head.starts_with(std::string_view("JFIF\0", 5))) {
      // JFIF is written again by the encoder.
    } else if (marker->marker == JPEG_APP0 + 14 && head.starts_with("Adobe")) {
      // The colour transform flag: used by the decoder, not metadata.
    } else {
      ++markers->other_app;
    }
  }
}

// What DecodeJpeg needs and gives back. Everything with a destructor is
// owned by the caller; DecodeJpeg only fills it in.
struct JpegDecodeJob {
  std::string_view input;
  Context* context;
  Pixels* pixels;
  JpegMarkers markers;
  Reason reason = Reason::kNone;
  std::string* detail;
  JpegProgress progress;
};

// libjpeg's error manager, made to jump back (JpegErrorExit) and to print
// nothing. The setjmp itself must stay in the caller's frame.
jpeg_error_mgr* QuietJpegErrors(JpegError* error) {
  jpeg_error_mgr* manager = jpeg_std_error(&error->manager);
  manager->error_exit = JpegErrorExit;
  manager->output_message = JpegSilence;
  error->message[0] = '\0';
  return manager;
}

bool DecodeJpeg(JpegDecodeJob* job) {
  jpeg_decompress_struct info;
  JpegError error;
  info.err = QuietJpegErrors(&error);
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&info);
    job->reason =
        job->progress.reason != Reason::kNone ? job->progress.reason : Reason::kMalformed;
    *job->detail = std::string("JPEG: ") + error.message;
    return false;
  }
  jpeg_create_decompress(&info);
  info.mem->max_memory_to_use = static_cast<long>(job->context->GetLimits().max_memory_bytes);
  job->progress.manager.progress_monitor = JpegProgressMonitor;
  job->progress.context = job->context;
  job->progress.reason = Reason::kNone;
  info.progress = &job->progress.manager;
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(job->input.data()),
               static_cast<unsigned long>(job->input.size()));
  // Only the first bytes of each marker are kept: enough to tell what it is
  // (and for APP1, to find the orientation).
  jpeg_save_markers(&info, JPEG_COM, 1);
  for (int app = 0; app < 16; ++app) {
    jpeg_save_markers(&info, JPEG_APP0 + app, app == 1 ? 4096U : 32U);
  }
  jpeg_read_header(&info, TRUE);
  const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
  const bool gray = info.jpeg_color_space == JCS_GRAYSCALE;
  const int channels = gray ? 1 : (cmyk ? 4 : 3);
  job->reason = CheckSize(*job->context, info.image_width, info.image_height, channels,
                          job->detail);
  if (job->reason != Reason::kNone) {
    jpeg_destroy_decompress(&info);
    *job->detail = "JPEG: " + *job->detail;
    return false;
  }
  info.out_color_space = gray ? JCS_GRAYSCALE : (cmyk ? JCS_CMYK : JCS_RGB);
  jpeg_start_decompress(&info);
  Pixels* pixels = job->pixels;
  pixels->width = info.output_width;
  pixels->height = info.output_height;
  pixels->channels = info.output_components;
  const std::size_t stride =
      std::size_t{info.output_width} * static_cast<std::size_t>(pixels->channels);
  pixels->data.resize(stride * info.output_height);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels->data.data() + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  ReadJpegMarkers(&info, &job->markers);
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

struct JpegEncodeJob {
  const Pixels* pixels;
  unsigned char* buffer = nullptr;  // malloc'd by libjpeg: freed by the caller
  unsigned long size = 0;
  std::string* detail;
};

bool EncodeJpeg(JpegEncodeJob* job) {
  jpeg_compress_struct info;
  JpegError error;
  info.err = QuietJpegErrors(&error);
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_compress(&info);
    *job->detail = std::string("JPEG: cannot encode: ") + error.message;
    return false;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &job->buffer, &job->size);
  const Pixels* pixels = job->pixels;
  info.image_width = pixels->width;
  info.image_height = pixels->height;
  info.input_components = pixels->channels;
  info.in_color_space = pixels->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 90, TRUE);
  info.optimize_coding = TRUE;
  jpeg_start_compress(&info, TRUE);
  const std::size_t stride =
      std::size_t{pixels->width} * static_cast<std::size_t>(pixels->channels);
  while (info.next_scanline < info.image_height) {
    // libjpeg does not write through the row pointer.
    auto* row = const_cast<JSAMPLE*>(pixels->data.data() + stride * info.next_scanline);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return true;
}

// Adobe's CMYK JPEGs store inverted samples; the result is a plain RGB
// approximation (no colour management).
void CmykToRgb(Pixels& pixels) {
  const std::size_t count = std::size_t{pixels.width} * pixels.height;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned k = pixels.data[i * 4 + 3];
    for (std::size_t c = 0; c < 3; ++c) {
      pixels.data[i * 3 + c] = static_cast<std::uint8_t>(pixels.data[i * 4 + c] * k / 255);
    }
  }
  pixels.channels = 3;
  pixels.data.resize(count * 3);
}

// Applies an EXIF orientation (2..8) to the pixels.
Pixels Orient(const Pixels& source, int orientation) {
  const bool swap = orientation >= 5;
  Pixels target;
  target.width = swap ? source.height : source.width;
  target.height = swap ? source.width : source.height;
  target.channels = source.channels;
  target.data.resize(source.data.size());
  const std::size_t channels = static_cast<std::size_t>(source.channels);
  const std::size_t w = source.width;
  const std::size_t h = source.height;
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x) {
      std::size_t tx = x;
      std::size_t ty = y;
      switch (orientation) {
        case 2: tx = w - 1 - x; break;
        case 3: tx = w - 1 - x; ty = h - 1 - y; break;
        case 4: ty = h - 1 - y; break;
        case 5: tx = y; ty = x; break;
        case 6: tx = h - 1 - y; ty = x; break;
        case 7: tx = h - 1 - y; ty = w - 1 - x; break;
        case 8: tx = y; ty = w - 1 - x; break;
        default: break;
      }
      std::memcpy(&target.data[(ty * target.width + tx) * channels],
                  &source.data[(y * w + x) * channels], channels);
    }
  }
  return target;
}

FormatResult SanitizeJpeg(std::string_view input, Context& context) {
  Pixels pixels;
  std::string detail;
  JpegDecodeJob decode{input, &context, &pixels, {}, Reason::kNone, &detail, {}};
  if (!DecodeJpeg(&decode)) return Refuse(decode.reason, detail);
  if (pixels.channels == 4) CmykToRgb(pixels);
  FormatResult result;
  if (decode.markers.orientation != 1) {
    if (context.CheckAllocation(pixels.data.size()) != Reason::kNone) {
      return Refuse(Reason::kMemoryLimit, "JPEG: no memory to rotate the image");
    }
    pixels = Orient(pixels, decode.markers.orientation);
    result.notes_ja.push_back("EXIF の向き情報を画素に反映しました");
  }
  JpegEncodeJob encode{&pixels, nullptr, 0, &detail};
  const bool encoded = EncodeJpeg(&encode);
  if (encoded) result.output.assign(reinterpret_cast<const char*>(encode.buffer), encode.size);
  std::free(encode.buffer);
  if (!encoded) return Refuse(Reason::kMalformed, detail);
  Removals removals;
  const JpegMarkers& markers = decode.markers;
  for (int i = 0; i < markers.exif; ++i) removals.Add("APP1", "exif");
  for (int i = 0; i < markers.xmp; ++i) removals.Add("APP1", "xmp");
  for (int i = 0; i < markers.icc; ++i) removals.Add("APP2", "icc_profile");
  for (int i = 0; i < markers.comment; ++i) removals.Add("COM", "comment");
  for (int i = 0; i < markers.other_app; ++i) removals.Add("APPn", "application_data");
  FinishNotes(result, removals);
  return result;
}

// ---------------------------------------------------------------------------
// GIF (giflib): streamed record by record from the reader to the writer, one
// line at a time; all frames are kept.

struct GifInput {
  std::string_view data;
  std::size_t at = 0;
};

int ReadGif(GifFileType* gif, GifByteType* buffer, int wanted) {
  auto* input = static_cast<GifInput*>(gif->UserData);
  const std::size_t count =
      std::min(static_cast<std::size_t>(std::max(wanted, 0)), input->data.size() - input->at);
  std::memcpy(buffer, input->data.data() + input->at, count);
  input->at += count;
  return static_cast<int>(count);
}

int WriteGif(GifFileType* gif, const GifByteType* buffer, int length) {
  auto* output = static_cast<std::string*>(gif->UserData);
  output->append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
  return length;
}

std::string GifErrorText(int code) {
  const char* text = GifErrorString(code);
  return text != nullptr ? text : "unknown error";
}

FormatResult SanitizeGif(std::string_view input, Context& context) {
  GifInput source{input};
  int error = 0;
  GifFileType* in = DGifOpen(&source, ReadGif, &error);
  if (in == nullptr) return Refuse(Reason::kMalformed, "GIF: " + GifErrorText(error));
  std::string output;
  GifFileType* out = EGifOpen(&output, WriteGif, &error);
  auto close = [&] {
    int ignored = 0;
    DGifCloseFile(in, &ignored);
    if (out != nullptr) EGifCloseFile(out, &ignored);
    out = nullptr;
  };
  auto fail = [&](Reason reason, const std::string& detail) {
    close();
    return Refuse(reason, "GIF: " + detail);
  };
  if (out == nullptr) return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(error));
  std::string detail;
  if (const Reason reason = CheckSize(context, static_cast<std::uint64_t>(in->SWidth),
                                      static_cast<std::uint64_t>(in->SHeight), 1, &detail);
      reason != Reason::kNone) {
    return fail(reason, detail);
  }
  EGifSetGifVersion(out, true);
  if (EGifPutScreenDesc(out, in->SWidth, in->SHeight, in->SColorResolution, in->SBackGroundColor,
                        in->SColorMap) == GIF_ERROR) {
    return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(out->Error));
  }
  Removals removals;
  std::uint64_t total_pixels = 0;
  int frames = 0;
  std::vector<GifPixelType> line;
  GifRecordType record = UNDEFINED_RECORD_TYPE;
  do {
    if (const Reason reason = context.CheckTime(); reason != Reason::kNone) {
      return fail(reason, "time limit");
    }
    if (DGifGetRecordType(in, &record) == GIF_ERROR) {
      return fail(Reason::kMalformed, GifErrorText(in->Error));
    }
    if (record == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageDesc(in) == GIF_ERROR) {
        return fail(Reason::kMalformed, GifErrorText(in->Error));
      }
      const GifImageDesc& frame = in->Image;
      if (frame.Width <= 0 || frame.Height <= 0) return fail(Reason::kMalformed, "empty frame");
      if (frame.ColorMap == nullptr && in->SColorMap == nullptr) {
        return fail(Reason::kMalformed, "frame without a colour map");
      }
      total_pixels += static_cast<std::uint64_t>(frame.Width) *
                      static_cast<std::uint64_t>(frame.Height);
      if (total_pixels > context.GetLimits().max_pixels) {
        return fail(Reason::kTooManyPixels,
                    "the frames hold more than " +
                        std::to_string(context.GetLimits().max_pixels) + " pixels");
      }
      if (EGifPutImageDesc(out, frame.Left, frame.Top, frame.Width, frame.Height, frame.Interlace,
                           frame.ColorMap) == GIF_ERROR) {
        return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(out->Error));
      }
      line.assign(static_cast<std::size_t>(frame.Width), 0);
      // Interlaced frames arrive in pass order and are written in the same
      // order with the same flag.
      for (int y = 0; y < frame.Height; ++y) {
        if (DGifGetLine(in, line.data(), frame.Width) == GIF_ERROR) {
          return fail(Reason::kMalformed, GifErrorText(in->Error));
        }
        if (EGifPutLine(out, line.data(), frame.Width) == GIF_ERROR) {
          return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(out->Error));
        }
      }
      ++frames;
    } else if (record == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* block = nullptr;
      if (DGifGetExtension(in, &code, &block) == GIF_ERROR) {
        return fail(Reason::kMalformed, GifErrorText(in->Error));
      }
      std::vector<std::string> blocks;
      while (block != nullptr) {
        blocks.emplace_back(reinterpret_cast<const char*>(block + 1), block[0]);
        if (DGifGetExtensionNext(in, &block) == GIF_ERROR) {
          return fail(Reason::kMalformed, GifErrorText(in->Error));
        }
      }
      const bool loop = code == APPLICATION_EXT_FUNC_CODE && !blocks.empty() &&
                        (blocks[0] == "NETSCAPE2.0" || blocks[0] == "ANIMEXTS1.0");
      if (code == GRAPHICS_EXT_FUNC_CODE && blocks.size() == 1 && blocks[0].size() == 4) {
        if (EGifPutExtension(out, code, 4, blocks[0].data()) == GIF_ERROR) {
          return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(out->Error));
        }
      } else if (loop && blocks.size() == 2 && blocks[1].size() == 3 && blocks[1][0] == 1) {
        if (EGifPutExtensionLeader(out, code) == GIF_ERROR ||
            EGifPutExtensionBlock(out, 11, blocks[0].data()) == GIF_ERROR ||
            EGifPutExtensionBlock(out, 3, blocks[1].data()) == GIF_ERROR ||
            EGifPutExtensionTrailer(out) == GIF_ERROR) {
          return fail(Reason::kMalformed, "cannot encode: " + GifErrorText(out->Error));
        }
      } else if (code == COMMENT_EXT_FUNC_CODE) {
        removals.Add("extension", "comment");
      } else if (code == PLAINTEXT_EXT_FUNC_CODE) {
        removals.Add("extension", "plain_text");
      } else if (code == APPLICATION_EXT_FUNC_CODE && !blocks.empty() &&
                 blocks[0] == "XMP DataXMP") {
        removals.Add("extension", "xmp");
      } else if (code == APPLICATION_EXT_FUNC_CODE && !blocks.empty() &&
                 blocks[0].starts_with("ICCRGBG1")) {
        removals.Add("extension", "icc_profile");
      } else {
        removals.Add("extension", "application_data");
      }
    }
  } while (record != TERMINATE_RECORD_TYPE);
  if (frames == 0) return fail(Reason::kMalformed, "no image");
  if (source.at < input.size()) removals.Add("trailer", "trailing_data");
  int close_error = 0;
  DGifCloseFile(in, &close_error);
  const int written = EGifCloseFile(out, &close_error);
  out = nullptr;
  if (written == GIF_ERROR) {
    return Refuse(Reason::kMalformed, "GIF: cannot encode: " + GifErrorText(close_error));
  }
  FormatResult result;
  result.output = std::move(output);
  FinishNotes(result, removals);
  return result;
}

// ---------------------------------------------------------------------------
// BMP: no Debian library reads or writes it, and the format is plain enough
// to read here: Windows BITMAPINFOHEADER (and V4/V5) or OS/2 core headers,
// 1/4/8-bit palettes, 16/24/32-bit with or without bit fields. RLE and
// embedded JPEG/PNG are refused.

std::uint32_t Little32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24);
}

std::uint32_t Little16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8);
}

// Scales the bits of `value` selected by `mask` to 0..255.
std::uint8_t MaskedSample(std::uint32_t value, std::uint32_t mask) {
  if (mask == 0) return 0;
  int shift = 0;
  while (((mask >> shift) & 1U) == 0) ++shift;
  const std::uint32_t max = mask >> shift;
  return static_cast<std::uint8_t>(((value & mask) >> shift) * 255U / max);
}

FormatResult SanitizeBmp(std::string_view input, Context& context) {
  if (input.size() < 26 || !input.starts_with("BM")) {
    return Refuse(Reason::kMalformed, "BMP: too short");
  }
  const std::uint32_t data_offset = Little32(input, 10);
  const std::uint32_t header_size = Little32(input, 14);
  const bool core = header_size == 12;
  if (!core && header_size != 40 && header_size != 52 && header_size != 56 &&
      header_size != 108 && header_size != 124) {
    return Refuse(Reason::kUnsupportedPart, "BMP: unknown header size " +
                                               std::to_string(header_size));
  }
  if (input.size() < 14 + std::size_t{header_size}) return Refuse(Reason::kMalformed, "BMP: short header");
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::uint32_t bits = 0;
  std::uint32_t compression = 0;
  std::uint32_t colors_used = 0;
  if (core) {
    width = Little16(input, 18);
    height = Little16(input, 20);
    bits = Little16(input, 24);
  } else {
    width = static_cast<std::int32_t>(Little32(input, 18));
    height = static_cast<std::int32_t>(Little32(input, 22));
    bits = Little16(input, 28);
    compression = Little32(input, 30);
    colors_used = Little32(input, 46);
  }
  const bool top_down = height < 0;
  if (height < 0) height = -height;
  if (width <= 0 || height <= 0) return Refuse(Reason::kMalformed, "BMP: bad dimensions");
  std::string detail;
  if (const Reason reason = CheckSize(context, static_cast<std::uint64_t>(width),
                                      static_cast<std::uint64_t>(height), 4, &detail);
      reason != Reason::kNone) {
    return Refuse(reason, "BMP: " + detail);
  }
  // Bit fields: in the V2+ header, or right after a 40-byte header.
  std::uint32_t masks[4] = {0, 0, 0, 0};
  if (compression == 3 || compression == 6) {
    const std::size_t at = 14 + 40;
    const int count = compression == 6 || header_size >= 56 ? 4 : 3;
    if (input.size() < at + std::size_t{4} * static_cast<unsigned>(count)) {
      return Refuse(Reason::kMalformed, "BMP: short bit fields");
    }
    for (int i = 0; i < count; ++i) {
      masks[i] = Little32(input, at + std::size_t{4} * static_cast<unsigned>(i));
    }
  } else if (compression == 0 && bits == 16) {
    masks[0] = 0x7C00;
    masks[1] = 0x03E0;
    masks[2] = 0x001F;
  } else if (compression == 0 && bits == 32) {
    masks[0] = 0x00FF0000;
    masks[1] = 0x0000FF00;
    masks[2] = 0x000000FF;
    // The fourth byte of BI_RGB 32-bit is reserved, not alpha.
  } else if (compression != 0) {
    return Refuse(Reason::kUnsupportedPart,
                  "BMP: compression " + std::to_string(compression) + " (RLE, JPEG, PNG)");
  }
  if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
    return Refuse(Reason::kMalformed, "BMP: " + std::to_string(bits) + " bits per pixel");
  }
  if ((bits == 16 || bits == 32) && (masks[0] == 0 || masks[1] == 0 || masks[2] == 0)) {
    return Refuse(Reason::kMalformed, "BMP: empty bit field");
  }
  // The palette for 1/4/8 bits.
  std::vector<std::uint32_t> palette;
  if (bits <= 8) {
    const std::size_t entry = core ? 3 : 4;
    const std::size_t max_colors = std::size_t{1} << bits;
    const std::size_t colors =
        colors_used == 0 || colors_used > max_colors ? max_colors : colors_used;
    const std::size_t at = 14 + std::size_t{header_size};
    for (std::size_t i = 0; i < colors && at + (i + 1) * entry <= input.size(); ++i) {
      const std::size_t p = at + i * entry;
      palette.push_back(static_cast<std::uint32_t>(static_cast<unsigned char>(input[p])) |
                        (static_cast<std::uint32_t>(static_cast<unsigned char>(input[p + 1])) << 8) |
                        (static_cast<std::uint32_t>(static_cast<unsigned char>(input[p + 2])) << 16));
    }
    palette.resize(max_colors, 0);
  }
  const std::uint64_t stride = ((static_cast<std::uint64_t>(width) * bits + 31) / 32) * 4;
  if (data_offset > input.size() ||
      stride * static_cast<std::uint64_t>(height) > input.size() - data_offset) {
    return Refuse(Reason::kMalformed, "BMP: pixel data shorter than the header says");
  }
  const bool alpha = masks[3] != 0;
  Pixels pixels;
  pixels.width = static_cast<std::uint32_t>(width);
  pixels.height = static_cast<std::uint32_t>(height);
  pixels.channels = alpha ? 4 : 3;
  pixels.data.resize(std::size_t{pixels.width} * pixels.height *
                     static_cast<std::size_t>(pixels.channels));
  for (std::uint32_t y = 0; y < pixels.height; ++y) {
    const std::size_t source_row = top_down ? y : pixels.height - 1 - y;
    const std::string_view row = input.substr(data_offset + source_row * stride, stride);
    std::uint8_t* target = &pixels.data[std::size_t{y} * pixels.width *
                                        static_cast<std::size_t>(pixels.channels)];
    for (std::uint32_t x = 0; x < pixels.width; ++x) {
      std::uint8_t rgba[4] = {0, 0, 0, 255};
      if (bits <= 8) {
        const std::size_t bit = std::size_t{x} * bits;
        const auto byte = static_cast<unsigned char>(row[bit / 8]);
        const unsigned index = (byte >> (8 - bits - bit % 8)) & ((1U << bits) - 1);
        const std::uint32_t color = palette[index];
        rgba[0] = static_cast<std::uint8_t>(color >> 16);
        rgba[1] = static_cast<std::uint8_t>(color >> 8);
        rgba[2] = static_cast<std::uint8_t>(color);
      } else if (bits == 24) {
        rgba[0] = static_cast<std::uint8_t>(row[std::size_t{x} * 3 + 2]);
        rgba[1] = static_cast<std::uint8_t>(row[std::size_t{x} * 3 + 1]);
        rgba[2] = static_cast<std::uint8_t>(row[std::size_t{x} * 3]);
      } else {
        const std::uint32_t value = bits == 16 ? Little16(row, std::size_t{x} * 2)
                                               : Little32(row, std::size_t{x} * 4);
        for (int c = 0; c < 4; ++c) {
          if (masks[c] != 0) rgba[c] = MaskedSample(value, masks[c]);
        }
      }
      std::memcpy(target + std::size_t{x} * static_cast<std::size_t>(pixels.channels), rgba,
                  static_cast<std::size_t>(pixels.channels));
    }
  }
  // Write: 24-bit BI_RGB, or 32-bit BITMAPV4 with bit fields for alpha.
  const std::uint32_t out_bits = alpha ? 32 : 24;
  const std::uint32_t info_size = alpha ? 108 : 40;
  const std::uint64_t out_stride = ((std::uint64_t{pixels.width} * out_bits + 31) / 32) * 4;
  const std::uint64_t image_size = out_stride * pixels.height;
  const std::uint64_t file_size = 14 + info_size + image_size;
  if (file_size > 0xFFFFFFFFULL || context.CheckAllocation(file_size) != Reason::kNone) {
    return Refuse(Reason::kMemoryLimit, "BMP: output too large");
  }
  FormatResult result;
  std::string& out = result.output;
  out.reserve(static_cast<std::size_t>(file_size));
  auto put16 = [&out](std::uint32_t value) {
    out += static_cast<char>(value & 0xFF);
    out += static_cast<char>((value >> 8) & 0xFF);
  };
  auto put32 = [&](std::uint32_t value) {
    put16(value & 0xFFFF);
    put16(value >> 16);
  };
  out += "BM";
  put32(static_cast<std::uint32_t>(file_size));
  put32(0);
  put32(14 + info_size);
  put32(info_size);
  put32(pixels.width);
  put32(pixels.height);  // positive: bottom-up
  put16(1);
  put16(out_bits);
  put32(alpha ? 3 : 0);
  put32(static_cast<std::uint32_t>(image_size));
  put32(2835);  // 72 dpi
  put32(2835);
  put32(0);
  put32(0);
  if (alpha) {
    put32(0x00FF0000);
    put32(0x0000FF00);
    put32(0x000000FF);
    put32(0xFF000000);
    put32(0x73524742);  // 'sRGB'
    out.append(48, '\0');  // endpoints and gamma, unused with sRGB
  }
  const std::size_t channels = static_cast<std::size_t>(pixels.channels);
  for (std::uint32_t row = pixels.height; row-- > 0;) {
    const std::size_t start = out.size();
    for (std::uint32_t x = 0; x < pixels.width; ++x) {
      const std::uint8_t* p = &pixels.data[(std::size_t{row} * pixels.width + x) * channels];
      out += static_cast<char>(p[2]);
      out += static_cast<char>(p[1]);
      out += static_cast<char>(p[0]);
      if (alpha) out += static_cast<char>(p[3]);
    }
    out.append(static_cast<std::size_t>(out_stride) - (out.size() - start), '\0');
  }
  Removals removals;
  if (header_size == 124 && Little32(input, 14 + 112) != 0) {
    // V5 header: an embedded or linked (a file path) colour profile.
    removals.Add("header", Little32(input, 14 + 56) == 0x4C494E4B ? "linked_profile"
                                                                    : "icc_profile");
  }
  FinishNotes(result, removals);
  return result;
}

// ---------------------------------------------------------------------------
// TIFF (libtiff over memory).

struct TiffMemory {
  std::string_view input;  // reading
  std::string* output = nullptr;  // writing
  std::uint64_t at = 0;
};

tmsize_t TiffRead(thandle_t handle, void* buffer, tmsize_t size) {
  auto* memory = static_cast<TiffMemory*>(handle);
  const std::uint64_t length = memory->output != nullptr ? memory->output->size()
                                                         : memory->input.size();
  const char* data = memory->output != nullptr ? memory->output->data() : memory->input.data();
  if (size < 0 || memory->at >= length) return 0;
  const std::uint64_t count = std::min<std::uint64_t>(static_cast<std::uint64_t>(size),
                                                      length - memory->at);
  std::memcpy(buffer, data + memory->at, count);
  memory->at += count;
  return static_cast<tmsize_t>(count);
}

tmsize_t TiffWrite(thandle_t handle, void* buffer, tmsize_t size) {
  auto* memory = static_cast<TiffMemory*>(handle);
  if (memory->output == nullptr || size < 0) return -1;
  const auto count = static_cast<std::uint64_t>(size);
  if (memory->output->size() < memory->at + count) memory->output->resize(memory->at + count);
  std::memcpy(memory->output->data() + memory->at, buffer, count);
  memory->at += count;
  return size;
}

toff_t TiffSeek(thandle_t handle, toff_t offset, int whence) {
  auto* memory = static_cast<TiffMemory*>(handle);
  const std::uint64_t length = memory->output != nullptr ? memory->output->size()
                                                         : memory->input.size();
  std::uint64_t target = offset;
  if (whence == SEEK_CUR) target = memory->at + offset;
  if (whence == SEEK_END) target = length + offset;
  // Reading: never past the end. Writing: a gap is filled by the next write.
  if (memory->output == nullptr && target > length) return static_cast<toff_t>(-1);
  memory->at = target;
  return target;
}

int TiffClose(thandle_t /*handle*/) { return 0; }

toff_t TiffSize(thandle_t handle) {
  auto* memory = static_cast<TiffMemory*>(handle);
  return memory->output != nullptr ? memory->output->size() : memory->input.size();
}

int TiffMap(thandle_t /*handle*/, void** /*base*/, toff_t* /*size*/) { return 0; }
void TiffUnmap(thandle_t /*handle*/, void* /*base*/, toff_t /*size*/) {}

// Keeps libtiff's last error message instead of printing it.
int TiffMessage(TIFF* /*tif*/, void* user_data, const char* /*module*/, const char* format,
                va_list args) {
  if (user_data != nullptr) {
    char text[256];
    std::vsnprintf(text, sizeof text, format, args);
    *static_cast<std::string*>(user_data) = text;
  }
  return 1;  // handled: the global handler is not called
}

int TiffIgnore(TIFF* /*tif*/, void* /*user_data*/, const char* /*module*/,
               const char* /*format*/, va_list /*args*/) {
  return 1;
}

struct TiffDeleter {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffDeleter>;

struct TiffOptionsDeleter {
  void operator()(TIFFOpenOptions* options) const { TIFFOpenOptionsFree(options); }
};

TiffPtr OpenTiff(TiffMemory* memory, const char* mode, const Context& context,
                 std::string* message) {
  std::unique_ptr<TIFFOpenOptions, TiffOptionsDeleter> options(TIFFOpenOptionsAlloc());
  if (!options) return nullptr;
  TIFFOpenOptionsSetMaxSingleMemAlloc(
      options.get(), static_cast<tmsize_t>(context.GetLimits().max_memory_bytes));
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), TiffMessage, message);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), TiffIgnore, nullptr);
  return TiffPtr(TIFFClientOpenExt("memory", mode, memory, TiffRead, TiffWrite, TiffSeek,
                                   TiffClose, TiffSize, TiffMap, TiffUnmap, options.get()));
}

void ListTiffMetadata(TIFF* tif, Removals& removals) {
  static constexpr std::pair<ttag_t, const char*> kText[] = {
      {TIFFTAG_IMAGEDESCRIPTION, "description"}, {TIFFTAG_MAKE, "camera"},
      {TIFFTAG_MODEL, "camera"},                 {TIFFTAG_SOFTWARE, "software"},
      {TIFFTAG_DATETIME, "date"},                {TIFFTAG_ARTIST, "author"},
      {TIFFTAG_HOSTCOMPUTER, "host_computer"},   {TIFFTAG_COPYRIGHT, "copyright"},
      {TIFFTAG_DOCUMENTNAME, "document_name"},   {TIFFTAG_PAGENAME, "page_name"},
  };
  for (const auto& [tag, what] : kText) {
    char* text = nullptr;
    if (TIFFGetField(tif, tag, &text) == 1) removals.Add("tags", what);
  }
  static constexpr std::pair<ttag_t, const char*> kBlobs[] = {
      {TIFFTAG_XMLPACKET, "xmp"},
      {TIFFTAG_ICCPROFILE, "icc_profile"},
      {TIFFTAG_PHOTOSHOP, "photoshop"},
      {TIFFTAG_RICHTIFFIPTC, "iptc"},
  };
  for (const auto& [tag, what] : kBlobs) {
    std::uint32_t count = 0;
    void* data = nullptr;
    if (TIFFGetField(tif, tag, &count, &data) == 1) removals.Add("tags", what);
  }
  toff_t offset = 0;
  if (TIFFGetField(tif, TIFFTAG_EXIFIFD, &offset) == 1) removals.Add("tags", "exif");
  if (TIFFGetField(tif, TIFFTAG_GPSIFD, &offset) == 1) removals.Add("tags", "gps");
}

FormatResult SanitizeTiff(std::string_view input, Context& context) {
  std::string message;
  TiffMemory source{input};
  TiffPtr in = OpenTiff(&source, "rm", context, &message);
  if (!in) return Refuse(Reason::kMalformed, "TIFF: " + message);
  std::string output;
  TiffMemory sink{{}, &output};
  std::string write_message;
  TiffPtr out = OpenTiff(&sink, "w", context, &write_message);
  if (!out) return Refuse(Reason::kMalformed, "TIFF: cannot encode: " + write_message);
  Removals removals;
  std::uint64_t total_pixels = 0;
  int pages = 0;
  const auto page_count = static_cast<int>(TIFFNumberOfDirectories(in.get()));
  do {
    if (const Reason reason = context.CheckTime(); reason != Reason::kNone) {
      return Refuse(reason, "TIFF: time limit");
    }
    if (static_cast<std::size_t>(pages) >= context.GetLimits().max_entries) {
      return Refuse(Reason::kTooManyEntries, "TIFF: too many pages");
    }
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint16_t bits = 1;
    std::uint16_t samples = 1;
    std::uint16_t photometric = PHOTOMETRIC_MINISWHITE;
    std::uint16_t extra_count = 0;
    std::uint16_t* extra_types = nullptr;
    if (TIFFGetField(in.get(), TIFFTAG_IMAGEWIDTH, &width) != 1 ||
        TIFFGetField(in.get(), TIFFTAG_IMAGELENGTH, &height) != 1) {
      return Refuse(Reason::kMalformed, "TIFF: page without dimensions");
    }
    TIFFGetFieldDefaulted(in.get(), TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(in.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetField(in.get(), TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(in.get(), TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types);
    std::string detail;
    if (const Reason reason = CheckSize(context, width, height, 4, &detail);
        reason != Reason::kNone) {
      return Refuse(reason, "TIFF: " + detail);
    }
    total_pixels += std::uint64_t{width} * height;
    if (total_pixels > context.GetLimits().max_pixels) {
      return Refuse(Reason::kTooManyPixels, "TIFF: the pages hold too many pixels");
    }
    char why[1024] = "";
    if (TIFFRGBAImageOK(in.get(), why) != 1) {
      return Refuse(Reason::kUnsupportedPart, std::string("TIFF: ") + why);
    }
    ListTiffMetadata(in.get(), removals);
    std::vector<std::uint32_t> raster(std::size_t{width} * height);
    if (TIFFReadRGBAImageOriented(in.get(), width, height, raster.data(), ORIENTATION_TOPLEFT,
                                  0) != 1) {
      return Refuse(Reason::kMalformed, "TIFF: " + message);
    }
    const bool gray = (photometric == PHOTOMETRIC_MINISWHITE ||
                       photometric == PHOTOMETRIC_MINISBLACK) && samples == 1;
    const bool bilevel = gray && bits == 1;
    const bool alpha = extra_count > 0 && !gray;
    const std::uint16_t out_samples = gray ? 1 : (alpha ? 4 : 3);
    TIFF* tif = out.get();
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bilevel ? 1 : 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, out_samples);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                 bilevel ? PHOTOMETRIC_MINISWHITE
                         : (gray ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB));
    TIFFSetField(tif, TIFFTAG_COMPRESSION, bilevel ? COMPRESSION_CCITTFAX4 : COMPRESSION_LZW);
    if (alpha) {
      const std::uint16_t associated = EXTRASAMPLE_ASSOCALPHA;
      TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &associated);
    }
    if (page_count > 1) {
      TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(pages),
                   static_cast<std::uint16_t>(page_count));
    }
    float x_resolution = 0;
    float y_resolution = 0;
    std::uint16_t unit = RESUNIT_INCH;
    if (TIFFGetField(in.get(), TIFFTAG_XRESOLUTION, &x_resolution) == 1 &&
        TIFFGetField(in.get(), TIFFTAG_YRESOLUTION, &y_resolution) == 1) {
      TIFFGetFieldDefaulted(in.get(), TIFFTAG_RESOLUTIONUNIT, &unit);
      TIFFSetField(tif, TIFFTAG_XRESOLUTION, x_resolution);
      TIFFSetField(tif, TIFFTAG_YRESOLUTION, y_resolution);
      TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, unit);
    }
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
    std::vector<std::uint8_t> line((std::size_t{width} * out_samples * (bilevel ? 1 : 8) + 7) / 8);
    for (std::uint32_t y = 0; y < height; ++y) {
      std::fill(line.begin(), line.end(), 0);
      for (std::uint32_t x = 0; x < width; ++x) {
        const std::uint32_t pixel = raster[std::size_t{y} * width + x];
        const auto r = static_cast<std::uint8_t>(TIFFGetR(pixel));
        const auto g = static_cast<std::uint8_t>(TIFFGetG(pixel));
        const auto b = static_cast<std::uint8_t>(TIFFGetB(pixel));
        if (bilevel) {
          // MINISWHITE: a set bit is black.
          if (r < 128) line[x / 8] = static_cast<std::uint8_t>(line[x / 8] | (0x80U >> (x % 8)));
        } else if (gray) {
          line[x] = r;
        } else {
          std::uint8_t* p = &line[std::size_t{x} * out_samples];
          p[0] = r;
          p[1] = g;
          p[2] = b;
          if (alpha) p[3] = static_cast<std::uint8_t>(TIFFGetA(pixel));
        }
      }
      if (TIFFWriteScanline(tif, line.data(), y, 0) != 1) {
        return Refuse(Reason::kMalformed, "TIFF: cannot encode: " + write_message);
      }
    }
    if (TIFFWriteDirectory(tif) != 1) {
      return Refuse(Reason::kMalformed, "TIFF: cannot encode: " + write_message);
    }
    ++pages;
  } while (TIFFReadDirectory(in.get()) == 1);
  out.reset();  // flushes
  FormatResult result;
  result.output = std::move(output);
  if (pages > 1) result.notes_ja.push_back(std::to_string(pages) + " ページを再符号化しました");
  FinishNotes(result, removals);
  return result;
}

// ---------------------------------------------------------------------------
// WebP (libwebp).

FormatResult SanitizeWebp(std::string_view input, Context& context) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(input.data());
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(data, input.size(), &features) != VP8_STATUS_OK) {
    return Refuse(Reason::kMalformed, "WebP: unreadable header");
  }
  if (features.has_animation != 0) {
    return Refuse(Reason::kUnsupportedPart, "WebP: animated WebP is not rebuilt");
  }
  const int channels = features.has_alpha != 0 ? 4 : 3;
  std::string detail;
  if (const Reason reason = CheckSize(context, static_cast<std::uint64_t>(features.width),
                                      static_cast<std::uint64_t>(features.height), channels,
                                      &detail);
      reason != Reason::kNone) {
    return Refuse(reason, "WebP: " + detail);
  }
  const int stride = features.width * channels;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(stride) *
                                   static_cast<std::size_t>(features.height));
  const std::uint8_t* decoded =
      channels == 4 ? WebPDecodeRGBAInto(data, input.size(), pixels.data(), pixels.size(), stride)
                    : WebPDecodeRGBInto(data, input.size(), pixels.data(), pixels.size(), stride);
  if (decoded == nullptr) return Refuse(Reason::kMalformed, "WebP: cannot decode");
  std::uint8_t* encoded = nullptr;
  std::size_t size = 0;
  const bool lossless = features.format == 2;
  if (channels == 4) {
    size = lossless ? WebPEncodeLosslessRGBA(pixels.data(), features.width, features.height,
                                             stride, &encoded)
                    : WebPEncodeRGBA(pixels.data(), features.width, features.height, stride, 90,
                                     &encoded);
  } else {
    size = lossless ? WebPEncodeLosslessRGB(pixels.data(), features.width, features.height,
                                            stride, &encoded)
                    : WebPEncodeRGB(pixels.data(), features.width, features.height, stride, 90,
                                    &encoded);
  }
  if (size == 0) {
    WebPFree(encoded);
    return Refuse(Reason::kMalformed, "WebP: cannot encode");
  }
  FormatResult result;
  result.output.assign(reinterpret_cast<const char*>(encoded), size);
  WebPFree(encoded);
  Removals removals;
  const WebPData whole{data, input.size()};
  if (WebPDemuxer* demux = WebPDemux(&whole); demux != nullptr) {
    const std::uint32_t flags = WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS);
    if ((flags & EXIF_FLAG) != 0) removals.Add("EXIF", "exif");
    if ((flags & XMP_FLAG) != 0) removals.Add("XMP ", "xmp");
    if ((flags & ICCP_FLAG) != 0) removals.Add("ICCP", "icc_profile");
    WebPDemuxDelete(demux);
  }
  FinishNotes(result, removals);
  return result;
}

}  // namespace

FormatResult SanitizeImage(std::string_view input, FileType type, Context& context) {
  switch (type) {
    case FileType::kJpeg:
      return SanitizeJpeg(input, context);
    case FileType::kPng:
      return SanitizePng(input, context);
    case FileType::kGif:
      return SanitizeGif(input, context);
    case FileType::kBmp:
      return SanitizeBmp(input, context);
    case FileType::kTiff:
      return SanitizeTiff(input, context);
    case FileType::kWebp:
      return SanitizeWebp(input, context);
    default:
      return Refuse(Reason::kUnknownType, "not an image type");
  }
}

}  // namespace mamori::sanitize
