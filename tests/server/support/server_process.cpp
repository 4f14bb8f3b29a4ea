#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <stdexcept>

extern char** environ;

#ifndef PARLEY_SERVER_BINARY
#error "PARLEY_SERVER_BINARY must name the parley-server binary (tests/server/CMakeLists.txt)"
#endif

namespace parley::test {

namespace {

using clock = std::chrono::steady_clock;

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

const char* server_binary() { return PARLEY_SERVER_BINARY; }

c_strings::c_strings(std::vector<std::string> text) : text_(std::move(text)) {
    for (auto& t : text_) pointers_.push_back(t.data());
    pointers_.push_back(nullptr);
}

c_strings server_argv(std::vector<std::string> args) {
    args.insert(args.begin(), server_binary());
    return c_strings(std::move(args));
}

c_strings environment_without_parley(std::vector<std::string> extra) {
    std::vector<std::string> text;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "PARLEY_", 7) != 0) text.emplace_back(*e);
    for (auto& e : extra) text.push_back(std::move(e));
    return c_strings(std::move(text));
}

server_process::server_process(std::vector<std::string> args, std::vector<std::string> extra_env) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw std::runtime_error("pipe2 failed");
    }

    c_strings argv = server_argv(std::move(args));
    c_strings envp = environment_without_parley(std::move(extra_env));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    const int rc = ::posix_spawn(&pid_, server_binary(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        throw std::runtime_error(std::string("posix_spawn ") + server_binary() + ": " + std::strerror(rc));
    }
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    reader_ = std::thread([this] { drain(); });
}

server_process::~server_process() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    // The child is gone, so both pipes reach EOF and the reader ends.
    if (reader_.joinable()) reader_.join();
    ::close(out_fd_);
    ::close(err_fd_);
}

void server_process::drain() {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int open = 2;
    char chunk[4096];
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fds[i].fd = -1;  // poll ignores negative descriptors
                --open;
                continue;
            }
            std::lock_guard lock(mutex_);
            (i == 0 ? out_ : err_).append(chunk, static_cast<std::size_t>(n));
        }
    }
    std::lock_guard lock(mutex_);
    drained_ = true;
}

unsigned short server_process::wait_listening(std::chrono::milliseconds timeout) {
    static const std::regex line(R"(listening on https?://[^\s:]+:([0-9]+))");
    const auto deadline = clock::now() + timeout;
    while (clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            std::smatch m;
            if (std::regex_search(err_, m, line)) return static_cast<unsigned short>(std::stoi(m[1].str()));
            if (drained_) return 0;
        }
        if (wait_exit(0ms)) return 0;
        std::this_thread::sleep_for(5ms);
    }
    return 0;
}

void server_process::signal(int sig) {
    if (!exit_code_) ::kill(pid_, sig);
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = decode_status(status);
            break;
        }
        if (clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(2ms);
    }
    // The child has exited: let the reader collect what is left in the pipes.
    const auto drain_deadline = clock::now() + 2s;
    while (clock::now() < drain_deadline) {
        {
            std::lock_guard lock(mutex_);
            if (drained_) break;
        }
        std::this_thread::sleep_for(2ms);
    }
    return exit_code_;
}

std::string server_process::stderr_text() {
    std::lock_guard lock(mutex_);
    return err_;
}

std::string server_process::stdout_text() {
    std::lock_guard lock(mutex_);
    return out_;
}

process_result run_server(std::vector<std::string> args, std::chrono::milliseconds timeout,
                          std::vector<std::string> extra_env) {
    server_process p(std::move(args), std::move(extra_env));
    process_result result;
    if (auto code = p.wait_exit(timeout)) result.code = *code;
    result.out = p.stdout_text();
    result.err = p.stderr_text();
    return result;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace parley::test
