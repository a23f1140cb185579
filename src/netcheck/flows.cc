#include "netcheck/flows.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>
#include <utility>

#include "netcheck/address.h"
#include "netcheck/analysis.h"
#include "policy/vocabulary.h"

namespace mamori::netcheck {

std::string Flow::ToString() const {
  std::string out = ProtocolName(protocol) + " " + FormatAddress(source);
  const bool ports = protocol == 6 || protocol == 17 || protocol == 132;
  if (ports) out += ":" + std::to_string(source_port);
  out += " → " + FormatAddress(destination);
  if (ports) out += ":" + std::to_string(destination_port);
  return out;
}

std::string_view Id(FlowFormat format) {
  switch (format) {
    case FlowFormat::kAuto:
      return "auto";
    case FlowFormat::kNfdump:
      return "nfdump";
    case FlowFormat::kZeek:
      return "zeek";
    case FlowFormat::kFortiGate:
      return "fortigate";
    case FlowFormat::kPanOs:
      return "panos";
  }
  return "?";
}

std::optional<FlowFormat> ParseFlowFormat(std::string_view text) {
  for (FlowFormat f : {FlowFormat::kAuto, FlowFormat::kNfdump, FlowFormat::kZeek,
                       FlowFormat::kFortiGate, FlowFormat::kPanOs}) {
    if (Id(f) == text) return f;
  }
  return std::nullopt;
}

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Splits a machine-written CSV / TSV line; a field may be "quoted" ("" for a
// quote inside). Fields are views into `line` unless quoted with "", which
// are copied into `scratch`.
void SplitLine(std::string_view line, char separator, std::vector<std::string_view>& out,
               std::deque<std::string>& scratch) {
  out.clear();
  scratch.clear();
  std::size_t i = 0;
  while (true) {
    if (separator == ',' && i < line.size() && line[i] == '"') {
      std::string& value = scratch.emplace_back();  // deque: earlier views stay valid
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            value += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        value += line[i++];
      }
      out.push_back(value);
      const auto next = line.find(separator, i);
      if (next == std::string_view::npos) return;
      i = next + 1;
      continue;
    }
    const auto next = line.find(separator, i);
    if (next == std::string_view::npos) {
      out.push_back(line.substr(i));
      return;
    }
    out.push_back(line.substr(i, next - i));
    i = next + 1;
  }
}

template <typename T>
std::optional<T> Number(std::string_view text) {
  text = Trim(text);
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint8_t> Protocol(std::string_view text) {
  text = Trim(text);
  if (auto n = Number<unsigned>(text); n && *n <= 255) return static_cast<std::uint8_t>(*n);
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ParseProtocol(lower);
}

std::optional<std::uint16_t> Port(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text == "-") return std::uint16_t{0};
  // nfdump writes ICMP type.code as "8.0" in the port column.
  if (auto dot = text.find('.'); dot != std::string_view::npos) text = text.substr(0, dot);
  auto n = Number<unsigned>(text);
  if (!n || *n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*n);
}

std::uint64_t Count(std::string_view text) {
  auto n = Number<std::uint64_t>(text);
  if (n) return *n;
  auto d = Number<double>(text);  // a count written as a float
  return d && std::isfinite(*d) && *d >= 0 && *d < 1.8e19 ? static_cast<std::uint64_t>(*d) : 0;
}

// Seconds since the epoch (fraction allowed) as UTC "YYYY-MM-DD HH:MM:SS".
std::optional<std::string> EpochUtc(std::string_view text) {
  auto seconds = Number<double>(text);
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return std::nullopt;
  double value = *seconds;
  while (value > 1e11) value /= 1000;  // FortiGate eventtime in ms, µs or ns
  const auto t = static_cast<std::time_t>(value);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::nullopt;
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buffer);
}

// "2024/05/01 09:00:00.123" or "2024-05-01T09:00:00" → "2024-05-01 09:00:00".
std::optional<std::string> DateTime(std::string_view text) {
  text = Trim(text);
  if (text.size() < 19) return std::nullopt;
  std::string out(text.substr(0, 19));
  if (out[4] == '/') out[4] = '-';
  if (out[7] == '/') out[7] = '-';
  if (out[10] == 'T') out[10] = ' ';
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u}) {
    if (!std::isdigit(static_cast<unsigned char>(out[i]))) return std::nullopt;
  }
  if (out[4] != '-' || out[7] != '-' || out[10] != ' ' || out[13] != ':' || out[16] != ':') {
    return std::nullopt;
  }
  return out;
}

