#include "install/settings.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace ah::install {

namespace {

// `key` escaped for a JSON pointer (RFC 6901).
std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

[[noreturn]] void shape_error(const std::filesystem::path& origin, std::string_view pointer,
                              std::string_view wanted, const Settings& found) {
  throw Error(fmt::format("{}: {} must be {}, not {} (Claude Code would ignore this file; left unchanged)",
                          origin.string(), pointer.empty() ? "the top level" : pointer, wanted,
                          found.type_name()));
}

void check_shape(const Settings& doc, const std::filesystem::path& origin) {
  if (!doc.is_object()) shape_error(origin, "", "an object", doc);
  auto hooks = doc.find("hooks");
  if (hooks == doc.end()) return;
  if (!hooks->is_object()) shape_error(origin, "/hooks", "an object", *hooks);
  for (const auto& [event, groups] : hooks->items()) {
    const std::string event_ptr = "/hooks/" + pointer_token(event);
    if (!groups.is_array()) shape_error(origin, event_ptr, "an array of matcher groups", groups);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const Settings& group = groups[g];
      const std::string group_ptr = fmt::format("{}/{}", event_ptr, g);
      if (!group.is_object()) shape_error(origin, group_ptr, "an object {\"matcher\", \"hooks\"}", group);
      auto handlers = group.find("hooks");
      if (handlers == group.end())
        throw Error(fmt::format("{}: {} has no \"hooks\" array (Claude Code would ignore this file; left "
                                "unchanged)",
                                origin.string(), group_ptr));
      if (!handlers->is_array()) shape_error(origin, group_ptr + "/hooks", "an array of handlers", *handlers);
      for (std::size_t h = 0; h < handlers->size(); ++h)
        if (!(*handlers)[h].is_object())
          shape_error(origin, fmt::format("{}/hooks/{}", group_ptr, h), "a handler object", (*handlers)[h]);
    }
  }
}

// Line and column (both from 1) of byte offset `offset` in `text`.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's message without its "[json.exception…] parse error at line L,
// column C: " prefix (we print the position ourselves).
std::string_view parse_reason(std::string_view what) {
  if (auto colon = what.find(": "); colon != std::string_view::npos && what.find("parse error") < colon)
    return what.substr(colon + 2);
  return what;
}

// nlohmann's own document builder behind a count of depth and keys (its
// parser callback would do the counting too, but its builder for callbacks
// scans the enclosing container after every object or array, quadratic in
// the length of an array of objects). Throws Error at the first value past
// a limit, before anything deeper or wider is built.
class BoundedBuilder {
public:
  using number_integer_t = Settings::number_integer_t;
  using number_unsigned_t = Settings::number_unsigned_t;
  using number_float_t = Settings::number_float_t;
  using string_t = Settings::string_t;
  using binary_t = Settings::binary_t;

  BoundedBuilder(Settings& doc, const std::filesystem::path& origin, const SettingsLimits& limits)
      : m_dom(doc), m_origin(origin), m_limits(limits) {}

  bool null() { return m_dom.null(); }
  bool boolean(bool value) { return m_dom.boolean(value); }
  bool number_integer(number_integer_t value) { return m_dom.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) { return m_dom.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t& text) { return m_dom.number_float(value, text); }
  bool string(string_t& value) { return m_dom.string(value); }
  bool binary(binary_t& value) { return m_dom.binary(value); }
  bool start_object(std::size_t n) {
    enter();
    return m_dom.start_object(n);
  }
  bool end_object() {
    --m_depth;
    return m_dom.end_object();
  }
  bool start_array(std::size_t n) {
    enter();
    return m_dom.start_array(n);
  }
  bool end_array() {
    --m_depth;
    return m_dom.end_array();
  }
  bool key(string_t& name) {
    if (++m_keys > m_limits.max_keys)
      throw Error(
          fmt::format("{}: more than {} keys, the most a settings file may hold (a real one holds some "
                      "dozens); not read, left unchanged",
                      m_origin.string(), m_limits.max_keys));
    return m_dom.key(name);
  }
  // A template, as nlohmann's own: it throws `e` as its own type (parse_error, out_of_range).
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return m_dom.parse_error(position, token, e);
  }

