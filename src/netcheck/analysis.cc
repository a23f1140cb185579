#include "netcheck/analysis.h"

#include <algorithm>
#include <utility>

namespace mamori::netcheck {

std::string_view Id(FindingKind kind) {
  switch (kind) {
    case FindingKind::kShadowed:
      return "shadowed";
    case FindingKind::kEmpty:
      return "empty";
    case FindingKind::kUnreachable:
      return "unreachable";
    case FindingKind::kPossible:
      return "possible";
  }
  return "?";
}

PacketSet HookUniverse(Family family, Hook hook, const InterfaceUniverse& interfaces) {
  const IntervalSet none = IntervalSet::Point(U128{});
  const IntervalSet present = interfaces.Present();
  IntervalSet input = present;
  IntervalSet output = present;
  switch (hook) {
    case Hook::kPrerouting:
    case Hook::kInput:
      output = none;
      break;
    case Hook::kOutput:
      input = none;
      break;
    case Hook::kPostrouting:
      input = present.Union(none);  // forwarded or locally generated
      break;
    case Hook::kForward:
      break;
    case Hook::kNone:  // a user chain: whatever reaches it
      input = present.Union(none);
      output = present.Union(none);
      break;
  }
  Box interfaces_box;
  interfaces_box[Dimension::kInputInterface] = input;
  interfaces_box[Dimension::kOutputInterface] = output;
  return FamilyUniverse(family).Intersect(interfaces_box);
}

namespace {

Error Invalid(const SourceLocation& where, const std::string& ja, const std::string& en) {
  return Error(ErrorCode::kInvalidArgument, ja, en, where.ToWhere());
}

const Chain* ChainAt(const RuleSet& rules, int table, int chain) {
  if (table < 0 || static_cast<std::size_t>(table) >= rules.tables.size()) return nullptr;
  const Table& t = rules.tables[static_cast<std::size_t>(table)];
  if (chain < 0 || static_cast<std::size_t>(chain) >= t.chains.size()) return nullptr;
  return &t.chains[static_cast<std::size_t>(chain)];
}

Status CheckTarget(const RuleSet& rules, int table, const Rule& rule) {
  if (ChainAt(rules, table, rule.target_chain) == nullptr) {
    return Invalid(rule.where, "ジャンプ先のチェイン「" + rule.target + "」がありません",
                   "the jump target chain \"" + rule.target + "\" does not exist");
  }
  return OkStatus();
}

Error TooDeep(const Rule& rule, int limit) {
  return Invalid(rule.where,
                 "ジャンプの入れ子が深すぎます（上限 " + std::to_string(limit) + "。ループ?）",
                 "jumps nested too deeply (limit " + std::to_string(limit) + "; a loop?)");
}

// Undecided packets, tagged with the inexact rules they passed.
struct Piece {
  PacketSet set;
  std::vector<RuleRef> because;
  // Boxes after the last Compact() of this piece or the piece it came from:
  // compacting again only once the set has doubled keeps the quadratic
  // merge from running after every rule.
  std::size_t compacted = 0;
};

std::vector<RuleRef> With(std::vector<RuleRef> because, const RuleRef& ref) {
  if (std::find(because.begin(), because.end(), ref) == because.end()) because.push_back(ref);
  return because;
}

class Analyzer {
 public:
  Analyzer(const RuleSet& rules, const InterfaceUniverse& interfaces, const AnalysisLimits& limits)
      : rules_(rules), limits_(limits) {
    for (const auto& table : rules.tables) {
      auto& compiled_table = compiled_.emplace_back();
      auto& reached_table = reached_.emplace_back();
      entered_.emplace_back(table.chains.size(), false);
      for (const auto& chain : table.chains) {
        auto& compiled_chain = compiled_table.emplace_back();
        for (const auto& rule : chain.rules) compiled_chain.push_back(rule.match.Compile(interfaces));
        reached_table.emplace_back(chain.rules.size(), false);
      }
    }
  }

