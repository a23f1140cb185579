#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mamori::gateway {
namespace {

namespace fs = std::filesystem;

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mamori_gateway_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    for (const char* dir : {"in", "out", "quarantine"}) fs::create_directories(root_ / dir);
    options_ = Options{(root_ / "in").string(), (root_ / "out").string(),
                       (root_ / "quarantine").string(), sanitize::Settings{}, true};
  }
  void TearDown() override { fs::remove_all(root_); }

  void Put(const std::string& name, const std::string& data) {
    std::ofstream(root_ / "in" / name, std::ios::binary) << data;
  }
  std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  EventSink Sink() {
    return [this](const FileEvent& event) -> Status {
      events_[event.id] = event;
      ++calls_;
      return OkStatus();
    };
  }
  std::vector<std::string> Names(const char* dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root_ / dir)) {
      const auto name = entry.path().filename().string();
      if (name.front() != '.') names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path root_;
  Options options_;
  std::map<std::string, FileEvent> events_;
  int calls_ = 0;
};

TEST_F(GatewayTest, SanitizedFilesGoOutRefusedOnesToQuarantineWithTheirReport) {
  Put("お知らせ.txt", "本日は晴天なり\n");
  Put("list.csv", "a,b\r\n=1+1,2\r\n");
  Put("tool.txt", std::string("\x7F" "ELF\x02\x01\x01\0\0", 9));
  Put("upload.part", "incomplete");  // ignored until renamed
  Gateway gateway(options_, Sink());
  ASSERT_TRUE(gateway.Start().Ok());
  auto done = gateway.ProcessInbox();
  ASSERT_TRUE(done.Ok()) << done.Err().ToString();
  EXPECT_EQ(*done, 3);
  EXPECT_EQ(Names("out"), (std::vector<std::string>{"list.csv", "お知らせ.txt"}));
  EXPECT_EQ(Read(root_ / "out" / "お知らせ.txt"), "本日は晴天なり\n");
  EXPECT_NE(Read(root_ / "out" / "list.csv").find("'=1+1"), std::string::npos);
  EXPECT_EQ(Names("quarantine"), (std::vector<std::string>{"tool.txt", "tool.txt.report.json"}));
  const auto report = nlohmann::json::parse(Read(root_ / "quarantine" / "tool.txt.report.json"));
  EXPECT_EQ(report["verdict"], "refused");
  EXPECT_EQ(report["reason"]["code"], "unknown_type");
  EXPECT_EQ(Names("in"), (std::vector<std::string>{"upload.part"}));
  EXPECT_EQ(events_.size(), 3u);
  EXPECT_TRUE(fs::is_empty(root_ / "in" / ".mamori-work"));
}

TEST_F(GatewayTest, SameNamesDoNotOverwrite) {
  Gateway gateway(options_, Sink());
  ASSERT_TRUE(gateway.Start().Ok());
  Put("a.txt", "one\n");
  ASSERT_TRUE(gateway.ProcessInbox().Ok());
  Put("a.txt", "two\n");
  ASSERT_TRUE(gateway.ProcessInbox().Ok());
  EXPECT_EQ(Names("out"), (std::vector<std::string>{"a (2).txt", "a.txt"}));
  EXPECT_EQ(Read(root_ / "out" / "a (2).txt"), "two\n");
}

TEST_F(GatewayTest, OnlyOneGatewayPerInbox) {
  Gateway first(options_, Sink());
  ASSERT_TRUE(first.Start().Ok());
  Gateway second(options_, Sink());
  EXPECT_FALSE(second.Start().Ok());
}

// The crash points of the protocol, simulated by leaving the files a killed
// gateway would leave; a restart finishes each exactly once.
TEST_F(GatewayTest, RestartFinishesWorkLeftAtEveryStep) {
  const fs::path work = root_ / "in" / ".mamori-work";
  fs::create_directories(work);
  // Killed after the claim (step 1): the input is in the work dir only.
  std::ofstream(work / "00000000000000000001-000001--claimed.txt") << "claimed\n";
  // Killed during processing (step 2): a half-written output, no result.
  std::ofstream(work / "00000000000000000002-000002--half.txt") << "half\n";
  std::ofstream(root_ / "out" / ".mamori-tmp-00000000000000000002-000002") << "garbage";
  // Killed after the decision (step 3), before publishing.
  std::ofstream(work / "00000000000000000003-000003--decided.txt") << "decided\n";
  std::ofstream(root_ / "out" / ".mamori-tmp-00000000000000000003-000003") << "decided\n";
  std::ofstream(work / "00000000000000000003-000003.result")
      << nlohmann::json{{"id", "00000000000000000003-000003"},
                        {"name", "decided.txt"},
                        {"verdict", "clean"},
                        {"destination", (root_ / "out" / "decided.txt").string()},
                        {"report", "{}"}}
             .dump();
  // Killed after publishing (step 4), before forgetting.
  std::ofstream(root_ / "out" / "published.txt") << "published\n";
  std::ofstream(work / "00000000000000000004-000004--published.txt") << "published\n";
  std::ofstream(work / "00000000000000000004-000004.result")
      << nlohmann::json{{"id", "00000000000000000004-000004"},
                        {"name", "published.txt"},
                        {"verdict", "clean"},
                        {"destination", (root_ / "out" / "published.txt").string()},
                        {"report", "{}"}}
             .dump();
  Gateway gateway(options_, Sink());
  ASSERT_TRUE(gateway.Start().Ok());
  EXPECT_EQ(Names("out"),
            (std::vector<std::string>{"claimed.txt", "decided.txt", "half.txt", "published.txt"}));
  EXPECT_EQ(Read(root_ / "out" / "half.txt"), "half\n");
  EXPECT_EQ(calls_, 4);
  EXPECT_TRUE(fs::is_empty(work));
  EXPECT_TRUE(Names("quarantine").empty());
}

}  // namespace
}  // namespace mamori::gateway