private:
  void enter() {
    if (++m_depth > m_limits.max_depth)
      throw Error(fmt::format("{}: nested more than {} levels deep, the most a settings file may be (a real "
                              "one needs about 6); not read, left unchanged",
                              m_origin.string(), m_limits.max_depth));
  }

  nlohmann::detail::json_sax_dom_parser<Settings> m_dom;
  const std::filesystem::path& m_origin;
  const SettingsLimits& m_limits;
  int m_depth = 0;
  std::size_t m_keys = 0;
};

std::string group_matcher(const Settings& group) {
  auto it = group.find("matcher");
  return it != group.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void set_matcher(Settings& group, const std::string& matcher) {
  if (group.contains("matcher") || !matcher.empty()) group["matcher"] = matcher;
}

Settings make_handler(const HookEntry& entry) {
  Settings handler = Settings::object();
  handler["type"] = "command";
  handler["command"] = entry.command;
  if (!entry.on_failure.empty()) handler["onFailure"] = entry.on_failure;
  return handler;
}

Settings make_group(const HookEntry& entry) {
  Settings group = Settings::object();
  group["matcher"] = entry.matcher;
  group["hooks"] = Settings::array({make_handler(entry)});
  return group;
}

// `handler` pointing at `entry`, keeping the keys a user may have added (timeout, …).
// onFailure is ours to set: an older client does not know the key.
Settings updated_handler(Settings handler, const HookEntry& entry) {
  handler["type"] = "command";
  handler["command"] = entry.command;
  if (!entry.on_failure.empty())
    handler["onFailure"] = entry.on_failure;
  else
    handler.erase("onFailure");
  return handler;
}

std::string command_of(const Settings& handler) {
  auto it = handler.find("command");
  return it != handler.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string on_failure_of(const Settings& handler) {
  auto it = handler.find("onFailure");
  if (it == handler.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

} // namespace

Settings parse_settings(std::string_view text, const std::filesystem::path& origin,
                        const SettingsLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(fmt::format("{}: larger than {} bytes, the most a settings file may be (a real one is a few "
                            "kilobytes); not read, left unchanged",
                            origin.string(), limits.max_bytes));
  Settings doc;
  try {
    BoundedBuilder builder(doc, origin, limits);
    Settings::sax_parse(text, &builder);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts the characters read, the offending one included.
    auto [line, column] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
    throw Error(fmt::format("{}:{}:{}: not valid JSON: {} (left unchanged)", origin.string(), line, column,
                            parse_reason(e.what())));
  } catch (const nlohmann::json::exception& e) { // a number too large for a double
    throw Error(fmt::format("{}: not valid JSON: {} (left unchanged)", origin.string(), e.what()));
  }
  check_shape(doc, origin);
  return doc;
}

std::string render_settings(const Settings& doc) {
  return doc.dump(2, ' ', /*ensure_ascii=*/false) + "\n";
}

std::optional<std::string> first_shell_word(std::string_view command) {
  std::size_t i = 0;
  while (i < command.size() && (command[i] == ' ' || command[i] == '\t' || command[i] == '\n'))
    ++i;
  std::string word;
  bool any = false;
  while (i < command.size()) {
    const char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
        c == '(' || c == ')')
      break;
    if (c == '$' || c == '`') return std::nullopt; // an expansion: not a literal path
    any = true;
    if (c == '\'') {
      auto end = command.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      word.append(command.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= command.size()) return std::nullopt;
        const char d = command[i];
        if (d == '"') break;
        if (d == '$' || d == '`') return std::nullopt;
        if (d == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\' || command[i + 1] == '$' ||
             command[i + 1] == '`')) {
          word.push_back(command[i + 1]);
          i += 2;
          continue;
        }
        word.push_back(d);
        ++i;
      }
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return std::nullopt;
      if (command[i + 1] != '\n') word.push_back(command[i + 1]);
      i += 2;
    } else {
      word.push_back(c);
      ++i;
    }
  }
  if (!any) return std::nullopt;
  return word;
}