  Result<std::vector<Piece>> Run(int t, int c, std::vector<Piece> undecided, int depth,
                                 std::vector<AcceptedPiece>& accepted) {
    const auto ti = static_cast<std::size_t>(t);
    const auto ci = static_cast<std::size_t>(c);
    entered_[ti][ci] = true;
    const Chain& chain = rules_.tables[ti].chains[ci];
    std::vector<Piece> returned;
    for (std::size_t r = 0; r < chain.rules.size(); ++r) {
      if (undecided.empty()) break;
      const Rule& rule = chain.rules[r];
      const Box& match = compiled_[ti][ci][r];
      const RuleRef ref{t, c, static_cast<int>(r)};
      ++stats_.rules_visited;
      // Split every piece into what the rule (might) match and the rest.
      std::vector<Piece> hit;
      std::vector<Piece> miss;
      for (auto& piece : undecided) {
        auto [in, out] = std::move(piece.set).Split(match);
        if (in.Empty()) {
          miss.push_back({std::move(out), std::move(piece.because), piece.compacted});
          continue;
        }
        ++stats_.box_subtractions;
        if (!out.Empty()) miss.push_back({std::move(out), piece.because, piece.compacted});
        hit.push_back({std::move(in), piece.because, piece.compacted});
      }
      if (hit.empty()) {
        undecided = std::move(miss);
        continue;
      }
      reached_[ti][ci][r] = true;
      if (rule.action == ActionKind::kContinue) {
        // log, counter: no verdict, nothing changes (miss + hit = undecided).
        for (auto& piece : hit) miss.push_back(std::move(piece));
        undecided = std::move(miss);
        continue;
      }
      const bool exact_match = rule.match.Exact();
      std::vector<Piece> next = std::move(miss);
      if (!exact_match) {
        // The packets might not have matched: they go on as well, tagged.
        for (auto& piece : hit) {
          piece.because = With(std::move(piece.because), ref);
          next.push_back(piece);
        }
      }
      switch (rule.action) {
        case ActionKind::kAccept:
          for (auto& piece : hit) {
            auto because = rule.unmodelled_action.empty() ? std::move(piece.because)
                                                          : With(std::move(piece.because), ref);
            accepted.push_back({ref, std::move(piece.set), std::move(because)});
          }
          break;
        case ActionKind::kDrop:
        case ActionKind::kReject:
        case ActionKind::kContinue:
          break;
        case ActionKind::kJump:
        case ActionKind::kGoto: {
          MAMORI_TRY_STATUS(CheckTarget(rules_, t, rule));
          if (depth >= limits_.max_jump_depth) return TooDeep(rule, limits_.max_jump_depth);
          MAMORI_TRY(auto back, Run(t, rule.target_chain, std::move(hit), depth + 1, accepted));
          if (rule.action == ActionKind::kGoto) {
            for (auto& piece : back) returned.push_back(std::move(piece));
          } else if (exact_match) {
            // (Inexact: `next` already holds every packet that could come back.)
            for (auto& piece : back) next.push_back(std::move(piece));
          }
          break;
        }
        case ActionKind::kReturn:
          for (auto& piece : hit) returned.push_back(std::move(piece));
          break;
      }
      undecided = std::move(next);
      std::size_t boxes = 0;
      for (auto& piece : undecided) {
        const std::size_t size = piece.set.Boxes().size();
        if (size > 16 && size > 2 * piece.compacted) {
          piece.set.Compact();
          piece.compacted = piece.set.Boxes().size();
        }
        boxes += piece.set.Boxes().size();
      }
      stats_.peak_boxes = std::max(stats_.peak_boxes, boxes);
      if (boxes > limits_.max_boxes) {
        return Error(ErrorCode::kLimitExceeded,
                     "規則の組合せが複雑すぎて解析できません（箱の数が上限 " +
                         std::to_string(limits_.max_boxes) + " を超えました）",
                     "the rule set is too complex to analyze (boxes past the limit of " +
                         std::to_string(limits_.max_boxes) + ")",
                     rule.where.ToWhere());
      }
    }
    for (auto& piece : undecided) returned.push_back(std::move(piece));
    return returned;
  }

