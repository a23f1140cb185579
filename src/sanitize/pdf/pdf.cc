// PDF (3(2)① ウ): parsed with qpdf, every object reachable from the trailer
// walked once, the active parts removed, and the file written again by
// QPDFWriter with a fresh cross-reference table (no object streams), so
// that objects nothing references any more — the removed scripts, the
// embedded files, whatever an attacker left unreferenced — are not written.
//
// Removed (the `what` of each Removal):
//   javascript                 /S /JavaScript actions, /JS anywhere, /Names /JavaScript
//   open_action                the catalog's /OpenAction
//   additional_actions         /AA on the catalog, pages, annotations, fields
//   launch_action, submit_form_action, import_data_action, remote_goto_action,
//   embedded_goto_action, rich_media_action
//                              those actions wherever they are referenced
//                              (/A, /PA, /Next chains, outline items, ...)
//   uri_action                 /URI actions when Settings::remove_uri_links,
//                              and always when the URI is not http(s)/mailto
//   rich_media_annotation, 3d_annotation, media_annotation (/Movie /Sound
//   /Screen), file_attachment_annotation
//   embedded_files, embedded_file
//                              /Names /EmbeddedFiles and /EF of any file spec
//   xfa                        /AcroForm /XFA (plain AcroForm fields stay)
//   postscript_xobject         /Subtype /PS XObjects
//   alternate_presentations, collection (portfolio), needs_rendering
//   metadata, document_info    /Root /Metadata and /Info, when Settings::remove_metadata
//   encryption                 owner-password-only encryption (see below)
//   undecodable_stream         a stream whose data does not decode (bad Flate
//                              data, a truncated stream, a failing filter
//                              chain, a broken JPEG header): emptied, see below
//   broken_page_tree_entry     a /Kids entry of the page tree that is not a
//                              page or a node (damaged); the tree is written flat
//   decompression_bomb         a stream that decodes to more than
//                              Limits::max_memory_bytes: emptied
//
// Rules for damaged and encrypted files (docs/sanitize.md, section pdf):
//   * A file that needs a user password is refused (kEncrypted). A file that
//     opens with the empty user password (only an owner password, i.e.
//     permission flags) is fully readable: it is inspected like any other
//     and written unencrypted; the report says so.
//   * A damaged file that qpdf can repair (xref reconstruction, bad lengths)
//     is accepted: the output is a freshly written file, and the report
//     carries a note with the number of qpdf warnings. What qpdf cannot open,
//     or a file without a catalog or pages, is refused (kMalformed).
//   * Every stream the output keeps is decoded once, as `qpdf --check` does
//     (all filters qpdf knows, JPEG included), into a counting pipeline that
//     keeps nothing. A stream that fails or makes qpdf warn is emptied (no
//     filter, no data; an image becomes a 1×1 image that paints nothing
//     visible) and listed in the report with the page it was on, so the
//     output always passes `qpdf --check`: the rest of the document is kept.
//     Streams with filters qpdf cannot decode (JBIG2, JPX, CCITT) are copied
//     as they are, as `qpdf --check` does not decode them either. A JPEG
//     stream is checked by libjpeg directly at 1/8 scale (DctCheck below).
#include <qpdf/Buffer.hh>
#include <qpdf/Constants.h>
#include <qpdf/Pipeline.hh>
#include <qpdf/Pl_String.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFLogger.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstdio>  // (before jpeglib.h)
#include <jpeglib.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <climits>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "sanitize/formats.h"