Diagnostic Bad(const Where& where, std::string ja, std::string en) {
  return {where, std::move(ja), std::move(en)};
}

// The line reader and its bookkeeping, shared by every format.
class Reader {
 public:
  Reader(std::istream& in, const std::string& file, FlowReadStats& stats, const FlowLimits& limits)
      : in_(in), file_(file), stats_(stats), limits_(limits) {}

  // The next line (without \r\n); false at the end.
  bool Next(std::string& line) {
    if (!std::getline(in_, line)) return false;
    ++stats_.lines;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
  Where Here() const { return {file_, static_cast<int>(stats_.lines), ""}; }

  // A malformed line: counted, reported, skipped. False once too many.
  bool Skip(std::string ja, std::string en) {
    ++stats_.skipped;
    if (stats_.bad_lines.size() < limits_.max_bad_lines) {
      stats_.bad_lines.push_back(Bad(Here(), std::move(ja), std::move(en)));
    }
    return stats_.skipped <= limits_.max_bad_lines;
  }
  Status TooMany() const {
    std::vector<Diagnostic> all = stats_.bad_lines;
    all.insert(
        all.begin(),
        Bad(Here(),
            "不正な行が多すぎます（" + std::to_string(limits_.max_bad_lines) + " 行を超えました）",
            "too many malformed lines (more than " + std::to_string(limits_.max_bad_lines) + ")"));
    return Error(ErrorCode::kInvalidArgument, std::move(all));
  }
  bool TooLong(const std::string& line) const { return line.size() > limits_.max_line_bytes; }
  void Emit(Flow& flow, const FlowSink& sink) {
    flow.where = Here();
    ++stats_.flows;
    sink(flow);
  }

 private:
  std::istream& in_;
  const std::string& file_;
  FlowReadStats& stats_;
  const FlowLimits& limits_;
};

Status HeaderError(const Where& where, const std::string& format, const std::string& missing) {
  return Error(ErrorCode::kInvalidArgument, format + " のヘッダーに列 " + missing + " がありません",
               format + " header lacks the column " + missing, where);
}

// Sets the address fields; false (with the reason) when one is bad.
bool Addresses(Flow& flow, std::string_view source, std::string_view destination) {
  auto s = ParseAddress(Trim(source));
  auto d = ParseAddress(Trim(destination));
  if (!s || !d) return false;
  flow.source = *s;
  flow.destination = *d;
  return true;
}

// Counts and reports a malformed line, then goes on with the next one (a
// plain block: its `continue` is the enclosing loop's).
// Sets the protocol and ports; why not (Japanese, English) when one is bad.
std::optional<std::pair<std::string, std::string>> Transport(Flow& flow, std::string_view protocol,
                                                             std::string_view source_port,
                                                             std::string_view destination_port) {
  auto number = Protocol(protocol);
  if (!number) return std::pair{"プロトコルが不正です", "bad protocol"};
  auto sport = Port(source_port);
  auto dport = Port(destination_port);
  if (!sport || !dport) return std::pair{"ポートが不正です", "bad port"};
  flow.protocol = *number;
  flow.source_port = *sport;
  flow.destination_port = *dport;
  return std::nullopt;
}

#define MAMORI_SKIP(reader, ja, en)                            \
  {                                                            \
    if (!(reader).Skip((ja), (en))) return (reader).TooMany(); \
    continue;                                                  \
  }

// Columns by name in a header line.
struct Columns {
  std::vector<std::string> names;
  int Find(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

const std::string_view kBadAddressJa = "アドレスが不正です";
const std::string_view kBadAddressEn = "bad address";

Status ReadNfdump(Reader& reader, const FlowSink& sink) {
  std::string line;
  std::vector<std::string_view> fields;
  std::deque<std::string> scratch;
  if (!reader.Next(line)) return OkStatus();
  Columns columns;
  SplitLine(line, ',', fields, scratch);
  for (auto f : fields) columns.names.emplace_back(Trim(f));
  const int ts = columns.Find("ts"), sa = columns.Find("sa"), da = columns.Find("da"),
            sp = columns.Find("sp"), dp = columns.Find("dp"), pr = columns.Find("pr"),
            ipkt = columns.Find("ipkt"), ibyt = columns.Find("ibyt"), in = columns.Find("in"),
            out = columns.Find("out");
  for (auto [index, name] :
       {std::pair{ts, "ts"}, {sa, "sa"}, {da, "da"}, {sp, "sp"}, {dp, "dp"}, {pr, "pr"}}) {
    if (index < 0) return HeaderError(reader.Here(), "nfdump CSV", name);
  }
  const int needed = std::max({ts, sa, da, sp, dp, pr});
  auto at = [&](int index) -> std::string_view {
    return index >= 0 && static_cast<std::size_t>(index) < fields.size()
               ? fields[static_cast<std::size_t>(index)]
               : std::string_view{};
  };
  Flow flow;
  while (reader.Next(line)) {
    if (reader.TooLong(line)) MAMORI_SKIP(reader, "行が長すぎます", "line too long");
    if (line.empty()) continue;
    // nfdump ends its CSV with "Summary" and a header/values pair: not flows.
    if (line.rfind("Summary", 0) == 0 || line.rfind("No matching", 0) == 0) break;
    SplitLine(line, ',', fields, scratch);
    if (static_cast<int>(fields.size()) <= needed) {
      MAMORI_SKIP(reader, "列が足りません（" + std::to_string(fields.size()) + " 列）",
                  "too few columns (" + std::to_string(fields.size()) + ")");
    }
    flow = Flow{};
    auto time = DateTime(at(ts));
    if (!time) MAMORI_SKIP(reader, "時刻が不正です", "bad time");
    flow.time = *time;
    if (!Addresses(flow, at(sa), at(da))) {
      MAMORI_SKIP(reader, std::string(kBadAddressJa), std::string(kBadAddressEn));
    }
    if (auto bad = Transport(flow, at(pr), at(sp), at(dp)))
      MAMORI_SKIP(reader, bad->first, bad->second);
    flow.packets = Count(at(ipkt));
    flow.bytes = Count(at(ibyt));
    // SNMP ifIndex 0 means unknown.
    if (Trim(at(in)) != "0") flow.input_interface = std::string(Trim(at(in)));
    if (Trim(at(out)) != "0") flow.output_interface = std::string(Trim(at(out)));
    reader.Emit(flow, sink);
  }
  return OkStatus();
}

Status ReadZeekJson(Reader& reader, const FlowSink& sink, std::string line) {
  Flow flow;
  for (bool first = true; first || reader.Next(line); first = false) {
    if (reader.TooLong(line)) MAMORI_SKIP(reader, "行が長すぎます", "line too long");
    if (Trim(line).empty()) continue;
    auto object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object())
      MAMORI_SKIP(reader, "JSON のオブジェクトではありません", "not a JSON object");
    flow = Flow{};
    auto text = [&](const char* key) -> std::string {
      auto it = object.find(key);
      if (it == object.end()) return {};
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number()) return it->dump();
      return {};
    };
    auto time = EpochUtc(text("ts"));
    if (!time) time = DateTime(text("ts"));
    if (!time) MAMORI_SKIP(reader, "ts が不正です", "bad ts");
    flow.time = *time;
    if (!Addresses(flow, text("id.orig_h"), text("id.resp_h"))) {
      MAMORI_SKIP(reader, std::string(kBadAddressJa), std::string(kBadAddressEn));
    }
    if (auto bad = Transport(flow, text("proto"), text("id.orig_p"), text("id.resp_p")))
      MAMORI_SKIP(reader, bad->first, bad->second);
    flow.bytes = Count(text("orig_ip_bytes")) + Count(text("resp_ip_bytes"));
    flow.packets = Count(text("orig_pkts")) + Count(text("resp_pkts"));
    reader.Emit(flow, sink);
  }
  return OkStatus();
}

Status ReadZeek(Reader& reader, const FlowSink& sink) {
  std::string line;
  if (!reader.Next(line)) return OkStatus();
  if (!line.empty() && line.front() == '{') return ReadZeekJson(reader, sink, line);
  Columns columns;
  std::vector<std::string_view> fields;
  std::deque<std::string> scratch;
  char separator = '\t';
  std::string unset = "-";
  bool have_fields = false;
  int ts = -1, sa = -1, da = -1, sp = -1, dp = -1, pr = -1, ob = -1, rb = -1, op = -1, rp = -1;
  Flow flow;
  for (bool first = true; first || reader.Next(line); first = false) {
    if (reader.TooLong(line)) MAMORI_SKIP(reader, "行が長すぎます", "line too long");
    if (line.empty()) continue;
    if (line.front() == '#') {
      if (line.rfind("#separator ", 0) == 0) {
        // "#separator \x09"
        const std::string_view value = std::string_view(line).substr(11);
        unsigned code = 0;
        if (value.size() == 4 && value.substr(0, 2) == "\\x" &&
            std::from_chars(value.data() + 2, value.data() + 4, code, 16).ptr ==
                value.data() + 4) {
          separator = static_cast<char>(code);
        }
      } else if (line.rfind("#unset_field", 0) == 0) {
        SplitLine(line, separator, fields, scratch);
        if (fields.size() > 1) unset = std::string(fields[1]);
      } else if (line.rfind("#fields", 0) == 0) {
        SplitLine(line, separator, fields, scratch);
        columns.names.clear();
        for (std::size_t i = 1; i < fields.size(); ++i) columns.names.emplace_back(fields[i]);
        ts = columns.Find("ts"), sa = columns.Find("id.orig_h"), da = columns.Find("id.resp_h");
        sp = columns.Find("id.orig_p"), dp = columns.Find("id.resp_p"), pr = columns.Find("proto");
        ob = columns.Find("orig_ip_bytes"), rb = columns.Find("resp_ip_bytes");
        op = columns.Find("orig_pkts"), rp = columns.Find("resp_pkts");
        for (auto [index, name] : {std::pair{ts, "ts"},
                                   {sa, "id.orig_h"},
                                   {da, "id.resp_h"},
                                   {sp, "id.orig_p"},
                                   {dp, "id.resp_p"},
                                   {pr, "proto"}}) {
          if (index < 0) return HeaderError(reader.Here(), "Zeek conn.log", name);
        }
        have_fields = true;
      }
      continue;
    }
    if (!have_fields) {
      return Error(ErrorCode::kInvalidArgument, "Zeek conn.log に #fields 行がありません",
                   "Zeek conn.log has no #fields line before its records", reader.Here());
    }
    SplitLine(line, separator, fields, scratch);
    if (fields.size() < columns.names.size()) {
      MAMORI_SKIP(reader, "列が足りません（" + std::to_string(fields.size()) + " 列）",
                  "too few columns (" + std::to_string(fields.size()) + ")");
    }
    auto at = [&](int index) -> std::string_view {
      if (index < 0) return {};
      std::string_view v = fields[static_cast<std::size_t>(index)];
      return v == unset ? std::string_view{} : v;
    };
    flow = Flow{};
    auto time = EpochUtc(at(ts));
    if (!time) MAMORI_SKIP(reader, "ts が不正です", "bad ts");
    flow.time = *time;
    if (!Addresses(flow, at(sa), at(da))) {
      MAMORI_SKIP(reader, std::string(kBadAddressJa), std::string(kBadAddressEn));
    }
    if (auto bad = Transport(flow, at(pr), at(sp), at(dp)))
      MAMORI_SKIP(reader, bad->first, bad->second);
    flow.bytes = Count(at(ob)) + Count(at(rb));
    flow.packets = Count(at(op)) + Count(at(rp));
    reader.Emit(flow, sink);
  }
  return OkStatus();
}

// FortiGate: key=value pairs, values optionally "quoted".
void KeyValues(std::string_view line,
               std::vector<std::pair<std::string_view, std::string_view>>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const auto eq = line.find('=', i);
    if (eq == std::string_view::npos) return;
    std::string_view key = line.substr(i, eq - i);
    if (auto space = key.rfind(' '); space != std::string_view::npos) key = key.substr(space + 1);
    i = eq + 1;
    std::string_view value;
    if (i < line.size() && line[i] == '"') {
      const auto close = line.find('"', i + 1);
      const auto end = close == std::string_view::npos ? line.size() : close;
      value = line.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      const auto end = std::min(line.find(' ', i), line.size());
      value = line.substr(i, end - i);
      i = end;
    }
    out.emplace_back(key, value);
  }
}

