// RTF (3(2)① ウ): a one-pass filter over RTF tokens (groups, control words,
// control symbols, \'hh, \binN with its raw bytes). No Debian library parses
// RTF, and the grammar is small: the tokenizer is here.
//
// Removed: embedded and linked OLE objects (\object — its \result, the
// picture Word shows, is kept as a plain group), \objdata anywhere,
// \datastore, remote templates (\*\template), fields that run DDE or fetch
// files (DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, LINK, IMPORT; the field's
// last result stays), form-field macros, embedded fonts, theme data, HTML
// fragments, \objupdate, and every ignorable destination (\*\word) not on the
// list of ones Word writes for formatting. Bytes after the closing brace of
// the document are dropped. Memory: the output and a stack as deep as the
// group nesting (limited to kMaxDepth).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sanitize/formats.h"

namespace mamori::sanitize {
namespace {

constexpr std::size_t kMaxDepth = 1000;   // group nesting
constexpr std::size_t kMaxRepairs = 64;   // unclosed groups closed at the end

// Destinations removed wherever they appear, with the report kind.
constexpr std::pair<std::string_view, std::string_view> kRemovedDestinations[] = {
    {"objdata", "ole_object_data"},   {"objclass", "ole_object_data"},
    {"datastore", "datastore"},       {"template", "remote_template"},
    {"datafield", "datafield"},       {"objalias", "ole_object_data"},
    {"objsect", "ole_object_data"},   {"oleclsid", "ole_object_data"},
    {"themedata", "theme_data"},      {"fontemb", "embedded_font"},
    {"fontfile", "font_file"},        {"htmltag", "html_fragment"},
    {"mhtmltag", "html_fragment"},    {"ffentrymcr", "form_field_macro"},
    {"ffexitmcr", "form_field_macro"}, {"nextfile", "linked_file"},
};

// Ignorable destinations (\*\word) Word writes for formatting and text; any
// other is removed (it could carry data an application acts on).
constexpr std::string_view kKeptIgnorable[] = {
    "aftncn", "aftnsep", "aftnsepc", "annotation", "atnauthor", "atndate", "atnicn", "atnid",
    "atnparent", "atnref", "atntime", "atrfend", "atrfstart", "background", "bkmkend",
    "bkmkstart", "blipuid", "bxe", "colorschememapping", "comment", "company", "cs", "defchp",
    "defpap", "docvar", "dptxbxtext", "ebcend", "ebcstart", "factoidname", "falt", "fchars",
    "ffdeftext", "ffformat", "ffhelptext", "ffl", "ffname", "ffstattext", "fldinst", "fldtype",
    "fname", "formfield", "ftncn", "ftnsep", "ftnsepc", "generator", "gridtable", "hsv",
    "keycode", "lchars", "latentstyles", "lfolevel", "linkval", "listlevel", "listoverridetable",
    "listpicture", "liststylename", "listtable", "lsdlockedexcept", "nesttableprops",
    "nonesttables", "oldcprops", "oldpprops", "oldsprops", "oldtprops", "panose", "password",
    "passwordhash", "pgdsctbl", "pgptbl", "picprop", "pn", "pnseclvl", "pntext", "protusertbl",
    "pxe", "revtbl", "rsidtbl", "rxe", "shpinst", "shppict", "shprslt", "shptxt", "tc", "tcn",
    "ts", "tsrowd", "txe", "ud", "upr", "userprops", "wgrffmtfilter", "windowcaption",
    "writereservation", "writereservhash", "xe", "xform", "xmlattr", "xmlattrname",
    "xmlattrvalue", "xmlclose", "xmlname", "xmlnstbl", "xmlopen", "title", "subject", "author",
    "operator", "keywords", "doccomm", "manager", "category", "hlinkbase", "info", "list",
    "listoverride", "ilvl", "mmathPr", "trackformatting", "footnote", "themelang",
};

bool KeptIgnorable(std::string_view word) {
  // Office Math destinations all start with "m" (\*\moMath, \*\mr, ...).
  if (word.size() > 1 && word[0] == 'm' && word != "mhtmltag") return true;
  for (const std::string_view kept : kKeptIgnorable) {
    if (word == kept) return true;
  }
  return false;
}

std::string_view RemovedDestination(std::string_view word) {
  for (const auto& [name, what] : kRemovedDestinations) {
    if (word == name) return what;
  }
  return {};
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

// What a group does with what it holds.
enum class Mode : std::uint8_t {
  kEmit,     // copied to the output
  kSkip,     // dropped with everything inside
  kPending,  // a child of an object or neutralized field: kept only if it is its result
  kObject,   // an \object: only its \result child survives
  kUnwrap,   // a dangerous \field: only its \fldrslt child survives
};

struct Frame {
  Mode mode = Mode::kEmit;
  std::size_t out_start = 0;  // output size before this group's '{'
  bool opened = false;        // '{' was written, so '}' must be
  bool seen_content = false;  // a token other than \* and line breaks came
  bool star = false;          // the group started with \*
  bool is_field = false;
  bool is_fldinst = false;
  std::string instruction;    // fldinst: its text
  bool computed = false;      // fldinst: a nested field came before any text
};

class Filter {
 public:
  Filter(std::string_view input, Context& context) : input_(input), context_(context) {}

  FormatResult Run();

 private:
  void Emit(std::string_view raw) {
    if (Emitting()) output_.append(raw);
  }
  bool Emitting() const { return !stack_.empty() && stack_.back().mode == Mode::kEmit; }
  void Count(std::string part, std::string_view what) {
    ++removals_[{std::move(part), std::string(what)}];
  }
  Frame* Fldinst() {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->is_fldinst) return &*it;
    }
    return nullptr;
  }
  void AddText(std::string_view text) {
    if (Frame* fldinst = Fldinst(); fldinst != nullptr) fldinst->instruction.append(text);
  }
  void OpenGroup();
  void CloseGroup();
  void Word(std::string_view raw, std::string_view name);