  void Findings(const InterfaceUniverse& interfaces, std::vector<RuleFinding>& out) const {
    for (std::size_t t = 0; t < rules_.tables.size(); ++t) {
      const Table& table = rules_.tables[t];
      const PacketSet universe = HookUniverse(table.family, Hook::kNone, interfaces);
      for (std::size_t c = 0; c < table.chains.size(); ++c) {
        const Chain& chain = table.chains[c];
        const int ti = static_cast<int>(t);
        const int ci = static_cast<int>(c);
        if (!entered_[t][c]) {
          out.push_back({{ti, ci, -1}, FindingKind::kUnreachable, {}});
          continue;
        }
        for (std::size_t r = 0; r < chain.rules.size(); ++r) {
          const Rule& rule = chain.rules[r];
          const RuleRef ref{ti, ci, static_cast<int>(r)};
          if (!reached_[t][c][r]) {
            const bool empty = universe.Intersect(compiled_[t][c][r]).Empty();
            out.push_back({ref, empty ? FindingKind::kEmpty : FindingKind::kShadowed, {}});
          } else if (!rule.Exact()) {
            std::vector<std::string> reasons = rule.match.unmodelled;
            if (!rule.unmodelled_action.empty()) reasons.push_back(rule.unmodelled_action);
            out.push_back({ref, FindingKind::kPossible, std::move(reasons)});
          }
        }
      }
    }
  }

  const AnalysisStats& Stats() const { return stats_; }

