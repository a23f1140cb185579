// The type of a file from its content: libmagic's MIME type, confirmed by the
// format's own signature, and for zip packages the OOXML main content type
// from [Content_Types].xml. The name is consulted only to tell text from CSV
// and to report a name that lies.
#pragma once

#include <string>
#include <string_view>

#include "sanitize/sanitize.h"

namespace mamori::sanitize {

struct Detection {
  FileType type = FileType::kUnknown;
  std::string mime;
};

Detection DetectType(std::string_view bytes, std::string_view name);
// What the name's extension claims (".pdf" → kPdf); kUnknown without one.
FileType TypeFromName(std::string_view name);
// The extension for writing a type (kDocx → ".docx").
std::string_view Extension(FileType type);
// True when a file of type `content` may carry a name that claims `named`
// (e.g. a .txt that is CSV, a .jpg that is JPEG).
bool NameFits(FileType content, FileType named);

}  // namespace mamori::sanitize