  std::string_view input_;
  Context& context_;
  std::string output_;
  std::vector<Frame> stack_;
  std::map<std::pair<std::string, std::string>, int> removals_;
};

void Filter::OpenGroup() {
  Frame frame;
  frame.out_start = output_.size();
  const Mode parent = stack_.empty() ? Mode::kEmit : stack_.back().mode;
  if (parent == Mode::kEmit) {
    frame.mode = Mode::kEmit;
    frame.opened = true;
    output_ += '{';
  } else if (parent == Mode::kObject || parent == Mode::kUnwrap) {
    frame.mode = Mode::kPending;
  } else {
    frame.mode = Mode::kSkip;
  }
  stack_.push_back(std::move(frame));
}

void Filter::CloseGroup() {
  Frame frame = std::move(stack_.back());
  stack_.pop_back();
  if (frame.opened) output_ += '}';
  if (frame.is_fldinst && !stack_.empty() && stack_.back().is_field) {
    Frame& field = stack_.back();
    std::string what;
    const std::string& text = frame.instruction;
    const std::size_t start = text.find_first_not_of(" \t\r\n\"");
    if (frame.computed || start == std::string::npos) {
      what = "computed_field";
    } else {
      std::size_t end = text.find_first_of(" \t\r\n\"\\", start);
      if (end == std::string::npos) end = text.size();
      const std::string keyword = Upper(text.substr(start, end - start));
      if (keyword == "DDE" || keyword == "DDEAUTO") what = "dde_field";
      if (keyword == "INCLUDETEXT" || keyword == "INCLUDEPICTURE" || keyword == "LINK" ||
          keyword == "IMPORT" || keyword == "INCLUDE") {
        what = "link_field";
      }
    }
    if (!what.empty() && field.mode == Mode::kEmit) {
      // Keep only the field's result: "{" + the \fldrslt group's content + "}".
      output_.resize(field.out_start);
      output_ += '{';
      field.opened = true;
      field.mode = Mode::kUnwrap;
      Count("\\field", what);
    }
  }
}

void Filter::Word(std::string_view raw, std::string_view name) {
  Frame& frame = stack_.back();
  const bool first = !frame.seen_content;
  frame.seen_content = true;
  if (frame.mode == Mode::kPending) {
    // The first word of a child of an object or a neutralized field decides.
    const Mode parent = stack_[stack_.size() - 2].mode;
    if (first && ((parent == Mode::kObject && name == "result") ||
                  (parent == Mode::kUnwrap && name == "fldrslt"))) {
      frame.mode = Mode::kEmit;
      frame.opened = true;
      frame.out_start = output_.size();
      output_ += '{';
    } else {
      frame.mode = Mode::kSkip;
    }
    return;
  }
  if (frame.mode != Mode::kEmit) return;
  const std::string_view removed = RemovedDestination(name);
  if (name == "object" || !removed.empty() ||
      (first && frame.star && !KeptIgnorable(name))) {
    const Mode mode = name == "object" ? Mode::kObject : Mode::kSkip;
    Count((frame.star ? "\\*\\" : "\\") + std::string(name),
          name == "object" ? std::string_view("ole_object")
                           : (!removed.empty() ? removed : "unknown_destination"));
    if (first) {
      // The whole group goes: back to before its '{'.
      output_.resize(frame.out_start);
      frame.opened = false;
    }
    frame.mode = mode;
    return;
  }
  if (name == "objupdate" || name == "objautlink" || name == "objlink") {
    Count("\\" + std::string(name), "ole_object");
    return;
  }
  if (first && name == "field") {
    frame.is_field = true;
    // A field inside an instruction before any keyword: the keyword may be
    // the nested field's result, computed when the document opens.
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
      Frame& outer = stack_[stack_.size() - 2 - i];
      if (outer.is_fldinst) {
        if (outer.instruction.find_first_not_of(" \t\r\n") == std::string::npos) {
          outer.computed = true;
        }
        break;
      }
    }
  }
  if (first && name == "fldinst") frame.is_fldinst = true;
  Emit(raw);
}