Status ReadFortiGate(Reader& reader, const FlowSink& sink) {
  std::string line;
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  Flow flow;
  while (reader.Next(line)) {
    if (reader.TooLong(line)) MAMORI_SKIP(reader, "行が長すぎます", "line too long");
    if (Trim(line).empty()) continue;
    KeyValues(line, pairs);
    auto get = [&](std::string_view key) -> std::string_view {
      for (const auto& [k, v] : pairs) {
        if (k == key) return v;
      }
      return {};
    };
    const std::string_view type = get("type");
    if (!type.empty() && type != "traffic") continue;  // event, utm, …: not flows
    flow = Flow{};
    std::optional<std::string> time;
    if (!get("eventtime").empty()) time = EpochUtc(get("eventtime"));
    if (!time) time = DateTime(std::string(get("date")) + " " + std::string(get("time")));
    if (!time)
      MAMORI_SKIP(reader, "date/time 又は eventtime が不正です", "bad date/time or eventtime");
    flow.time = *time;
    if (!Addresses(flow, get("srcip"), get("dstip"))) {
      MAMORI_SKIP(reader, "srcip / dstip が不正です", "bad srcip / dstip");
    }
    if (auto bad = Transport(flow, get("proto"), get("srcport"), get("dstport")))
      MAMORI_SKIP(reader, bad->first, bad->second);
    flow.input_interface = std::string(get("srcintf"));
    flow.output_interface = std::string(get("dstintf"));
    flow.bytes = Count(get("sentbyte")) + Count(get("rcvdbyte"));
    flow.packets = Count(get("sentpkt")) + Count(get("rcvdpkt"));
    flow.action = std::string(get("action"));
    reader.Emit(flow, sink);
  }
  return OkStatus();
}

