// Key layout of the state store (see README.md for the table per column family).
// Every key starts with the input partition, so one partition's state is one
// contiguous range in every column family. Integers are big-endian with the sign
// bit flipped, so byte order is numeric order, negatives included. Account ids are
// escaped and terminated (0x00 -> 0x00 0xFF, end = 0x00 0x01): the encoding is
// prefix-free (no account's keys can fall inside another's range, "a" vs "ab" vs
// "a\0b") and keeps byte order, so accounts scan in plain byte order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace kilter::storage::keys {

inline constexpr std::size_t kPartitionBytes = 4;
inline constexpr std::size_t kTimeBytes = 8;

void append_partition(std::string& out, Partition p);
void append_time(std::string& out, TimePoint t);
void append_u64(std::string& out, std::uint64_t v);
void append_account(std::string& out, std::string_view account);

bool read_partition(std::string_view& in, Partition& p);
bool read_time(std::string_view& in, TimePoint& t);
bool read_u64(std::string_view& in, std::uint64_t& v);
// Reads an escaped account. Without escapes the result views `in`; otherwise it is
// unescaped into `scratch` and views that.
bool read_account(std::string_view& in, std::string& scratch, std::string_view& account);
bool skip_account(std::string_view& in);

// The first key after every key starting with `prefix`; false when none exists
// (the prefix is all 0xFF).
bool prefix_end(std::string_view prefix, std::string& out);

// Full keys, written into `out` (cleared first).
void bucket_key(std::string& out, Partition p, std::string_view account, TimePoint bucket);
void post_key(std::string& out, Partition p, std::string_view post_id);
void post_detail_key(std::string& out, Partition p, std::string_view account, TimePoint ts,
                     std::string_view post_id);
// A block of seen ids: its newest event time, then the position of the batch.
void seen_key(std::string& out, Partition p, TimePoint newest, Offset position);
void alert_key(std::string& out, Partition p, std::string_view account, std::string_view rule);
void outbox_key(std::string& out, Partition p, std::uint64_t seq);
void partition_key(std::string& out, Partition p);  // meta and retention

// Start of the seen-id blocks whose newest id has event time t: older blocks sort below.
void seen_prefix(std::string& out, Partition p, TimePoint t);

}  // namespace kilter::storage::keys
