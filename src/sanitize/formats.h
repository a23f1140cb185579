// The format sanitizers the dispatcher calls, one per folder. Each gets the
// whole input, its detected type and the Context; none does I/O.
#pragma once

#include "sanitize/context.h"

namespace mamori::sanitize {

// pdf/: qpdf — JavaScript, actions, embedded files, XFA, ... removed; rewritten.
FormatResult SanitizePdf(std::string_view input, FileType type, Context& context);
// ooxml/: libzip + pugixml — VBA, ActiveX, OLE, external links, DDE removed;
// macro-enabled variants rebuilt as their macro-free format.
FormatResult SanitizeOoxml(std::string_view input, FileType type, Context& context);
// rtf/: \object, \objdata and other embedding destinations removed.
FormatResult SanitizeRtf(std::string_view input, FileType type, Context& context);
// image/: decoded to pixels and encoded again; metadata gone.
FormatResult SanitizeImage(std::string_view input, FileType type, Context& context);
// archive/: libarchive — every entry sanitized recursively, the archive rebuilt.
FormatResult SanitizeArchive(std::string_view input, FileType type, Context& context);
// mail/: GMime — body made plain UTF-8 text, attachments dropped or sanitized.
FormatResult SanitizeMail(std::string_view input, FileType type, Context& context);
// text/: any Japanese charset to UTF-8; CSV cells that start a formula neutralized.
FormatResult SanitizeText(std::string_view input, FileType type, Context& context);

}  // namespace mamori::sanitize
