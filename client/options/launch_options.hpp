#pragma once
// Where to connect and as whom, worked out before the first frame: from the command line
// and the remembered settings (desktop) or from the page's URL (browser). Pure functions
// over strings, so both platforms' rules are tested without a window.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::options {

/// What the start screen is filled with, and whether to skip it.
struct launch_settings {
    /// Server base URL without a path: "ws://127.0.0.1:8080".
    std::string server_url;
    /// Channel to join first; the browser takes it from the page's path.
    std::string channel = "general";
    /// Guest name to claim; empty asks on the start screen.
    std::string name;
    /// Account session token (`?token=`); empty for a guest.
    std::string token;
    /// PEM file of the CAs trusted for wss:// and https:// (`--ca`); empty: the system store.
    std::string ca_file;
    /// Join without showing the start screen (`?name=`, or `--name` on the command line).
    bool join_at_once = false;
    /// Whether the start screen lets the user change the server (the browser's server is
    /// always the page's own origin).
    bool server_editable = true;
    /// A problem with the inputs, shown on the start screen (a bad channel path, ...).
    std::string problem;
};

/// The command line asked to exit at once (--help, a bad flag): print `text`, exit `code`.
struct launch_exit {
    int code = 0;
    std::string text;
};

/// The default server of the desktop client: scripts/run.sh's address.
inline constexpr std::string_view default_server_url = "ws://127.0.0.1:8080";

/// Reads `parley [--url ws://host:port] [--name NAME] [--channel CHANNEL]` (args without
/// the program name) over `remembered`. A --name joins at once. Never throws.
std::variant<launch_settings, launch_exit> parse_command_line(const std::vector<std::string_view>& args,
                                                              launch_settings remembered);

/// Why `url` cannot be a server URL (not ws:// or wss://, no host, has a path), or nullopt.
std::optional<std::string> check_server_url(std::string_view url);

/// Reads the remembered settings ("key = value" lines: url, name, channel) over `defaults`.
/// Unknown keys, comments (#) and malformed lines are ignored: an old file never blocks start.
launch_settings parse_config(std::string_view text, launch_settings defaults);

/// The remembered settings as parse_config reads them.
std::string format_config(const launch_settings& settings);

/// Where the remembered settings live: $XDG_CONFIG_HOME/parley/client.conf, else
/// ~/.config/parley/client.conf; nullopt when neither variable is set.
std::optional<std::filesystem::path> config_file_path(const char* xdg_config_home, const char* home);

/// The browser's settings from the page's location: the server is the page's own origin
/// (ws:// for http:, wss:// for https:), the channel its path ("/fishing"), and `?name=`
/// fills the name and joins at once.
launch_settings settings_from_page(std::string_view protocol, std::string_view host, std::string_view path,
                                   std::string_view query);

/// Decodes %XX and '+' in a URL query value; nullopt for a malformed escape.
std::optional<std::string> decode_query_value(std::string_view value);

/// The value of `key` in a query string ("?a=1&b=2" or "a=1&b=2"), decoded; nullopt if absent.
std::optional<std::string> query_value(std::string_view query, std::string_view key);

}  // namespace parley::options
