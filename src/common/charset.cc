#include "common/charset.h"

#include <iconv.h>

#include <cerrno>
#include <utility>

namespace mamori {

// Returns the length of the longest prefix of `text` that is valid UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t ValidUtf8Prefix(std::string_view text) {
  std::size_t i = 0;
  const std::size_t size = text.size();
  while (i < size) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (size - i < length) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      const unsigned char min = k == 1 ? low : 0x80;
      const unsigned char max = k == 1 ? high : 0xBF;
      if (next < min || next > max) return i;
    }
    i += length;
  }
  return size;
}

Result<Converter> Converter::Create(const char* to, const char* from) {
  iconv_t handle = iconv_open(to, from);
  if (handle == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr)
    return Error(ErrorCode::kInternal,
                 std::string("文字コード変換 ") + from + " → " + to + " を利用できません",
                 std::string("iconv cannot convert ") + from + " to " + to);
  }
  return Converter(handle);
}

Converter::Converter(Converter&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Converter::~Converter() {
  if (handle_ != nullptr) iconv_close(static_cast<iconv_t>(handle_));
}

bool Converter::Convert(std::string_view input, std::string* output, std::size_t* failed_at) {
  auto* handle = static_cast<iconv_t>(handle_);
  iconv(handle, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
  output->clear();
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): iconv's C signature
  char* in = const_cast<char*>(input.data());
  std::size_t in_left = input.size();
  char buffer[16384];
  while (in_left > 0) {
    char* out = buffer;
    std::size_t out_left = sizeof(buffer);
    const std::size_t result = iconv(handle, &in, &in_left, &out, &out_left);
    output->append(buffer, sizeof(buffer) - out_left);
    if (result == static_cast<std::size_t>(-1) && errno != E2BIG) {
      *failed_at = static_cast<std::size_t>(in - input.data());
      return false;
    }
  }
  char* out = buffer;
  std::size_t out_left = sizeof(buffer);
  if (iconv(handle, nullptr, nullptr, &out, &out_left) == static_cast<std::size_t>(-1)) {
    *failed_at = input.size();
    return false;
  }
  output->append(buffer, sizeof(buffer) - out_left);
  return true;
}

bool ConvertToUtf8(std::string_view input, const char* from, std::string* output) {
  auto converter = Converter::Create("UTF-8", from);
  if (!converter.Ok()) return false;
  std::size_t failed_at = 0;
  return converter->Convert(input, output, &failed_at);
}

}  // namespace mamori