namespace mamori::sanitize {
namespace {

// Containers (dictionaries, arrays, streams) walked before the file is
// refused: qpdf holds every parsed object in memory.
constexpr std::size_t kMaxObjects = 1'000'000;
// Removals listed one by one in the report; the rest are summed per kind.
constexpr std::size_t kMaxListedRemovals = 200;

// Thrown from inside qpdf callbacks (the writer's progress reporter, a
// counting pipeline) to stop it; caught at the boundary below.
struct Stop {
  Reason reason;
  std::string detail;
};

struct Label {
  std::string_view what;
  std::string_view ja;
};

constexpr std::array kLabels = {
    Label{"javascript", "JavaScript"},
    Label{"open_action", "文書を開いたときに実行される動作（OpenAction）"},
    Label{"additional_actions", "追加アクション（AA）"},
    Label{"launch_action", "外部プログラムの起動（Launch）"},
    Label{"submit_form_action", "フォームの送信（SubmitForm）"},
    Label{"import_data_action", "データの取り込み（ImportData）"},
    Label{"remote_goto_action", "他のファイルへの移動（GoToR）"},
    Label{"embedded_goto_action", "埋め込みファイルへの移動（GoToE）"},
    Label{"rich_media_action", "リッチメディアの実行"},
    Label{"uri_action", "リンク（URI）"},
    Label{"rich_media_annotation", "リッチメディア注釈"},
    Label{"3d_annotation", "3D 注釈"},
    Label{"media_annotation", "動画・音声の注釈"},
    Label{"file_attachment_annotation", "添付ファイル注釈"},
    Label{"embedded_files", "埋め込みファイル"},
    Label{"embedded_file", "ファイル指定に埋め込まれたファイル（EF）"},
    Label{"xfa", "XFA フォーム"},
    Label{"needs_rendering", "XFA 描画指定（NeedsRendering）"},
    Label{"postscript_xobject", "PostScript オブジェクト"},
    Label{"alternate_presentations", "代替表示（スライドショー）"},
    Label{"collection", "ポートフォリオ指定（Collection）"},
    Label{"metadata", "XMP メタデータ"},
    Label{"document_info", "文書情報（Info）"},
    Label{"undecodable_stream", "復号できないストリーム（内容を空にしました）"},
    Label{"decompression_bomb", "展開すると大きすぎるストリーム（圧縮爆弾）"},
};

std::string_view LabelJa(std::string_view what) {
  for (const auto& label : kLabels) {
    if (label.what == what) return label.ja;
  }
  return what;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return text;
}

// Counts decoded bytes and stops once over the limit or past the deadline
// (qpdf swallows exceptions from pipelines inside pipeStreamData, so the
// flags are what the caller looks at).
class CountingPipeline final : public Pipeline {
 public:
  explicit CountingPipeline(std::size_t limit, const Context* context = nullptr)
      : Pipeline("mamori count", nullptr), limit_(limit), context_(context) {}
  void write(unsigned char const* /*data*/, size_t length) override {
    count_ += length;
    if (count_ > limit_) {
      over_ = true;
      throw std::length_error("decoded stream over the limit");
    }
    if (context_ != nullptr && count_ >= next_time_check_) {
      next_time_check_ = count_ + (std::size_t{4} << 20);
      if (const Reason reason = context_->CheckTime(); reason != Reason::kNone) {
        timed_out_ = reason;
        throw std::runtime_error("time limit reached while decoding");
      }
    }
  }
  void finish() override {}
  std::size_t Count() const { return count_; }
  bool Over() const { return over_; }
  Reason TimedOut() const { return timed_out_; }

