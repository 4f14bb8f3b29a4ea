#include "net/address_limiter.hpp"

#include <utility>

#include <boost/asio/ip/address.hpp>

namespace parley::server {

address_slot::address_slot(address_slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), key_(std::move(other.key_)) {}

address_slot& address_slot::operator=(address_slot&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        key_ = std::move(other.key_);
    }
    return *this;
}

address_slot::~address_slot() {
    release();
}

void address_slot::release() noexcept {
    if (owner_) std::exchange(owner_, nullptr)->release(key_);
}

std::string address_key(std::string_view address) {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(std::string(address), ec);
    if (ec) return std::string(address);
    if (parsed.is_v4()) return parsed.to_string();
    const auto v6 = parsed.to_v6();
    if (v6.is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
    auto bytes = v6.to_bytes();
    for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

std::optional<address_slot> address_limiter::try_acquire(std::string_view address) {
    if (limit_ == 0) return address_slot();
    std::string key = address_key(address);
    {
        std::lock_guard lock(mutex_);
        std::size_t& held = counts_[key];
        if (held >= limit_) return std::nullopt;
        ++held;
    }
    return address_slot(this, std::move(key));
}

std::size_t address_limiter::count(std::string_view address) const {
    const std::string key = address_key(address);
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
}

std::size_t address_limiter::addresses() const {
    std::lock_guard lock(mutex_);
    return counts_.size();
}

void address_limiter::release(const std::string& key) noexcept {
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(key);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

}  // namespace parley::server
