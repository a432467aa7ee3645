// SPDX-License-Identifier: BSD-3-Clause
// CHROMA2_EXPECT with expectations on (debug builds): a true condition passes, a false one stops
// the process with a message naming the condition, what was expected, the file and the line.
#undef CHROMA2_EXPECTATIONS
#define CHROMA2_EXPECTATIONS 1
#include "chroma2/config/expect.hpp"

#include <catch2/catch_test_macros.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {
int checked_calls(int& calls) {
  CHROMA2_EXPECT(++calls > 0, "evaluated when on");
  return calls;
}
[[noreturn]] void violate() {
  const int slot = 7, capacity = 4;
  CHROMA2_EXPECT(slot < capacity, "a slot lies within its page");
  std::_Exit(0);  // not reached
}
}  // namespace

TEST_CASE("CHROMA2_EXPECT evaluates a true condition and carries on when expectations are on",
          "[config][expect][host]") {
  int calls = 0;
  CHECK(checked_calls(calls) == 1);
}

TEST_CASE("A failed expectation names the condition and aborts the process",
          "[config][expect][host]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::fflush(stdout);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // the test framework's own SIGABRT handler must not report (and write its files) from the
    // child: the abort is the expected outcome here
    std::signal(SIGABRT, SIG_DFL);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    violate();
  }
  close(fds[1]);
  std::string text;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, std::size_t(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(text.find("slot < capacity") != std::string::npos);
  CHECK(text.find("a slot lies within its page") != std::string::npos);
  CHECK(text.find("test_expect_on.cpp") != std::string::npos);
}