 private:
  std::size_t limit_;
  const Context* context_;
  std::size_t count_ = 0;
  std::size_t next_time_check_ = std::size_t{4} << 20;
  bool over_ = false;
  Reason timed_out_ = Reason::kNone;
};

std::string ObjectName(QPDFObjGen id) {
  return "obj " + std::to_string(id.getObj()) + " " + std::to_string(id.getGen());
}

// ---- JPEG streams, checked as qpdf's decoder (Pl_DCT) reads them.
//
// Pl_DCT runs libjpeg: jpeg_read_header, jpeg_start_decompress, every
// scanline, jpeg_finish_decompress; a libjpeg error is a failed stream. We
// run the same library through the same steps on the same bytes, at 1/8
// scale: every marker and all entropy-coded data are read exactly as in the
// full decode (so it fails where Pl_DCT fails), but the inverse DCT is the
// DC term only and the rows are 64 times smaller — most of the cost of a
// full decode, which made mamori 6x slower than a qpdf rewrite on files
// of photos, is gone. libjpeg errors longjmp back to DctCheck, whose frame
// owns nothing with a destructor.
enum class DctOutcome : std::uint8_t { kDecodes, kFails, kTooLarge, kTimeout };

struct DctError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

struct DctProgress {
  jpeg_progress_mgr manager;
  const Context* context;
  bool timed_out;
};

[[noreturn]] void DctErrorExit(j_common_ptr common) {
  std::longjmp(reinterpret_cast<DctError*>(common->err)->jump, 1);
}

void DctSilence(j_common_ptr /*common*/) {}

void DctProgressMonitor(j_common_ptr common) {
  auto* progress = reinterpret_cast<DctProgress*>(common->progress);
  if (progress->context->CheckTime() != Reason::kNone) {
    progress->timed_out = true;
    std::longjmp(reinterpret_cast<DctError*>(common->err)->jump, 1);
  }
}

// The bytes as qpdf's Pl_DCT hands them to libjpeg: all in one buffer, and
// a read past its end is an error (libjpeg's own jpeg_mem_src would insert
// an end marker and only warn, accepting a truncated JPEG qpdf rejects).
void DctInitSource(j_decompress_ptr /*info*/) {}
void DctTermSource(j_decompress_ptr /*info*/) {}
boolean DctFillInput(j_decompress_ptr info) {
  std::longjmp(reinterpret_cast<DctError*>(info->err)->jump, 1);
}
void DctSkipInput(j_decompress_ptr info, long count) {
  if (count <= 0) return;
  const std::size_t skip = std::min(static_cast<std::size_t>(count), info->src->bytes_in_buffer);
  info->src->bytes_in_buffer -= skip;
  info->src->next_input_byte += skip;
}

// kTooLarge when the full decode (what qpdf would produce) is over
// `limit` bytes.
DctOutcome DctCheck(const unsigned char* data, std::size_t size, std::size_t limit,
                    const Context& context) {
  jpeg_decompress_struct info;
  DctError error;
  DctProgress progress;
  jpeg_source_mgr source;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = DctErrorExit;
  error.manager.output_message = DctSilence;
  progress.manager.progress_monitor = DctProgressMonitor;
  progress.context = &context;
  progress.timed_out = false;
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&info);
    return progress.timed_out ? DctOutcome::kTimeout : DctOutcome::kFails;
  }
  jpeg_create_decompress(&info);
  info.progress = &progress.manager;
  info.mem->max_memory_to_use = static_cast<long>(std::min<std::size_t>(limit, LONG_MAX));
  source.init_source = DctInitSource;
  source.fill_input_buffer = DctFillInput;
  source.skip_input_data = DctSkipInput;
  source.resync_to_restart = jpeg_resync_to_restart;
  source.term_source = DctTermSource;
  source.next_input_byte = data;
  source.bytes_in_buffer = size;
  info.src = &source;
  jpeg_read_header(&info, TRUE);
  const unsigned long long decoded = static_cast<unsigned long long>(info.image_width) *
                                     info.image_height *
                                     static_cast<unsigned>(std::max(info.num_components, 1));
  if (decoded > limit) {
    jpeg_destroy_decompress(&info);
    return DctOutcome::kTooLarge;
  }
  info.scale_num = 1;
  info.scale_denom = 8;
  jpeg_start_decompress(&info);
  JSAMPARRAY row = (*info.mem->alloc_sarray)(
      reinterpret_cast<j_common_ptr>(&info), JPOOL_IMAGE,
      info.output_width * static_cast<JDIMENSION>(info.output_components), 1);
  while (info.output_scanline < info.output_height) jpeg_read_scanlines(&info, row, 1);
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return DctOutcome::kDecodes;
}

// /DCTDecode alone (no other filter before it).
bool OnlyDct(QPDFObjectHandle filter) {
  if (filter.isArray() && filter.getArrayNItems() == 1) filter = filter.getArrayItem(0);
  return filter.isNameAndEquals("/DCTDecode") || filter.isNameAndEquals("/DCT");
}

class Sanitizer {
 public:
  Sanitizer(QPDF& pdf, Context& context, FormatResult& result)
      : pdf_(pdf), context_(context), result_(result) {}

