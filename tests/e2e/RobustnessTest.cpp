//===- RobustnessTest.cpp - Stopped, killed, resumed, and runaway runs ----===//
//
// A run stopped by SIGINT or SIGTERM saves a checkpoint; one killed with
// SIGKILL goes on from its last periodic checkpoint; either way the resumed
// run's records are identical, byte for byte, to an uninterrupted run's. A
// corrupt or mismatched checkpoint is a clear error, and a run whose state
// stops being finite says where.
//
//===----------------------------------------------------------------------===//

#include "RunHebb.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace hebb::test;

namespace {
const char *const kRecords[] = {"out_spikes_t.npy", "out_spikes_i.npy",
                                "out_v.npy",        "out_v_t.npy",
                                "syn_w.npy",        "syn_w_t.npy"};

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

std::string input() { return sourcePath("tests/e2e/inputs/checkpointed.hebb"); }

std::string outDir(const std::string &name) {
  return std::string(HEBB_TEST_OUT_DIR) + "/" + name;
}

/// Starts `hebb run` on the input with `extra` options, writing to `name`.
pid_t start(const std::string &name, const std::string &extra) {
  std::string dir = outDir(name);
  std::filesystem::remove_all(dir);
  std::string command = "exec " + std::string(HEBB_BIN_DIR) + "/hebb run " +
                        input() + " --out " + dir + " --quiet " + extra +
                        " > " + dir + ".log 2>&1";
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

/// `hebb run` on the input, going on from the checkpoint in `name`'s folder.
CommandResult resume(const std::string &name, const std::string &extra = "") {
  return runCommand(std::string(HEBB_BIN_DIR) + "/hebb run " + input() +
                    " --quiet --resume " + outDir(name) + extra);
}

/// Waits for the run's first periodic checkpoint (a run of 300 s takes
/// seconds); false if the run ended first.
bool waitForCheckpoint(pid_t pid, const std::string &name) {
  std::string path = outPath(name, "checkpoint.hebbckpt");
  for (int k = 0; k < 6000; ++k) {
    if (std::filesystem::exists(path))
      return true;
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

int waitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/// The uninterrupted run, once per test process (ctest runs each test in a
/// process of its own, so each has its own folder).
const std::string &reference() {
  static const std::string name = [] {
    std::string name =
        std::string("uninterrupted_") +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    CommandResult r = hebbRun(input(), name);
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return name;
  }();
  return name;
}

void expectSameRecords(const std::string &name) {
  for (const char *file : kRecords) {
    std::string expected = readFile(outPath(reference(), file));
    ASSERT_FALSE(expected.empty()) << file;
    EXPECT_TRUE(readFile(outPath(name, file)) == expected)
        << file << " differs from the uninterrupted run's";
  }
}
} // namespace

TEST(Robustness, StoppedBySignalsAndResumedGivesIdenticalRecords) {
  reference();
  for (int signal : {SIGINT, SIGTERM}) {
    std::string name = signal == SIGINT ? "stopped_int" : "stopped_term";
    pid_t pid = start(name, "--checkpoint-every 50s");
    ASSERT_TRUE(waitForCheckpoint(pid, name));
    kill(pid, signal);
    EXPECT_EQ(waitExit(pid), 128 + signal);
    std::string log = readFile(outDir(name) + ".log");
    EXPECT_NE(log.find("checkpoint saved: go on with"), std::string::npos)
        << log;
    // Stopped early: the records so far are written, and shorter.
    EXPECT_LT(readFile(outPath(name, "out_v.npy")).size(),
              readFile(outPath(reference(), "out_v.npy")).size());
    CommandResult r = resume(name);
    ASSERT_EQ(r.exitCode, 0) << r.output;
    expectSameRecords(name);
  }
}

TEST(Robustness, KilledRunResumesFromItsLastCheckpoint) {
  reference();
  pid_t pid = start("killed", "--checkpoint-every 20s");
  ASSERT_TRUE(waitForCheckpoint(pid, "killed"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(pid, SIGKILL);
  EXPECT_EQ(waitExit(pid), -SIGKILL);
  // Nothing that looks complete and is not: the checkpoint, and at most a
  // checkpoint being written under its temporary name.
  for (const auto &entry :
       std::filesystem::directory_iterator(outDir("killed")))
    EXPECT_TRUE(entry.path().filename() == "checkpoint.hebbckpt" ||
                entry.path().filename() == "checkpoint.hebbckpt.partial")
        << entry.path();
  CommandResult r = resume("killed");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  expectSameRecords("killed");
}

TEST(Robustness, CorruptOrMismatchedCheckpointsAreClearErrors) {
  pid_t pid = start("corrupt", "--checkpoint-every 10s");
  ASSERT_TRUE(waitForCheckpoint(pid, "corrupt"));
  kill(pid, SIGINT);
  EXPECT_EQ(waitExit(pid), 128 + SIGINT);
  std::string dir = outDir("corrupt");
  std::string path = dir + "/checkpoint.hebbckpt";
  std::string good = readFile(path);
  ASSERT_GT(good.size(), 1000u);
  // Resuming from `contents` (none if null) fails with `message`.
  auto expectError = [&](const std::string *contents,
                         const std::string &message,
                         const std::string &extra = "") {
    std::filesystem::remove(path);
    if (contents)
      std::ofstream(path, std::ios::binary | std::ios::trunc) << *contents;
    CommandResult r = resume("corrupt", extra);
    EXPECT_EQ(r.exitCode, 1) << message;
    EXPECT_NE(r.output.find("hebb: error: " + message), std::string::npos)
        << r.output;
  };
  std::string prefix = "checkpoint '" + path + "': ";
  // Another seed is another network.
  expectError(&good,
              prefix + "saved from another network (or another seed or "
                       "parameters)",
              " --set seed=8");
  // One flipped byte in the middle.
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x40;
  expectError(&bad, prefix + "its checksum does not match its contents "
                             "(the file is corrupt)");
  // Cut short; not a checkpoint; none at all.
  std::string cut = good.substr(0, good.size() / 3), hello = "hello";
  expectError(&cut, prefix + "truncated");
  expectError(&hello, prefix + "not a Hebb checkpoint");
  expectError(nullptr, "--resume: there is no checkpoint in '" + dir + "'");
}

// Plain Hebbian learning overflows (examples/runaway_hebb.hebb): the run
// stops at the step where the first value became infinite, names it, gives
// its last finite value, and writes the records up to the step before.
TEST(Robustness, RunawayHebbianRunStopsAtTheFirstNonFiniteValue) {
  CommandResult r =
      hebbRun(sourcePath("examples/runaway_hebb.hebb"), "runaway");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find("hebb: error: y.r[0] became inf in the step to "
                          "t = 0.22 s; its last finite value was 2.44284e+38"),
            std::string::npos)
      << r.output;
  auto rates = loadDoubles(outPath("runaway", "y_r.npy"));
  auto times = loadDoubles(outPath("runaway", "y_r_t.npy"));
  ASSERT_EQ(rates.size(), 220u); // t = 0 .. 0.219 s
  ASSERT_EQ(times.size(), 220u);
  EXPECT_NEAR(times.back(), 0.219, 1e-12);
  for (double v : rates)
    EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(rates.back(), 2.44284e38, 1e33);
  // The rule grows the rate by a fixed factor per step: 1 + eta * 10 x^2.
  EXPECT_NEAR(rates[219] / rates[218], 1.5, 0.01);
  // Without the check the run goes on through infinities.
  r = hebbRun(sourcePath("examples/runaway_hebb.hebb"), "runaway_unchecked",
              "--check-finite=false");
  EXPECT_EQ(r.exitCode, 0) << r.output;
}
