#pragma once
// What the input-wait hook does when Claude waits for a person (a permission
// prompt, a question): the policy names, shared by the hook and the
// installer that bakes one into its command. Header only: the installer
// does not link the hook handlers.
#include <array>
#include <optional>
#include <string_view>

namespace ah::hooks {

enum class InputPolicy {
  deny,     // answer a permission request "deny" with a reason the model sees; a question nothing can answer
            // escalates
  escalate, // PHASE:escalate with "Reason: waiting for input: …" in the phase file
  wait,     // record that the session waits, nothing more
};

inline constexpr std::array<std::string_view, 3> k_input_policy_names = {"deny", "escalate", "wait"};

// The policy when none is given: an unattended session must not park on a
// prompt nobody sees; denied, the model learns why and can take another way.
inline constexpr InputPolicy k_default_input_policy = InputPolicy::deny;

constexpr std::string_view input_policy_name(InputPolicy policy) noexcept {
  return k_input_policy_names[static_cast<std::size_t>(policy)];
}

constexpr std::optional<InputPolicy> parse_input_policy(std::string_view name) noexcept {
  for (std::size_t i = 0; i < k_input_policy_names.size(); ++i)
    if (k_input_policy_names[i] == name) return static_cast<InputPolicy>(i);
  return std::nullopt;
}

} // namespace ah::hooks
