#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "common/state/private_dir.hpp"
#include "install/settings_file.hpp"
#include "install_fixtures.hpp"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

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

using namespace std::chrono_literals;

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

// The names in `dir`, sorted.
std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// "k<i>", built by appending: `"k" + std::to_string(i)` trips GCC 12's
// -Wrestrict at -O2 (a false overlap in the inlined insert).
std::string key_of(int i) {
  return std::string("k").append(std::to_string(i));
}

std::string install_error(const ScratchDir& scratch) {
  try {
    install(scratch, "s1");
  } catch (const ah::Error& e) {
    return e.what();
  }
  return "";
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
  CHECK(Settings::parse(read_text(path))["hooks"].size() == 9);
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
  CHECK(Settings::parse(edit.after)["hooks"].size() == 9); // events, with the phase file's hooks
  CHECK_FALSE(std::filesystem::exists(scratch / "work" / ".claude"));
}

TEST_CASE("uninstall of a missing file creates nothing") {
  ScratchDir scratch;
  auto edit = edit_settings(
      settings_path(scratch / "work"),
      [](Settings& doc) { ah::install::apply_hook_set(doc, {}, std::filesystem::path("/x")); }, false,
      EditMode::write);
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
              doc[key_of(i)] = i;
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
    CHECK(doc.contains(key_of(i)));
  CHECK(doc["hooks"]["Stop"].size() == 2); // the user's and exactly one of ours
}

TEST_CASE("a symlinked settings.json stays a link; its target gets the change and keeps its mode") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::create_directories(scratch / "team");
  const auto shared = scratch / "team" / "settings.json";
  write_text(shared, k_user_settings);
  ::chmod(shared.c_str(), 0640);
  std::filesystem::create_symlink("../../team/settings.json", path);

  const auto edit = install(scratch, "s1");
  CHECK(edit.written);
  CHECK(edit.target == path.parent_path() / "../../team/settings.json");
  CHECK(std::filesystem::is_symlink(path));
  CHECK(std::filesystem::read_symlink(path) == "../../team/settings.json");
  CHECK(read_text(shared) == edit.after);
  CHECK(Settings::parse(read_text(shared))["hooks"]["Stop"].size() == 2);
  CHECK((stat_of(shared).st_mode & 07777) == 0640);
  // Nothing was left beside the link or the target.
  CHECK(entries(path.parent_path()) == std::vector<std::string>{"settings.json"});
  CHECK(entries(scratch / "team") == std::vector<std::string>{"settings.json"});
  // Uninstall goes through the link too.
  edit_settings(
      path, [&](Settings& doc) { ah::install::apply_hook_set(doc, {}, scratch / "hooks"); }, false,
      EditMode::write);
  CHECK(std::filesystem::is_symlink(path));
  CHECK(read_text(shared) == k_user_settings);
}

TEST_CASE("a chain of two links is followed to its end") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::create_directories(scratch / "a");
  std::filesystem::create_directories(scratch / "b");
  write_text(scratch / "b" / "real.json", k_user_settings);
  std::filesystem::create_symlink("../b/real.json", scratch / "a" / "middle.json");
  std::filesystem::create_symlink(scratch / "a" / "middle.json", path);
  const auto edit = install(scratch, "s1");
  CHECK(edit.written);
  CHECK(std::filesystem::is_symlink(path));
  CHECK(std::filesystem::is_symlink(scratch / "a" / "middle.json"));
  CHECK(read_text(scratch / "b" / "real.json") == edit.after);
  CHECK(ah::install::load_settings(path).text == edit.after);
}

TEST_CASE("a dangling link, a loop or a link to a non-regular file is an error and nothing is written") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = scratch / "work" / ".claude" / "settings.json";
  const auto dir = path.parent_path();
  std::filesystem::create_directories(dir);

  std::filesystem::create_symlink(scratch / "gone" / "settings.json", path);
  auto message = install_error(scratch);
  CHECK_THAT(message, Catch::Contains(path.string()));
  CHECK_THAT(message, Catch::Contains((scratch / "gone" / "settings.json").string()));
  CHECK_THAT(message, Catch::Contains("dangling"));
  CHECK_FALSE(std::filesystem::exists(scratch / "gone"));
  CHECK(entries(dir) == std::vector<std::string>{"settings.json"});
  CHECK(std::filesystem::is_symlink(path));
  CHECK_THROWS_AS(ah::install::load_settings(path), ah::Error);

  std::filesystem::remove(path);
  std::filesystem::create_symlink("settings.json", path);
  CHECK_THAT(install_error(scratch), Catch::Contains("loop"));
  CHECK(entries(dir) == std::vector<std::string>{"settings.json"});

  std::filesystem::remove(path);
  REQUIRE(::mkfifo((scratch / "fifo").c_str(), 0644) == 0);
  std::filesystem::create_symlink(scratch / "fifo", path);
  message = install_error(scratch);
  CHECK_THAT(message,
             Catch::Contains(path.string() + " is a symbolic link to " + (scratch / "fifo").string()));
  CHECK_THAT(message, Catch::Contains("a FIFO"));
  CHECK(entries(dir) == std::vector<std::string>{"settings.json"});

  std::filesystem::remove(path);
  std::filesystem::create_symlink(scratch.path(), path);
  CHECK_THAT(install_error(scratch), Catch::Contains("a folder"));

  // Not a link but a FIFO itself: refused without blocking on it.
  std::filesystem::remove(path);
  REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
  CHECK_THAT(install_error(scratch), Catch::Contains(path.string() + " is a FIFO"));
}

