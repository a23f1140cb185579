#include "auth/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mamori::auth {
namespace {

namespace fs = std::filesystem;

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("MAMORI_SECRET_KEY_FILE");
    dir_ = fs::temp_directory_path() /
           (std::string("mamori_secret_box_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "ledger.db.secret-key").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ReadText() {
    std::ifstream in(path_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SecretBoxTest, SealsAndOpensBoundToTheRow) {
  auto ring = KeyRing::Generate();
  ASSERT_TRUE(ring.Ok());
  auto sealed = ring->Seal("JBSWY3DPEHPK3PXP", "accounts.totp_secret/s1");
  ASSERT_TRUE(sealed.Ok());
  EXPECT_TRUE(sealed->starts_with("sealed:v1:" + ring->PrimaryId() + ":")) << *sealed;
  EXPECT_EQ(SealedKeyId(*sealed), ring->PrimaryId());
  EXPECT_EQ(sealed->find("JBSWY3DPEHPK3PXP"), std::string::npos);
  EXPECT_EQ(*ring->Open(*sealed, "accounts.totp_secret/s1"), "JBSWY3DPEHPK3PXP");
  // Two seals of one secret differ (random nonce).
  EXPECT_NE(*ring->Seal("JBSWY3DPEHPK3PXP", "accounts.totp_secret/s1"), *sealed);

  // Moved to another row, or to another column of the same row: refused.
  EXPECT_FALSE(ring->Open(*sealed, "accounts.totp_secret/s2").Ok());
  EXPECT_FALSE(ring->Open(*sealed, "accounts.totp_pending_secret/s1").Ok());
  // Altered anywhere.
  std::string altered = *sealed;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ring->Open(altered, "accounts.totp_secret/s1").Ok());
  // Relabelled with another key id, or not sealed at all.
  auto other = ring->WithNewPrimary();
  ASSERT_TRUE(other.Ok());
  std::string relabelled = *sealed;
  relabelled.replace(10, 16, other->PrimaryId());
  EXPECT_FALSE(other->Open(relabelled, "accounts.totp_secret/s1").Ok());
  auto plain = ring->Open("JBSWY3DPEHPK3PXP", "accounts.totp_secret/s1");
  ASSERT_FALSE(plain.Ok());
  EXPECT_EQ(plain.Err().Headline().message_en.find("JBSWY3DPEHPK3PXP"), std::string::npos);
  // Another ring's key: names the missing key id.
  auto stranger = KeyRing::Generate();
  auto foreign = stranger->Open(*sealed, "accounts.totp_secret/s1");
  ASSERT_FALSE(foreign.Ok());
  EXPECT_NE(foreign.Err().Headline().message_en.find(ring->PrimaryId()), std::string::npos);
}

TEST_F(SecretBoxTest, KeyFileIsWrittenOwnerOnlyAndReadBack) {
  auto ring = KeyRing::Generate();
  ASSERT_TRUE(ring->Write(path_, KeyRing::WriteMode::kExclusive).Ok());
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = KeyRing::Read(path_);
  ASSERT_TRUE(read.Ok()) << read.Err().ToString();
  EXPECT_EQ(read->PrimaryId(), ring->PrimaryId());
  auto sealed = ring->Seal("secret", "c");
  EXPECT_EQ(*read->Open(*sealed, "c"), "secret");
  // Never overwritten by init.
  auto again = KeyRing::Generate()->Write(path_, KeyRing::WriteMode::kExclusive);
  ASSERT_FALSE(again.Ok());
  EXPECT_NE(again.Err().Headline().message_ja.find(path_), std::string::npos);
  EXPECT_EQ(KeyRing::Read(path_)->PrimaryId(), ring->PrimaryId());
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

TEST_F(SecretBoxTest, RefusesAKeyFileOthersCanRead) {
  ASSERT_TRUE(KeyRing::Generate()->Write(path_, KeyRing::WriteMode::kExclusive).Ok());
  for (const mode_t mode : {mode_t{0640}, mode_t{0604}, mode_t{0660}, mode_t{0644}}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    auto read = KeyRing::Read(path_);
    ASSERT_FALSE(read.Ok()) << mode;
    const auto& headline = read.Err().Headline();
    EXPECT_NE(headline.message_ja.find(path_), std::string::npos);
    EXPECT_NE(headline.message_ja.find("chmod 600"), std::string::npos);
    EXPECT_NE(headline.message_en.find(path_), std::string::npos);
    EXPECT_NE(headline.message_en.find("group or others"), std::string::npos);
    EXPECT_FALSE(LoadKeyRing(path_).Ok());
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);
  EXPECT_TRUE(KeyRing::Read(path_).Ok());
}

TEST_F(SecretBoxTest, MissingOrMalformedKeyFilesAreNamed) {
  auto missing = KeyRing::Read(path_);
  ASSERT_FALSE(missing.Ok());
  EXPECT_EQ(missing.Err().Code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.Err().Headline().message_ja.find(path_), std::string::npos);
  EXPECT_NE(missing.Err().Headline().message_en.find("MAMORI_SECRET_KEY_FILE"), std::string::npos);

  const auto write = [&](const std::string& text) {
    fs::remove(path_);
    std::ofstream(path_) << text;
    fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write);
  };
  const std::string good_key = "key 0123456789abcdef AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  for (const std::string& bad : {std::string(""), good_key, good_key + "primary fedcba9876543210\n",
                                 std::string("key XYZ AAAA\nprimary XYZ\n"),
                                 std::string("key 0123456789abcdef AAAA\nprimary 0123456789abcdef\n"),
                                 good_key + good_key + "primary 0123456789abcdef\n",
                                 good_key + "primary 0123456789abcdef\nprimary 0123456789abcdef\n",
                                 good_key + "secret 1\nprimary 0123456789abcdef\n"}) {
    write(bad);
    auto read = KeyRing::Read(path_);
    ASSERT_FALSE(read.Ok()) << bad;
    EXPECT_EQ(read.Err().Code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(read.Err().Headline().message_en.find(path_), std::string::npos);
    // The key bytes are never quoted.
    EXPECT_EQ(read.Err().ToString().find("AAAAAAAAAAAAAAAA"), std::string::npos);
  }
  write("# comment\n\n" + good_key + "primary 0123456789abcdef\n");
  EXPECT_TRUE(KeyRing::Read(path_).Ok());
}

TEST_F(SecretBoxTest, RotationKeepsOldKeysUntilDropped) {
  auto first = KeyRing::Generate();
  auto sealed = *first->Seal("secret", "c");
  auto second = first->WithNewPrimary();
  ASSERT_TRUE(second.Ok());
  EXPECT_NE(second->PrimaryId(), first->PrimaryId());
  EXPECT_EQ(second->Ids().size(), 2u);
  EXPECT_EQ(*second->Open(sealed, "c"), "secret");
  EXPECT_EQ(SealedKeyId(*second->Seal("secret", "c")), second->PrimaryId());
  const KeyRing only = second->PrimaryOnly();
  EXPECT_EQ(only.Ids(), std::vector<std::string>{second->PrimaryId()});
  EXPECT_FALSE(only.Open(sealed, "c").Ok());
}

TEST_F(SecretBoxTest, LoadKeyRingSeesAReplacedFile) {
  auto first = KeyRing::Generate();
  ASSERT_TRUE(first->Write(path_, KeyRing::WriteMode::kExclusive).Ok());
  auto loaded = LoadKeyRing(path_);
  ASSERT_TRUE(loaded.Ok());
  EXPECT_EQ((*loaded)->PrimaryId(), first->PrimaryId());
  EXPECT_EQ(LoadKeyRing(path_)->get(), loaded->get());  // cached
  auto second = first->WithNewPrimary();
  ASSERT_TRUE(second->Write(path_, KeyRing::WriteMode::kReplace).Ok());
  EXPECT_EQ((*LoadKeyRing(path_))->PrimaryId(), second->PrimaryId());
  fs::remove(path_);
  EXPECT_FALSE(LoadKeyRing(path_).Ok());
}

TEST_F(SecretBoxTest, KeyFileBesideTheAuditKeyOrFromTheEnvironment) {
  EXPECT_EQ(SecretKeyPath("/var/lib/mamori/mamori.db", "/var/lib/mamori/mamori.db.audit-key"),
            "/var/lib/mamori/mamori.db.secret-key");
  EXPECT_EQ(SecretKeyPath("/var/lib/mamori/mamori.db", "/etc/mamori/signing.key"),
            "/etc/mamori/mamori.db.secret-key");
  ::setenv("MAMORI_SECRET_KEY_FILE", "/etc/mamori/secret.key", 1);
  EXPECT_EQ(SecretKeyPath("/var/lib/mamori/mamori.db", "/etc/mamori/signing.key"),
            "/etc/mamori/secret.key");
  ::unsetenv("MAMORI_SECRET_KEY_FILE");
}

}  // namespace
}  // namespace mamori::auth
