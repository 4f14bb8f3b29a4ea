#pragma once
// A value or a protocol error: how core reports failure without exceptions
// (the WebAssembly build runs with exception catching off).

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "parley/core/error_code.hpp"

namespace parley {

/// Why a frame was refused: the `error` frame's fields.
struct protocol_error {
    error_code code = error_code::invalid_message;
    std::string message;
    std::optional<std::string> ref;  ///< the request's nonce, when it had a valid one
};

/// Either a `T` or the `protocol_error` that prevented it.
template <class T>
class result {
public:
    result(T value) : state_(std::move(value)) {}
    result(protocol_error error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(state_); }
    const T& value() const& { assert(ok()); return std::get<0>(state_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }

    const protocol_error& error() const { assert(!ok()); return std::get<1>(state_); }

private:
    std::variant<T, protocol_error> state_;
};

}  // namespace parley
