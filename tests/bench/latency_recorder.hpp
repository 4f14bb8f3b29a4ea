#pragma once
// Log-linear histogram of latencies in nanoseconds: fixed memory whatever the number of
// samples, so every delivery of a run can be recorded, not a sample of them.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace parley::bench {

/// Records latencies (ns) with under 1% relative error; one per event loop, not thread-safe.
class latency_recorder {
public:
    /// Records one latency; a negative value (clock skew cannot happen on one monotonic
    /// clock, but a corrupt frame could claim a future send time) is counted as 0.
    void record(std::int64_t ns) {
        const std::uint64_t v = ns < 0 ? 0 : static_cast<std::uint64_t>(ns);
        ++buckets_[index_of(v)];
        ++count_;
        if (v > max_) max_ = v;
    }

    /// Adds every sample of `other` (to merge per-phase or per-loop recorders).
    void merge(const latency_recorder& other) {
        for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
        count_ += other.count_;
        if (other.max_ > max_) max_ = other.max_;
    }

    /// Samples recorded.
    std::uint64_t count() const { return count_; }
    /// The largest sample, exactly.
    std::uint64_t max_ns() const { return max_; }

    /// The latency below which a fraction `q` (0..1) of samples fall; 0 with no samples.
    /// Reported as the bucket's midpoint, and never above the exact maximum.
    std::uint64_t quantile_ns(double q) const {
        if (count_ == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_));
        if (rank >= count_) rank = count_ - 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += buckets_[i];
            if (seen > rank) {
                const std::uint64_t mid = lower_bound_of(i) + width_of(i) / 2;
                return mid < max_ ? mid : max_;
            }
        }
        return max_;
    }

private:
    // 128 sub-buckets per power of two: relative error below 1/128.
    static constexpr unsigned sub_bits = 7;
    static constexpr std::uint64_t sub_count = 1u << sub_bits;
    static constexpr std::size_t bucket_count = (64 - sub_bits + 1) * sub_count;

    static std::size_t index_of(std::uint64_t v) {
        if (v < sub_count) return static_cast<std::size_t>(v);
        const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(v));  // >= sub_bits
        const std::uint64_t sub = (v >> (e - sub_bits)) & (sub_count - 1);
        return static_cast<std::size_t>((e - sub_bits + 1) * sub_count + sub);
    }
    static std::uint64_t lower_bound_of(std::size_t i) {
        if (i < sub_count) return i;
        const unsigned e = static_cast<unsigned>(i / sub_count) + sub_bits - 1;
        const std::uint64_t sub = i % sub_count;
        return (sub_count + sub) << (e - sub_bits);
    }
    static std::uint64_t width_of(std::size_t i) {
        if (i < sub_count) return 1;
        const unsigned e = static_cast<unsigned>(i / sub_count) + sub_bits - 1;
        return std::uint64_t{1} << (e - sub_bits);
    }

    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace parley::bench