// PAN-OS 10/11 TRAFFIC log, CSV (syslog prefix allowed before the first
// field): positions from the "Traffic Log Fields" reference.
namespace panos_field {
constexpr std::size_t kReceiveTime = 1, kType = 3, kSource = 7, kDestination = 8, kFromZone = 16,
                      kToZone = 17, kSourcePort = 24, kDestinationPort = 25, kProtocol = 29,
                      kAction = 30, kBytes = 31, kPackets = 34, kStartTime = 35;
}

Status ReadPanOs(Reader& reader, const FlowSink& sink) {
  namespace f = panos_field;
  std::string line;
  std::vector<std::string_view> fields;
  std::deque<std::string> scratch;
  Flow flow;
  while (reader.Next(line)) {
    if (reader.TooLong(line)) MAMORI_SKIP(reader, "行が長すぎます", "line too long");
    if (Trim(line).empty()) continue;
    SplitLine(line, ',', fields, scratch);
    if (fields.size() <= f::kType) MAMORI_SKIP(reader, "列が足りません", "too few columns");
    if (Trim(fields[f::kType]) != "TRAFFIC") continue;  // THREAT, SYSTEM, …
    if (fields.size() <= f::kStartTime) {
      MAMORI_SKIP(reader,
                  "TRAFFIC ログの列が足りません（" + std::to_string(fields.size()) + " 列）",
                  "too few columns for a TRAFFIC log (" + std::to_string(fields.size()) + ")");
    }
    flow = Flow{};
    auto time = DateTime(fields[f::kStartTime]);
    if (!time) time = DateTime(fields[f::kReceiveTime]);
    if (!time) MAMORI_SKIP(reader, "時刻が不正です", "bad time");
    flow.time = *time;
    if (!Addresses(flow, fields[f::kSource], fields[f::kDestination])) {
      MAMORI_SKIP(reader, std::string(kBadAddressJa), std::string(kBadAddressEn));
    }
    if (auto bad = Transport(flow, fields[f::kProtocol], fields[f::kSourcePort],
                             fields[f::kDestinationPort]))
      MAMORI_SKIP(reader, bad->first, bad->second);
    flow.input_interface = std::string(Trim(fields[f::kFromZone]));
    flow.output_interface = std::string(Trim(fields[f::kToZone]));
    flow.action = std::string(Trim(fields[f::kAction]));
    flow.bytes = Count(fields[f::kBytes]);
    flow.packets = Count(fields[f::kPackets]);
    reader.Emit(flow, sink);
  }
  return OkStatus();
}