  // Object streams are decoded by qpdf into memory when their first object
  // is read; decode each once, counted, before that happens.
  void CheckObjectStreams() {
    std::set<int> streams;
    for (const auto& [object, entry] : pdf_.getXRefTable()) {
      if (entry.getType() == 2) streams.insert(entry.getObjStreamNumber());
      if (streams.size() > kMaxObjects) throw Stop{Reason::kMemoryLimit, "too many object streams"};
    }
    for (const int number : streams) {
      if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
        throw Stop{reason, "time limit reached while reading object streams"};
      }
      QPDFObjectHandle stream = pdf_.getObjectByID(number, 0);
      if (!stream.isStream()) continue;  // qpdf reports it when the objects are read
      const std::size_t limit = context_.GetLimits().max_memory_bytes;
      CountingPipeline counter(limit);
      stream.pipeStreamData(&counter, 0, qpdf_dl_generalized, /*suppress_warnings=*/true);
      if (counter.Over()) {
        throw Stop{Reason::kMemoryLimit,
                   "object stream " + std::to_string(number) + " decodes to more than " +
                       std::to_string(limit) + " bytes"};
      }
      if (const Reason reason = context_.ChargeExpanded(counter.Count()); reason != Reason::kNone) {
        throw Stop{reason, "object streams decode to more than the expansion budget"};
      }
    }
  }

  // The catalog's own entries: name trees, forms, metadata.
  void SanitizeCatalog() {
    QPDFObjectHandle trailer = pdf_.getTrailer();
    QPDFObjectHandle root = trailer.getKey("/Root");
    if (!root.isDictionary()) throw Stop{Reason::kMalformed, "no document catalog (/Root)"};

    QPDFObjectHandle names = root.getKey("/Names");
    if (names.isDictionary()) {
      RemoveKey(names, "/JavaScript", "/Root/Names/JavaScript", "javascript");
      RemoveKey(names, "/EmbeddedFiles", "/Root/Names/EmbeddedFiles", "embedded_files");
      RemoveKey(names, "/AlternatePresentations", "/Root/Names/AlternatePresentations",
                "alternate_presentations");
    }
    QPDFObjectHandle form = root.getKey("/AcroForm");
    if (form.isDictionary()) {
      RemoveKey(form, "/XFA", "/Root/AcroForm/XFA", "xfa");
      RemoveKey(form, "/NeedsRendering", "/Root/AcroForm/NeedsRendering", "needs_rendering");
    }
    RemoveKey(root, "/NeedsRendering", "/Root/NeedsRendering", "needs_rendering");
    RemoveKey(root, "/Collection", "/Root/Collection", "collection");
    if (context_.GetSettings().remove_metadata) {
      RemoveKey(root, "/Metadata", "/Root/Metadata", "metadata");
      RemoveKey(trailer, "/Info", "/Info", "document_info");
    }
  }

  // Every object reachable from the trailer, once; dangerous entries are
  // cut where they are referenced, so what only they referenced is not
  // written.
  void Walk() {
    struct Item {
      QPDFObjectHandle object;
      std::string path;  // "/Root/Names", "obj 12 0/Annots", "obj 7 0"
      std::string key;   // the key it was found under; "" in arrays
    };
    std::vector<Item> stack;
    stack.push_back({pdf_.getTrailer(), "", ""});
    std::unordered_set<std::uint64_t> seen;
    std::size_t walked = 0;
    auto push = [&](QPDFObjectHandle child, const std::string& parent_path, std::string path,
                    std::string key) {
      if (!child.isDictionary() && !child.isArray() && !child.isStream()) return;
      if (child.isIndirect()) {
        const QPDFObjGen id = child.getObjGen();
        const std::uint64_t seen_key =
            (static_cast<std::uint64_t>(static_cast<std::uint32_t>(id.getObj())) << 32) |
            static_cast<std::uint32_t>(id.getGen());
        if (!seen.insert(seen_key).second) return;
        // Named after the trailer key (/Root, /Info) at the top, by id below.
        if (!parent_path.empty()) {
          path = "obj " + std::to_string(id.getObj()) + " " + std::to_string(id.getGen());
        }
      }
      stack.push_back({child, std::move(path), std::move(key)});  // (QPDFObjectHandle copies)
    };

    while (!stack.empty()) {
      Item item = std::move(stack.back());
      stack.pop_back();
      if (++walked > kMaxObjects) {
        throw Stop{Reason::kMemoryLimit,
                   "more than " + std::to_string(kMaxObjects) + " objects in the document"};
      }
      if (walked % 1024 == 0) {
        if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
          throw Stop{reason, "time limit reached while walking the objects"};
        }
      }
      QPDFObjectHandle object = item.object;
      if (object.isStream()) {
        streams_.push_back(object);
        object = object.getDict();
      }
      if (object.isDictionary()) {
        WalkDictionary(object, item.path, push);
      } else if (object.isArray()) {
        WalkArray(object, item.path, item.key, push);
      }
    }
  }

  // Every stream the output keeps, decoded once as `qpdf --check` does
  // (qpdf_dl_all); what does not decode cleanly, or decodes to more than
  // max_memory_bytes, is emptied and reported. Call after Walk().
  void CheckStreams() {
    std::map<QPDFObjGen, std::string> pages;  // content stream → "page 3"
    int number = 0;
    for (QPDFObjectHandle page : pdf_.getAllPages()) {
      ++number;
      QPDFObjectHandle contents = page.getKey("/Contents");
      std::vector<QPDFObjectHandle> list;
      if (contents.isArray()) {
        list = contents.getArrayAsVector();
      } else {
        list.push_back(contents);
      }
      for (QPDFObjectHandle stream : list) {
        if (stream.isIndirect() && stream.isStream()) {
          pages.emplace(stream.getObjGen(), "page " + std::to_string(number) + " /Contents");
        }
      }
    }
    const std::size_t limit = context_.GetLimits().max_memory_bytes;
    for (QPDFObjectHandle& stream : streams_) {
      if (const Reason reason = context_.CheckTime(); reason != Reason::kNone) {
        throw Stop{reason, "time limit reached while decoding streams"};
      }
      const std::size_t warnings_before = pdf_.numWarnings();
      bool decoded = false;
      bool bomb = false;
      if (OnlyDct(stream.getDict().getKey("/Filter"))) {
        // A JPEG: its bytes (decrypted, unfiltered) through libjpeg, above.
        DctOutcome outcome = DctOutcome::kFails;
        try {
          const std::shared_ptr<Buffer> raw = stream.getRawStreamData();
          outcome = DctCheck(raw->getBuffer(), raw->getSize(), limit, context_);
        } catch (const std::exception&) {
          outcome = DctOutcome::kFails;
        }
        if (outcome == DctOutcome::kTimeout) {
          throw Stop{Reason::kTimeout, "time limit reached while decoding streams"};
        }
        decoded = outcome == DctOutcome::kDecodes;
        bomb = outcome == DctOutcome::kTooLarge;
      } else {
        CountingPipeline counter(limit, &context_);
        try {
          decoded = stream.pipeStreamData(&counter, nullptr, 0, qpdf_dl_all,
                                          /*suppress_warnings=*/true, /*will_retry=*/false);
        } catch (const std::exception&) {
          decoded = false;  // (qpdf catches most; a bad /Length can still throw)
        }
        if (counter.TimedOut() != Reason::kNone) {
          throw Stop{counter.TimedOut(), "time limit reached while decoding streams"};
        }
        bomb = counter.Over();
      }
      if (decoded && !bomb && pdf_.numWarnings() == warnings_before) continue;

      const QPDFObjGen id = stream.getObjGen();
      std::string part = stream.isIndirect() ? ObjectName(id) : "(direct stream)";
      if (const auto page = pages.find(id); page != pages.end()) {
        part = page->second + " (" + part + ")";
      }
      Empty(stream);
      Record(part, bomb ? "decompression_bomb" : "undecodable_stream");
      if (decoded_detail_.size() >= kMaxListedRemovals / 10) {
        ++unlisted_details_;
      } else if (bomb) {
        decoded_detail_.push_back(part + " decodes to more than " + std::to_string(limit) +
                                  " bytes");
      } else {
        decoded_detail_.push_back(part + " does not decode");
      }
    }
  }

  // English, for the report's detail: the first streams emptied, and how
  // many more.
  std::vector<std::string> StreamDetails() const {
    std::vector<std::string> details = decoded_detail_;
    if (unlisted_details_ > 0) {
      details.push_back("and " + std::to_string(unlisted_details_) + " more streams emptied");
    }
    return details;
  }

  // The notes for the user, one per kind of removal.
  void AddNotes() {
    for (const auto& [what, count] : totals_) {
      const std::string_view label = LabelJa(what);
      // "JavaScript を 2 件", "XFA フォームを 1 件": a space after Latin letters only.
      const bool latin = static_cast<unsigned char>(label.back()) < 0x80;
      result_.notes_ja.push_back(std::string(label) + (latin ? " を " : "を ") +
                                 std::to_string(count) + " 件削除しました");
    }
    for (const auto& [what, count] : unlisted_) {
      result_.removed.push_back({"(other places)", what, count});
    }
  }

 private:
  // A stream whose data cannot be kept: no data and no filter. An image
  // becomes a 1×1 image that paints nothing visible (a stencil mask with
  // its one sample unpainted, or one white gray pixel), so that what
  // refers to it still finds an image.
  static void Empty(QPDFObjectHandle stream) {
    QPDFObjectHandle dictionary = stream.getDict();
    if (dictionary.getKey("/Subtype").isNameAndEquals("/Image")) {
      const bool mask = dictionary.getKey("/ImageMask").isBool() &&
                        dictionary.getKey("/ImageMask").getBoolValue();
      for (const char* key : {"/Decode", "/Mask", "/Alternates", "/SMaskInData", "/Interpolate",
                              "/ColorSpace", "/BitsPerComponent", "/Width", "/Height"}) {
        dictionary.removeKey(key);
      }
      dictionary.replaceKey("/Width", QPDFObjectHandle::newInteger(1));
      dictionary.replaceKey("/Height", QPDFObjectHandle::newInteger(1));
      dictionary.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(mask ? 1 : 8));
      if (!mask) dictionary.replaceKey("/ColorSpace", QPDFObjectHandle::newName("/DeviceGray"));
      stream.replaceStreamData(std::string(1, '\xff'), QPDFObjectHandle::newNull(),
                               QPDFObjectHandle::newNull());
      return;
    }
    stream.replaceStreamData(std::string(), QPDFObjectHandle::newNull(),
                             QPDFObjectHandle::newNull());
    // (Font programs keep /Length1..3; readers then fall back to another font.)
  }

  template <typename Push>
  void WalkDictionary(QPDFObjectHandle dictionary, const std::string& path, Push& push) {
    for (const std::string& key : dictionary.getKeys()) {
      const std::string child_path = path + key;
      if (key == "/AA") {
        QPDFObjectHandle actions = dictionary.getKey(key);
        const int count = actions.isDictionary() ? static_cast<int>(actions.getKeys().size()) : 1;
        dictionary.removeKey(key);
        Record(child_path, "additional_actions", std::max(count, 1));
        continue;
      }
      if (key == "/OpenAction") {
        // Whatever it is (a script, a destination): nothing runs on opening.
        dictionary.removeKey(key);
        Record(child_path, "open_action");
        continue;
      }
      if (key == "/JS") {
        dictionary.removeKey(key);
        Record(child_path, "javascript");
        continue;
      }
      if (key == "/EF") {
        dictionary.removeKey(key);
        Record(child_path, "embedded_file");
        continue;
      }
      QPDFObjectHandle child = dictionary.getKey(key);
      if (const std::string what = Classify(child); !what.empty()) {
        dictionary.removeKey(key);
        Record(child_path, what);
        continue;
      }
      push(child, path, child_path, key);
    }
  }

  template <typename Push>
  void WalkArray(QPDFObjectHandle array, const std::string& path, const std::string& key,
                 Push& push) {
    // In lists of annotations, fields and actions an entry can go; elsewhere
    // (name trees, destinations) positions matter and it becomes null.
    const bool erasable = key == "/Annots" || key == "/Next" || key == "/Fields" ||
                          key == "/Kids" || key == "/AF";
    for (int index = array.getArrayNItems() - 1; index >= 0; --index) {
      QPDFObjectHandle child = array.getArrayItem(index);
      const std::string child_path = path + "[" + std::to_string(index) + "]";
      if (const std::string what = Classify(child); !what.empty()) {
        if (erasable) {
          array.eraseItem(index);
        } else {
          array.setArrayItem(index, QPDFObjectHandle::newNull());
        }
        Record(child_path, what);
        continue;
      }
      push(child, path, child_path, "");
    }
  }

  // What a referenced object is, if it must go: an action that runs code,
  // opens or sends files, or an annotation that plays embedded content.
  std::string Classify(QPDFObjectHandle object) {
    if (object.isStream()) {
      QPDFObjectHandle dictionary = object.getDict();
      if (dictionary.getKey("/Subtype").isNameAndEquals("/PS") ||
          dictionary.getKey("/Subtype2").isNameAndEquals("/PS")) {
        return "postscript_xobject";
      }
      return {};
    }
    if (!object.isDictionary()) return {};
    if (object.hasKey("/JS")) return "javascript";
    QPDFObjectHandle type = object.getKey("/S");
    if (type.isName()) {
      const std::string name = type.getName();
      if (name == "/JavaScript") return "javascript";
      if (name == "/Launch") return "launch_action";
      if (name == "/SubmitForm") return "submit_form_action";
      if (name == "/ImportData") return "import_data_action";
      if (name == "/GoToR") return "remote_goto_action";
      if (name == "/GoToE") return "embedded_goto_action";
      if (name == "/RichMediaExecute") return "rich_media_action";
      if (name == "/URI") {
        if (context_.GetSettings().remove_uri_links) return "uri_action";
        QPDFObjectHandle uri = object.getKey("/URI");
        const std::string text = uri.isString() ? Lower(uri.getStringValue()) : std::string();
        // (rfind(.., 0): this file is C++17, see CMakeLists.txt.)
        const bool safe = text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0 ||
                          text.rfind("mailto:", 0) == 0;
        if (!safe) return "uri_action";
      }
    }
    QPDFObjectHandle subtype = object.getKey("/Subtype");
    if (subtype.isName()) {
      const std::string name = subtype.getName();
      if (name == "/FileAttachment") return "file_attachment_annotation";
      if (name == "/RichMedia") return "rich_media_annotation";
      if (name == "/3D") return "3d_annotation";
      if (name == "/Movie" || name == "/Sound" || name == "/Screen") return "media_annotation";
    }
    return {};
  }

  void RemoveKey(QPDFObjectHandle dictionary, const std::string& key, const std::string& part,
                 const std::string& what) {
    if (!dictionary.hasKey(key)) return;
    dictionary.removeKey(key);
    Record(part, what);
  }

  void Record(const std::string& part, const std::string& what, int count = 1) {
    totals_[what] += count;
    if (listed_ < kMaxListedRemovals) {
      ++listed_;
      result_.Remove(part, what, count);
    } else {
      unlisted_[what] += count;
    }
  }

  QPDF& pdf_;
  Context& context_;
  FormatResult& result_;
  std::size_t listed_ = 0;
  std::map<std::string, int> totals_;
  std::map<std::string, int> unlisted_;
  std::vector<QPDFObjectHandle> streams_;  // reachable streams, in walk order
  std::vector<std::string> decoded_detail_;
  std::size_t unlisted_details_ = 0;
};