TEST_CASE("install and uninstall leave no lock file in .claude") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  write_text(dir / "settings.json", k_user_settings);
  install(scratch, "s1");
  CHECK(entries(dir) == std::vector<std::string>{"settings.json"});
  install(scratch, "s2");
  edit_settings(
      dir / "settings.json", [&](Settings& doc) { ah::install::apply_hook_set(doc, {}, scratch / "hooks"); },
      false, EditMode::write);
  CHECK(entries(dir) == std::vector<std::string>{"settings.json"});
  CHECK(read_text(dir / "settings.json") == k_user_settings);
}

TEST_CASE("the installer's lock is a file of ours in the private folder, one per settings file") {
  ScratchDir scratch;
  const auto a = ah::install::settings_lock_path("/w/one/.claude/settings.json");
  CHECK(a.parent_path() == ah::private_dir_path());
  CHECK(a.filename().string().starts_with("settings-"));
  CHECK(a == ah::install::settings_lock_path("/w/one/.claude/settings.json")); // stable
  CHECK(a != ah::install::settings_lock_path("/w/two/.claude/settings.json"));

  // Holding it makes an installer wait; the lock file is the one it uses.
  make_fake_hooks(scratch / "hooks");
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  write_text(dir / "settings.json", k_user_settings);
  auto held = std::make_unique<ah::FileLock>(
      ah::install::settings_lock_path(std::filesystem::canonical(dir) / "settings.json"), 1s);
  std::atomic<bool> done{false};
  std::thread installer([&] {
    install(scratch, "s1");
    done = true;
  });
  std::this_thread::sleep_for(200ms);
  CHECK_FALSE(done);
  held.reset();
  installer.join();
  CHECK(done);
  CHECK((stat_of(ah::install::settings_lock_path(std::filesystem::canonical(dir) / "settings.json")).st_mode &
         07777) == 0600);
}

TEST_CASE("a flock on the project's .claude folder, which others may open, does not stall the installer") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(install(scratch, "s1"));
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  ::close(fd);
}

TEST_CASE("leftover temporary files of ours are removed, the user's look-alikes kept") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  write_text(dir / "settings.json", k_user_settings);
  // What killed writers leave: AtomicFile's temporary names.
  write_text(dir / ".settings.json.ah-tmp-a1B2c3", "{ \"half");
  write_text(dir / ".settings.json.ah-tmp-ZZZZZZ", "");
  // What earlier versions left: an empty lock file.
  write_text(dir / ".settings.json.lock", "");
  // The user's own files, some named much like ours.
  const std::vector<std::string> users = {".settings.json.bak",      ".settings.json.backup",
                                          ".settings.json.ah-tmp-x", ".settings.local.json.ah-tmp-abcdef",
                                          "settings.local.json",     ".settings.json.ah-tmp-abcdefg"};
  // (Built by appending: `"literal" + std::string` trips GCC 12's -Wrestrict in Release.)
  auto content_of = [](const std::string& name) { return std::string("mine ").append(name); };
  for (const auto& name : users)
    write_text(dir / name, content_of(name));
  // A directory with a temporary name is not ours to remove.
  std::filesystem::create_directories(dir / ".settings.json.ah-tmp-dir123");

  install(scratch, "s1");
  std::vector<std::string> expected = users;
  expected.push_back("settings.json");
  expected.push_back(".settings.json.ah-tmp-dir123");
  std::sort(expected.begin(), expected.end());
  CHECK(entries(dir) == expected);
  for (const auto& name : users)
    CHECK(read_text(dir / name) == content_of(name));
}

TEST_CASE("a lock file of an earlier version that is not empty or not ours is kept, and does not block") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  write_text(dir / ".settings.json.lock", "notes");
  ::chmod((dir / ".settings.json.lock").c_str(), 0);
  CHECK(install(scratch, "s1").written);
  CHECK(read_text(dir / ".settings.json.lock") == "notes");
  CHECK(ah::install::legacy_lock_path(dir / "settings.json") == dir / ".settings.json.lock");
}

