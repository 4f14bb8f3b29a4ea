#pragma once
// Open WebSocket connections counted per client address, so that one address cannot hold
// thousands of connections (descriptors, memory, heartbeats) that others then lack. The
// http session takes a slot before it upgrades and answers 429 when there is none; the
// WebSocket session holds the slot for its lifetime, and its destruction gives it back.

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::server {

class address_limiter;

/// One counted connection of one address; destroying it (or moving into it) gives the
/// count back. Move-only. A default-made slot counts nothing. The limiter that issued it
/// must outlive it. Any thread, but one slot is used by one thread at a time.
class address_slot {
public:
    address_slot() = default;
    address_slot(address_slot&& other) noexcept;
    address_slot& operator=(address_slot&& other) noexcept;
    address_slot(const address_slot&) = delete;
    address_slot& operator=(const address_slot&) = delete;
    ~address_slot();

    /// Whether this slot holds a count (false for a default-made or moved-from slot, and
    /// for slots of a limiter without a limit, which counts nothing).
    bool counted() const { return owner_ != nullptr; }

private:
    friend class address_limiter;
    address_slot(address_limiter* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    void release() noexcept;

    address_limiter* owner_ = nullptr;
    std::string key_;
};

/// The key an address is counted under: an IPv4 address as it is; an IPv4-mapped IPv6
/// address (a dual-stack socket's view of an IPv4 client) as that IPv4 address; any other
/// IPv6 address as its /64 prefix ("2001:db8:1:2::/64"), because one home or host is given a
/// whole /64 and may pick a fresh address from it for every connection. Text that is not an
/// address (an unknown peer, "") is its own key.
std::string address_key(std::string_view address);

/// The counter. Owned by the server; outlives every session (and so every slot). Any thread.
class address_limiter {
public:
    /// At most `limit` slots at once per address key; 0: no limit, and nothing is counted.
    explicit address_limiter(std::size_t limit) : limit_(limit) {}
    address_limiter(const address_limiter&) = delete;
    address_limiter& operator=(const address_limiter&) = delete;

    /// A slot for one more connection from `address`, or nullopt when its key already holds
    /// `limit` slots. Without a limit, an uncounted slot, always.
    std::optional<address_slot> try_acquire(std::string_view address);

    /// How many slots `address`'s key holds now (for tests and logs).
    std::size_t count(std::string_view address) const;
    /// How many keys hold at least one slot; keys at zero are forgotten, so this is bounded
    /// by the number of open connections.
    std::size_t addresses() const;
    std::size_t limit() const { return limit_; }

private:
    friend class address_slot;
    void release(const std::string& key) noexcept;

    const std::size_t limit_;
    mutable std::mutex mutex_;  ///< guards counts_; held only for a map lookup
    std::unordered_map<std::string, std::size_t> counts_;
};

}  // namespace parley::server