// A page tree with a broken node — a /Kids entry that is not a dictionary
// (a damaged page object qpdf could only read as null) — is written flat:
// the inherited attributes pushed down to the pages, /Root/Pages listing
// the pages qpdf found, in order. Written as it was, `qpdf --check` would
// warn on every use of the broken node. Returns the number of entries
// dropped (0: the tree was sound and is written as it was).
int FlattenBrokenPageTree(QPDF& pdf) {
  QPDFObjectHandle root_pages = pdf.getRoot().getKey("/Pages");
  if (!root_pages.isDictionary()) return 0;
  int broken = 0;
  std::vector<QPDFObjectHandle> stack{root_pages};
  std::set<QPDFObjGen> seen;
  while (!stack.empty()) {
    QPDFObjectHandle node = stack.back();
    stack.pop_back();
    if (node.isIndirect() && !seen.insert(node.getObjGen()).second) continue;
    QPDFObjectHandle kids = node.getKey("/Kids");
    if (!kids.isArray()) continue;  // a page
    for (int index = 0; index < kids.getArrayNItems(); ++index) {
      QPDFObjectHandle kid = kids.getArrayItem(index);
      if (kid.isDictionary()) {
        stack.push_back(kid);
      } else {
        ++broken;
      }
    }
    if (seen.size() > kMaxObjects) break;
  }
  if (broken == 0) return 0;
  pdf.pushInheritedAttributesToPage();
  QPDFObjectHandle kids = QPDFObjectHandle::newArray();
  int count = 0;
  for (QPDFObjectHandle page : pdf.getAllPages()) {
    if (!page.isDictionary()) continue;
    page.replaceKey("/Parent", root_pages);
    kids.appendItem(page);
    ++count;
  }
  root_pages.replaceKey("/Kids", kids);
  root_pages.replaceKey("/Count", QPDFObjectHandle::newInteger(count));
  return broken;
}