namespace {

// `command` after our tag and its blank, or nullopt when it has no tag.
std::optional<std::string_view> after_tag(std::string_view command) {
  const std::size_t start = command.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  command.remove_prefix(start);
  if (!command.starts_with(k_entry_tag)) return std::nullopt;
  command.remove_prefix(k_entry_tag.size());
  if (command.empty() || (command[0] != ' ' && command[0] != '\t')) return std::nullopt;
  return command;
}

// The absolute executable a command handler runs, and whether it is tagged.
struct Executable {
  std::filesystem::path path;
  bool tagged = false;
};

std::optional<Executable> executable_of(const Settings& handler) {
  if (!handler.is_object()) return std::nullopt;
  auto type = handler.find("type");
  if (type != handler.end() && *type != "command") return std::nullopt;
  const std::string command = command_of(handler);
  const auto rest = after_tag(command);
  auto word = first_shell_word(rest.value_or(command));
  if (!word) return std::nullopt;
  std::filesystem::path exe(*word);
  if (!exe.is_absolute()) return std::nullopt;
  return Executable{exe.lexically_normal(), rest.has_value()};
}

// The hook spec the bash script `file` (on-NAME.sh) stood for, or nullptr.
const HookSpec* bash_predecessor(std::string_view file) {
  constexpr std::string_view prefix = "on-", suffix = ".sh";
  if (file.size() <= prefix.size() + suffix.size() || !file.starts_with(prefix) || !file.ends_with(suffix))
    return nullptr;
  return find_hook_spec(file.substr(prefix.size(), file.size() - prefix.size() - suffix.size()));
}

bool same_path(const std::filesystem::path& a, const std::filesystem::path& b) {
  return a.lexically_normal() == b.lexically_normal();
}

} // namespace

Ownership ownership_of(const HookSet& set) {
  return Ownership{set.hooks_dir, set.factory_root};
}

std::optional<std::string> owned_hook_name(std::string_view event, const Settings& handler,
                                           const Ownership& ownership) {
  auto exe = executable_of(handler);
  if (!exe) return std::nullopt;
  const std::string file = exe->path.filename().string();
  if (const HookSpec* spec = find_hook_spec(file)) {
    if (exe->tagged) return std::string(spec->name);
    if (find_hook_spec(file, event) && !ownership.hooks_dir.empty() &&
        same_path(exe->path, ownership.hooks_dir / spec->name))
      return std::string(spec->name);
    return std::nullopt;
  }
  if (const HookSpec* spec = bash_predecessor(file)) {
    if (!exe->tagged && spec->event == event && ownership.factory_root &&
        same_path(exe->path, *ownership.factory_root / "lib" / "hooks" / file))
      return std::string(spec->name);
  }
  return std::nullopt;
}

std::vector<std::string> find_lookalikes(const Settings& doc, const Ownership& ownership) {
  std::vector<std::string> out;
  auto hooks = doc.is_object() ? doc.find("hooks") : doc.end();
  if (!doc.is_object() || hooks == doc.end() || !hooks->is_object()) return out;
  for (const auto& [event, groups] : hooks->items()) {
    if (!groups.is_array()) continue;
    for (const auto& group : groups) {
      auto handlers = group.is_object() ? group.find("hooks") : group.end();
      if (!group.is_object() || handlers == group.end() || !handlers->is_array()) continue;
      for (const auto& handler : *handlers) {
        if (owned_hook_name(event, handler, ownership)) continue;
        auto exe = executable_of(handler);
        if (!exe) continue;
        const std::string file = exe->path.filename().string();
        const HookSpec* spec = find_hook_spec(file, event);
        if (!spec) spec = bash_predecessor(file);
        if (spec && spec->event == event) out.push_back(event + ": " + command_of(handler));
      }
    }
  }
  return out;
}

