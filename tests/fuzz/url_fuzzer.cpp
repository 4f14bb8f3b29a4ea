// libFuzzer harness: request targets as the server reads them (server/http/url_path.hpp,
// core's channel_from_path, and the query of a WebSocket upgrade through check_upgrade).
// The input is one request target, e.g. "/assets/a%20b.png?v=2" or "/fishing?since=10".
//
// Properties: decode_url_path keeps its contract (a relative path with no empty, "." or
// ".." segment, no NUL, control byte, backslash or '%', never longer than its input, and
// a fixed point: decoding its own output gives it back); a channel is only ever a joinable
// name; an upgrade's resume point is a message id and its token comes from the query.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "http/query.hpp"
#include "http/url_path.hpp"
#include "net/upgrade.hpp"
#include "parley/core/limits.hpp"
#include "parley/core/text.hpp"

namespace server = parley::server;

namespace {

void check_decoded(std::string_view url_path, const std::string& decoded) {
    PARLEY_FUZZ_CHECK(decoded.size() < url_path.size(), "decoding never lengthens (the '/' goes)");
    PARLEY_FUZZ_CHECK(decoded.empty() || decoded.front() != '/', "a relative path");
    for (const char ch : decoded) {
        const auto c = static_cast<unsigned char>(ch);
        PARLEY_FUZZ_CHECK(c >= 0x20 && c != 0x7f, "no NUL or control byte");
        PARLEY_FUZZ_CHECK(c != '\\', "no backslash");
        PARLEY_FUZZ_CHECK(c != '%', "no '%' (double encoding)");
    }
    std::string_view rest = decoded;
    while (true) {
        const auto slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        PARLEY_FUZZ_CHECK(segment != "." && segment != "..", "no dot segment");
        if (slash == std::string_view::npos) break;
        PARLEY_FUZZ_CHECK(!segment.empty(), "no empty segment but a trailing one");
        rest.remove_prefix(slash + 1);
    }
    const auto again = server::decode_url_path("/" + decoded);
    PARLEY_FUZZ_CHECK(again && *again == decoded, "decoding is a fixed point on its output");
}

void check_upgrade_query(std::string_view target) {
    // Valid headers, so only the target decides.
    server::upgrade_request request;
    request.target = target;
    request.host = "localhost:8080";
    request.version = "13";
    request.key = "dGhlIHNhbXBsZSBub25jZQ==";
    const auto checked = server::check_upgrade(request, {}, "parley-fuzz");
    const auto* accepted = std::get_if<server::upgrade_accepted>(&checked);
    if (!accepted) return;
    // The path ends at the first '?' or '#'; only a '?' there starts a query (one inside a
    // fragment does not).
    const auto end = target.find_first_of("?#");
    const bool has_query = end != std::string_view::npos && target[end] == '?';
    const std::string_view query = has_query ? target.substr(end + 1) : std::string_view();
    PARLEY_FUZZ_CHECK(parley::channel_from_path(target.substr(0, end)) == accepted->channel,
                      "the upgrade joins the channel of the path");
    if (accepted->since) {
        PARLEY_FUZZ_CHECK(*accepted->since >= 0 && *accepted->since <= parley::limits::max_message_id,
                          "since is a message id");
        PARLEY_FUZZ_CHECK(query.find("since=") != std::string_view::npos, "since comes from the query");
    }
    if (accepted->token)  // percent-decoded, so it is no longer than its text in the query
        PARLEY_FUZZ_CHECK(query.find("token") != std::string_view::npos && accepted->token->size() <= query.size(),
                          "the token comes from the query");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);

    const std::string_view path = server::target_path(target);
    PARLEY_FUZZ_CHECK(target.starts_with(path), "the path is a prefix of the target");
    PARLEY_FUZZ_CHECK(path.find_first_of("?#") == std::string_view::npos, "the path stops at '?' or '#'");
    if (const auto decoded = server::decode_url_path(path)) check_decoded(path, *decoded);

    if (const auto channel = parley::channel_from_path(path)) {
        PARLEY_FUZZ_CHECK(parley::is_valid_channel_name(*channel), "a channel path names a joinable channel");
        PARLEY_FUZZ_CHECK(path == "/" ? *channel == parley::default_channel : path == "/" + *channel,
                          "the channel is the path, or general for /");
    }
    check_upgrade_query(target);

    // The query parser every handler uses: each name and value decodes to no '%' escapes
    // left half-read, and a canonical number prints back as itself.
    if (const auto params = server::parse_query(server::target_query(target))) {
        for (const auto& p : *params) {
            PARLEY_FUZZ_CHECK(server::find_param(*params, p.name).count >= 1, "every parameter is found by its name");
            if (const auto n = server::parse_canonical_decimal(p.value, parley::limits::max_message_id))
                PARLEY_FUZZ_CHECK(std::to_string(*n) == p.value && *n <= parley::limits::max_message_id,
                                  "a canonical number is its own decimal text");
        }
    }
    return 0;
}
