// The mail sanitizer's helpers (3(2)① ア): HTML made into plain text and
// URLs made unclickable. SanitizeMail itself is declared in
// sanitize/formats.h; these two are public so that they are tested on their
// own. Pure functions; thread-safe (libxml2 is initialized once).
#pragma once

#include <string>
#include <string_view>

#include "sanitize/context.h"

namespace mamori::sanitize::mail {

struct HtmlText {
  std::string text;          // UTF-8, "\n" line breaks, no markup
  bool parsed = false;       // false: libxml2 could not build a document (text is empty)
  int scripts = 0;           // <script> elements and on* event-handler attributes
  int links = 0;             // <a href> shown as "text [URL]"
  int unsafe_links = 0;      // javascript:, vbscript:, data: links, dropped
  int remote_images = 0;     // <img src="http…"> (web beacons), dropped
  int embedded_objects = 0;  // iframe, object, embed, applet, frame, dropped
  int forms = 0;             // <form> (the text of its labels is kept)
};

// Converts an HTML document, already in UTF-8, to plain text with libxml2's
// HTML parser (no network, no DTD): script, style, head and embedded objects
// are dropped; <br>, <p>, <li>, <tr>, headings and other blocks become line
// breaks; a link becomes its text followed by " [URL]" (the URL once, when
// the text already is the URL). When `context` is given, its deadline is
// checked during the walk, which stops with what it has once it has passed.
HtmlText HtmlToText(std::string_view utf8_html, const Context* context = nullptr);

// Makes the URLs in `text` unclickable for mail clients that turn URLs into
// links by themselves: the scheme is broken (http → hxxp, https → hxxps,
// ftp → fxp, file → fxle) and every dot in the host becomes "[.]", so
// "https://www.example.jp/a.html" becomes "hxxps://www[.]example[.]jp/a.html";
// a "www." host without a scheme is broken the same way. Adds the number of
// URLs changed to `*count`.
std::string DefangUrls(std::string_view text, int* count);

}  // namespace mamori::sanitize::mail
