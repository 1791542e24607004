// Running the earshot binary from tests: shell quoting, exit code, captured
// stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "host/test_util.h"

namespace earshot::testing {

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "text: " << (msg)

// Single-quoted for the shell.
inline std::string q(const std::filesystem::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `earshot ARGS` with stdout and stderr captured in files under `dir`.
inline CliRun earshot(const std::string& args, const std::filesystem::path& dir) {
  const std::filesystem::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string cmd = q(EARSHOT_CLI_PATH) + " " + args + " >" + q(out) + " 2>" + q(err);
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_bytes(out);
  r.err = read_bytes(err);
  return r;
}

}  // namespace earshot::testing
