#include "common/file_system.h"

#include <gtest/gtest.h>

namespace mamori {
namespace {

TEST(FileSystemTest, RealFileSystemReportsMissingFileWithItsPath) {
  RealFileSystem fs;
  auto result = fs.ReadFile("/nonexistent/mamori.toml", 1024);
  ASSERT_FALSE(result.Ok());
  EXPECT_EQ(result.Err().Code(), ErrorCode::kNotFound);
  EXPECT_EQ(result.Err().Headline().where.file, "/nonexistent/mamori.toml");
}

TEST(FileSystemTest, MemoryFileSystemEnforcesSizeLimit) {
  MemoryFileSystem fs;
  fs.Put("a.toml", std::string(100, 'x'));
  EXPECT_TRUE(fs.ReadFile("a.toml", 100).Ok());
  auto too_big = fs.ReadFile("a.toml", 99);
  ASSERT_FALSE(too_big.Ok());
  EXPECT_EQ(too_big.Err().Code(), ErrorCode::kLimitExceeded);
}

TEST(FileSystemTest, ResolveRelativeToUsesTheBaseDirectory) {
  EXPECT_EQ(ResolveRelativeTo("policies/hannan.toml", "base.toml"), "policies/base.toml");
  EXPECT_EQ(ResolveRelativeTo("hannan.toml", "base.toml"), "base.toml");
  EXPECT_EQ(ResolveRelativeTo("policies/x.toml", "/etc/base.toml"), "/etc/base.toml");
  EXPECT_EQ(ResolveRelativeTo("tests/data/a/b.toml", "../../../policies/base.toml"),
            "policies/base.toml");
}

}  // namespace
}  // namespace mamori
