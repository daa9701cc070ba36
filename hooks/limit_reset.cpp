#include "hooks/limit_reset.hpp"

#include <algorithm>
#include <cctype>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace ah::hooks {

namespace {

// How far after "reset" the time may start ("resets at ", "reset_at\": ").
constexpr std::size_t k_gap_max = 12;

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil): timegm would do, but reads TZ files in a static hook.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

// "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" at the start of `s`.
std::optional<std::int64_t> iso_time(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));)
      ++i;
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    offset = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om))
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
  } else {
    return std::nullopt; // a time without a zone is not exact
  }
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
}

std::optional<std::int64_t> epoch_time(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
    ++n;
  if (n < 9 || n > 11) return std::nullopt;
  if (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '.' || s[n] == ':'))
    return std::nullopt;
  std::int64_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v = v * 10 + (s[i] - '0');
  return v;
}

bool iequals_at(std::string_view s, std::size_t at, std::string_view word) {
  if (at + word.size() > s.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i]) return false;
  return true;
}

} // namespace

std::optional<std::int64_t> reset_time_in(std::string_view text) noexcept {
  for (std::size_t at = 0; at + 5 <= text.size(); ++at) {
    if (!iequals_at(text, at, "reset")) continue;
    const std::size_t from = at + 5;
    for (std::size_t start = from; start < text.size() && start <= from + k_gap_max; ++start) {
      if (!std::isdigit(static_cast<unsigned char>(text[start]))) continue;
      const std::string_view rest = text.substr(start);
      if (auto t = iso_time(rest)) return t;
      if (auto t = epoch_time(rest)) return t;
      break; // the first number after the word is the one that counts
    }
  }
  return std::nullopt;
}

} // namespace ah::hooks

namespace ah::hooks {

std::optional<std::int64_t> reset_time_in_transcript(const std::filesystem::path& transcript) noexcept {
  if (transcript.empty()) return std::nullopt;
  const int fd = ::open(transcript.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  std::optional<std::int64_t> found;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    const std::size_t want = std::min(size, k_transcript_tail);
    std::string tail(want, '\0');
    const ssize_t got = ::pread(fd, tail.data(), want, static_cast<off_t>(size - want));
    if (got > 0) {
      tail.resize(static_cast<std::size_t>(got));
      constexpr std::string_view key = "\"resetsAt\":";
      const auto at = tail.rfind(key);
      if (at != std::string::npos) {
        std::int64_t value = 0;
        std::size_t i = at + key.size();
        while (i < tail.size() && tail[i] == ' ')
          ++i;
        const std::size_t start = i;
        while (i < tail.size() && i - start < 12 && std::isdigit(static_cast<unsigned char>(tail[i])))
          value = value * 10 + (tail[i++] - '0');
        // Epoch seconds, as reset_time_in takes them: 9 to 11 digits.
        if (i - start >= 9 && i - start <= 11) found = value;
      }
    }
  }
  ::close(fd);
  return found;
}

} // namespace ah::hooks