FormatResult Run(std::string_view input, Context& context) {
  FormatResult result;
  QPDF pdf;
  auto logger = QPDFLogger::create();
  logger->setInfo(logger->discard());
  logger->setWarn(logger->discard());
  logger->setError(logger->discard());
  pdf.setLogger(logger);
  pdf.setSuppressWarnings(true);
  pdf.setAttemptRecovery(true);
  try {
    pdf.processMemoryFile("input.pdf", input.data(), input.size(), "");
  } catch (const QPDFExc& error) {
    if (error.getErrorCode() == qpdf_e_password) {
      return Refuse(Reason::kEncrypted, "the PDF needs a user password to open");
    }
    throw;
  }
  if (pdf.isEncrypted()) {
    // Only an owner password: everything is readable; written unencrypted.
    result.Remove("/Encrypt", "encryption");
    result.notes_ja.push_back(
        "所有者パスワードによる暗号化（印刷・複製などの利用制限）を解除して再構築しました");
  }

  Sanitizer sanitizer(pdf, context, result);
  sanitizer.CheckObjectStreams();
  sanitizer.SanitizeCatalog();
  if (pdf.getAllPages().empty()) throw Stop{Reason::kMalformed, "the document has no pages"};
  sanitizer.Walk();
  // What qpdf warned about while reading (a repaired file); the decoding
  // below warns for every stream it empties, which the report lists itself.
  std::vector<QPDFExc> read_warnings = pdf.getWarnings();
  sanitizer.CheckStreams();
  (void)pdf.getWarnings();
  sanitizer.AddNotes();
  if (const int broken = FlattenBrokenPageTree(pdf); broken > 0) {
    result.Remove("/Root/Pages", "broken_page_tree_entry", broken);
    result.notes_ja.push_back("壊れたページ構成（Pages）の要素 " + std::to_string(broken) +
                              " 件を除いて再構築しました");
  }

  // Written straight into the output string, reserved for about the
  // input's size: QPDFWriter's own memory output (Pl_Buffer) grows by
  // copying and is copied again at the end (8% of the time on a 15 MB file).
  result.output.reserve(input.size() + input.size() / 8);
  Pl_String output_pipeline("mamori output", nullptr, result.output);
  QPDFWriter writer(pdf);
  writer.setOutputPipeline(&output_pipeline);
  writer.setObjectStreamMode(qpdf_o_disable);        // a plain cross-reference table
  writer.setStreamDataMode(qpdf_s_preserve);         // stream bytes copied, never inflated
  writer.setPreserveUnreferencedObjects(false);      // only what the trailer reaches
  writer.setPreserveEncryption(false);
  writer.setLinearization(false);
  writer.setDeterministicID(true);                   // the same input gives the same bytes
  writer.registerProgressReporter(std::make_shared<QPDFWriter::FunctionProgressReporter>(
      [&context](int /*percent*/) {
        if (const Reason reason = context.CheckTime(); reason != Reason::kNone) {
          throw Stop{reason, "time limit reached while writing"};
        }
      }));
  writer.write();

  for (QPDFExc& warning : pdf.getWarnings()) read_warnings.push_back(std::move(warning));
  if (const std::size_t warnings = read_warnings.size(); warnings > 0) {
    result.detail = "qpdf repaired the file (" + std::to_string(warnings) + " warnings";
    result.detail += ", first: " + read_warnings.front().getMessageDetail();
    result.detail += ")";
    result.notes_ja.push_back("破損していた箇所を修復して再構築しました（警告 " +
                              std::to_string(warnings) + " 件）");
  }
  for (const std::string& detail : sanitizer.StreamDetails()) {
    if (!result.detail.empty()) result.detail += "; ";
    result.detail += detail;
  }
  return result;
}

}  // namespace

FormatResult SanitizePdf(std::string_view input, FileType /*type*/, Context& context) {
  // qpdf throws; nothing it throws leaves this function.
  try {
    return Run(input, context);
  } catch (const Stop& stop) {
    return Refuse(stop.reason, stop.detail);
  } catch (const QPDFExc& error) {
    return Refuse(Reason::kMalformed, "qpdf: " + std::string(error.what()));
  } catch (const std::bad_alloc&) {
    return Refuse(Reason::kMemoryLimit, "out of memory while parsing the PDF");
  } catch (const std::exception& error) {
    return Refuse(Reason::kMalformed, "qpdf: " + std::string(error.what()));
  } catch (...) {
    return Refuse(Reason::kMalformed, "qpdf failed with an unknown error");
  }
}

}  // namespace mamori::sanitize
