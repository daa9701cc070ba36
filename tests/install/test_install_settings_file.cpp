#include "common/error.hpp"
#include "install/settings_file.hpp"
#include "install_fixtures.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <thread>

using ah::install::build_hook_set;
using ah::install::edit_settings;
using ah::install::EditMode;
using ah::install::Settings;
using ah::install::settings_path;
using ah::test::k_user_settings;
using ah::test::make_fake_hooks;
using ah::test::options_for;
using ah::test::read_text;
using ah::test::ScratchDir;
using ah::test::write_text;

namespace {

ah::install::SettingsEdit install(const ScratchDir& scratch, const std::string& session,
                                  EditMode mode = EditMode::write) {
  const auto options = options_for(scratch, session, "/tmp/" + session + ".phase");
  const auto set = build_hook_set(options);
  return edit_settings(
      settings_path(options.workdir),
      [&](Settings& doc) { ah::install::apply_hook_set(doc, set.entries, options.hooks_dir); }, true, mode);
}

struct stat stat_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st;
}

} // namespace

TEST_CASE("install creates .claude and settings.json when missing") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  std::filesystem::create_directories(scratch / "work");
  auto edit = install(scratch, "s1");
  CHECK_FALSE(edit.existed);
  CHECK(edit.written);
  const auto path = scratch / "work" / ".claude" / "settings.json";
  CHECK(read_text(path) == edit.after);
  CHECK(Settings::parse(read_text(path))["hooks"].size() == 6);
}

TEST_CASE("an unchanged file is not rewritten") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  install(scratch, "s1");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  const auto before = stat_of(path);
  auto again = install(scratch, "s1");
  CHECK_FALSE(again.changed);
  CHECK_FALSE(again.written);
  CHECK(stat_of(path).st_ino == before.st_ino); // no rename happened
  CHECK(again.after == again.before);
}

TEST_CASE("a current file in the user's own formatting is left as it is") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto edit = install(scratch, "s1");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  // Same document, 4-space indentation and no final newline.
  const std::string own = Settings::parse(edit.after).dump(4);
  write_text(path, own);
  CHECK_FALSE(install(scratch, "s1").written);
  CHECK(read_text(path) == own);
}

TEST_CASE("a rewrite keeps the file's permission bits") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  write_text(path, k_user_settings);
  ::chmod(path.c_str(), 0600);
  install(scratch, "s1");
  CHECK((stat_of(path).st_mode & 0777) == 0600);
}

TEST_CASE("malformed files are left byte for byte untouched with an error naming the file") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  const std::string truncated = k_user_settings.substr(0, 200);
  const std::string trailing_comma = "{\n  \"model\": \"opus\",\n}\n";
  const std::string hooks_string = "{\n  \"hooks\": \"none\"\n}\n";
  const std::string event_object = "{\"hooks\": {\"Stop\": {\"hooks\": []}}}";
  for (const auto& bad : {truncated, trailing_comma, hooks_string, event_object}) {
    write_text(path, bad);
    const auto inode = stat_of(path).st_ino;
    try {
      install(scratch, "s1");
      FAIL("expected an error for: " << bad);
    } catch (const ah::Error& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(path.string() + ":"));
    }
    CHECK(read_text(path) == bad);
    CHECK(stat_of(path).st_ino == inode);
  }
}

TEST_CASE("dry run changes nothing on disk, not even the folder") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  std::filesystem::create_directories(scratch / "work");
  auto edit = install(scratch, "s1", EditMode::dry_run);
  CHECK(edit.changed);
  CHECK_FALSE(edit.written);
  CHECK(Settings::parse(edit.after)["hooks"].size() == 6);
  CHECK_FALSE(std::filesystem::exists(scratch / "work" / ".claude"));
}

TEST_CASE("uninstall of a missing file creates nothing") {
  ScratchDir scratch;
  auto edit = edit_settings(
      settings_path(scratch / "work"), [](Settings& doc) { ah::install::apply_hook_set(doc, {}, "/x"); },
      false, EditMode::write);
  CHECK_FALSE(edit.existed);
  CHECK_FALSE(edit.written);
  CHECK_FALSE(std::filesystem::exists(scratch / "work"));
}

TEST_CASE("concurrent installers in one process serialise on the lock") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  write_text(path, k_user_settings);

  // Each thread adds its own foreign key under the lock: a lost update loses a key.
  constexpr int k_threads = 16;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(k_threads);
  for (int i = 0; i < k_threads; ++i) {
    threads.emplace_back([&, i] {
      try {
        const auto options = options_for(scratch, "s" + std::to_string(i));
        const auto set = build_hook_set(options);
        edit_settings(
            path,
            [&](Settings& doc) {
              doc["k" + std::to_string(i)] = i;
              ah::install::apply_hook_set(doc, set.entries, options.hooks_dir);
            },
            true, EditMode::write);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  for (const auto& e : errors)
    CHECK(e.empty());
  const Settings doc = Settings::parse(read_text(path));
  for (int i = 0; i < k_threads; ++i)
    CHECK(doc.contains("k" + std::to_string(i)));
  CHECK(doc["hooks"]["Stop"].size() == 2); // the user's and exactly one of ours
}