#undef MAMORI_SKIP

}  // namespace

std::optional<FlowFormat> DetectFlowFormat(std::string_view head) {
  const auto end = head.find('\n');
  const std::string_view first = Trim(head.substr(0, end));
  if (first.rfind("ts,te,", 0) == 0 || first.rfind("firstseen,", 0) == 0)
    return FlowFormat::kNfdump;
  if (first.rfind("#separator", 0) == 0) return FlowFormat::kZeek;
  if (!first.empty() && first.front() == '{' && first.find("\"id.orig_h\"") != std::string_view::npos) {
    return FlowFormat::kZeek;
  }
  if (first.find("srcip=") != std::string_view::npos &&
      first.find("dstip=") != std::string_view::npos) {
    return FlowFormat::kFortiGate;
  }
  if (first.find(",TRAFFIC,") != std::string_view::npos) return FlowFormat::kPanOs;
  return std::nullopt;
}

Status ReadFlows(std::istream& in, const std::string& file, FlowFormat format, const FlowSink& sink,
                 FlowReadStats& stats, const FlowLimits& limits) {
  if (format == FlowFormat::kAuto) {
    // Peek the first line, then rewind (files only; streams are seekable here).
    const auto start = in.tellg();
    std::string head;
    std::getline(in, head);
    in.clear();
    in.seekg(start);
    auto detected = head.empty() ? std::nullopt : DetectFlowFormat(head);
    if (!detected) {
      return Error(ErrorCode::kInvalidArgument,
                   "フローログの形式を判別できません（nfdump の CSV、Zeek の conn.log、"
                   "FortiGate 又は PAN-OS のトラフィックログ。--format で指定できます）",
                   "cannot tell the flow log's format (nfdump CSV, Zeek conn.log, FortiGate "
                   "or PAN-OS traffic log; use --format)",
                   {file, 1, ""});
    }
    format = *detected;
  }
  Reader reader(in, file, stats, limits);
  switch (format) {
    case FlowFormat::kNfdump:
      return ReadNfdump(reader, sink);
    case FlowFormat::kZeek:
      return ReadZeek(reader, sink);
    case FlowFormat::kFortiGate:
      return ReadFortiGate(reader, sink);
    case FlowFormat::kPanOs:
      return ReadPanOs(reader, sink);
    case FlowFormat::kAuto:
      break;
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// The judgement

std::size_t FlowReport::FirewallAllowed() const {
  return static_cast<std::size_t>(
      std::count_if(violations.begin(), violations.end(),
                    [](const FlowViolation& v) { return v.firewall_allows; }));
}

FlowJudge::FlowJudge(const AddressPlan& plan, const policy::Profile& profile, const RuleSet* rules,
                     std::size_t max_groups)
    : plan_(plan), profile_(profile), rules_(rules), max_groups_(max_groups) {
  for (const Zone& from : plan.zones) {
    for (const Zone& to : plan.zones)
      policies_.push_back(PolicyFor(plan, profile.network, from, to));
  }
}

int FlowJudge::ZoneOf(U128 address) {
  int found = -1;
  for (std::size_t z = 0; z < plan_.zones.size(); ++z) {
    const Zone& zone = plan_.zones[z];
    if (zone.network_texts.empty() || !zone.networks.Contains(address)) continue;
    if (found >= 0) return -2;
    found = static_cast<int>(z);
  }
  return found;
}

const FlowViolation* FlowJudge::Add(const Flow& flow) {
  ++report_.flows;
  const int from = ZoneOf(flow.source);
  const int to = ZoneOf(flow.destination);
  if (from == -2 || to == -2) {
    ++report_.ambiguous;
    return nullptr;
  }
  if (from < 0 || to < 0) {
    ++report_.outside;
    return nullptr;
  }
  if (from == to) {
    ++report_.same_zone;
    return nullptr;
  }
  const Zone& source_zone = plan_.zones[static_cast<std::size_t>(from)];
  const Zone& destination_zone = plan_.zones[static_cast<std::size_t>(to)];
  auto& pair = pairs_[{from, to}];
  if (pair.count == 0) {
    pair.from = source_zone.segment;
    pair.to = destination_zone.segment;
  }
  ++pair.count;
  pair.bytes += flow.bytes;

  Point point{};
  point[static_cast<std::size_t>(Dimension::kSourceAddress)] = flow.source;
  point[static_cast<std::size_t>(Dimension::kDestinationAddress)] = flow.destination;
  point[static_cast<std::size_t>(Dimension::kProtocol)] = U128::Of(flow.protocol);
  point[static_cast<std::size_t>(Dimension::kSourcePort)] = U128::Of(flow.source_port);
  point[static_cast<std::size_t>(Dimension::kDestinationPort)] = U128::Of(flow.destination_port);
  point[static_cast<std::size_t>(Dimension::kConnectionState)] =
      U128::Of(static_cast<std::uint64_t>(ConnectionState::kNew));
  const PairPolicy& policy =
      policies_[static_cast<std::size_t>(from) * plan_.zones.size() + static_cast<std::size_t>(to)];
  if (policy.Allows(point)) {
    ++report_.conforming;
    return nullptr;
  }
  const auto key = std::tuple{from, to, static_cast<int>(flow.protocol),
                              static_cast<int>(flow.destination_port)};
  auto it = groups_.find(key);
  if (it == groups_.end()) {
    if (groups_.size() >= max_groups_) {
      report_.truncated = true;
      return nullptr;
    }
    FlowViolation v;
    v.from = source_zone.segment;
    v.to = destination_zone.segment;
    v.protocol = flow.protocol;
    v.destination_port = flow.destination_port;
    v.mode = policy.mode;
    v.clause = policy.clause;
    v.first_seen = flow.time;
    v.last_seen = flow.time;
    v.example = flow;
    if (rules_ != nullptr) {
      // The example through the firewall's forward path, by the interfaces
      // the zones face when the log does not name them.
      Packet packet;
      packet.source = flow.source;
      packet.destination = flow.destination;
      packet.protocol = flow.protocol;
      packet.source_port = flow.source_port;
      packet.destination_port = flow.destination_port;
      if (!source_zone.interfaces.empty())
        packet.input_interface = source_zone.interfaces.front().name;
      if (!destination_zone.interfaces.empty()) {
        packet.output_interface = destination_zone.interfaces.front().name;
      }
      auto verdict = EvaluateForward(*rules_, packet);
      v.firewall_checked = verdict.Ok();
      if (verdict.Ok()) {
        v.firewall_allows = verdict->accepted;
        v.firewall_rule = Describe(*rules_, verdict->rule);
      }
    }
    it = groups_.emplace(key, std::move(v)).first;
  }
  FlowViolation& v = it->second;
  ++v.count;
  v.bytes += flow.bytes;
  if (flow.time < v.first_seen) v.first_seen = flow.time;
  if (flow.time > v.last_seen) v.last_seen = flow.time;
  return &v;
}

FlowReport FlowJudge::Finish(std::vector<std::string> sources, const FlowReadStats& stats) && {
  FlowReport report = std::move(report_);
  report.profile = profile_.id;
  report.sources = std::move(sources);
  report.skipped_lines = stats.skipped;
  report.warnings = stats.bad_lines;
  for (auto& [key, v] : groups_) report.violations.push_back(std::move(v));
  // The firewall-allowed ones first, then by count.
  std::stable_sort(report.violations.begin(), report.violations.end(),
                   [](const FlowViolation& a, const FlowViolation& b) {
                     if (a.firewall_allows != b.firewall_allows) return a.firewall_allows;
                     return a.count > b.count;
                   });
  for (auto& [key, pair] : pairs_) report.pairs.push_back(std::move(pair));
  std::stable_sort(
      report.pairs.begin(), report.pairs.end(),
      [](const FlowPairCount& a, const FlowPairCount& b) { return a.count > b.count; });
  if (report.truncated) {
    report.warnings.push_back({{},
                               "違反の組が多すぎるため、一部を集計していません",
                               "too many violation groups: some were not counted"});
  }
  return report;
}

namespace {

nlohmann::json FlowJson(const Flow& flow) {
  return {{"time", flow.time},
          {"source", FormatAddress(flow.source)},
          {"destination", FormatAddress(flow.destination)},
          {"protocol", ProtocolName(flow.protocol)},
          {"source_port", flow.source_port},
          {"destination_port", flow.destination_port},
          {"input_interface", flow.input_interface},
          {"output_interface", flow.output_interface},
          {"action", flow.action},
          {"where", flow.where.ToString()}};
}

}  // namespace

nlohmann::json FlowReportToJson(const FlowReport& report) {
  using Json = nlohmann::json;
  Json violations = Json::array();
  for (const auto& v : report.violations) {
    Json out{{"from", v.from},
             {"to", v.to},
             {"protocol", ProtocolName(v.protocol)},
             {"destination_port", v.destination_port},
             {"mode", policy::Id(v.mode)},
             {"clause", v.clause},
             {"count", v.count},
             {"first_seen", v.first_seen},
             {"last_seen", v.last_seen},
             {"bytes", v.bytes},
             {"example", FlowJson(v.example)}};
    if (v.firewall_checked) {
      out["firewall"] = {{"allows", v.firewall_allows}, {"rule", v.firewall_rule}};
    }
    violations.push_back(std::move(out));
  }
  Json pairs = Json::array();
  for (const auto& p : report.pairs) {
    pairs.push_back({{"from", p.from}, {"to", p.to}, {"flows", p.count}, {"bytes", p.bytes}});
  }
  Json warnings = Json::array();
  for (const auto& w : report.warnings) {
    warnings.push_back({{"where", w.where.ToString()},
                        {"message_ja", w.message_ja},
                        {"message_en", w.message_en}});
  }
  return Json{{"profile", report.profile},
              {"sources", report.sources},
              {"totals",
               {{"flows", report.flows},
                {"skipped_lines", report.skipped_lines},
                {"outside_zones", report.outside},
                {"in_two_zones", report.ambiguous},
                {"same_zone", report.same_zone},
                {"conforming", report.conforming},
                {"violation_groups", report.violations.size()},
                {"allowed_by_firewall", report.FirewallAllowed()},
                {"truncated", report.truncated}}},
              {"violations", violations},
              {"pairs", pairs},
              {"warnings", warnings}};
}

std::string FlowReportToText(const FlowReport& report) {
  std::string out =
      "流れたトラフィックの検査 / flow-log check — プロファイル " + report.profile + "\n";
  out += "ログ / logs:";
  for (const auto& source : report.sources) out += " " + source;
  out += "\n\n集計 / totals: フロー " + std::to_string(report.flows) + " 件、不正な行 " +
         std::to_string(report.skipped_lines) + " 行、区域外 " + std::to_string(report.outside) +
         " 件、複数区域 " + std::to_string(report.ambiguous) + " 件、同一区域内 " +
         std::to_string(report.same_zone) + " 件、適合 " + std::to_string(report.conforming) +
         " 件\n";
  if (!report.pairs.empty()) {
    out += "\n区域の組（多い順） / top zone pairs:\n";
    std::size_t shown = 0;
    for (const auto& p : report.pairs) {
      if (++shown > 20) break;
      out += "  " + p.from + " → " + p.to + "  " + std::to_string(p.count) + " 件 " +
             std::to_string(p.bytes) + " バイト\n";
    }
  }
  if (!report.violations.empty()) {
    out += "\n違反 / violations:\n";
    for (const auto& v : report.violations) {
      out += std::string("  [") + (v.firewall_allows ? "違反・ファイアウォールが許可" : "違反") +
             "] " + v.from + " → " + v.to + " " + ProtocolName(v.protocol) + "/" +
             std::to_string(v.destination_port) + "（" + std::string(policy::TitleJa(v.mode)) +
             "、条項 " + v.clause + "）\n";
      out += "    " + std::to_string(v.count) + " 件、" + std::to_string(v.bytes) +
             " バイト、初回 " + v.first_seen + "、最終 " + v.last_seen + " (UTC)\n";
      out += "    例 / example: " + v.example.ToString() + "  " + v.example.where.ToString() + "\n";
      if (v.firewall_checked) {
        out += std::string("    ファイアウォール / firewall: ") +
               (v.firewall_allows ? "許可（ファイアウォールは許可するが方針は禁止） / allowed by "
                                    "the firewall but forbidden by the policy"
                                  : "拒否 / denied") +
               "  " + v.firewall_rule + "\n";
      }
    }
  }
  if (!report.warnings.empty()) {
    out += "\n警告 / warnings:\n";
    for (const auto& w : report.warnings) out += "  " + w.ToString() + "\n";
  }
  out += "\n結果 / result: ";
  if (report.violations.empty()) {
    out += "違反なし / no violation\n";
  } else {
    out += "違反 " + std::to_string(report.violations.size()) + " 組（うちファイアウォールが許可 " +
           std::to_string(report.FirewallAllowed()) + " 組） / " +
           std::to_string(report.violations.size()) + " violation group(s), " +
           std::to_string(report.FirewallAllowed()) + " allowed by the firewall\n";
  }
  return out;
}

}  // namespace mamori::netcheck
