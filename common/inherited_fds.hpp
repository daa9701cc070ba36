#pragma once
// Descriptors a program inherited from whoever started it stay with the
// program: marked close-on-exec, so nothing it starts later (tmux, whose
// server lives on; Claude Code's version probe) keeps them open. An
// orchestrator's lock descriptor or the pipe it watches us through would
// otherwise live as long as the tmux server does: its lock never freed, its
// pipe's end never seen.
namespace ah {

// Marks every descriptor from 3 up close-on-exec. Call first thing in
// main(), before anything opens a descriptor it means to hand down.
void keep_inherited_fds_from_children() noexcept;

} // namespace ah
