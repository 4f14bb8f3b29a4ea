#include "launch_options.hpp"

#include <utility>

#include "parley/core/text.hpp"

namespace parley::options {
namespace {

constexpr std::string_view usage =
    "usage: parley [--url ws://HOST:PORT] [--name NAME] [--channel CHANNEL] [--ca FILE]\n"
    "\n"
    "  --url      server to connect to (ws:// or wss://), default ws://127.0.0.1:8080\n"
    "  --name     guest name to claim; given, the client joins at once\n"
    "  --channel  channel to join first, default general\n"
    "  --ca       PEM file of the CAs to trust for wss:// (default: the system's)\n"
    "\n"
    "The last server, name and channel joined are remembered in\n"
    "$XDG_CONFIG_HOME/parley/client.conf (or ~/.config/parley/client.conf).\n";

std::string_view trim(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> check_server_url(std::string_view url) {
    std::string_view rest;
    if (url.substr(0, 5) == "ws://") {
        rest = url.substr(5);
    } else if (url.substr(0, 6) == "wss://") {
        rest = url.substr(6);
    } else {
        return std::string("the server URL must start with ws:// or wss://");
    }
    if (rest.empty() || rest.front() == '/' || rest.front() == ':')
        return std::string("the server URL has no host");
    const std::size_t slash = rest.find_first_of("/?#");
    if (slash != std::string_view::npos && !(slash + 1 == rest.size() && rest[slash] == '/'))
        return std::string("the server URL must not have a path: the channel is chosen separately");
    return std::nullopt;
}

std::variant<launch_settings, launch_exit> parse_command_line(const std::vector<std::string_view>& args,
                                                              launch_settings remembered) {
    launch_settings settings = std::move(remembered);
    settings.server_editable = true;
    const auto bad = [](std::string why) {
        return launch_exit{2, "parley: " + why + "\n\n" + std::string(usage)};
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view flag = args[i];
        std::optional<std::string_view> inline_value;
        if (const std::size_t eq = flag.find('=');
            flag.substr(0, 2) == "--" && eq != std::string_view::npos) {
            inline_value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        if (flag == "--help" || flag == "-h") return launch_exit{0, std::string(usage)};
        if (flag != "--url" && flag != "--name" && flag != "--channel" && flag != "--ca")
            return bad("unknown option " + std::string(args[i]));
        std::string_view value;
        if (inline_value) {
            value = *inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return bad(std::string(flag) + " needs a value");
        }
        if (flag == "--url") {
            if (auto problem = check_server_url(value)) return bad(*problem + ": " + std::string(value));
            settings.server_url = std::string(value);
            if (settings.server_url.back() == '/') settings.server_url.pop_back();
        } else if (flag == "--ca") {
            settings.ca_file = std::string(value);
        } else if (flag == "--name") {
            if (!is_valid_user_name(value))
                return bad("names are 1 to 32 letters, digits, '_', '.' or '-': " + std::string(value));
            settings.name = std::string(value);
            settings.join_at_once = true;
        } else {
            if (!is_valid_channel_name(value))
                return bad(
                    "channel names are 1 to 32 of a-z, 0-9, '_' or '-', starting with a letter or digit: " +
                    std::string(value));
            settings.channel = std::string(value);
        }
    }
    if (settings.server_url.empty()) settings.server_url = std::string(default_server_url);
    return settings;
}

launch_settings parse_config(std::string_view text, launch_settings defaults) {
    launch_settings settings = std::move(defaults);
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = trim(line.substr(0, eq));
        const std::string_view value = trim(line.substr(eq + 1));
        // A remembered value that no longer passes the rules is dropped, not obeyed.
        if (key == "url" && !check_server_url(value)) {
            settings.server_url = std::string(value);
        } else if (key == "name" && is_valid_user_name(value)) {
            settings.name = std::string(value);
        } else if (key == "channel" && is_valid_channel_name(value)) {
            settings.channel = std::string(value);
        }
    }
    return settings;
}

std::string format_config(const launch_settings& settings) {
    std::string text = "# Parley client: the last server, name and channel joined.\n";
    text += "url = " + settings.server_url + "\n";
    if (!settings.name.empty()) text += "name = " + settings.name + "\n";
    text += "channel = " + settings.channel + "\n";
    return text;
}

std::optional<std::filesystem::path> config_file_path(const char* xdg_config_home, const char* home) {
    // The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    if (xdg_config_home && xdg_config_home[0] == '/')
        return std::filesystem::path(xdg_config_home) / "parley" / "client.conf";
    if (home && home[0] != '\0') return std::filesystem::path(home) / ".config" / "parley" / "client.conf";
    return std::nullopt;
}

std::optional<std::string> decode_query_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= value.size()) return std::nullopt;
            const int high = hex_digit(value[i + 1]);
            const int low = hex_digit(value[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) != key) continue;
        if (eq == std::string_view::npos) return std::string();
        return decode_query_value(pair.substr(eq + 1));
    }
    return std::nullopt;
}

launch_settings settings_from_page(std::string_view protocol, std::string_view host, std::string_view path,
                                   std::string_view query) {
    launch_settings settings;
    settings.server_editable = false;
    settings.server_url = std::string(protocol == "https:" ? "wss://" : "ws://") + std::string(host);
    if (auto channel = channel_from_path(path)) {
        settings.channel = std::move(*channel);
    } else {
        settings.channel = std::string(default_channel);
        settings.problem =
            "The address names no channel (channel names are a-z, 0-9, '_' and '-'); joining " +
            std::string(default_channel) + " instead.";
    }
    if (auto token = query_value(query, "token")) settings.token = std::move(*token);
    if (auto name = query_value(query, "name"); name && !name->empty()) {
        settings.name = std::move(*name);
        // A name the server would refuse is shown on the start screen rather than sent.
        if (is_valid_user_name(settings.name)) {
            settings.join_at_once = true;
        } else {
            settings.problem = "Names are 1 to 32 letters, digits, '_', '.' or '-'.";
        }
    }
    return settings;
}

}  // namespace parley::options
