// The web account_api: emscripten_fetch (XMLHttpRequest underneath) to the page's own
// origin, so the browser adds the Origin the server checks and no CORS is involved. The
// browser runs the callbacks on the main thread, which is the UI thread.
#include <emscripten/fetch.h>

#include <cctype>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/account_api.hpp"

namespace parley::client {
namespace {

/// 15 s, as natively: a login answers in well under a second even with Argon2id.
constexpr unsigned long request_timeout_ms = 15'000;

/// One request in flight: owns what the fetch reads until it finishes.
struct web_request {
    std::shared_ptr<bool> api_alive;  ///< false once the account_api is gone
    account_callback done;
    std::function<void()> wake;  ///< an idle page draws no frame by itself: ask for one
    std::string body;
    std::string authorization;
    std::vector<const char*> headers;  ///< {"name","value",...,nullptr} into the strings above
};

/// The value of header `name` in the raw "name: value\r\n" block, or empty.
std::string header_value(std::string_view headers, std::string_view name) {
    std::size_t start = 0;
    while (start < headers.size()) {
        std::size_t end = headers.find('\n', start);
        if (end == std::string_view::npos) end = headers.size();
        std::string_view line = headers.substr(start, end - start);
        start = end + 1;
        const std::size_t colon = line.find(':');
        if (colon != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < colon && same; ++i)
            same = std::tolower(static_cast<unsigned char>(line[i])) == std::tolower(static_cast<unsigned char>(name[i]));
        if (!same) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.remove_suffix(1);
        return std::string(value);
    }
    return {};
}

/// onsuccess and onerror alike: build the reply, run the callback, free everything.
void on_finished(emscripten_fetch_t* fetch) {
    std::unique_ptr<web_request> request(static_cast<web_request*>(fetch->userData));
    account_reply reply;
    if (fetch->status == 0) {
        reply.error = "the server could not be reached";
    } else {
        std::string headers(emscripten_fetch_get_response_headers_length(fetch), '\0');
        if (!headers.empty()) emscripten_fetch_get_response_headers(fetch, headers.data(), headers.size() + 1);
        const std::string_view body(fetch->data ? fetch->data : "", static_cast<std::size_t>(fetch->numBytes));
        reply = parse_account_reply(fetch->status, body, header_value(headers, "retry-after"));
    }
    emscripten_fetch_close(fetch);
    if (!*request->api_alive) return;
    if (request->done) request->done(std::move(reply));
    if (request->wake) request->wake();
}

class web_account_api final : public account_api {
public:
    explicit web_account_api(std::function<void()> wake)
        : alive_(std::make_shared<bool>(true)), wake_(std::move(wake)) {}
    web_account_api(const web_account_api&) = delete;
    web_account_api& operator=(const web_account_api&) = delete;
    ~web_account_api() override { *alive_ = false; }

    void register_account(const std::string& user, const std::string& password, account_callback done) override {
        start("POST", "/api/register", credentials_body(user, password), {}, std::move(done));
    }
    void login(const std::string& user, const std::string& password, account_callback done) override {
        start("POST", "/api/login", credentials_body(user, password), {}, std::move(done));
    }
    void logout(const std::string& token, account_callback done) override {
        start("POST", "/api/logout", {}, token, std::move(done));
    }
    void audit(const std::string& token, int limit, account_callback done) override {
        start("GET", audit_target(limit), {}, token, std::move(done));
    }
    void poll() override {}  // the browser calls back by itself

private:
    void start(const char* method, const std::string& path, std::string body, const std::string& token,
               account_callback done) {
        auto request = std::make_unique<web_request>();
        request->api_alive = alive_;
        request->done = std::move(done);
        request->wake = wake_;
        request->body = std::move(body);
        if (!request->body.empty()) {
            request->headers.push_back("Content-Type");
            request->headers.push_back("application/json");
        }
        if (!token.empty()) {
            request->authorization = "Bearer " + token;
            request->headers.push_back("Authorization");
            request->headers.push_back(request->authorization.c_str());
        }
        request->headers.push_back(nullptr);

        emscripten_fetch_attr_t attr;
        emscripten_fetch_attr_init(&attr);
        std::strcpy(attr.requestMethod, method);  // "GET" or "POST": fits the 32-byte field
        attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
        attr.timeoutMSecs = request_timeout_ms;
        attr.requestHeaders = request->headers.data();
        attr.requestData = request->body.empty() ? nullptr : request->body.data();
        attr.requestDataSize = request->body.size();
        attr.onsuccess = on_finished;
        attr.onerror = on_finished;
        attr.userData = request.release();  // on_finished takes it back
        emscripten_fetch(&attr, path.c_str());
    }

    std::shared_ptr<bool> alive_;
    std::function<void()> wake_;
};

}  // namespace

std::unique_ptr<account_api> make_account_api(std::string base_url, transport_options tls,
                                              std::function<void()> wake) {
    // Same origin always, and the browser verifies TLS.
    (void)base_url;
    (void)tls;
    return std::make_unique<web_account_api>(std::move(wake));
}

}  // namespace parley::client