 private:
  const RuleSet& rules_;
  const AnalysisLimits& limits_;
  std::vector<std::vector<std::vector<Box>>> compiled_;
  std::vector<std::vector<std::vector<bool>>> reached_;
  std::vector<std::vector<bool>> entered_;
  AnalysisStats stats_;
};

}  // namespace

Result<Analysis> Analyze(const RuleSet& rules, const std::vector<InterfacePattern>& extra_interfaces,
                         const AnalysisLimits& limits) {
  std::vector<InterfacePattern> patterns = rules.InterfacePatterns();
  patterns.insert(patterns.end(), extra_interfaces.begin(), extra_interfaces.end());
  Analysis analysis;
  analysis.interfaces = InterfaceUniverse(patterns);
  Analyzer analyzer(rules, analysis.interfaces, limits);
  for (std::size_t t = 0; t < rules.tables.size(); ++t) {
    const Table& table = rules.tables[t];
    for (std::size_t c = 0; c < table.chains.size(); ++c) {
      const Chain& chain = table.chains[c];
      if (!chain.Base()) continue;
      ChainAnalysis result;
      result.table = static_cast<int>(t);
      result.chain = static_cast<int>(c);
      result.hook = chain.hook;
      result.universe = HookUniverse(table.family, chain.hook, analysis.interfaces);
      std::vector<Piece> input;
      input.push_back({result.universe, {}, 0});
      MAMORI_TRY(auto fallen, analyzer.Run(result.table, result.chain, std::move(input), 0,
                                           result.accepted));
      if (chain.policy == ActionKind::kAccept) {
        for (auto& piece : fallen) {
          result.accepted.push_back(
              {{result.table, result.chain, -1}, std::move(piece.set), std::move(piece.because)});
        }
      }
      analysis.chains.push_back(std::move(result));
    }
  }
  analyzer.Findings(analysis.interfaces, analysis.findings);
  analysis.stats = analyzer.Stats();
  return analysis;
}

// ---------------------------------------------------------------------------
// The evaluator

namespace {

enum class Outcome : std::uint8_t { kAccept, kDrop, kReturn };
struct Step {
  Outcome outcome = Outcome::kReturn;
  RuleRef rule;
};

bool Sees(Family family, const Packet& packet) {
  const bool v4 = IsIpv4(packet.source) && IsIpv4(packet.destination);
  const bool v6 = !IsIpv4(packet.source) && !IsIpv4(packet.destination);
  switch (family) {
    case Family::kIp:
      return v4;
    case Family::kIp6:
      return v6;
    case Family::kInet:
      return v4 || v6;
  }
  return false;
}

Result<Step> EvaluateChain(const RuleSet& rules, int t, int c, const Packet& packet,
                           Unmodelled unmodelled, const AnalysisLimits& limits, int depth) {
  const Chain& chain =
      rules.tables[static_cast<std::size_t>(t)].chains[static_cast<std::size_t>(c)];
  for (std::size_t r = 0; r < chain.rules.size(); ++r) {
    const Rule& rule = chain.rules[r];
    const RuleRef ref{t, c, static_cast<int>(r)};
    bool matches = rule.match.Matches(packet);
    if (!rule.match.Exact() && unmodelled == Unmodelled::kAssumeNoMatch) matches = false;
    if (!matches) continue;
    switch (rule.action) {
      case ActionKind::kAccept:
        return Step{Outcome::kAccept, ref};
      case ActionKind::kDrop:
      case ActionKind::kReject:
        return Step{Outcome::kDrop, ref};
      case ActionKind::kContinue:
        continue;
      case ActionKind::kReturn:
        return Step{Outcome::kReturn, ref};
      case ActionKind::kJump:
      case ActionKind::kGoto: {
        MAMORI_TRY_STATUS(CheckTarget(rules, t, rule));
        if (depth >= limits.max_jump_depth) return TooDeep(rule, limits.max_jump_depth);
        MAMORI_TRY(Step inner,
                   EvaluateChain(rules, t, rule.target_chain, packet, unmodelled, limits, depth + 1));
        if (rule.action == ActionKind::kGoto || inner.outcome != Outcome::kReturn) return inner;
        continue;
      }
    }
  }
  return Step{Outcome::kReturn, {}};
}

}  // namespace

Result<Verdict> Evaluate(const RuleSet& rules, int table, int chain, const Packet& packet,
                         Unmodelled unmodelled, const AnalysisLimits& limits) {
  const Chain* base = ChainAt(rules, table, chain);
  if (base == nullptr || !base->Base()) {
    return Error(ErrorCode::kInvalidArgument, "基本チェインではありません",
                 "not a base chain");
  }
  if (!Sees(rules.tables[static_cast<std::size_t>(table)].family, packet)) {
    return Verdict{true, {}};
  }
  MAMORI_TRY(Step step, EvaluateChain(rules, table, chain, packet, unmodelled, limits, 0));
  switch (step.outcome) {
    case Outcome::kAccept:
      return Verdict{true, step.rule};
    case Outcome::kDrop:
      return Verdict{false, step.rule};
    case Outcome::kReturn:
      break;
  }
  return Verdict{base->policy == ActionKind::kAccept, {table, chain, -1}};
}

Result<Verdict> EvaluateForward(const RuleSet& rules, const Packet& packet,
                                Unmodelled unmodelled, const AnalysisLimits& limits) {
  struct Base {
    int priority;
    int table;
    int chain;
  };
  std::vector<Base> forward;
  for (std::size_t t = 0; t < rules.tables.size(); ++t) {
    const Table& table = rules.tables[t];
    for (std::size_t c = 0; c < table.chains.size(); ++c) {
      if (table.chains[c].hook != Hook::kForward) continue;
      forward.push_back({table.chains[c].priority, static_cast<int>(t), static_cast<int>(c)});
    }
  }
  std::stable_sort(forward.begin(), forward.end(),
                   [](const Base& a, const Base& b) { return a.priority < b.priority; });
  Verdict verdict{true, {}};
  for (const Base& base : forward) {
    MAMORI_TRY(verdict, Evaluate(rules, base.table, base.chain, packet, unmodelled, limits));
    if (!verdict.accepted) return verdict;
  }
  return verdict;
}

}  // namespace mamori::netcheck