void apply_hook_set(Settings& doc, std::span<const HookEntry> wanted, const Ownership& ownership) {
  auto old_hooks = doc.find("hooks");
  const bool had_hooks = old_hooks != doc.end();
  if (!had_hooks && wanted.empty()) return;

  std::vector<bool> placed(wanted.size(), false);
  // The entry of `wanted` that an earlier `name` under `event` turns into.
  auto take_wanted = [&](std::string_view event, std::string_view name) -> const HookEntry* {
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (!placed[i] && wanted[i].event == event && wanted[i].name == name) {
        placed[i] = true;
        return &wanted[i];
      }
    }
    return nullptr;
  };

  Settings hooks = Settings::object();
  if (had_hooks) {
    for (const auto& [event, groups] : old_hooks->items()) {
      if (!groups.is_array()) { // parse_settings refuses these; keep them as they are regardless
        hooks[event] = groups;
        continue;
      }
      Settings new_groups = Settings::array();
      for (const auto& group : groups) {
        auto handlers = group.is_object() ? group.find("hooks") : group.end();
        if (!group.is_object() || handlers == group.end() || !handlers->is_array()) {
          new_groups.push_back(group);
          continue;
        }
        Settings kept = Settings::array();
        std::vector<Settings> after;     // our own groups that must follow this one
        const HookEntry* sole = nullptr; // ours, alone in its group: the group is ours too
        bool ours_seen = false;
        for (const auto& handler : *handlers) {
          auto name = owned_hook_name(event, handler, ownership);
          if (!name) {
            kept.push_back(handler);
            continue;
          }
          ours_seen = true;
          const HookEntry* entry = take_wanted(event, *name);
          if (!entry) continue; // a duplicate, or no longer wanted: dropped
          if (handlers->size() == 1) {
            sole = entry;
            kept.push_back(updated_handler(handler, *entry));
          } else if (group_matcher(group) == entry->matcher) {
            kept.push_back(updated_handler(handler, *entry));
          } else { // a group shared with foreign handlers keeps its matcher; ours moves out
            after.push_back(make_group(*entry));
          }
        }
        if (!ours_seen) {
          new_groups.push_back(group);
          continue;
        }
        if (!kept.empty()) {
          Settings updated = group;
          updated["hooks"] = std::move(kept);
          if (sole) set_matcher(updated, sole->matcher);
          new_groups.push_back(std::move(updated));
        }
        for (auto& g : after)
          new_groups.push_back(std::move(g));
      }
      // An event left empty by removing our groups goes with them.
      if (new_groups.empty() && !groups.empty()) continue;
      hooks[event] = std::move(new_groups);
    }
  }
  for (std::size_t i = 0; i < wanted.size(); ++i)
    if (!placed[i]) hooks[wanted[i].event].push_back(make_group(wanted[i]));

  if (!hooks.empty())
    doc["hooks"] = std::move(hooks);
  else if (had_hooks && !old_hooks->empty())
    doc.erase("hooks");
}

std::string_view to_string(Drift::Kind kind) noexcept {
  switch (kind) {
  case Drift::Kind::missing: return "missing";
  case Drift::Kind::stale: return "stale";
  case Drift::Kind::extra: return "extra";
  }
  return "?";
}

std::vector<Drift> find_drift(const Settings& doc, std::span<const HookEntry> wanted,
                              const Ownership& ownership) {
  // Every entry of ours in file order, as apply_hook_set meets them.
  struct Found {
    std::string event, name, matcher, command, on_failure;
    bool matched = false;
  };
  std::vector<Found> found;
  auto hooks = doc.is_object() ? doc.find("hooks") : doc.end();
  if (doc.is_object() && hooks != doc.end() && hooks->is_object()) {
    for (const auto& [event, groups] : hooks->items()) {
      if (!groups.is_array()) continue;
      for (const auto& group : groups) {
        auto handlers = group.is_object() ? group.find("hooks") : group.end();
        if (!group.is_object() || handlers == group.end() || !handlers->is_array()) continue;
        for (const auto& handler : *handlers)
          if (auto name = owned_hook_name(event, handler, ownership))
            found.push_back(
                Found{event, *name, group_matcher(group), command_of(handler), on_failure_of(handler)});
      }
    }
  }

  std::vector<Drift> drift;
  for (const auto& entry : wanted) {
    auto it = std::find_if(found.begin(), found.end(), [&](const Found& f) {
      return !f.matched && f.event == entry.event && f.name == entry.name;
    });
    if (it == found.end()) {
      drift.push_back(Drift{Drift::Kind::missing,
                            entry.event,
                            entry.name,
                            entry.matcher,
                            entry.command,
                            {},
                            {},
                            entry.on_failure,
                            {}});
      continue;
    }
    it->matched = true;
    // A guard entry without onFailure lets every command through when the
    // guard cannot run: that is drift too.
    if (it->matcher != entry.matcher || it->command != entry.command || it->on_failure != entry.on_failure)
      drift.push_back(Drift{Drift::Kind::stale, entry.event, entry.name, entry.matcher, entry.command,
                            it->matcher, it->command, entry.on_failure, it->on_failure});
  }
  for (const auto& f : found)
    if (!f.matched)
      drift.push_back(
          Drift{Drift::Kind::extra, f.event, f.name, {}, {}, f.matcher, f.command, {}, f.on_failure});
  return drift;
}

} // namespace ah::install
