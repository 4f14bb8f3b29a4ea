#pragma once
// The real parley-server binary as a child process, for tests of what only a process
// shows: flags, exit codes, signals, crash recovery. Its stdout and stderr are captured
// by a background thread so the child never blocks on a full pipe. Every wait is bounded.

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace parley::test {

using namespace std::chrono_literals;

/// The path of the parley-server binary under test (set by CMake).
const char* server_binary();

/// Strings for posix_spawn's argv or envp: owns the text, hands out the null-ended
/// pointer array.
class c_strings {
public:
    explicit c_strings(std::vector<std::string> text);
    char* const* data() { return pointers_.data(); }

private:
    std::vector<std::string> text_;
    std::vector<char*> pointers_;
};

/// argv for the server binary: its path, then `args`.
c_strings server_argv(std::vector<std::string> args);
/// This process's environment without PARLEY_* variables (the server reads them as
/// settings; tests configure it by flags alone), plus `extra` ("NAME=value").
c_strings environment_without_parley(std::vector<std::string> extra = {});

/// One child process running parley-server. Not thread-safe: use from the test's thread.
class server_process {
public:
    /// Starts the binary with `args` (argv[0] is added) and an environment without
    /// PARLEY_* variables but `extra_env` ("NAME=value"), so only the flags and those
    /// configure it. Throws if it cannot be spawned.
    explicit server_process(std::vector<std::string> args, std::vector<std::string> extra_env = {});
    /// Kills the child (SIGKILL) if it still runs, and reaps it.
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    /// Waits for the "listening on http://ADDRESS:PORT" log line; returns PORT, or 0 if the
    /// child exited or `timeout` passed first.
    unsigned short wait_listening(std::chrono::milliseconds timeout = 5s);
    /// Sends `sig` to the child.
    void signal(int sig);
    /// Waits for the child to exit: its exit code, or 128 + the signal that ended it;
    /// nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 5s);

    /// Everything the child wrote so far (complete once wait_exit returned a value).
    std::string stderr_text();
    std::string stdout_text();
    pid_t pid() const { return pid_; }

private:
    void drain();

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::mutex mutex_;  ///< guards the two texts, written by the drain thread
    std::string out_;
    std::string err_;
    bool drained_ = false;  ///< both pipes reached EOF
    std::thread reader_;
};

/// What a short run of the binary gave: exit code (or 128 + signal), stdout, stderr.
struct process_result {
    int code = -1;
    std::string out;
    std::string err;
};

/// Runs the binary with `args` (and `extra_env`, as server_process) to completion; a run
/// longer than `timeout` is killed and reported with code -1.
process_result run_server(std::vector<std::string> args, std::chrono::milliseconds timeout = 5s,
                          std::vector<std::string> extra_env = {});

/// The lines of `text` (without their '\n'); a last line without '\n' counts too.
std::vector<std::string> lines_of(const std::string& text);

}  // namespace parley::test