FormatResult Filter::Run() {
  if (const Reason reason = context_.ChargeExpanded(input_.size()); reason != Reason::kNone) {
    return Refuse(reason, "RTF larger than the expansion budget");
  }
  if (input_.substr(0, 5) != "{\\rtf") return Refuse(Reason::kMalformed, "no {\\rtf header");
  output_.reserve(input_.size());
  std::size_t at = 0;
  std::size_t steps = 0;
  bool ended = false;
  while (at < input_.size()) {
    if ((++steps & 0xFFFF) == 0 && context_.CheckTime() != Reason::kNone) {
      return Refuse(Reason::kTimeout, "time limit while filtering RTF");
    }
    const char c = input_[at];
    if (c == '{') {
      if (stack_.size() >= kMaxDepth) {
        return Refuse(Reason::kMalformed, "RTF groups nested deeper than " +
                                              std::to_string(kMaxDepth));
      }
      OpenGroup();
      ++at;
      continue;
    }
    if (c == '}') {
      CloseGroup();
      ++at;
      if (stack_.empty()) {
        ended = true;
        break;
      }
      continue;
    }
    if (c != '\\') {
      std::size_t end = at;
      while (end < input_.size() && input_[end] != '\\' && input_[end] != '{' &&
             input_[end] != '}') {
        ++end;
      }
      const std::string_view text = input_.substr(at, end - at);
      if (text.find_first_not_of("\r\n") != std::string_view::npos) {
        stack_.back().seen_content = true;
        if (stack_.back().mode == Mode::kPending) stack_.back().mode = Mode::kSkip;
      }
      Emit(text);
      AddText(text);
      at = end;
      continue;
    }
    // A control word or symbol.
    const std::size_t start = at;
    ++at;
    if (at >= input_.size()) break;  // a lone backslash at the end: dropped
    if (!IsLetter(input_[at])) {
      const char symbol = input_[at];
      ++at;
      if (symbol == '\'' && at + 1 < input_.size() && Hex(input_[at]) >= 0 &&
          Hex(input_[at + 1]) >= 0) {
        const char decoded = static_cast<char>(Hex(input_[at]) * 16 + Hex(input_[at + 1]));
        at += 2;
        stack_.back().seen_content = true;
        if (stack_.back().mode == Mode::kPending) stack_.back().mode = Mode::kSkip;
        Emit(input_.substr(start, at - start));
        AddText(std::string_view(&decoded, 1));
        continue;
      }
      if (symbol == '*' && !stack_.back().seen_content) {
        stack_.back().star = true;
        Emit(input_.substr(start, at - start));
        continue;
      }
      stack_.back().seen_content = true;
      if (stack_.back().mode == Mode::kPending) stack_.back().mode = Mode::kSkip;
      Emit(input_.substr(start, at - start));
      if (symbol == '\\' || symbol == '{' || symbol == '}') AddText(std::string_view(&symbol, 1));
      continue;
    }
    std::size_t name_end = at;
    while (name_end < input_.size() && IsLetter(input_[name_end])) ++name_end;
    const std::string_view name = input_.substr(at, name_end - at);
    at = name_end;
    bool negative = false;
    if (at < input_.size() && input_[at] == '-') {
      negative = true;
      ++at;
    }
    std::uint64_t parameter = 0;
    bool has_parameter = false;
    while (at < input_.size() && IsDigit(input_[at])) {
      has_parameter = true;
      if (parameter < (std::uint64_t{1} << 40)) {
        parameter = parameter * 10 + static_cast<std::uint64_t>(input_[at] - '0');
      }
      ++at;
    }
    if (negative && !has_parameter) --at;  // a '-' that is text, not a sign
    if (at < input_.size() && input_[at] == ' ') ++at;
    const std::string_view raw = input_.substr(start, at - start);
    if (name == "bin") {
      // \binN: N raw bytes follow, braces and backslashes included.
      if (negative || parameter > input_.size() - at) {
        return Refuse(Reason::kMalformed, "\\bin length beyond the end of the file");
      }
      const auto length = static_cast<std::size_t>(parameter);
      stack_.back().seen_content = true;
      if (stack_.back().mode == Mode::kPending) stack_.back().mode = Mode::kSkip;
      Emit(raw);
      Emit(input_.substr(at, length));
      at += length;
      continue;
    }
    Word(raw, name);
  }

  FormatResult result;
  if (!ended) {
    const std::size_t missing = stack_.size();
    if (missing > kMaxRepairs) {
      return Refuse(Reason::kMalformed,
                    std::to_string(missing) + " RTF groups left open at the end of the file");
    }
    while (!stack_.empty()) CloseGroup();
    if (missing > 0) result.Remove("document", "unclosed_group", static_cast<int>(missing));
  } else if (input_.substr(at).find_first_not_of(std::string_view(" \t\r\n\0", 5)) !=
             std::string_view::npos) {
    result.Remove("after the document", "trailing_data");
  }
  for (const auto& [key, count] : removals_) result.Remove(key.first, key.second, count);
  int objects = 0;
  for (const auto& [key, count] : removals_) {
    if (key.second == "ole_object") objects += count;
  }
  if (objects > 0) {
    result.notes_ja.push_back("埋め込みオブジェクト " + std::to_string(objects) +
                              " 件を削除しました（表示用の画像は残しました）");
  }
  result.output = std::move(output_);
  return result;
}

}  // namespace

FormatResult SanitizeRtf(std::string_view input, FileType /*type*/, Context& context) {
  Filter filter(input, context);
  return filter.Run();
}

}  // namespace mamori::sanitize