TEST_CASE("uninstall of a missing file still clears leftovers of a killed first install") {
  ScratchDir scratch;
  const auto dir = scratch / "work" / ".claude";
  std::filesystem::create_directories(dir);
  write_text(dir / ".settings.json.ah-tmp-q1w2e3", "{");
  auto edit = edit_settings(
      settings_path(scratch / "work"),
      [](Settings& doc) { ah::install::apply_hook_set(doc, {}, std::filesystem::path("/x")); }, false,
      EditMode::write);
  CHECK_FALSE(edit.existed);
  CHECK(entries(dir).empty());
}

namespace {

// Installs the hooks of session s1 into WORKDIR = scratch/work under `links`.
ah::install::SettingsEdit install_with(const ScratchDir& scratch, const ah::install::LinkPolicy& links,
                                       EditMode mode = EditMode::write) {
  const auto options = options_for(scratch, "s1", "/tmp/s1.phase");
  const auto set = build_hook_set(options);
  return edit_settings(
      settings_path(options.workdir),
      [&](Settings& doc) { ah::install::apply_hook_set(doc, set.entries, options.hooks_dir); }, true, mode,
      links);
}

std::string error_with(const ScratchDir& scratch, const ah::install::LinkPolicy& links,
                       EditMode mode = EditMode::write) {
  try {
    install_with(scratch, links, mode);
  } catch (const ah::Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("a settings.json linked out of WORKDIR is refused unless links may be followed") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto work = scratch / "work";
  const auto path = work / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  // The user's own settings, as ~/.claude/settings.json.
  const auto user = scratch / "home" / ".claude" / "settings.json";
  std::filesystem::create_directories(user.parent_path());
  write_text(user, k_user_settings);
  std::filesystem::create_symlink(user, path);

  const ah::install::LinkPolicy strict{.workdir = work, .follow_links = false};
  for (auto mode : {EditMode::write, EditMode::dry_run}) {
    const std::string message = error_with(scratch, strict, mode);
    CHECK_THAT(message, Catch::StartsWith(path.string() + " is a symbolic link to " +
                                          std::filesystem::canonical(user).string() + ", outside " +
                                          std::filesystem::canonical(work).string()));
    CHECK_THAT(message, Catch::Contains("nothing written") && Catch::Contains("--follow-links"));
  }
  CHECK(read_text(user) == k_user_settings);
  CHECK(entries(user.parent_path()) == std::vector<std::string>{"settings.json"});
  // WORKDIR given with a trailing slash, or relative to a linked folder, is the same WORKDIR.
  CHECK_THAT(error_with(scratch, {.workdir = work.string() + "/", .follow_links = false}),
             Catch::Contains("outside"));

  const auto edit = install_with(scratch, {.workdir = work, .follow_links = true});
  CHECK(edit.written);
  CHECK(std::filesystem::is_symlink(path));
  CHECK(read_text(user) == edit.after);
}

TEST_CASE("a .claude folder linked out of WORKDIR is refused too") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto work = scratch / "work";
  std::filesystem::create_directories(work);
  std::filesystem::create_directories(scratch / "home" / ".claude");
  std::filesystem::create_symlink(scratch / "home" / ".claude", work / ".claude");
  // Missing there: it would be created outside.
  CHECK_THAT(error_with(scratch, {.workdir = work, .follow_links = false}),
             Catch::Contains("leads through a linked folder to") && Catch::Contains("--follow-links"));
  CHECK(entries(scratch / "home" / ".claude").empty());
  write_text(scratch / "home" / ".claude" / "settings.json", k_user_settings);
  CHECK_THAT(error_with(scratch, {.workdir = work, .follow_links = false}), Catch::Contains("outside"));
  CHECK(read_text(scratch / "home" / ".claude" / "settings.json") == k_user_settings);
}

TEST_CASE("a settings.json linked to a shared file inside WORKDIR keeps working") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto work = scratch / "work";
  const auto path = work / ".claude" / "settings.json";
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::create_directories(work / "team");
  write_text(work / "team" / "settings.json", k_user_settings);
  std::filesystem::create_symlink("../team/settings.json", path);
  const auto edit = install_with(scratch, {.workdir = work, .follow_links = false});
  CHECK(edit.written);
  CHECK(read_text(work / "team" / "settings.json") == edit.after);
  // A WORKDIR reached through a link of its own is still the same folder.
  std::filesystem::create_symlink(work, scratch / "alias");
  CHECK_NOTHROW(install_with(scratch, {.workdir = scratch / "alias", .follow_links = false}));
}

TEST_CASE("an edit that would write a file past the size limit is refused; nothing written") {
  ScratchDir scratch;
  make_fake_hooks(scratch / "hooks");
  const auto path = settings_path(scratch / "work");
  std::filesystem::create_directories(path.parent_path());
  // 3 MB compact, over 10 MB with one element a line.
  std::string compact = "{\"x\":[0";
  for (int i = 0; i < 1'500'000; ++i)
    compact += ",0";
  compact += "]}";
  write_text(path, compact);
  CHECK_THAT(install_error(scratch), Catch::Contains("more than the 4194304 a settings file may be") &&
                                         Catch::Contains("nothing written"));
  CHECK(read_text(path) == compact);
}
